// Every chat rule against AWS's sample SES events, delivered and transformed the way EventBridge does.
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
import { evaluatePath, matchesPattern, MissingPathError, renderTransformer, sesEventOnBus } from "../support/eventbridge";

const samplesDir = path.join(__dirname, "..", "ses-event-samples");
const sample = (file: string) => JSON.parse(fs.readFileSync(path.join(samplesDir, file), "utf8"));
const SET = "ConfigSet"; // the configuration set the samples were sent with

const NEXT = { configurationSetName: SET, archiveLocation: "s3://archive/events/us-east-1/", investigate: { workgroup: "shop-investigations", query: "" } };
const ALL_RULES = chatRules(CHAT_EVENT_TYPES, NEXT);

const withBounceType = (record: any, bounceType: string) => ({ ...record, bounce: { ...record.bounce, bounceType } });
const withFrom = (record: any, from: string) => ({ ...record, mail: { ...record.mail, commonHeaders: { ...record.mail.commonHeaders, from: [from] } } });
const withSubject = (record: any, subject: string) => ({ ...record, mail: { ...record.mail, commonHeaders: { ...record.mail.commonHeaders, subject } } });

/** [case, chat type, event record]: one per type from the guide, plus the variants that matter here. */
const CASES: [string, ChatEventType, any][] = [
  ["permanent bounce with a DSN", "PERMANENT_BOUNCE", sample("bounce.json")],
  ["permanent bounce, two recipients, no DSN, no headers", "PERMANENT_BOUNCE", sample("bounce-several-recipients.json")],
  ["transient bounce", "TRANSIENT_BOUNCE", withBounceType(sample("bounce.json"), "Transient")],
  ["undetermined bounce", "UNDETERMINED_BOUNCE", withBounceType(sample("bounce.json"), "Undetermined")],
  ["complaint", "COMPLAINT", sample("complaint.json")],
  ["reject", "REJECT", sample("reject.json")],
  ["delivery delay", "DELIVERY_DELAY", sample("delivery-delay.json")],
  ["rendering failure", "RENDERING_FAILURE", sample("rendering-failure.json")],
  ["bounce whose subject has quotes", "PERMANENT_BOUNCE", withSubject(sample("bounce.json"), 'Your "free" trial \\ ends')],
  ["bounce whose subject has only a quote", "PERMANENT_BOUNCE", withSubject(sample("bounce.json"), 'Your "free" trial')],
  ["bounce whose subject has only a backslash", "PERMANENT_BOUNCE", withSubject(sample("bounce.json"), "C:\\temp")],
  ["complaint whose subject has a tab", "COMPLAINT", withSubject(sample("complaint.json"), "a\tb")],
  ["bounce from a display name in quotes", "PERMANENT_BOUNCE", withFrom(sample("bounce.json"), '"Acme, Inc." <noreply@acme.example>')],
];

describe("chat rules", () => {
  test("every transformer stays within EventBridge's limits: 100 paths, 8192 characters, no stray < or >, no unused path", () => {
    for (const rule of ALL_RULES) expect([rule.suffix, transformerProblems(rule.inputTransformer)]).toEqual([rule.suffix, []]);
  });

  test("two rules per type, with distinct suffixes (rule names)", () => {
    expect(ALL_RULES).toHaveLength(CHAT_EVENT_TYPES.length * 2);
    expect(new Set(ALL_RULES.map((r) => r.suffix)).size).toBe(ALL_RULES.length);
  });

  describe.each(CASES)("%s", (_name, type, record) => {
    const event = sesEventOnBus(record, detailTypeOf(type));
    const matching = () => ALL_RULES.filter((r) => matchesPattern(r.eventPattern as any, event));

    test("matches exactly one rule, of its own type", () => {
      expect(matching().map((r) => r.type)).toEqual([type]);
    });

    test("renders as a valid custom notification with what a reader needs", () => {
      const [rule] = matching();
      const text = renderTransformer(rule.inputTransformer, event);
      const notification = JSON.parse(text);
      expect(notification).toMatchObject({ version: "1.0", source: "custom", id: event.id });
      const { content } = notification;
      expect(content.textType).toBe("client-markdown");
      for (const field of ["title", "description"]) expect(typeof content[field]).toBe("string");
      for (const field of ["nextSteps", "keywords"]) expect(content[field].every((s: unknown) => typeof s === "string")).toBe(true);
      const d = content.description as string;
      for (const expected of [record.mail.messageId, record.mail.sourceArn, `*Configuration set:* ${SET}`, "us-east-1", event.time])
        expect(d).toContain(expected);
      const recipients = record.bounce?.bouncedRecipients ?? record.complaint?.complainedRecipients ?? record.deliveryDelay?.delayedRecipients ?? [];
      for (const r of recipients) {
        expect(d).toContain(r.emailAddress);
        if (r.diagnosticCode) expect(d).toContain(r.diagnosticCode.replace(/"/g, ""));
      }
      if (record.bounce) expect(`${content.title} ${d}`).toContain(record.bounce.bounceSubType);
      if (record.failure) expect(d).toContain(record.failure.templateName);
      // The subject is shown when EventBridge can insert it intact, and left out otherwise.
      // The headers, subject and From included, whatever they hold: EventBridge shows an object without its quotes.
      const subject = record.mail.commonHeaders?.subject;
      if (subject !== undefined) {
        expect(d).toContain(`subject:${subject.replace(/"/g, "")}`);
        for (const from of record.mail.commonHeaders.from) expect(d).toContain(from.replace(/"/g, ""));
      } else expect(d).not.toContain("*Original headers:*");
      expect(content.nextSteps.join(" ")).toContain("shop-investigations");
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
    const q = (t: ChatEventType) => JSON.parse(byType(t).inputTransformer.inputTemplate).content.nextSteps[0];
    expect(q("PERMANENT_BOUNCE")).toContain('"Hard bounces by recipient"');
    expect(q("COMPLAINT")).toContain('"Complaints by recipient and feedback type"');
  });
});

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

  test("titles, keywords and the summary chat shows, per type", () => {
    const cases: [ChatEventType, any, string, string[]][] = [
      ["PERMANENT_BOUNCE", sample("bounce.json"), ":warning: SES permanent bounce (General)", ["bounce", "Permanent"]],
      ["TRANSIENT_BOUNCE", withBounceType(sample("bounce.json"), "Transient"), ":warning: SES transient bounce (General)", ["bounce", "Transient"]],
      ["COMPLAINT", sample("complaint.json"), ":warning: SES complaint", ["complaint"]],
      ["REJECT", sample("reject.json"), ":no_entry: SES rejected a message (virus found)", ["reject"]],
      [
        "DELIVERY_DELAY",
        sample("delivery-delay.json"),
        `:hourglass: SES delivery delayed (${sample("delivery-delay.json").deliveryDelay.delayType})`,
        ["delivery-delay"],
      ],
      ["RENDERING_FAILURE", sample("rendering-failure.json"), ":x: SES could not render a template", ["rendering-failure"]],
    ];
    for (const [type, record, title, keywords] of cases) {
      const n = render(type, record);
      expect([type, n.content.title, n.content.keywords]).toEqual([type, title, ["SES", ...keywords, "us-east-1"]]);
      expect([type, n.metadata]).toEqual([
        type,
        { summary: `${title.replace(/^:[a-z_]+: /, "")} in us-east-1`, eventType: detailTypeOf(type), threadId: record.mail.messageId },
      ]);
    }
  });

  test("the delivery delay says until when SES retries; the reject gives the reason", () => {
    const delay = sample("delivery-delay.json");
    expect(render("DELIVERY_DELAY", delay).content.description).toContain(`*SES gives up at:* ${delay.deliveryDelay.expirationTime}`);
    const reject = sample("reject.json");
    expect(render("REJECT", reject).content.description).toContain(`*Reason:* ${reject.reject.reason}`);
  });

  test("every rule's saved query is one ses-guard creates", () => {
    const saved = namedQueries({ database: "ses", table: "events", lookbackDays: 7, campaignTag: "campaign" }).map((q) => q.name);
    for (const rule of ALL_RULES) {
      const [step] = JSON.parse(rule.inputTransformer.inputTemplate).content.nextSteps as string[];
      const query = /run the saved query "([^"]+)"/.exec(step)?.[1];
      expect([rule.type, saved.includes(query!)]).toEqual([rule.type, true]);
      expect(step).toBe(`In Athena workgroup shop-investigations, run the saved query "${query}" to see who else is affected.`);
    }
    const q = (t: ChatEventType) => /"([^"]+)"/.exec(JSON.parse(ALL_RULES.find((r) => r.type === t)!.inputTransformer.inputTemplate).content.nextSteps[0])![1];
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
    const steps = (next: typeof NEXT | Omit<typeof NEXT, "investigate"> | any) =>
      JSON.parse(chatRules(["COMPLAINT"], next)[0].inputTransformer.inputTemplate).content.nextSteps;
    const athena = [
      'In Athena workgroup shop-investigations, run the saved query "Complaints by recipient and feedback type" to see who else is affected.',
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

  test("the subject variant shows the original headers as one object; the other names no header path", () => {
    const [withSubject, without] = chatRules(["REJECT"], NEXT);
    expect([withSubject.variant, without.variant]).toEqual(["subject", "no-subject"]);
    expect([withSubject.suffix, without.suffix]).toEqual(["reject", "reject-no-subject"]);
    expect(Object.keys(withSubject.inputTransformer.inputPathsMap).sort()).toEqual(["headers", "id", "identity", "messageId", "reason", "region", "time"]);
    expect(withSubject.inputTransformer.inputPathsMap.headers).toBe("$.detail.mail.commonHeaders");
    expect(Object.keys(without.inputTransformer.inputPathsMap).sort()).toEqual(["id", "identity", "messageId", "reason", "region", "time"]);
    expect(JSON.parse(without.inputTransformer.inputTemplate).content.description).toBe(
      [
        "*Reason:* <reason>",
        "*Sending identity:* <identity>",
        `*Configuration set:* ${SET}`,
        "*Region:* <region>",
        "*Time:* <time>",
        "*Message ID:* <messageId>",
      ].join("\n"),
    );
    expect(JSON.parse(withSubject.inputTransformer.inputTemplate).content.description).toBe(
      [
        "*Reason:* <reason>",
        "*Original headers:* <headers>",
        "*Sending identity:* <identity>",
        `*Configuration set:* ${SET}`,
        "*Region:* <region>",
        "*Time:* <time>",
        "*Message ID:* <messageId>",
      ].join("\n"),
    );
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
  test("a missing path fails, as delivery does; a wildcard path gives a list", () => {
    const record = sample("bounce-several-recipients.json");
    expect(() => evaluatePath(record, "$.bounce.bouncedRecipients[0].diagnosticCode")).toThrow(MissingPathError);
    expect(evaluatePath(record, "$.bounce.bouncedRecipients[*].emailAddress")).toEqual(["jane@example.com", "richard@example.com"]);
  });

  test("strings inside a JSON string are inserted unescaped, so a quote breaks the JSON", () => {
    const t = { inputPathsMap: { s: "$.s" }, inputTemplate: '{"a":"say <s>"}' };
    expect(() => JSON.parse(renderTransformer(t, { s: 'a "quote"' }))).toThrow();
    expect(JSON.parse(renderTransformer({ ...t, inputTemplate: '{"a":<s>}' }, { s: 'a "quote"' }))).toEqual({ a: 'a "quote"' });
    expect(JSON.parse(renderTransformer(t, { s: { k: 'v"' } }))).toEqual({ a: "say {k:v}" });
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
