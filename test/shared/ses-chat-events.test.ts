// Every chat rule against AWS's sample SES events, delivered and transformed the way EventBridge does.
import * as fs from "fs";
import * as path from "path";
import { CHAT_EVENT_TYPES, ChatEventType, chatRules, ChatRule, detailTypeOf, transformerProblems } from "../../modules/shared/ses-chat-events";
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
      const subject = record.mail.commonHeaders?.subject;
      if (subject && !/["\\\t]/.test(subject)) {
        expect(d).toContain(`*Subject:* ${subject}`);
        for (const from of record.mail.commonHeaders.from) expect(d).toContain(from.replace(/"/g, ""));
      } else expect(d).not.toContain("*Subject:*");
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
