/**
 * Every name ses-guard gives a resource, in one place: the constructs use
 * them, and config validation checks adopted IDs and length limits against them.
 */
export interface RegionNames {
  readonly stack: string;
  readonly alarmTopic: string;
  readonly notificationTopic: string;
  readonly configurationSet: string;
  readonly deliveryStream: string;
  readonly logGroup: string;
  /** IAM names are global, so role names carry the region. */
  readonly firehoseRole: string;
  readonly sesRole: string;
  readonly alarmPrefix: string;
  /** Prefix of the configuration set's own reputation alarms (`<prefix>-configuration-set-bounce-rate-warning`...). */
  readonly configurationSetAlarmPrefix: string;
}

export function regionNames(prefix: string, region: string, configurationSetName?: string): RegionNames {
  const deliveryStream = `${prefix}-events`;
  return {
    stack: `${prefix}-${region}`,
    alarmTopic: `${prefix}-alarms`,
    notificationTopic: `${prefix}-notifications`,
    configurationSet: configurationSetName ?? prefix,
    deliveryStream,
    logGroup: `/aws/kinesisfirehose/${deliveryStream}`,
    firehoseRole: `${prefix}-firehose-${region}`,
    sesRole: `${prefix}-ses-publisher-${region}`,
    alarmPrefix: `${prefix}-`,
    configurationSetAlarmPrefix: `${prefix}-configuration-set`,
  };
}

/** A reputation alarm's name, as ReputationAlarms gives it: `<prefix>-bounce-rate-warning` and the like. */
export function reputationAlarmName(prefix: string, metric: "BounceRate" | "ComplaintRate", level: "warning" | "critical"): string {
  return `${prefix}-${metric === "BounceRate" ? "bounce-rate" : "complaint-rate"}-${level}`;
}

/** The archive's own alarms (ArchiveAlarms). */
export function archiveAlarmNames(prefix: string): { readonly dataFreshness: string; readonly deliverySuccess: string } {
  return { dataFreshness: `${prefix}-archive-data-freshness`, deliverySuccess: `${prefix}-archive-delivery-success` };
}

/** The topic of the SES events relayed to chat (SesEventAlerts): one per region, same name in each. */
export function sesEventsTopicName(prefix: string): string {
  return `${prefix}-ses-events`;
}

/** The EventBridge rule that starts the pause runbook (AutoPause). */
export function pauseRuleName(prefix: string): string {
  return `${prefix}-pause-on-critical`;
}

/** The rule that announces a pause once the pause runbook succeeded (AutoPause). */
export function pauseAnnounceRuleName(prefix: string): string {
  return `${prefix}-pause-announce`;
}

/** The rule that reports a pause or resume runbook that did not succeed (AutoPause). */
export function runbookFailedRuleName(prefix: string): string {
  return `${prefix}-pause-runbook-failed`;
}

/** Every AutoPause rule: the alarm topic lets these publish. */
export function pauseRulesNamePattern(prefix: string): string {
  return `${prefix}-pause-*`;
}

/** The SSM Automation runbooks AutoPause creates: one pauses sending, the other resumes it. */
export function runbookNames(prefix: string): { readonly pause: string; readonly resume: string } {
  return { pause: `${prefix}-pause-sending`, resume: `${prefix}-resume-sending` };
}

export function defaultBucketName(prefix: string, accountId: string, region: string): string {
  return `${prefix}-events-${accountId}-${region}`;
}

/** Names of what the investigation pieces create (Glue catalog, Athena workgroup, results bucket). */
export interface InvestigationNames {
  /** Glue database: lower-case letters, digits and underscores only (what Athena accepts unquoted). */
  readonly glueDatabase: string;
  readonly glueTable: string;
  readonly athenaWorkgroup: string;
  /** At most 63 characters for any valid `name` (24) and region: `<name>-athena-<account>-<region>`. */
  readonly resultsBucket: string;
}

/** `underscored` turns the prefix's hyphens into underscores (an expression for a Terraform token). */
export function investigationNames(
  prefix: string,
  accountId: string,
  region: string,
  underscored: (prefix: string) => string = (p) => p.replace(/-/g, "_"),
): InvestigationNames {
  return {
    glueDatabase: `${underscored(prefix)}_events`,
    glueTable: "ses_events",
    athenaWorkgroup: `${prefix}-investigations`,
    resultsBucket: defaultResultsBucketName(prefix, accountId, region),
  };
}

export function defaultResultsBucketName(prefix: string, accountId: string, region: string): string {
  return `${prefix}-athena-${accountId}-${region}`;
}
