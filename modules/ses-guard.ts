import { Construct } from "constructs";
import { ArchiveBucket, ArchiveLifecycle } from "./archive-bucket";
import { ArnScope, TopicRef } from "./arn";
import { defaultBucketName, NotificationType, SesEventType, SesGuardConfig } from "./config";
import { DeliveryStream } from "./delivery-stream";
import { EventPublishing } from "./event-publishing";
import { IdentityNotifications } from "./identity-notifications";
import { Rate } from "./rate";
import { RateLevels, ReputationAlarms } from "./reputation-alarms";

export interface SesGuardAlarmsProps {
  /** Addresses e-mailed when an alarm changes state. */
  readonly emails: readonly string[];
  /** Bounce-rate levels. */
  readonly bounceRate: RateLevels;
  /** Complaint-rate levels. */
  readonly complaintRate: RateLevels;
  /**
   * Length of one evaluation period.
   * @default 900
   */
  readonly periodSeconds?: number;
  /**
   * Periods that must breach before an alarm fires.
   * @default 1
   */
  readonly evaluationPeriods?: number;
}

export interface SesGuardArchiveProps {
  /**
   * Archive bucket name.
   * @default `<namePrefix>-events-<accountId>-<region>`
   */
  readonly bucketName?: string;
  /**
   * Event types archived.
   * @default - SEND, REJECT, BOUNCE, COMPLAINT, DELIVERY, DELIVERY_DELAY, RENDERING_FAILURE
   */
  readonly eventTypes?: readonly SesEventType[];
  /** @default 900 */
  readonly bufferingIntervalSeconds?: number;
  /** @default 128 */
  readonly bufferingSizeMiB?: number;
  /** @default - 30 d STANDARD_IA, 90 d GLACIER, expire at 730 d, abort multipart uploads after 7 d */
  readonly lifecycle?: ArchiveLifecycle;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /**
   * SES configuration set name.
   * @default `<namePrefix>`
   */
  readonly configurationSetName?: string;
  /** @default true */
  readonly requireTls?: boolean;
}

export interface SesGuardNotificationsProps {
  /** SES identities to notify for. */
  readonly identities: readonly string[];
  /** @default ["Bounce", "Complaint"] */
  readonly types?: readonly NotificationType[];
  /** Subscribers of the notification topic. */
  readonly emails: readonly string[];
  /** @default true */
  readonly includeOriginalHeaders?: boolean;
}

export interface SesGuardProps extends ArnScope {
  /** Prefix of every resource name. */
  readonly namePrefix: string;
  /** Reputation alarms. */
  readonly alarms: SesGuardAlarmsProps;
  /**
   * Event archive.
   * @default - defaults of each field
   */
  readonly archive?: SesGuardArchiveProps;
  /**
   * Per-message notifications.
   * @default - none
   */
  readonly notifications?: SesGuardNotificationsProps;
}

/**
 * Everything ses-guard builds for one SES region: reputation alarms, the
 * event archive and, optionally, per-message notifications.
 */
export class SesGuard extends Construct {
  public readonly alarms: ReputationAlarms;
  public readonly alarmTopic: TopicRef;
  public readonly archiveBucket: ArchiveBucket;
  public readonly deliveryStream: DeliveryStream;
  public readonly eventPublishing: EventPublishing;
  public readonly notifications?: IdentityNotifications;

  constructor(scope: Construct, id: string, props: SesGuardProps) {
    super(scope, id);
    const { namePrefix: p, accountId, region } = props;
    const archive = props.archive ?? {};

    this.alarms = new ReputationAlarms(this, "Alarms", {
      accountId,
      region,
      namePrefix: p,
      emails: props.alarms.emails,
      bounceRate: props.alarms.bounceRate,
      complaintRate: props.alarms.complaintRate,
      periodSeconds: props.alarms.periodSeconds,
      evaluationPeriods: props.alarms.evaluationPeriods,
    });
    this.alarmTopic = this.alarms.topic;

    this.archiveBucket = new ArchiveBucket(this, "ArchiveBucket", {
      region,
      bucketName: archive.bucketName ?? defaultBucketName(p, accountId, region),
      lifecycle: archive.lifecycle,
    });
    this.deliveryStream = new DeliveryStream(this, "DeliveryStream", {
      accountId,
      region,
      streamName: `${p}-events`,
      roleName: `${p}-firehose-${region}`,
      bucket: this.archiveBucket,
      bufferingIntervalSeconds: archive.bufferingIntervalSeconds,
      bufferingSizeMiB: archive.bufferingSizeMiB,
      logRetentionDays: archive.logRetentionDays,
    });
    this.eventPublishing = new EventPublishing(this, "EventPublishing", {
      accountId,
      region,
      configurationSetName: archive.configurationSetName ?? p,
      roleName: `${p}-ses-publisher-${region}`,
      deliveryStream: this.deliveryStream,
      eventTypes: archive.eventTypes,
      requireTls: archive.requireTls,
    });

    if (props.notifications) {
      this.notifications = new IdentityNotifications(this, "Notifications", {
        accountId,
        region,
        topicName: `${p}-notifications`,
        identities: props.notifications.identities,
        types: props.notifications.types,
        emails: props.notifications.emails,
        includeOriginalHeaders: props.notifications.includeOriginalHeaders,
      });
    }
  }
}

/** Maps a validated config file onto the construct's props: percent becomes `Rate`. */
export function sesGuardPropsFromConfig(cfg: SesGuardConfig): SesGuardProps {
  const levels = (l: { warning: number; critical: number }): RateLevels => ({
    warning: Rate.percent(l.warning),
    critical: Rate.percent(l.critical),
  });
  return {
    namePrefix: cfg.name,
    accountId: cfg.accountId,
    region: cfg.region,
    alarms: {
      emails: cfg.alarms.emails,
      bounceRate: levels(cfg.alarms.bounceRatePercent),
      complaintRate: levels(cfg.alarms.complaintRatePercent),
      periodSeconds: cfg.alarms.periodSeconds,
      evaluationPeriods: cfg.alarms.evaluationPeriods,
    },
    archive: {
      bucketName: cfg.archive.bucketName,
      eventTypes: cfg.archive.eventTypes,
      bufferingIntervalSeconds: cfg.archive.bufferingIntervalSeconds,
      bufferingSizeMiB: cfg.archive.bufferingSizeMiB,
      lifecycle: cfg.archive.lifecycle,
      logRetentionDays: cfg.archive.logRetentionDays,
      configurationSetName: cfg.configurationSet.name,
      requireTls: cfg.configurationSet.requireTls,
    },
    notifications: cfg.notifications.enabled
      ? {
          identities: cfg.notifications.identities,
          types: cfg.notifications.types,
          emails: cfg.notifications.emails ?? cfg.alarms.emails,
          includeOriginalHeaders: cfg.notifications.includeOriginalHeaders,
        }
      : undefined,
  };
}
