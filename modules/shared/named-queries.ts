/**
 * The saved Athena queries, as data: the investigations someone runs when a reputation alarm
 * fires. Each is Athena engine version 3 (Trino) SQL over the table in event-catalog.ts, and
 * filters on the `dt` partition so that it scans only the days it asks about.
 *
 * Conventions the tests rely on (test/shared/named-queries.test.ts): columns are written as paths of the
 * schema in ses-event-schema.ts; an array of structs is unnested with one alias per struct field,
 * in the schema's order (Trino expands each field into a column); map lookups use element_at,
 * which gives NULL for a missing key where `map[key]` would fail the query.
 */
import { RULES } from "./rules";

export interface NamedQueryContext {
  /** Glue database (lower case, digits, underscores). */
  readonly database: string;
  /** Glue table. */
  readonly table: string;
  /** Days each query looks back. */
  readonly lookbackDays: number;
  /** Message tag naming the campaign. */
  readonly campaignTag: string;
  /**
   * With Terraform tokens for the values (the plain module): the text computed from them, as
   * expressions. The values are then not checked here; the module's validation checks them.
   * @default - computed from the literal values
   */
  readonly tokenText?: {
    /** "day" or "days" after `lookbackDays`. */
    readonly days: string;
    /** `campaignTag` in lower case. */
    readonly campaignTagLower: string;
  };
}

export interface NamedQuery {
  /** Construct ID, and so the Terraform name (`HardBouncesByRecipient` becomes `..._hard_bounces_by_recipient`). */
  readonly id: string;
  /** Shown in Athena's "Saved queries" list. */
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,254}$/;

/** Trino's `ts` of an ISO 8601 string field. */
const ts = (path: string) => `from_iso8601_timestamp(${path})`;
const CONFIGURATION_SET = "element_at(element_at(mail.tags, 'ses:configuration-set'), 1)";
const BOUNCED = "CROSS JOIN UNNEST(bounce.bouncedrecipients) AS r (emailaddress, action, status, diagnosticcode)";
const COMPLAINED = "CROSS JOIN UNNEST(complaint.complainedrecipients) AS c (emailaddress)";
const DELAYED = "CROSS JOIN UNNEST(deliverydelay.delayedrecipients) AS d (emailaddress, status, diagnosticcode)";
/**
 * A permanent bounce SES got from a receiving server. Not `OnAccountSuppressionList`: SES reports
 * a message to an address on the account-level suppression list as such a bounce without trying to
 * deliver it, and it does not count toward the bounce rate.
 */
const HARD_BOUNCE = "eventtype = 'Bounce' AND bounce.bouncetype = 'Permanent' AND coalesce(bounce.bouncesubtype, '') <> 'OnAccountSuppressionList'";
const SUPPRESSED_BOUNCE = "eventtype = 'Bounce' AND bounce.bouncesubtype = 'OnAccountSuppressionList'";
/** Likewise, a complaint SES reports for a suppressed address is no complaint of the recipient's. */
const COMPLAINT = "eventtype = 'Complaint' AND coalesce(complaint.complaintsubtype, '') <> 'OnAccountSuppressionList'";

/** The saved queries for one table; validates the context, since it is written into SQL. */
export function namedQueries(ctx: NamedQueryContext): NamedQuery[] {
  if (!ctx.tokenText) checkContext(ctx);
  const n = ctx.lookbackDays;
  const dayWord = ctx.tokenText?.days ?? (n === 1 ? "day" : "days");
  const from = `${ctx.database}.${ctx.table}`;
  const days = `dt >= date_format(current_date - INTERVAL '${n}' DAY, '%Y/%m/%d')`;
  const lastDays = `the last ${n} ${dayWord}`;
  const edit = `-- Looks back ${n} ${dayWord}: change the INTERVAL to look further; the dt filter keeps the scan to those days.`;
  // Tag names are matched without case: whether the SerDe lower-cases map keys under Athena engine
  // v3 is not documented, and SES keeps the case the sender used. map_filter keeps the tag's
  // entries whatever their case, flatten their values, element_at(…, 1) the first (NULL if none).
  const campaign = `element_at(flatten(map_values(map_filter(mail.tags, (k, v) -> lower(k) = '${ctx.tokenText?.campaignTagLower ?? ctx.campaignTag.toLowerCase()}'))), 1)`;
  const sent = "sum(CASE WHEN eventtype = 'Send' THEN cardinality(mail.destination) ELSE 0 END)";
  const hard = `sum(CASE WHEN ${HARD_BOUNCE} THEN cardinality(bounce.bouncedrecipients) ELSE 0 END)`;
  const complaints = `sum(CASE WHEN ${COMPLAINT} THEN cardinality(complaint.complainedrecipients) ELSE 0 END)`;
  const rates = [
    `  ${sent} AS recipients_sent,`,
    `  ${hard} AS hard_bounces,`,
    "  sum(CASE WHEN eventtype = 'Bounce' AND bounce.bouncetype <> 'Permanent' THEN cardinality(bounce.bouncedrecipients) ELSE 0 END) AS other_bounces,",
    `  ${complaints} AS complaints,`,
    `  sum(CASE WHEN ${SUPPRESSED_BOUNCE} THEN cardinality(bounce.bouncedrecipients) ELSE 0 END) AS suppressed_by_ses,`,
    `  round(100.0 * ${hard} / nullif(${sent}, 0), 3) AS hard_bounce_rate_percent,`,
    `  round(100.0 * ${complaints} / nullif(${sent}, 0), 4) AS complaint_rate_percent`,
  ];
  const lines = (...l: string[]) => l.join("\n");

  const queries: NamedQuery[] = [
    {
      id: "HardBouncesByRecipient",
      name: "Hard bounces by recipient",
      description: `Recipients that bounced permanently in ${lastDays} (not counting messages SES held back because the address is on the suppression list), most bounces first, with the bounce subtypes, first and last bounce, the last diagnostic code and the configuration sets that sent to them.`,
      sql: lines(
        `-- Recipients that bounced permanently (hard bounces) in ${lastDays}.`,
        edit,
        "SELECT",
        "  lower(r.emailaddress) AS recipient,",
        "  count(*) AS hard_bounces,",
        "  array_join(array_agg(DISTINCT bounce.bouncesubtype), ', ') AS bounce_subtypes,",
        `  min(${ts("bounce.timestamp")}) AS first_bounce,`,
        `  max(${ts("bounce.timestamp")}) AS last_bounce,`,
        `  max_by(r.diagnosticcode, ${ts("bounce.timestamp")}) AS last_diagnostic_code,`,
        `  array_join(array_agg(DISTINCT ${CONFIGURATION_SET}), ', ') AS configuration_sets`,
        `FROM ${from}`,
        BOUNCED,
        `WHERE ${days}`,
        `  AND ${HARD_BOUNCE}`,
        "GROUP BY lower(r.emailaddress)",
        "ORDER BY hard_bounces DESC, last_bounce DESC",
        "LIMIT 1000",
      ),
    },
    {
      id: "HardBouncesByDomain",
      name: "Hard bounces by recipient domain",
      description: `Receiving domains with permanent bounces in ${lastDays}: how many bounces and distinct recipients, since when, and an example diagnostic code. A single domain at the top usually means a typo domain, a dead mailbox provider or a block by that provider.`,
      sql: lines(
        `-- Receiving domains with hard bounces in ${lastDays}.`,
        edit,
        "SELECT",
        "  split_part(lower(r.emailaddress), '@', 2) AS recipient_domain,",
        "  count(*) AS hard_bounces,",
        "  count(DISTINCT lower(r.emailaddress)) AS recipients,",
        "  array_join(array_agg(DISTINCT bounce.bouncesubtype), ', ') AS bounce_subtypes,",
        `  min(${ts("bounce.timestamp")}) AS first_bounce,`,
        `  max(${ts("bounce.timestamp")}) AS last_bounce,`,
        "  arbitrary(r.diagnosticcode) AS example_diagnostic_code",
        `FROM ${from}`,
        BOUNCED,
        `WHERE ${days}`,
        `  AND ${HARD_BOUNCE}`,
        "GROUP BY split_part(lower(r.emailaddress), '@', 2)",
        "ORDER BY hard_bounces DESC",
        "LIMIT 1000",
      ),
    },
    {
      id: "ComplaintsByRecipient",
      name: "Complaints by recipient and feedback type",
      description: `Recipients who marked mail as spam in ${lastDays}, by feedback type (abuse, fraud, not-spam...), with first and last complaint, the configuration sets and the subject of the last message they complained about.`,
      sql: lines(
        `-- Recipients who complained in ${lastDays}, by feedback type.`,
        edit,
        "SELECT",
        "  lower(c.emailaddress) AS recipient,",
        "  coalesce(complaint.complaintfeedbacktype, 'unknown') AS feedback_type,",
        "  count(*) AS complaints,",
        `  min(${ts("complaint.timestamp")}) AS first_complaint,`,
        `  max(${ts("complaint.timestamp")}) AS last_complaint,`,
        `  array_join(array_agg(DISTINCT ${CONFIGURATION_SET}), ', ') AS configuration_sets,`,
        `  max_by(mail.commonheaders.subject, ${ts("complaint.timestamp")}) AS last_subject`,
        `FROM ${from}`,
        COMPLAINED,
        `WHERE ${days}`,
        `  AND ${COMPLAINT}`,
        "GROUP BY lower(c.emailaddress), coalesce(complaint.complaintfeedbacktype, 'unknown')",
        "ORDER BY complaints DESC, last_complaint DESC",
        "LIMIT 1000",
      ),
    },
    {
      id: "BounceRateByConfigurationSet",
      name: "Bounce and complaint rate by day, region and configuration set",
      description: `Per day, SES region and configuration set in ${lastDays}: recipients sent to, hard and other bounces, complaints, messages SES did not send because the address is on the account-level suppression list (suppressed_by_ses, not counted in the rates), and the hard-bounce and complaint rates in percent. Needs SEND in archive.eventTypes. Days are when Firehose received the events (UTC), so a bounce can land a day after its send.`,
      sql: lines(
        `-- Bounce and complaint rates per day, region and configuration set, ${lastDays}.`,
        edit,
        "-- Rates count recipients, as AWS does; the day is when the event reached Firehose (UTC).",
        "SELECT",
        "  dt AS day,",
        "  region,",
        `  coalesce(${CONFIGURATION_SET}, '(none)') AS configuration_set,`,
        ...rates,
        `FROM ${from}`,
        `WHERE ${days}`,
        `GROUP BY dt, region, coalesce(${CONFIGURATION_SET}, '(none)')`,
        "ORDER BY day DESC, hard_bounces DESC",
      ),
    },
    {
      id: "BounceRateByCampaign",
      name: "Bounce and complaint rate by day and campaign tag",
      description: `Like the configuration-set query, grouped by the message tag ${JSON.stringify(ctx.campaignTag)} (investigation.campaignTag) instead: which campaign caused the bounces. Messages sent without the tag are "(untagged)".`,
      sql: lines(
        `-- Bounce and complaint rates per day and value of the message tag '${ctx.campaignTag}', ${lastDays}.`,
        edit,
        "-- Tag names are matched without regard to case: Campaign and campaign are the same tag.",
        "SELECT",
        "  dt AS day,",
        `  coalesce(${campaign}, '(untagged)') AS campaign,`,
        ...rates,
        `FROM ${from}`,
        `WHERE ${days}`,
        `GROUP BY dt, coalesce(${campaign}, '(untagged)')`,
        "ORDER BY day DESC, hard_bounces DESC",
      ),
    },
    {
      id: "SuppressionCandidates",
      name: "Addresses to suppress",
      description: `Every address that bounced permanently or complained in ${lastDays} (and that SES did not already suppress), once, with the reason the SES suppression list takes (COMPLAINT wins over BOUNCE). Feed it to aws sesv2 put-suppressed-destination, and remove the addresses from your own lists.`,
      sql: lines(
        `-- Addresses that hard-bounced or complained in ${lastDays}: one row each, reason as SES's suppression list takes it.`,
        edit,
        "-- For each: aws sesv2 put-suppressed-destination --email-address <address> --reason <reason>",
        "SELECT",
        "  email_address,",
        "  max(reason) AS reason, -- 'COMPLAINT' sorts after 'BOUNCE': a complaint wins",
        "  max(last_event) AS last_event",
        "FROM (",
        "  SELECT",
        "    lower(r.emailaddress) AS email_address,",
        "    'BOUNCE' AS reason,",
        `    ${ts("bounce.timestamp")} AS last_event`,
        `  FROM ${from}`,
        `  ${BOUNCED}`,
        `  WHERE ${days}`,
        `    AND ${HARD_BOUNCE}`,
        "  UNION ALL",
        "  SELECT",
        "    lower(c.emailaddress) AS email_address,",
        "    'COMPLAINT' AS reason,",
        `    ${ts("complaint.timestamp")} AS last_event`,
        `  FROM ${from}`,
        `  ${COMPLAINED}`,
        `  WHERE ${days}`,
        `    AND ${COMPLAINT}`,
        ") AS suppressed",
        "GROUP BY email_address",
        "ORDER BY last_event DESC",
      ),
    },
    {
      id: "DeliveryDelaysByDomain",
      name: "Delivery delays by receiving domain",
      description: `Receiving domains where SES had to keep retrying in ${lastDays}, by delay type (MailboxFull, SpamDetected, TransientCommunicationFailure...): how many delayed recipients and messages, since when, and an example diagnostic code.`,
      sql: lines(
        `-- Receiving domains with delivery delays in ${lastDays}, by delay type.`,
        edit,
        "SELECT",
        "  split_part(lower(d.emailaddress), '@', 2) AS recipient_domain,",
        "  deliverydelay.delaytype AS delay_type,",
        "  count(*) AS delayed_recipients,",
        "  count(DISTINCT mail.messageid) AS messages,",
        `  min(${ts("deliverydelay.timestamp")}) AS first_delay,`,
        `  max(${ts("deliverydelay.timestamp")}) AS last_delay,`,
        "  arbitrary(d.diagnosticcode) AS example_diagnostic_code",
        `FROM ${from}`,
        DELAYED,
        `WHERE ${days}`,
        "  AND eventtype = 'DeliveryDelay'",
        "GROUP BY split_part(lower(d.emailaddress), '@', 2), deliverydelay.delaytype",
        "ORDER BY delayed_recipients DESC",
        "LIMIT 1000",
      ),
    },
  ];
  return queries.map((q) => ({ ...q, description: `${q.description} ${READABLE_DAYS_NOTE}` }));
}

function checkContext(ctx: NamedQueryContext): void {
  if (!IDENTIFIER.test(ctx.database))
    throw new Error(`namedQueries database: got ${JSON.stringify(ctx.database)}; allowed: lower-case letters, digits and _ (not starting with a digit)`);
  if (!IDENTIFIER.test(ctx.table))
    throw new Error(`namedQueries table: got ${JSON.stringify(ctx.table)}; allowed: lower-case letters, digits and _ (not starting with a digit)`);
  if (!RULES.investigationLookbackDays.holds(ctx.lookbackDays)) {
    throw new Error(`namedQueries lookbackDays: got ${ctx.lookbackDays}; allowed: ${RULES.investigationLookbackDays.allowed}`);
  }
  if (!RULES.campaignTag.holds(ctx.campaignTag))
    throw new Error(`namedQueries campaignTag: got ${JSON.stringify(ctx.campaignTag)}; allowed: ${RULES.campaignTag.allowed}`);
}

/** Every description says where the table stops, since Athena does not (event-catalog.ts). */
export const READABLE_DAYS_NOTE =
  "The table reaches back only over days Athena can read: events moved to S3 Glacier Flexible Retrieval or Deep Archive, or expired, are not in any answer.";
