/**
 * What a config says exists in one region once it is applied: names and ARNs the doctor and the
 * drill look for. Derived from the same helpers the stack uses (names.ts, config.ts), never copied.
 */
import { arn, partitionOf } from "../shared/arn";
import { archiveBucketFor, notificationIdentitiesFor, NotificationType, SesEventType, SesGuardConfig, SuppressionReason } from "../app/config";
import { archiveAlarmNames, regionNames, reputationAlarmName } from "../shared/names";

/** The event destination EventPublishing creates (modules/event-publishing.ts). */
export const EVENT_DESTINATION_NAME = "archive-to-firehose";

export type RateMetric = "BounceRate" | "ComplaintRate";
export type AlarmLevel = "warning" | "critical";

export interface ReputationAlarmTarget {
  readonly name: string;
  readonly metric: RateMetric;
  readonly level: AlarmLevel;
  readonly percent: number;
  /** The configuration set's own alarm (dimension ses:configuration-set); absent for the account's. */
  readonly configurationSet?: string;
}

export interface TopicTarget {
  readonly arn: string;
  /** ses-guard created it, so it subscribed `emails`; otherwise it is the user's own topic. */
  readonly created: boolean;
  readonly emails: readonly string[];
}

export interface RegionTarget {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly configurationSet: string;
  /** false with existing.configurationSetName: the user's set, whose options ses-guard does not manage. */
  readonly configurationSetManaged: boolean;
  readonly configurationSetArn: string;
  readonly eventTypes: readonly SesEventType[];
  readonly deliveryStream: string;
  readonly deliveryStreamArn: string;
  readonly bucket: string;
  /** Where the bucket is: a shared bucket lives in the home region. */
  readonly bucketRegion: string;
  readonly bucketArn: string;
  /** `events/<region>/`, followed by `YYYY/MM/DD/` (modules/ses-guard.ts, modules/delivery-stream.ts). */
  readonly eventsPrefix: string;
  readonly bufferingIntervalSeconds: number;
  /**
   * The archive is SSE-KMS encrypted (encryption.archive): reading objects also needs kms:Decrypt.
   * The key's ARN when the config names one; undefined for the key ses-guard creates.
   */
  readonly archiveKms?: { readonly keyArn?: string };
  /** Identities listed for this region (notifications.identities). */
  readonly identities: readonly string[];
  readonly notificationTypes: readonly NotificationType[];
  /** Absent when this region sets no notification topics. */
  readonly notificationTopic?: TopicTarget;
  readonly alarmTopic: TopicTarget;
  readonly reputationAlarms: readonly ReputationAlarmTarget[];
  /** Alarms on the archive itself (modules/archive-alarms.ts). */
  readonly archiveAlarms: readonly string[];
  /** Account-level suppression reasons the config sets; null leaves the account's setting alone. */
  readonly accountSuppression: readonly SuppressionReason[] | null;
}

export { reputationAlarmName } from "../shared/names";

export function regionTarget(cfg: SesGuardConfig, region: string): RegionTarget {
  const configurationSetName = cfg.existing.configurationSetName ?? cfg.configurationSet.name;
  const names = regionNames(cfg.name, region, configurationSetName);
  const scope = { accountId: cfg.accountId, region };
  const bucket = archiveBucketFor(cfg, region);
  const bucketArn = `arn:${partitionOf(region)}:s3:::${bucket.name}`;
  const existingRegional = (map: Partial<Record<string, string>>) => map[region];
  const alarmTopicArn = existingRegional(cfg.existing.alarmTopicArns);
  const identities = notificationIdentitiesFor(cfg, region);
  const notificationTopicArn = existingRegional(cfg.existing.notificationTopicArns);
  const notifies = cfg.notifications.enabled && identities.length > 0;
  const levels = { BounceRate: cfg.alarms.bounceRatePercent, ComplaintRate: cfg.alarms.complaintRatePercent };
  return {
    region,
    accountId: cfg.accountId,
    partition: partitionOf(region),
    configurationSet: names.configurationSet,
    configurationSetManaged: cfg.existing.configurationSetName === undefined,
    configurationSetArn: arn(scope, "ses", `configuration-set/${names.configurationSet}`),
    eventTypes: cfg.archive.eventTypes,
    deliveryStream: names.deliveryStream,
    deliveryStreamArn: arn(scope, "firehose", `deliverystream/${names.deliveryStream}`),
    bucket: bucket.name,
    bucketRegion: bucket.created ? bucket.home : region,
    bucketArn,
    eventsPrefix: `events/${region}/`,
    bufferingIntervalSeconds: cfg.archive.bufferingIntervalSeconds,
    archiveKms: cfg.encryption.archive
      ? { keyArn: (cfg.encryption.kmsKeyArns as Partial<Record<string, string>>)[bucket.created ? bucket.home : region] }
      : undefined,
    identities,
    notificationTypes: cfg.notifications.types,
    notificationTopic: notifies
      ? {
          arn: notificationTopicArn ?? arn(scope, "sns", names.notificationTopic),
          created: notificationTopicArn === undefined,
          emails: notificationTopicArn === undefined ? (cfg.notifications.emails ?? cfg.alarms.emails) : [],
        }
      : undefined,
    alarmTopic: {
      arn: alarmTopicArn ?? arn(scope, "sns", names.alarmTopic),
      created: alarmTopicArn === undefined,
      emails: alarmTopicArn === undefined ? cfg.alarms.emails : [],
    },
    // The account's alarms, then (configurationSet.reputationAlarms) the set's own, at the same levels.
    reputationAlarms: [
      { prefix: cfg.name, configurationSet: undefined },
      ...(cfg.configurationSet.reputationAlarms ? [{ prefix: names.configurationSetAlarmPrefix, configurationSet: names.configurationSet }] : []),
    ].flatMap(({ prefix, configurationSet }) =>
      (["BounceRate", "ComplaintRate"] as const).flatMap((metric) =>
        (["warning", "critical"] as const).map((level) => ({
          name: reputationAlarmName(prefix, metric, level),
          metric,
          level,
          percent: levels[metric][level],
          ...(configurationSet === undefined ? {} : { configurationSet }),
        })),
      ),
    ),
    archiveAlarms: Object.values(archiveAlarmNames(cfg.name)),
    accountSuppression: cfg.suppression.accountLevel,
  };
}

/** The region an ARN names (`arn:aws:sns:eu-west-1:...`): a bring-your-own topic may live elsewhere. */
export function arnRegion(value: string): string {
  return value.split(":")[3] ?? "";
}
