/**
 * What a config says exists in one region once it is applied: names and ARNs the doctor and the
 * drill look for. Derived from the same helpers the stack uses (names.ts, config.ts), never copied.
 */
import { arn, partitionOf } from "../shared/arn";
import {
  archiveBucketFor,
  chatApiRegionFor,
  chatEnabled,
  chatTopicArns,
  notificationIdentitiesFor,
  NotificationType,
  SesEventType,
  SesGuardConfig,
  SuppressionReason,
} from "../app/config";
import { archiveAlarmNames, pauseRuleName, regionNames, reputationAlarmName, runbookNames, sesEventsTopicName } from "../shared/names";
import type { PauseScope } from "../shared/runbooks";
import { sesEventTypeOf } from "../shared/ses-chat-events";

/** The event destination EventPublishing creates (modules/event-publishing.ts). */
export const EVENT_DESTINATION_NAME = "archive-to-firehose";
/** The event destination that feeds the chat rules (modules/event-publishing.ts). */
export const EVENT_BUS_DESTINATION_NAME = "events-to-eventbridge";

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

/** What chat relays: the destination to the default event bus, the rules' topic, the channels. */
export interface ChatTarget {
  /** SES event types the EventBridge destination must match (those the chosen chat events come from). */
  readonly eventTypes: readonly SesEventType[];
  readonly eventBusArn: string;
  /** The topic the chat rules publish to (SesEventAlerts). */
  readonly sesEventsTopicArn: string;
}

/** A channel the config lists; its configuration lives in the chat API region (`apiRegions`). */
export interface ChatChannelTarget {
  readonly kind: "slack" | "teams";
  readonly name: string;
  /** Slack workspace ID or Teams team ID. */
  readonly teamId: string;
  readonly channelId: string;
  /** The user's own configuration of the channel (ses-guard creates none then). */
  readonly configurationArn?: string;
}

export interface AutoPauseTarget {
  readonly scope: PauseScope;
  readonly pauseRunbook: string;
  readonly resumeRunbook: string;
  /** The rule that starts the pause runbook. */
  readonly ruleName: string;
  /** The critical alarms whose ALARM pauses sending (the set's own with scope configurationSet). */
  readonly criticalAlarms: readonly string[];
  /** The AWS CLI command that resumes sending. */
  readonly resumeCommand: string;
}

export interface RegionTarget {
  readonly region: string;
  /** The config's `name`: every resource name, and every EventBridge rule, starts with `<name>-`. */
  readonly namePrefix: string;
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
  /** Alarms on the dead-letter queues of the chat and pause rules' targets (modules/event-dead-letter-queue.ts). */
  readonly deadLetterAlarms: readonly string[];
  /** Account-level suppression reasons the config sets; null leaves the account's setting alone. */
  readonly accountSuppression: readonly SuppressionReason[] | null;
  /** Present when SES events are relayed to chat. */
  readonly chat?: ChatTarget;
  /** The channels the config lists (configured once per account), and where to look for them. */
  readonly chatChannels: readonly ChatChannelTarget[];
  /** Regions whose chat API may hold this guard's channel configurations. */
  readonly chatApiRegions: readonly string[];
  /** Every region's topics each channel configuration subscribes to. */
  readonly chatTopicArns: readonly string[];
  /** Present with autoPause.enabled. */
  readonly autoPause?: AutoPauseTarget;
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
  const reputationAlarms = [
    { prefix: cfg.name, configurationSet: undefined },
    ...(cfg.configurationSet.reputationAlarms ? [{ prefix: names.configurationSetAlarmPrefix, configurationSet: names.configurationSet }] : []),
  ].flatMap(({ prefix, configurationSet }) =>
    (["BounceRate", "ComplaintRate"] as const).flatMap((metric) =>
      (["warning", "critical"] as const).map((level): ReputationAlarmTarget => ({
        name: reputationAlarmName(prefix, metric, level),
        metric,
        level,
        percent: levels[metric][level],
        ...(configurationSet === undefined ? {} : { configurationSet }),
      })),
    ),
  );
  const runbooks = runbookNames(cfg.name);
  const pauseScope = cfg.autoPause.scope;
  return {
    region,
    namePrefix: cfg.name,
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
    reputationAlarms,
    archiveAlarms: Object.values(archiveAlarmNames(cfg.name)),
    // `<queue>-not-empty`, queues `<name>-chat-dlq` (SesEventAlerts) and `<name>-pause-dlq` (AutoPause).
    deadLetterAlarms: [...(chatEnabled(cfg) ? [`${cfg.name}-chat-dlq-not-empty`] : []), ...(cfg.autoPause.enabled ? [`${cfg.name}-pause-dlq-not-empty`] : [])],
    accountSuppression: cfg.suppression.accountLevel,
    chat: chatEnabled(cfg)
      ? {
          eventTypes: [...new Set(cfg.chat.sesEventTypes.map(sesEventTypeOf))],
          eventBusArn: arn(scope, "events", "event-bus/default"),
          sesEventsTopicArn: arn(scope, "sns", sesEventsTopicName(cfg.name)),
        }
      : undefined,
    chatChannels: [
      ...cfg.chat.slackChannels.map((c): ChatChannelTarget => ({
        kind: "slack",
        name: c.name,
        teamId: c.workspaceId,
        channelId: c.channelId,
        configurationArn: c.configurationArn,
      })),
      ...cfg.chat.teamsChannels.map((c): ChatChannelTarget => ({
        kind: "teams",
        name: c.name,
        teamId: c.teamId,
        channelId: c.channelId,
        configurationArn: c.configurationArn,
      })),
    ],
    chatTopicArns: chatEnabled(cfg) ? chatTopicArns(cfg) : [],
    // Wherever any region's stack may have put them (chat.apiRegion, or each region's default).
    chatApiRegions: [...new Set((cfg.regions as readonly string[]).map((r) => chatApiRegionFor(cfg, r)))],
    autoPause: cfg.autoPause.enabled
      ? {
          scope: pauseScope,
          pauseRunbook: runbooks.pause,
          resumeRunbook: runbooks.resume,
          ruleName: pauseRuleName(cfg.name),
          criticalAlarms: reputationAlarms
            .filter((a) => a.level === "critical" && (pauseScope === "account" ? a.configurationSet === undefined : a.configurationSet !== undefined))
            .map((a) => a.name),
          resumeCommand: `aws ssm start-automation-execution --document-name ${runbooks.resume} --region ${region}`,
        }
      : undefined,
  };
}

/** The region an ARN names (`arn:aws:sns:eu-west-1:...`): a bring-your-own topic may live elsewhere. */
export function arnRegion(value: string): string {
  return value.split(":")[3] ?? "";
}
