/**
 * The table schema of the SES event archive, as data: the Glue table (event-catalog.ts) renders
 * it to Hive type strings, and the tests check it against SES's published example events and
 * against every column the saved queries (named-queries.ts) use.
 *
 * Names are lower case: the table's JSON SerDe (OpenX, `case.insensitive` on, its default) lower-cases
 * the JSON keys it reads, so `bouncedRecipients` is the field `bouncedrecipients`. Keys SES writes
 * that a column does not name are skipped by the SerDe, so the schema lists what investigations need,
 * not every field SES may add later.
 */

export type HiveType =
  | { readonly kind: "string" }
  | { readonly kind: "bigint" }
  | { readonly kind: "boolean" }
  | { readonly kind: "array"; readonly of: HiveType }
  | { readonly kind: "map"; readonly key: HiveType; readonly value: HiveType }
  | { readonly kind: "struct"; readonly fields: readonly StructField[] };

export interface StructField {
  readonly name: string;
  readonly type: HiveType;
}

export interface EventColumn {
  readonly name: string;
  readonly type: HiveType;
  /** Shown in the Glue console and Athena's table view. */
  readonly comment: string;
}

const string: HiveType = { kind: "string" };
const bigint: HiveType = { kind: "bigint" };
const boolean: HiveType = { kind: "boolean" };
const array = (of: HiveType): HiveType => ({ kind: "array", of });
const map = (key: HiveType, value: HiveType): HiveType => ({ kind: "map", key, value });
/** Field order is the order written here; it matters for UNNEST of an array of structs (one column per field). */
const struct = (fields: Record<string, HiveType>): HiveType => ({
  kind: "struct",
  fields: Object.entries(fields).map(([name, type]) => ({ name, type })),
});

/** `ses:configuration-set`, `ses:from-domain`, your own message tags: each name has a list of values. */
const tags = map(string, array(string));

const topicPreferences = struct({
  unsubscribeall: boolean,
  topicsubscriptionstatus: array(struct({ topicname: string, subscriptionstatus: string })),
});

/**
 * One column per top-level key of an SES event record (SES developer guide, "Contents of event
 * data that Amazon SES publishes to Firehose"). Timestamps stay ISO 8601 strings:
 * `from_iso8601_timestamp(bounce.timestamp)` reads them in a query. The Send record's `send` object
 * is always empty (`{}`), and a struct needs at least one field, so it has no column:
 * `eventtype = 'Send'` finds sends.
 */
export const SES_EVENT_COLUMNS: readonly EventColumn[] = [
  {
    name: "eventtype",
    type: string,
    comment: "Send, Reject, Bounce, Complaint, Delivery, DeliveryDelay, Rendering Failure (with a space), Open, Click or Subscription",
  },
  {
    name: "mail",
    type: struct({
      timestamp: string,
      source: string,
      sourcearn: string,
      sendingaccountid: string,
      messageid: string,
      destination: array(string),
      headerstruncated: boolean,
      headers: array(struct({ name: string, value: string })),
      commonheaders: struct({ from: array(string), to: array(string), messageid: string, subject: string }),
      tags,
    }),
    comment: "The message the event is about; in every event",
  },
  {
    name: "bounce",
    type: struct({
      bouncetype: string,
      bouncesubtype: string,
      bouncedrecipients: array(struct({ emailaddress: string, action: string, status: string, diagnosticcode: string })),
      timestamp: string,
      feedbackid: string,
      reportingmta: string,
    }),
    comment: "When eventtype = 'Bounce'; bouncetype 'Permanent' is a hard bounce",
  },
  {
    name: "complaint",
    type: struct({
      complainedrecipients: array(struct({ emailaddress: string })),
      timestamp: string,
      feedbackid: string,
      complaintsubtype: string,
      useragent: string,
      complaintfeedbacktype: string,
      arrivaldate: string,
    }),
    comment: "When eventtype = 'Complaint'",
  },
  {
    name: "delivery",
    type: struct({
      timestamp: string,
      processingtimemillis: bigint,
      recipients: array(string),
      smtpresponse: string,
      reportingmta: string,
      remotemtaip: string,
    }),
    comment: "When eventtype = 'Delivery'",
  },
  { name: "reject", type: struct({ reason: string }), comment: "When eventtype = 'Reject'" },
  {
    name: "deliverydelay",
    type: struct({
      timestamp: string,
      delaytype: string,
      expirationtime: string,
      reportingmta: string,
      delayedrecipients: array(struct({ emailaddress: string, status: string, diagnosticcode: string })),
    }),
    comment: "When eventtype = 'DeliveryDelay'",
  },
  {
    // SES names the Rendering Failure object `failure`.
    name: "failure",
    type: struct({ templatename: string, errormessage: string }),
    comment: "When eventtype = 'Rendering Failure'",
  },
  {
    name: "open",
    type: struct({ ipaddress: string, timestamp: string, useragent: string }),
    comment: "When eventtype = 'Open' (archived only if OPEN is in archive.eventTypes)",
  },
  {
    name: "click",
    type: struct({ ipaddress: string, link: string, linktags: tags, timestamp: string, useragent: string }),
    comment: "When eventtype = 'Click' (archived only if CLICK is in archive.eventTypes)",
  },
  {
    name: "subscription",
    type: struct({
      contactlist: string,
      timestamp: string,
      source: string,
      newtopicpreferences: topicPreferences,
      oldtopicpreferences: topicPreferences,
    }),
    comment: "When eventtype = 'Subscription' (archived only if SUBSCRIPTION is in archive.eventTypes)",
  },
];

/** The partition keys, in the order of the key layout `events/<region>/<yyyy>/<MM>/<dd>/`. */
export const PARTITION_KEYS = [
  { name: "region", comment: "SES region whose stream wrote the event (events/<region>/...)" },
  { name: "dt", comment: "UTC day Firehose received the event, yyyy/MM/dd: filter on it to scan only those days" },
] as const;

/** The Hive type string Glue stores, e.g. `array<struct<emailaddress:string>>`. */
export function hiveType(type: HiveType): string {
  switch (type.kind) {
    case "array":
      return `array<${hiveType(type.of)}>`;
    case "map":
      return `map<${hiveType(type.key)},${hiveType(type.value)}>`;
    case "struct":
      return `struct<${type.fields.map((f) => `${f.name}:${hiveType(f.type)}`).join(",")}>`;
    default:
      return type.kind;
  }
}

/**
 * The type at a column path: dotted field names, `[]` stepping into an array's elements
 * (`bounce.bouncedrecipients[].emailaddress`). Undefined when the schema has no such path.
 */
export function typeAtPath(path: string, columns: readonly EventColumn[] = SES_EVENT_COLUMNS): HiveType | undefined {
  const [head, ...rest] = path.split(".");
  const top = /^([a-z0-9_]+)((?:\[\])*)$/.exec(head);
  if (!top) return undefined;
  let type = columns.find((c) => c.name === top[1])?.type;
  type = stepArrays(type, top[2]);
  for (const segment of rest) {
    const m = /^([a-z0-9_]+)((?:\[\])*)$/.exec(segment);
    if (!m || type?.kind !== "struct") return undefined;
    type = stepArrays(type.fields.find((f) => f.name === m[1])?.type, m[2]);
  }
  return type;
}

function stepArrays(type: HiveType | undefined, brackets: string): HiveType | undefined {
  let t = type;
  for (let i = 0; i < brackets.length / 2; i++) t = t?.kind === "array" ? t.of : undefined;
  return t;
}
