/**
 * SES events as chat messages, without code: one EventBridge rule per event kind (and subject
 * variant), whose input transformer turns the event into an Amazon Q Developer in chat
 * applications custom notification. Pure data, so tests can render every template the way
 * EventBridge does (test/support/eventbridge.ts) against AWS's sample events.
 *
 * EventBridge input transformers ("Amazon EventBridge input transformation", EventBridge User Guide):
 * - at most 100 input paths and 8192 template characters;
 * - `<` and `>` delimit placeholders and cannot be escaped, so no other `<` or `>` may appear;
 * - a string value placed inside a JSON string is inserted as it is, not escaped, so only values
 *   that cannot hold `"`, `\` or control characters go there (IDs, types, times, the region);
 * - an object or array placed inside a JSON string loses its inner quotes ("Detail is {key1: value1}"),
 *   which is how free text (subject, From, diagnostic codes) and optional fields are shown;
 * - a path missing from the event fails the delivery: paths here are present in every event the rule matches.
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
  /** Input paths of this kind, all present in every such event (SES Developer Guide, "Contents of event data"). */
  readonly paths: Record<string, string>;
  /** Description lines; placeholders only of values that hold no quote, backslash or control character. */
  readonly lines: readonly string[];
  readonly keywords: readonly string[];
}

const bounce = (bounceType: string): Kind => ({
  sesEventType: "BOUNCE",
  detailType: "Email Bounced",
  detail: { bounce: { bounceType: [bounceType] } },
  title: `:warning: SES ${bounceType.toLowerCase()} bounce (<bounceSubType>)`,
  // The whole array: every recipient, with each one's status and diagnostic code when the DSN has them.
  paths: { bounceSubType: "$.detail.bounce.bounceSubType", recipients: "$.detail.bounce.bouncedRecipients" },
  lines: ["*Bounced recipients:* <recipients>"],
  keywords: ["bounce", bounceType],
});

const KINDS: Readonly<Record<ChatEventType, Kind>> = {
  PERMANENT_BOUNCE: bounce("Permanent"),
  TRANSIENT_BOUNCE: bounce("Transient"),
  UNDETERMINED_BOUNCE: bounce("Undetermined"),
  COMPLAINT: {
    sesEventType: "COMPLAINT",
    detailType: "Email Complaint Received",
    title: ":warning: SES complaint",
    paths: { recipients: "$.detail.complaint.complainedRecipients" },
    lines: ["*Complained recipients:* <recipients>"],
    keywords: ["complaint"],
  },
  REJECT: {
    sesEventType: "REJECT",
    detailType: "Email Rejected",
    title: ":no_entry: SES rejected a message (virus found)",
    paths: { reason: "$.detail.reject.reason" },
    lines: ["*Reason:* <reason>"],
    keywords: ["reject"],
  },
  DELIVERY_DELAY: {
    sesEventType: "DELIVERY_DELAY",
    detailType: "Email Delivery Delayed",
    title: ":hourglass: SES delivery delayed (<delayType>)",
    paths: {
      delayType: "$.detail.deliveryDelay.delayType",
      recipients: "$.detail.deliveryDelay.delayedRecipients",
      expires: "$.detail.deliveryDelay.expirationTime",
    },
    lines: ["*Delayed recipients:* <recipients>", "*SES gives up at:* <expires>"],
    keywords: ["delivery-delay"],
  },
  RENDERING_FAILURE: {
    sesEventType: "RENDERING_FAILURE",
    detailType: "Email Rendering Failed",
    title: ":x: SES could not render a template",
    // The whole object: its error message is free text and may hold quotes.
    paths: { failure: "$.detail.failure" },
    lines: ["*Failure:* <failure>"],
    keywords: ["rendering-failure"],
  },
};

/** Paths every SES event on the bus has: the envelope and `mail`. */
const COMMON_PATHS = {
  id: "$.id",
  region: "$.region",
  time: "$.time",
  messageId: "$.detail.mail.messageId",
  identity: "$.detail.mail.sourceArn",
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
  /** `subject`: events with a Subject header (their headers are shown); `no-subject`: events without one. */
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
  // The headers as one object: the subject and the From header are free text (quotes, backslashes), which
  // EventBridge would insert unescaped; an object shown in text loses its quotes instead.
  if (variant === "subject") paths.headers = "$.detail.mail.commonHeaders";
  const lines = [
    ...kind.lines,
    ...(variant === "subject" ? ["*Original headers:* <headers>"] : []),
    "*Sending identity:* <identity>",
    `*Configuration set:* ${next.configurationSetName}`,
    "*Region:* <region>",
    "*Time:* <time>",
    "*Message ID:* <messageId>",
  ];
  const withAthena = [
    `In Athena workgroup ${next.investigate?.workgroup}, run the saved query "${CHAT_QUERY[type]}" to see who else is affected.`,
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
      keywords: ["SES", ...kind.keywords, "<region>"],
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
    inputTransformer: { inputPathsMap: paths, inputTemplate: JSON.stringify(notification) },
  };
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
