// Every chat rule against AWS's sample SES events, made hostile (quotes, backslashes, a tab in every
// free-text field), delivered and transformed the way EventBridge documents it.
import * as fs from "fs";
import * as path from "path";
import {
  CHAT_EVENT_TYPES,
  ChatEventType,
  chatRules,
  ChatRule,
  DEFAULT_CHAT_EVENT_TYPES,
  detailTypeOf,
  placeholders,
  sesEventTypeOf,
  transformerProblems,
} from "../../modules/shared/ses-chat-events";
import { namedQueries } from "../../modules/shared/named-queries";
import { evaluatePath, matchesPattern, missingVariables, renderTransformer, sesEventOnBus, UndocumentedRenderingError } from "../support/eventbridge";
import { customNotificationProblems, placeholdersInStrings } from "../support/custom-notification";

const samplesDir = path.join(__dirname, "..", "ses-event-samples");
const sample = (file: string) => JSON.parse(fs.readFileSync(path.join(samplesDir, file), "utf8"));
const SET = "ConfigSet"; // the configuration set the samples were sent with

const NEXT = { configurationSetName: SET, archiveLocation: "s3://archive/events/us-east-1/", investigate: { workgroup: "shop-investigations", query: "" } };
const ALL_RULES = chatRules(CHAT_EVENT_TYPES, NEXT);

/** Free text as hostile as a header or a DSN can make it: quotes, backslashes, a tab. */
const SUBJECT = 'Your "free" trial \\ ends\ttoday \\"';
const FROM = '"Acme \\"Deals\\"" <news@acme.example>';
const DIAGNOSTIC = 'smtp; 550 5.1.1 "user\\unknown" \\';
/** A recipient with a quoted local part: 7-bit ASCII, so SES sends to it (API v2 Destination). */
const ODD_RECIPIENT = '"odd\\"local"@example.com';

const withBounceType = (record: any, bounceType: string) => ({ ...record, bounce: { ...record.bounce, bounceType } });
/** `record` with hostile free text wherever the event has free text, and an odd recipient. */
function hostile(record: any): any {
  const mail = {
    ...record.mail,
    source: FROM,
    destination: [...record.mail.destination, ODD_RECIPIENT],
    commonHeaders: { ...record.mail.commonHeaders, from: [FROM], subject: SUBJECT },
  };
  const out = { ...record, mail };
  if (record.bounce)
    out.bounce = {
      ...record.bounce,
      bouncedRecipients: [...record.bounce.bouncedRecipients.map((r: any) => ({ ...r, diagnosticCode: DIAGNOSTIC })), { emailAddress: ODD_RECIPIENT }],
    };
  if (record.failure) out.failure = { ...record.failure, errorMessage: `Attribute "x" is not present \\ ${SUBJECT}` };
  if (record.complaint) out.complaint = { ...record.complaint, userAgent: SUBJECT };
  return out;
}
/** The same without a Subject header (the no-subject rules' events). */
function withoutSubject(record: any): any {
  const { subject: _subject, ...commonHeaders } = record.mail.commonHeaders ?? {};
  return { ...record, mail: { ...record.mail, commonHeaders } };
}

/** [case, chat type, event record]: one per type from the guide, plus the variants that matter here. */
const BASE: [string, ChatEventType, any][] = [
  ["permanent bounce with a DSN", "PERMANENT_BOUNCE", sample("bounce.json")],
  ["permanent bounce, several recipients, no DSN", "PERMANENT_BOUNCE", sample("bounce-several-recipients.json")],
  ["transient bounce", "TRANSIENT_BOUNCE", withBounceType(sample("bounce.json"), "Transient")],
  ["undetermined bounce", "UNDETERMINED_BOUNCE", withBounceType(sample("bounce.json"), "Undetermined")],
  ["complaint", "COMPLAINT", sample("complaint.json")],
  ["reject", "REJECT", sample("reject.json")],
  ["delivery delay", "DELIVERY_DELAY", sample("delivery-delay.json")],
  ["rendering failure", "RENDERING_FAILURE", sample("rendering-failure.json")],
];
const CASES: [string, ChatEventType, any, "subject" | "no-subject"][] = BASE.flatMap(
  ([name, type, record]): [string, ChatEventType, any, "subject" | "no-subject"][] => [
    [`${name}, hostile, with a subject`, type, hostile(record), "subject"],
    [`${name}, hostile, without a subject`, type, withoutSubject(hostile(record)), "no-subject"],
  ],
);

/** Placeholders inside JSON strings: only values that cannot hold a quote, a backslash or a control character. */
const SAFE_IN_STRINGS: Record<string, string> = {
  id: "$.id",
  region: "$.region",
  time: "$.time",
  messageId: "$.detail.mail.messageId",
  bounceSubType: "$.detail.bounce.bounceSubType",
  delayType: "$.detail.deliveryDelay.delayType",
  expires: "$.detail.deliveryDelay.expirationTime",
  reason: "$.detail.reject.reason",
};

describe("chat rules", () => {
  test("every transformer stays within EventBridge's limits: 100 paths, 8192 characters, no stray < or >, no unused path", () => {
    for (const rule of ALL_RULES) expect([rule.suffix, transformerProblems(rule.inputTransformer)]).toEqual([rule.suffix, []]);
  });

  test("two rules per type, with distinct suffixes (rule names), and the same transformer in both", () => {
    expect(ALL_RULES).toHaveLength(CHAT_EVENT_TYPES.length * 2);
    expect(new Set(ALL_RULES.map((r) => r.suffix)).size).toBe(ALL_RULES.length);
    for (const type of CHAT_EVENT_TYPES) {
      const [a, b] = ALL_RULES.filter((r) => r.type === type);
      expect([type, a.inputTransformer]).toEqual([type, b.inputTransformer]);
    }
  });

  test("inside JSON strings only IDs, times, the region and documented one-word values; the recipients list only as a JSON value", () => {
    for (const rule of ALL_RULES) {
      const { inputPathsMap, inputTemplate } = rule.inputTransformer;
      for (const name of placeholdersInStrings(inputTemplate))
        expect([rule.suffix, name, inputPathsMap[name]]).toEqual([rule.suffix, name, SAFE_IN_STRINGS[name]]);
      expect(inputTemplate).toContain('"keywords":<recipients>');
      expect(inputPathsMap.recipients).toBe("$.detail.mail.destination");
    }
  });

  describe.each(CASES)("%s", (_name, type, record, variant) => {
    const event = sesEventOnBus(record, detailTypeOf(type));
    const matching = () => ALL_RULES.filter((r) => matchesPattern(r.eventPattern as any, event));

    test("matches exactly one rule, of its own type and variant", () => {
      expect(matching().map((r) => [r.type, r.variant])).toEqual([[type, variant]]);
    });

    test("renders as valid JSON, every variable found, a custom notification as Amazon Q Developer takes it", () => {
      const [rule] = matching();
      expect(missingVariables(rule.inputTransformer, event)).toEqual([]);
      const notification = JSON.parse(renderTransformer(rule.inputTransformer, event));
      expect(customNotificationProblems(notification)).toEqual([]);
      expect(notification.id).toBe(event.id);
    });

    test("shows the message ID, time, region, configuration set, bounce subtype, and every recipient intact", () => {
      const [rule] = matching();
      const { content, metadata } = JSON.parse(renderTransformer(rule.inputTransformer, event));
      const d = content.description as string;
      for (const expected of [record.mail.messageId, `*Configuration set:* ${SET}`, "*Region:* us-east-1", `*Time:* ${event.time}`])
        expect(d).toContain(expected);
      expect(content.keywords).toEqual(record.mail.destination);
      expect(content.keywords).toContain(ODD_RECIPIENT);
      if (record.bounce) expect(content.title).toContain(`(${record.bounce.bounceSubType})`);
      expect(metadata.threadId).toBe(record.mail.messageId);
    });

    test("leaves the free text out: no subject, From, diagnostic code or error message", () => {
      const [rule] = matching();
      const text = renderTransformer(rule.inputTransformer, event);
      for (const free of ["free", "Acme", "unknown", "not present"]) expect(text).not.toContain(free);
      expect(JSON.parse(text).content.nextSteps[0]).toContain(`run the saved query "`);
    });
  });

  test("events sent with another configuration set match no rule", () => {
    const record = sample("bounce.json");
    const other = { ...record, mail: { ...record.mail, tags: { ...record.mail.tags, "ses:configuration-set": ["Other"] } } };
    expect(ALL_RULES.filter((r) => matchesPattern(r.eventPattern as any, sesEventOnBus(other, "Email Bounced")))).toEqual([]);
  });

  test("only the chosen types get rules; without a workgroup the next step names the archive", () => {
    const rules = chatRules(["COMPLAINT"], { ...NEXT, investigate: undefined });
    expect(rules.map((r) => r.suffix)).toEqual(["complaint", "complaint-no-subject"]);
    const event = sesEventOnBus(sample("complaint.json"), "Email Complaint Received");
    const rendered = JSON.parse(renderTransformer(rules[0].inputTransformer, event));
    expect(rendered.content.nextSteps.join(" ")).toContain(NEXT.archiveLocation);
  });

  test("each rule names the saved query for its type when the archive is queryable", () => {
    const byType = (t: ChatEventType) => ALL_RULES.find((r) => r.type === t) as ChatRule;
    const q = (t: ChatEventType) => JSON.parse(byType(t).inputTransformer.inputTemplate.replace("<recipients>", "[]")).content.nextSteps[0];
    expect(q("PERMANENT_BOUNCE")).toContain('"Hard bounces by recipient"');
    expect(q("COMPLAINT")).toContain('"Complaints by recipient and feedback type"');
  });
});

/** A template with its one bare placeholder filled, so that it parses. */
const templateOf = (rule: ChatRule) => JSON.parse(rule.inputTransformer.inputTemplate.replace("<recipients>", "[]"));

describe("chat rule details", () => {
  const render = (type: ChatEventType, record: any, next = NEXT) => {
    const event = sesEventOnBus(record, detailTypeOf(type));
    const [rule] = chatRules([type], next).filter((r) => matchesPattern(r.eventPattern as any, event));
    return JSON.parse(renderTransformer(rule.inputTransformer, event));
  };

  test("each type's SES event type (to publish) and detail-type on the bus, as AWS names them", () => {
    expect(CHAT_EVENT_TYPES.map((t) => [t, sesEventTypeOf(t), detailTypeOf(t)])).toEqual([
      ["PERMANENT_BOUNCE", "BOUNCE", "Email Bounced"],
      ["TRANSIENT_BOUNCE", "BOUNCE", "Email Bounced"],
      ["UNDETERMINED_BOUNCE", "BOUNCE", "Email Bounced"],
      ["COMPLAINT", "COMPLAINT", "Email Complaint Received"],
      ["REJECT", "REJECT", "Email Rejected"],
      ["DELIVERY_DELAY", "DELIVERY_DELAY", "Email Delivery Delayed"],
      ["RENDERING_FAILURE", "RENDERING_FAILURE", "Email Rendering Failed"],
    ]);
    expect(DEFAULT_CHAT_EVENT_TYPES).toEqual(["PERMANENT_BOUNCE", "COMPLAINT"]);
  });

  test("titles, the recipients as keywords, and the summary chat shows, per type", () => {
    const cases: [ChatEventType, any, string][] = [
      ["PERMANENT_BOUNCE", sample("bounce.json"), ":warning: SES permanent bounce (General)"],
      ["TRANSIENT_BOUNCE", withBounceType(sample("bounce.json"), "Transient"), ":warning: SES transient bounce (General)"],
      ["COMPLAINT", sample("complaint.json"), ":warning: SES complaint"],
      ["REJECT", sample("reject.json"), ":no_entry: SES rejected a message (virus found)"],
      ["DELIVERY_DELAY", sample("delivery-delay.json"), `:hourglass: SES delivery delayed (${sample("delivery-delay.json").deliveryDelay.delayType})`],
      ["RENDERING_FAILURE", sample("rendering-failure.json"), ":x: SES could not render a template"],
    ];
    for (const [type, record, title] of cases) {
      const n = render(type, record);
      expect([type, n.content.title, n.content.keywords]).toEqual([type, title, record.mail.destination]);
      expect([type, n.metadata]).toEqual([
        type,
        { summary: `${title.replace(/^:[a-z_]+: /, "")} in us-east-1`, eventType: detailTypeOf(type), threadId: record.mail.messageId },
      ]);
    }
  });

  test("the delivery delay says until when SES retries; the reject gives the reason; the rendering failure points to the archive", () => {
    const delay = sample("delivery-delay.json");
    expect(render("DELIVERY_DELAY", delay).content.description).toContain(`*SES gives up at:* ${delay.deliveryDelay.expirationTime}`);
    const reject = sample("reject.json");
    expect(render("REJECT", reject).content.description).toContain(`*Reason:* ${reject.reject.reason}`);
    expect(render("RENDERING_FAILURE", sample("rendering-failure.json")).content.description).toContain("*Template and error:* in the event archive");
  });

  test("every rule's saved query is one ses-guard creates", () => {
    const saved = namedQueries({ database: "ses", table: "events", lookbackDays: 7, campaignTag: "campaign" }).map((q) => q.name);
    for (const rule of ALL_RULES) {
      const [step] = templateOf(rule).content.nextSteps as string[];
      const query = /run the saved query "([^"]+)"/.exec(step)?.[1];
      expect([rule.type, saved.includes(query!)]).toEqual([rule.type, true]);
      expect(step).toBe(`In Athena workgroup shop-investigations, run the saved query "${query}" to see who else is affected, and why.`);
    }
    const q = (t: ChatEventType) => /"([^"]+)"/.exec(templateOf(ALL_RULES.find((r) => r.type === t)!).content.nextSteps[0])![1];
    expect(CHAT_EVENT_TYPES.map((t) => [t, q(t)])).toEqual([
      ["PERMANENT_BOUNCE", "Hard bounces by recipient"],
      ["TRANSIENT_BOUNCE", "Delivery delays by receiving domain"],
      ["UNDETERMINED_BOUNCE", "Hard bounces by recipient"],
      ["COMPLAINT", "Complaints by recipient and feedback type"],
      ["REJECT", "Bounce and complaint rate by day, region and configuration set"],
      ["DELIVERY_DELAY", "Delivery delays by receiving domain"],
      ["RENDERING_FAILURE", "Bounce and complaint rate by day, region and configuration set"],
    ]);
  });

  test("next steps: the archive search either way, the workgroup when there is one, and Terraform's choice when it is switched", () => {
    const steps = (next: typeof NEXT | Omit<typeof NEXT, "investigate"> | any) => templateOf(chatRules(["COMPLAINT"], next)[0]).content.nextSteps;
    const athena = [
      'In Athena workgroup shop-investigations, run the saved query "Complaints by recipient and feedback type" to see who else is affected, and why.',
      "Search the event archive for the message ID to see the message's whole history.",
    ];
    const archive = [
      "Search the event archive (s3://archive/events/us-east-1/) for the message ID to see the message's whole history.",
      "Turn on ses-guard's investigation to query the archive with Athena's saved queries.",
    ];
    expect(steps(NEXT)).toEqual(athena);
    expect(steps({ ...NEXT, investigate: undefined })).toEqual(archive);
    expect(steps({ ...NEXT, investigate: { workgroup: "shop-investigations", when: "var.investigate" } })).toEqual(
      athena.map((a, i) => `%{ if var.investigate }${a}%{ else }${archive[i]}%{ endif }`),
    );
  });

  test("both variants take the same paths, none of them free text; the description says where the free text is", () => {
    const [withSubject, without] = chatRules(["REJECT"], NEXT);
    expect([withSubject.variant, without.variant]).toEqual(["subject", "no-subject"]);
    expect([withSubject.suffix, without.suffix]).toEqual(["reject", "reject-no-subject"]);
    for (const rule of [withSubject, without]) {
      expect(rule.inputTransformer.inputPathsMap).toEqual({
        id: "$.id",
        region: "$.region",
        time: "$.time",
        messageId: "$.detail.mail.messageId",
        recipients: "$.detail.mail.destination",
        reason: "$.detail.reject.reason",
      });
      expect(templateOf(rule).content.description).toBe(
        [
          "*Reason:* <reason>",
          "*Recipients of the message:* the keywords below.",
          `*Configuration set:* ${SET}`,
          "*Region:* <region>",
          "*Time:* <time>",
          "*Message ID:* <messageId>",
          "Subject, sender and diagnostic codes are not shown here: the saved query and the archive have them.",
        ].join("\n"),
      );
    }
  });

  test("each pattern: SES events with the kind's detail-type and the configuration set's tag; bounces by bounce type", () => {
    const [bounce] = chatRules(["TRANSIENT_BOUNCE"], NEXT);
    expect(bounce.eventPattern).toEqual({
      source: ["aws.ses"],
      "detail-type": ["Email Bounced"],
      detail: {
        mail: {
          tags: { "ses:configuration-set": [SET] },
          commonHeaders: { subject: [{ exists: true }] },
        },
        bounce: { bounceType: ["Transient"] },
      },
    });
    // The other rule of the pair: the same, for events without a Subject header (only `exists`, no other operator).
    expect(chatRules(["TRANSIENT_BOUNCE"], NEXT)[1].eventPattern).toEqual({
      source: ["aws.ses"],
      "detail-type": ["Email Bounced"],
      detail: {
        mail: { tags: { "ses:configuration-set": [SET] }, commonHeaders: { subject: [{ exists: false }] } },
        bounce: { bounceType: ["Transient"] },
      },
    });
  });
});

describe("transformerProblems", () => {
  const paths = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, `$.p${i}`]));
  const using = (p: Record<string, string>) => JSON.stringify(Object.keys(p).map((k) => `<${k}>`));

  test("at most 100 input paths", () => {
    expect(transformerProblems({ inputPathsMap: paths(100), inputTemplate: using(paths(100)) })).toEqual([]);
    expect(transformerProblems({ inputPathsMap: paths(101), inputTemplate: using(paths(101)) })).toEqual(["101 input paths (at most 100)"]);
  });

  test("at most 8192 template characters", () => {
    const at = (n: number) => ({ inputPathsMap: { a: "$.a" }, inputTemplate: `"<a>${"x".repeat(n - 5)}"` });
    expect(at(8192).inputTemplate).toHaveLength(8192);
    expect(transformerProblems(at(8192))).toEqual([]);
    expect(transformerProblems(at(8193))).toEqual(["a template of 8193 characters (at most 8192)"]);
  });

  test("a < or > outside a placeholder, a placeholder without a path, a path not used", () => {
    expect(transformerProblems({ inputPathsMap: { a: "$.a" }, inputTemplate: '"<a> > 1"' })).toEqual([
      "a < or > outside a placeholder (they cannot be escaped)",
    ]);
    expect(transformerProblems({ inputPathsMap: { a: "$.a" }, inputTemplate: '"<a> <"' })).toEqual(["a < or > outside a placeholder (they cannot be escaped)"]);
    expect(transformerProblems({ inputPathsMap: { a: "$.a" }, inputTemplate: '"<a> <b>"' })).toEqual(["placeholder <b> has no input path"]);
    expect(transformerProblems({ inputPathsMap: { a: "$.a", b: "$.b" }, inputTemplate: '"<a>"' })).toEqual(["input path b is not used"]);
  });

  test("EventBridge's own placeholders (aws.events.*) need no path", () => {
    expect(transformerProblems({ inputPathsMap: { a: "$.a" }, inputTemplate: '"<a> <aws.events.rule-arn> <aws.events.event.ingestion-time>"' })).toEqual([]);
    expect(transformerProblems({ inputPathsMap: { a: "$.a" }, inputTemplate: '"<a> <aws.rule>"' })).toEqual(["placeholder <aws.rule> has no input path"]);
  });

  test("placeholders: names of letters, digits, _, . and -, in order", () => {
    expect(placeholders('{"a":"<x_1> <aws.events.rule-arn> < y> <z>"}')).toEqual(["x_1", "aws.events.rule-arn", "z"]);
  });
});

describe("the EventBridge model used above", () => {
  const t = (inputTemplate: string) => ({ inputPathsMap: { s: "$.s" }, inputTemplate });

  test("a missing path creates no variable: the placeholder renders as nothing; a wildcard path gives a list", () => {
    const record = sample("bounce-several-recipients.json");
    expect(evaluatePath(record, "$.bounce.bouncedRecipients[0].diagnosticCode")).toBeUndefined();
    expect(evaluatePath(record, "$.bounce.bouncedRecipients[*].emailAddress")).toEqual(["jane@example.com", "richard@example.com"]);
    expect(renderTransformer(t('{"a":"x<s>y"}'), {})).toBe('{"a":"xy"}');
    expect(missingVariables(t('"<s>"'), {})).toEqual(["s"]);
    expect(missingVariables(t('"<s>"'), { s: "v" })).toEqual([]);
  });

  test("strings are inserted unescaped, in a JSON string or out (EventBridge adds the quotes), so a quote breaks the JSON", () => {
    expect(() => JSON.parse(renderTransformer(t('{"a":"say <s>"}'), { s: 'a "quote"' }))).toThrow();
    expect(() => JSON.parse(renderTransformer(t('{"a":<s>}'), { s: 'a "quote"' }))).toThrow();
    expect(JSON.parse(renderTransformer(t('{"a":<s>}'), { s: "plain" }))).toEqual({ a: "plain" });
    expect(renderTransformer(t('{"a":"<s>"}'), { s: "back\\slash" })).toBe('{"a":"back\\slash"}');
  });

  test("an array or object as a JSON value is inserted as JSON; inside a JSON string it is refused as undocumented", () => {
    expect(JSON.parse(renderTransformer(t('{"a":<s>}'), { s: ['x"y', "z\\"] }))).toEqual({ a: ['x"y', "z\\"] });
    expect(JSON.parse(renderTransformer(t('{"a":<s>}'), { s: { k: 'v"' } }))).toEqual({ a: { k: 'v"' } });
    expect(() => renderTransformer(t('{"a":"say <s>"}'), { s: { k: "v" } })).toThrow(UndocumentedRenderingError);
    expect(() => renderTransformer(t('{"a":"say <s>"}'), { s: ["v"] })).toThrow(UndocumentedRenderingError);
    expect(() => renderTransformer(t('{"a":"say <s>"}'), { s: null })).toThrow(UndocumentedRenderingError);
    expect(renderTransformer(t('{"a":"n=<s>"}'), { s: 3 })).toBe('{"a":"n=3"}');
  });

  test("patterns: anything-but wildcard needs the field; exists:false matches its absence; $or takes either", () => {
    const p = { a: [{ "anything-but": { wildcard: ['*"*'] } }] };
    expect(matchesPattern(p, { a: "x" })).toBe(true);
    expect(matchesPattern(p, { a: 'x"' })).toBe(false);
    expect(matchesPattern(p, {})).toBe(false);
    const q = { $or: [{ a: [{ exists: false }] }, { a: [{ wildcard: '*"*' }] }] };
    expect([{}, { a: 'x"' }, { a: "x" }].map((e) => matchesPattern(q as any, e as any))).toEqual([true, true, false]);
  });
});

describe("the custom notification check used above", () => {
  const good = {
    version: "1.0",
    source: "custom",
    id: "x",
    content: { textType: "client-markdown", description: "d", keywords: ["a"] },
    metadata: { threadId: "t" },
  };

  test("takes a notification of the documented shape", () => {
    expect(customNotificationProblems(good)).toEqual([]);
  });

  test("names what is wrong: version, source, missing description, a non-string keyword, an unknown field", () => {
    const bad = { ...good, version: "1", source: "aws", content: { keywords: [{ k: "v" }] }, metadata: { threadId: "t", extra: "e" } };
    expect(customNotificationProblems(bad)).toEqual([
      'version "1" (must be "1.0")',
      'source "aws" (must be "custom")',
      "content.description is missing",
      'content.keywords has the wrong type: [{"k":"v"}]',
      "unknown field metadata.extra",
    ]);
  });

  test("placeholdersInStrings: inside strings only, escapes skipped", () => {
    expect(placeholdersInStrings('{"a":"<x> \\"<y>\\"","b":<z>}')).toEqual(["x", "y"]);
  });
});
