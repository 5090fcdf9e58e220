/**
 * SES events as chat messages, without code: one EventBridge rule per event kind (and subject
 * variant), whose input transformer turns the event into an Amazon Q Developer in chat
 * applications custom notification. Pure data, so tests can render every template the way
 * EventBridge does (test/support/eventbridge.ts) against AWS's sample events.
 *
 * EventBridge input transformers ("Amazon EventBridge input transformation", EventBridge User Guide,
 * and its "Common issues with transforming input"):
 * - at most 100 input paths and 8192 template characters;
 * - `<` and `>` delimit placeholders and cannot be escaped, so no other `<` or `>` may appear;
 * - "EventBridge doesn't escape values extracted by Input Path": a string goes in as it is, so inside
 *   a JSON string only values that cannot hold `"`, `\` or a control character: AWS-set IDs, times,
 *   the region, and fields SES documents as one of a few words (bounce subtype, delay type, reject
 *   reason). Free text (subject, From, diagnostic codes, error messages) stays out of chat: the
 *   archive and its saved queries have it;
 * - an array placed as a JSON value, unquoted, goes in as JSON ("Do not add quotes for variables that
 *   represent JSON objects or arrays"); inside a string AWS says only that EventBridge "removes any
 *   internal quotes", which leaves an escaped quote's backslash behind, so no object or array goes there;
 * - a path missing from the event creates no variable ("won't appear in the output"): the message
 *   would lose that value, so every path here is one every event the rule matches has.
 */
import type { SesEventType } from "../app/config";

/** The SES events that can be sent to chat. */
export const CHAT_EVENT_TYPES = [
  "PERMANENT_BOUNCE",
  "TRANSIENT_BOUNCE",
  "UNDETERMINED_BOUNCE",
  "COMPLAINT",
  "REJECT",
  "DELIVERY_DELAY",
  "RENDERING_FAILURE",
] as const;
export type ChatEventType = (typeof CHAT_EVENT_TYPES)[number];

/** Hard bounces and complaints: the two that raise the rates AWS reviews. */
export const DEFAULT_CHAT_EVENT_TYPES: readonly ChatEventType[] = ["PERMANENT_BOUNCE", "COMPLAINT"];

interface Kind {
  /** The configuration set's event type that must be published to EventBridge. */
  readonly sesEventType: SesEventType;
  /** `detail-type` of the event on the default bus (EventBridge events reference, "Amazon SES events"). */
  readonly detailType: string;
  /** Extra `detail` pattern, beside the configuration set. */
  readonly detail?: Record<string, unknown>;
  readonly title: string;
  /**
   * Input paths of this kind, each present in every such event and one of a few words SES documents
   * (SES Developer Guide, "Contents of event data that Amazon SES publishes to Firehose"), or a time.
   */
  readonly paths: Record<string, string>;
  /** Description lines, before the common ones. */
  readonly lines: readonly string[];
}

const bounce = (bounceType: string): Kind => ({
  sesEventType: "BOUNCE",
  detailType: "Email Bounced",
  detail: { bounce: { bounceType: [bounceType] } },
  // bounceSubType: one of the subtypes in the guide's "Bounce types" table (General, NoEmail, Suppressed, ...).
  title: `:warning: SES ${bounceType.toLowerCase()} bounce (<bounceSubType>)`,
  paths: { bounceSubType: "$.detail.bounce.bounceSubType" },
  lines: [],
});

const KINDS: Readonly<Record<ChatEventType, Kind>> = {
  PERMANENT_BOUNCE: bounce("Permanent"),
  TRANSIENT_BOUNCE: bounce("Transient"),
  UNDETERMINED_BOUNCE: bounce("Undetermined"),
  COMPLAINT: {
    sesEventType: "COMPLAINT",
    detailType: "Email Complaint Received",
    title: ":warning: SES complaint",
    paths: {},
    lines: [],
  },
  REJECT: {
    sesEventType: "REJECT",
    detailType: "Email Rejected",
    title: ":no_entry: SES rejected a message (virus found)",
    // Reject object: "The only possible value is Bad content."
    paths: { reason: "$.detail.reject.reason" },
    lines: ["*Reason:* <reason>"],
  },
  DELIVERY_DELAY: {
    sesEventType: "DELIVERY_DELAY",
    detailType: "Email Delivery Delayed",
    // DeliveryDelay object: delayType is one of the listed types; expirationTime a timestamp.
    title: ":hourglass: SES delivery delayed (<delayType>)",
    paths: { delayType: "$.detail.deliveryDelay.delayType", expires: "$.detail.deliveryDelay.expirationTime" },
    lines: ["*SES gives up at:* <expires>"],
  },
  RENDERING_FAILURE: {
    sesEventType: "RENDERING_FAILURE",
    detailType: "Email Rendering Failed",
    title: ":x: SES could not render a template",
    // Neither the template's name (SES API v2 limits only its length) nor the error message is safe in a string.
    paths: {},
    lines: ["*Template and error:* in the event archive (the failure's templateName and errorMessage)."],
  },
};

/**
 * Paths every SES event on the bus has: the envelope, set by EventBridge (ID, region, time), and
 * `mail`'s message ID (assigned by SES) and `destination`, the list of the message's recipients.
 */
const COMMON_PATHS = {
  id: "$.id",
  region: "$.region",
  time: "$.time",
  messageId: "$.detail.mail.messageId",
  recipients: "$.detail.mail.destination",
} as const;

export function sesEventTypeOf(type: ChatEventType): SesEventType {
  return KINDS[type].sesEventType;
}

export function detailTypeOf(type: ChatEventType): string {
  return KINDS[type].detailType;
}

/** What a chat message tells the reader to run. */
export interface ChatNextSteps {
  readonly configurationSetName: string;
  /**
   * The Athena workgroup whose saved queries answer "who else?", when the archive is queryable;
   * `when` is the HCL condition under which it is (the plain module's switch).
   */
  readonly investigate?: { readonly workgroup: string; readonly when?: string };
  /** The archive's S3 location, named when there is no workgroup. */
  readonly archiveLocation: string;
}

/** EventBridge's limits on an input transformer (InputTransformer, EventBridge API Reference). */
export const MAX_INPUT_PATHS = 100;
export const INPUT_TEMPLATE_MAX_CHARS = 8192;

export interface InputTransformer {
  readonly inputPathsMap: Record<string, string>;
  readonly inputTemplate: string;
}

/** One rule: its name suffix, pattern and transformer. */
export interface ChatRule {
  readonly type: ChatEventType;
  /**
   * `subject`: events with a Subject header; `no-subject`: events without one. The two transformers are
   * the same since the subject left chat; the pair stays so that existing rules keep their names and
   * addresses.
   */
  readonly variant: "subject" | "no-subject";
  /** Kebab-case, for rule names and construct IDs: `permanent-bounce`, `permanent-bounce-no-subject`. */
  readonly suffix: string;
  readonly eventPattern: Record<string, unknown>;
  readonly inputTransformer: InputTransformer;
}

/** The saved query that answers "who else?" for each kind (modules/shared/named-queries.ts). */
export const CHAT_QUERY: Readonly<Record<ChatEventType, string>> = {
  PERMANENT_BOUNCE: "Hard bounces by recipient",
  TRANSIENT_BOUNCE: "Delivery delays by receiving domain",
  UNDETERMINED_BOUNCE: "Hard bounces by recipient",
  COMPLAINT: "Complaints by recipient and feedback type",
  REJECT: "Bounce and complaint rate by day, region and configuration set",
  DELIVERY_DELAY: "Delivery delays by receiving domain",
  RENDERING_FAILURE: "Bounce and complaint rate by day, region and configuration set",
};

/** The rules for `types`: two per type, so that every event matches exactly one. */
export function chatRules(types: readonly ChatEventType[], next: ChatNextSteps): ChatRule[] {
  return types.flatMap((type) => (["subject", "no-subject"] as const).map((variant) => chatRule(type, variant, next)));
}

function chatRule(type: ChatEventType, variant: "subject" | "no-subject", next: ChatNextSteps): ChatRule {
  const kind = KINDS[type];
  const tags = { "ses:configuration-set": [next.configurationSetName] };
  // Only `exists` splits the two rules (documented for event buses; no operator whose form is unconfirmed).
  const eventPattern = {
    source: ["aws.ses"],
    "detail-type": [kind.detailType],
    detail: { mail: { tags, commonHeaders: { subject: [{ exists: variant === "subject" }] } }, ...kind.detail },
  };
  const paths: Record<string, string> = { ...COMMON_PATHS, ...kind.paths };
  const lines = [
    ...kind.lines,
    "*Recipients of the message:* the keywords below.",
    `*Configuration set:* ${next.configurationSetName}`,
    "*Region:* <region>",
    "*Time:* <time>",
    "*Message ID:* <messageId>",
    // Free text EventBridge would insert unescaped, where a quote or backslash breaks the message.
    "Subject, sender and diagnostic codes are not shown here: the saved query and the archive have them.",
  ];
  const withAthena = [
    `In Athena workgroup ${next.investigate?.workgroup}, run the saved query "${CHAT_QUERY[type]}" to see who else is affected, and why.`,
    "Search the event archive for the message ID to see the message's whole history.",
  ];
  const withoutAthena = [
    `Search the event archive (${next.archiveLocation}) for the message ID to see the message's whole history.`,
    "Turn on ses-guard's investigation to query the archive with Athena's saved queries.",
  ];
  // A Terraform switch: template directives choose the text, since the rule is the same either way.
  const when = next.investigate?.when;
  const steps = when ? withAthena.map((a, i) => `%{ if ${when} }${a}%{ else }${withoutAthena[i]}%{ endif }`) : next.investigate ? withAthena : withoutAthena;
  const notification = {
    version: "1.0",
    source: "custom",
    id: "<id>",
    content: {
      textType: "client-markdown",
      title: kind.title,
      description: lines.join("\n"),
      nextSteps: steps,
      // The recipients as a list of strings, the type keywords have: an address may hold a quote or a
      // backslash (a quoted local part is 7-bit ASCII, which SES accepts), safe only as a JSON value.
      keywords: RECIPIENTS,
    },
    metadata: {
      summary: `${kind.title.replace(/^:[a-z_]+: /, "")} in <region>`,
      eventType: kind.detailType,
      // Chat threads group by this: the events of one message stay together.
      threadId: "<messageId>",
    },
  };
  return {
    type,
    variant,
    suffix: `${type.toLowerCase().replace(/_/g, "-")}${variant === "no-subject" ? "-no-subject" : ""}`,
    eventPattern,
    inputTransformer: { inputPathsMap: paths, inputTemplate: unquoted(JSON.stringify(notification), RECIPIENTS) },
  };
}

// Stryker disable next-line StringLiteral: equivalent: any text found once in the template works.
const RECIPIENTS = "<recipients>";

/** `template` with the JSON string `"<name>"` made a bare placeholder: a JSON value, not text. */
function unquoted(template: string, placeholder: string): string {
  const quoted = JSON.stringify(placeholder);
  if (template.split(quoted).length !== 2) throw new Error(`expected ${quoted} once in the template`);
  return template.replace(quoted, placeholder);
}

/** Placeholders of a template, in order of appearance. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/<([A-Za-z0-9_.-]+)>/g)].map((m) => m[1]);
}

/**
 * What EventBridge would refuse or mangle in a transformer: too many paths, too long a template,
 * a `<` or `>` that is not part of a placeholder, or a placeholder without a path.
 */
export function transformerProblems(t: InputTransformer): string[] {
  const problems: string[] = [];
  const paths = Object.keys(t.inputPathsMap);
  if (paths.length > MAX_INPUT_PATHS) problems.push(`${paths.length} input paths (at most ${MAX_INPUT_PATHS})`);
  if (t.inputTemplate.length > INPUT_TEMPLATE_MAX_CHARS)
    problems.push(`a template of ${t.inputTemplate.length} characters (at most ${INPUT_TEMPLATE_MAX_CHARS})`);
  // Stryker disable next-line StringLiteral: equivalent: any replacement without < or > finds the same strays.
  if (/[<>]/.test(t.inputTemplate.replace(/<[A-Za-z0-9_.-]+>/g, ""))) problems.push("a < or > outside a placeholder (they cannot be escaped)");
  for (const name of placeholders(t.inputTemplate)) {
    if (!(name in t.inputPathsMap) && !name.startsWith("aws.events.")) problems.push(`placeholder <${name}> has no input path`);
  }
  for (const name of paths) if (!t.inputTemplate.includes(`<${name}>`)) problems.push(`input path ${name} is not used`);
  return problems;
}
