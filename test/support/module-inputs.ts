// The plain module's inputs for one region of a JSON config: the test oracle for parity between
// the stack and the module (test/app/integration.test.ts plans both and compares them).
import { archiveBucketFor, chatApiRegionFor, notificationIdentitiesFor, SesGuardConfig, SesRegion } from "../../modules/app/config";
import { sesGuardPropsFromConfig } from "../../modules/ses-guard";

/** Module input values (HCL-ready JSON) that build what the stack builds for `region` of `cfg`. */
export function moduleInputs(cfg: SesGuardConfig, region: SesRegion): Record<string, unknown> {
  const lc = cfg.archive.lifecycle;
  return {
    name_prefix: cfg.name,
    account_id: cfg.accountId,
    tags: cfg.tags,
    alarm_emails: cfg.alarms.emails,
    bounce_rate_warning_percent: cfg.alarms.bounceRatePercent.warning,
    bounce_rate_critical_percent: cfg.alarms.bounceRatePercent.critical,
    complaint_rate_warning_percent: cfg.alarms.complaintRatePercent.warning,
    complaint_rate_critical_percent: cfg.alarms.complaintRatePercent.critical,
    alarm_period_seconds: cfg.alarms.periodSeconds,
    alarm_evaluation_periods: cfg.alarms.evaluationPeriods,
    configuration_set_name: cfg.configurationSet.name ?? null,
    require_tls: cfg.configurationSet.requireTls,
    bucket_name: archiveBucketFor(cfg, region).name,
    versioning: cfg.archive.versioning,
    noncurrent_version_expiration_days: lc.noncurrentVersionExpirationDays,
    access_log_bucket_name: cfg.archive.accessLogging?.bucketName ?? null,
    access_log_prefix: cfg.archive.accessLogging?.prefix ?? null,
    event_types: cfg.archive.eventTypes,
    buffering_interval_seconds: cfg.archive.bufferingIntervalSeconds,
    buffering_size_mib: cfg.archive.bufferingSizeMiB,
    lifecycle_transitions: lc.transitions.map((t) => ({ days: t.days, storage_class: t.storageClass })),
    expiration_days: lc.expirationDays,
    abort_incomplete_multipart_upload_days: lc.abortIncompleteMultipartUploadDays,
    transition_minimum_object_size: lc.transitionMinimumObjectSize,
    log_retention_days: cfg.archive.logRetentionDays,
    kms_key_arn: cfg.encryption.kmsKeyArns[region] ?? null,
    encrypt_archive: cfg.encryption.archive,
    notifications_enabled: cfg.notifications.enabled && notificationIdentitiesFor(cfg, region).length > 0,
    notification_identities: notificationIdentitiesFor(cfg, region),
    notification_types: cfg.notifications.types,
    notification_emails: cfg.notifications.emails ?? null,
    include_original_headers: cfg.notifications.includeOriginalHeaders,
    investigation_enabled: cfg.investigation.enabled,
    investigation_lookback_days: cfg.investigation.lookbackDays,
    investigation_bytes_scanned_cutoff_per_query_mib: cfg.investigation.bytesScannedCutoffPerQueryMiB,
    investigation_results_expiration_days: cfg.investigation.resultsExpirationDays,
    investigation_results_bucket_name: cfg.investigation.resultsBucketName ?? null,
    investigation_campaign_tag: cfg.investigation.campaignTag,
    suppression_account_level: cfg.suppression.accountLevel,
    suppression_configuration_set: cfg.suppression.configurationSet,
    configuration_set_reputation_alarms: cfg.configurationSet.reputationAlarms,
    dashboard_enabled: cfg.dashboard.enabled,
    auto_pause_enabled: cfg.autoPause.enabled,
    auto_pause_scope: cfg.autoPause.scope,
    chat_enabled: cfg.chat.enabled ?? null,
    chat_slack_channels: cfg.chat.slackChannels.map((c) => ({ name: c.name, workspace_id: c.workspaceId, channel_id: c.channelId })),
    chat_teams_channels: cfg.chat.teamsChannels.map((c) => ({ name: c.name, tenant_id: c.tenantId, team_id: c.teamId, channel_id: c.channelId })),
    chat_ses_event_types: cfg.chat.sesEventTypes,
  };
}

/** `SesGuardProps` paths the module never sets: bring-your-own and one stack's view of other regions. */
export const LITERAL_ONLY_PROPS = [
  "alarms.topic",
  "notifications.topic",
  "archive.existingBucket",
  "archive.existingConfigurationSet",
  "investigation.regions",
  // The stack's provider for the chat API region; the module uses its own provider.
  "chat.provider",
];

/** Every set leaf of a props object, by dotted path; arrays, class instances and tokens are leaves. */
export function propLeaves(value: unknown, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  if (value === undefined) return out;
  const plain = value !== null && typeof value === "object" && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
  if (!plain) return out.set(prefix, value);
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) propLeaves(child, prefix ? `${prefix}.${key}` : key, out);
  return out;
}

/**
 * Why the module cannot build what the stack builds for this region: the features the module
 * leaves out on purpose (its README says so). Empty when it can.
 */
export function literalOnlyFeatures(cfg: SesGuardConfig, region: SesRegion): string[] {
  const props = sesGuardPropsFromConfig(cfg, region);
  return [
    props.alarms.topic && "an existing alarm topic (existing.alarmTopicArns)",
    props.notifications?.topic && "an existing notification topic (existing.notificationTopicArns)",
    props.archive?.existingBucket && "a bucket that exists already or belongs to another region's stack",
    props.archive?.existingConfigurationSet && "an existing configuration set (existing.configurationSetName)",
    (props.investigation?.regions?.length ?? 1) > 1 && "one catalog over several regions' shared bucket",
    cfg.adopt[region] && "adopted resources (import blocks)",
    props.archive?.preventDestroy === false && "archive.preventDestroy false (lifecycle arguments cannot be variables)",
    props.chat &&
      (props.chat.slackChannels?.length ?? 0) + (props.chat.teamsChannels?.length ?? 0) > 0 &&
      chatApiRegionFor(cfg, region) !== region &&
      "chat channels in another region than the module's (the chat API region)",
  ].filter((reason): reason is string => typeof reason === "string");
}
