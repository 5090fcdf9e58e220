import { Construct } from "constructs";
import { ArchiveBucket, ArchiveLifecycle, resolveLifecycle } from "./archive-bucket";
import { conditional, dependable, Fn, Op, TerraformProvider, Token } from "cdktf";
import {
  attributeOf,
  Condition,
  expression,
  hclOf,
  isNullable,
  isSetHcl,
  isToken,
  nullable,
  numberExpression,
  orDefault,
  partitionExpression,
  stringExpression,
  ternaryHcl,
} from "./shared/expressions";
import { arn, ArnScope, kmsAliasProblem, s3BucketArn, TopicRef } from "./shared/arn";
import { AthenaWorkgroup } from "./athena-workgroup";
import {
  archiveBucketFor,
  catalogFor,
  chatEnabled,
  chatTopicArns,
  notificationIdentitiesFor,
  NotificationType,
  queryableDays,
  queryableDaysHcl,
  SesEventType,
  SesGuardConfig,
  SesRegion,
  SuppressionReason,
} from "./app/config";
import { archiveAlarmNames, defaultBucketName, investigationNames, pauseRulesNamePattern, regionNames } from "./shared/names";
import { ArchiveAlarms } from "./archive-alarms";
import { DeliveryStream } from "./delivery-stream";
import { EncryptionKey } from "./encryption-key";
import { EventCatalog } from "./event-catalog";
import { EventPublishing } from "./event-publishing";
import { IdentityNotifications } from "./identity-notifications";
import { namedQueries } from "./shared/named-queries";
import { Rate } from "./shared/rate";
import { RateLevels, ReputationAlarms } from "./reputation-alarms";
import { AccountSuppression } from "./suppression";
import { AutoPause } from "./auto-pause";
import { ChatChannels, channelsToConfigure, SlackChannel, TeamsChannel } from "./chat-channels";
import { Dashboard } from "./dashboard";
import { SesEventAlerts } from "./ses-event-alerts";
import { PauseScope } from "./shared/runbooks";
import { CHAT_EVENT_TYPES, ChatEventType, DEFAULT_CHAT_EVENT_TYPES, sesEventTypeOf } from "./shared/ses-chat-events";

export interface SesGuardAlarmsProps {
  /** Addresses e-mailed when an alarm changes state (ignored with `topic`). */
  readonly emails: readonly string[];
  /**
   * An existing topic to notify.
   * @default - a new topic `<namePrefix>-alarms`
   */
  readonly topic?: TopicRef;
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
  /**
   * Also alarm on the configuration set's own rates, at the same levels (SES publishes them for a
   * set with reputation metrics enabled; ses-guard enables them on the set it creates).
   * @default true
   */
  readonly configurationSet?: boolean | Condition;
}

export interface SesGuardChatProps {
  /**
   * Slack channels that receive the alarms and the SES events.
   * @default - none
   */
  readonly slackChannels?: readonly SlackChannel[];
  /**
   * Microsoft Teams channels that receive the alarms and the SES events.
   * @default - none
   */
  readonly teamsChannels?: readonly TeamsChannel[];
  /**
   * More topics the channels subscribe to: the guards of the other regions (their alarm and SES-events
   * topics). A channel has one configuration per account, so one guard creates it for every region.
   * @default - none: this guard's own topics only
   */
  readonly otherTopicArns?: readonly string[];
  /**
   * SES events relayed to chat.
   * @default - permanent bounces and complaints
   */
  readonly sesEventTypes?: readonly ChatEventType[];
  /**
   * Provider of the channel configurations, in a region with the Amazon Q Developer in chat applications API.
   * @default - the default provider
   */
  readonly provider?: TerraformProvider;
  /**
   * Terraform condition under which the channels' role and configurations exist (the plain module: channels given, and this call creates them).
   * @default - always, when channels are given
   */
  readonly channelsEnabled?: Condition;
  /**
   * Terraform condition under which the SES events are relayed (the plain module's switch).
   * @default - always, when `chat` is given
   */
  readonly enabled?: Condition;
}

export interface SesGuardAutoPauseProps {
  /**
   * What a critical alarm pauses: the configuration set (on its own alarms) or the account in this region (on the account's).
   * @default "configurationSet"
   */
  readonly scope?: PauseScope;
  /**
   * Terraform condition under which auto-pause exists (the plain module's switch).
   * @default - always, when `autoPause` is given
   */
  readonly enabled?: Condition;
}

export interface SesGuardDashboardProps {
  /**
   * Whether the dashboard exists (a Terraform condition in the plain module).
   * @default true
   */
  readonly enabled?: boolean | Condition;
}

export interface SesGuardArchiveProps {
  /**
   * Archive bucket name.
   * @default `<namePrefix>-events-<accountId>-<region>`
   */
  readonly bucketName?: string;
  /**
   * The bucket exists already (the user's, or another region's shared one): it is written to, not created.
   * @default false
   */
  readonly existingBucket?: boolean;
  /**
   * Key prefix of this region's events in the bucket.
   * @default `events/<region>/`
   */
  readonly keyPrefix?: string;
  /**
   * The configuration set exists already: only the event destination is added.
   * @default false
   */
  readonly existingConfigurationSet?: boolean;
  /**
   * Event types archived.
   * @default - SEND, REJECT, BOUNCE, COMPLAINT, DELIVERY, DELIVERY_DELAY, RENDERING_FAILURE
   */
  readonly eventTypes?: readonly SesEventType[];
  /** @default 900 */
  readonly bufferingIntervalSeconds?: number;
  /** @default 128 */
  readonly bufferingSizeMiB?: number;
  /** @default - 30 d STANDARD_IA, 90 d GLACIER_IR, expire at 730 d, abort multipart uploads after 7 d */
  readonly lifecycle?: ArchiveLifecycle;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /**
   * SES configuration set name.
   * @default `<namePrefix>`
   */
  readonly configurationSetName?: string;
  /** @default true */
  readonly requireTls?: boolean | Condition;
  /**
   * Terraform refuses plans that destroy the bucket, the stream, the KMS key or the Glue catalog.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /** @default false */
  readonly versioning?: boolean | Condition;
  /**
   * Existing bucket for S3 server access logs.
   * @default - no access logging
   */
  readonly accessLogBucketName?: string;
  /** @default "s3-access/<bucketName>/" */
  readonly accessLogPrefix?: string;
}

export interface SesGuardEncryptionProps {
  /**
   * An existing customer-managed key (not `alias/aws/sns`).
   * @default - a new key with rotation, usable by CloudWatch and SES
   */
  readonly kmsKeyArn?: string;
  /**
   * Also encrypt the archive bucket (SSE-KMS) and the stream with the key.
   * @default false
   */
  readonly archive?: boolean | Condition;
}

export interface SesGuardNotificationsProps {
  /** SES identities to notify for. */
  readonly identities: readonly string[];
  /** @default ["Bounce", "Complaint"] */
  readonly types?: readonly NotificationType[];
  /** Subscribers of the notification topic (ignored with `topic`). */
  readonly emails: readonly string[];
  /** @default true */
  readonly includeOriginalHeaders?: boolean | Condition;
  /**
   * Terraform condition under which the notifications exist (the plain module's switch).
   * @default - always, when `notifications` is given
   */
  readonly enabled?: Condition;
  /**
   * An existing topic to publish to; its policy must let ses.amazonaws.com publish.
   * @default - a new topic `<namePrefix>-notifications`
   */
  readonly topic?: TopicRef;
}

export interface SesGuardInvestigationProps {
  /**
   * Terraform condition under which the investigation pieces exist (the plain module's switch).
   * @default - always, when `investigation` is given
   */
  readonly enabled?: Condition;
  /**
   * Regions whose streams write to this construct's archive bucket: the table's `region`
   * partition. With a bucket shared by several regions, the catalog is made once, where the
   * bucket is, and lists them all.
   * @default - [region]
   */
  readonly regions?: readonly string[];
  /**
   * Days the saved queries look back.
   * @default 7
   */
  readonly lookbackDays?: number;
  /**
   * Athena cancels a query in the workgroup once it has scanned this many MiB.
   * @default 10240
   */
  readonly bytesScannedCutoffPerQueryMiB?: number;
  /**
   * Days after which query results are deleted.
   * @default 30
   */
  readonly resultsExpirationDays?: number;
  /**
   * Athena results bucket.
   * @default `<namePrefix>-athena-<accountId>-<region>`
   */
  readonly resultsBucketName?: string;
  /**
   * Message tag naming the campaign, for the bounce-rate-by-campaign query.
   * @default "campaign"
   */
  readonly campaignTag?: string;
}

export interface SesGuardSuppressionProps {
  /**
   * Account-level suppression reasons in this construct's region.
   * @default - not managed: the account's setting stays as it is
   */
  readonly accountLevel?: readonly SuppressionReason[];
  /**
   * The configuration set's own suppression reasons, overriding the account level.
   * @default - the set follows the account level
   */
  readonly configurationSet?: readonly SuppressionReason[];
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
  /**
   * Customer-managed KMS encryption; SNS topics ses-guard creates are always encrypted.
   * @default - a new key per region, for the topics only
   */
  readonly encryption?: SesGuardEncryptionProps;
  /**
   * Query the archive with Athena: Glue table with partition projection, workgroup, results bucket, saved queries.
   * @default - none
   */
  readonly investigation?: SesGuardInvestigationProps;
  /**
   * SES suppression list settings.
   * @default - neither the account level nor the configuration set's is set
   */
  readonly suppression?: SesGuardSuppressionProps;
  /**
   * Alarms and SES events in Slack or Microsoft Teams, through Amazon Q Developer in chat applications.
   * @default - none
   */
  readonly chat?: SesGuardChatProps;
  /**
   * Pause sending when a critical reputation alarm goes to ALARM.
   * @default - off
   */
  readonly autoPause?: SesGuardAutoPauseProps;
  /**
   * A CloudWatch dashboard of the region's reputation, volume and archive health.
   * @default - on
   */
  readonly dashboard?: SesGuardDashboardProps;
}

/**
 * Everything ses-guard builds for one SES region: reputation alarms, the
 * event archive and, optionally, per-message notifications, the Athena
 * catalog and workgroup to investigate the archive, and suppression settings.
 */
export class SesGuard extends Construct {
  public readonly alarms: ReputationAlarms;
  public readonly alarmTopic: TopicRef;
  /** Absent when the bucket exists already (`archive.existingBucket`). */
  public readonly archiveBucket?: ArchiveBucket;
  public readonly archiveBucketName: string;
  public readonly deliveryStream: DeliveryStream;
  public readonly eventPublishing: EventPublishing;
  public readonly notifications?: IdentityNotifications;
  public readonly archiveAlarms: ArchiveAlarms;
  /** Present when this construct created the key. */
  public readonly encryptionKey?: EncryptionKey;
  /** Present with `investigation`. */
  public readonly eventCatalog?: EventCatalog;
  /** Present with `investigation`. */
  public readonly athena?: AthenaWorkgroup;
  /** Present with `suppression.accountLevel`. */
  public readonly accountSuppression?: AccountSuppression;
  /** The configuration set's own reputation alarms; absent with `alarms.configurationSet: false`. */
  public readonly configurationSetAlarms?: ReputationAlarms;
  /** Present unless `dashboard.enabled` is false. */
  public readonly dashboard?: Dashboard;
  /** Present with `chat`. */
  public readonly sesEventAlerts?: SesEventAlerts;
  /** Present with `chat` channels. */
  public readonly chatChannels?: ChatChannels;
  /** Present with `autoPause`. */
  public readonly autoPause?: AutoPause;

  constructor(scope: Construct, id: string, props: SesGuardProps) {
    super(scope, id);
    const { namePrefix: p, accountId, region } = props;
    // A region given as a token (the plain module's provider region): ARNs get the partition as an expression.
    const partition = props.partition ?? (isToken(region) ? partitionExpression(region) : undefined);
    const arnScope = { accountId, region, partition };
    const archive = props.archive ?? {};
    const names = regionNames(p, region, orDefault(this, archive.configurationSetName, p));
    const encryption = props.encryption ?? {};
    const aliasProblem = encryption.kmsKeyArn && !isToken(encryption.kmsKeyArn) && kmsAliasProblem(encryption.kmsKeyArn);
    if (aliasProblem) throw new Error(`SesGuard encryption.kmsKeyArn: got ${JSON.stringify(encryption.kmsKeyArn)}; allowed: ${aliasProblem}`);
    const needsKey = !props.alarms.topic || (props.notifications && !props.notifications.topic) || encryption.archive || props.chat;
    // EventBridge publishes chat notifications and pause announcements to our encrypted topics.
    const chatOn: boolean | Condition = props.chat ? (props.chat.enabled ?? true) : false;
    const pauseOn: boolean | Condition = props.autoPause ? (props.autoPause.enabled ?? true) : false;
    const eventBridgePublishes = anyOf(this, chatOn, pauseOn);
    // A token key may be null at plan time: the key is then created (count), as without one.
    const keyIsToken = isNullable(encryption.kmsKeyArn);
    if (needsKey && (!encryption.kmsKeyArn || keyIsToken)) {
      this.encryptionKey = new EncryptionKey(this, "EncryptionKey", {
        ...arnScope,
        aliasName: p,
        condition: keyIsToken ? expression(this, `${hclOf(this, encryption.kmsKeyArn)} == null`) : undefined,
        eventBridge: eventBridgePublishes,
        preventDestroy: archive.preventDestroy,
      });
    }
    const kmsKeyArn =
      keyIsToken && this.encryptionKey
        ? orDefault(this, encryption.kmsKeyArn, this.encryptionKey.keyArn)
        : (encryption.kmsKeyArn ?? this.encryptionKey?.keyArn);
    // The key for the archive (bucket, stream, query results), only with encryption.archive.
    const archiveKey = isToken(encryption.archive)
      ? nullable(stringExpression(this, ternaryHcl(this, encryption.archive as Condition, kmsKeyArn, null)), hclOf(this, encryption.archive))
      : encryption.archive
        ? kmsKeyArn
        : undefined;

    this.alarms = new ReputationAlarms(this, "Alarms", {
      ...arnScope,
      namePrefix: p,
      topic: props.alarms.topic,
      emails: props.alarms.emails,
      bounceRate: props.alarms.bounceRate,
      complaintRate: props.alarms.complaintRate,
      periodSeconds: props.alarms.periodSeconds,
      evaluationPeriods: props.alarms.evaluationPeriods,
      kmsKeyArn,
      // The auto-pause rules announce a pause and report a failed runbook on the alarm topic.
      eventRuleNamePattern: pauseOn === false ? undefined : pauseRulesNamePattern(p),
      eventRulesEnabled: isToken(pauseOn) ? (pauseOn as Condition) : undefined,
    });
    this.alarmTopic = this.alarms.topic;

    this.archiveBucketName = orDefault(this, archive.bucketName, defaultBucketName(p, accountId, region));
    if (!archive.existingBucket) {
      this.archiveBucket = new ArchiveBucket(this, "ArchiveBucket", {
        region,
        partition,
        bucketName: this.archiveBucketName,
        lifecycle: archive.lifecycle,
        versioning: archive.versioning,
        accessLogBucketName: archive.accessLogBucketName,
        accessLogPrefix: archive.accessLogPrefix,
        kmsKeyArn: archiveKey,
        preventDestroy: archive.preventDestroy,
      });
    }
    const eventsPrefix = "events/";
    const keyPrefix = archive.keyPrefix ?? `${eventsPrefix}${region}/`;
    if (props.investigation && keyPrefix !== `${eventsPrefix}${region}/`) {
      throw new Error(
        `SesGuard archive.keyPrefix: got ${JSON.stringify(keyPrefix)}; allowed: "${eventsPrefix}${region}/" with investigation (the table reads events/<region>/)`,
      );
    }
    this.deliveryStream = new DeliveryStream(this, "DeliveryStream", {
      ...arnScope,
      streamName: names.deliveryStream,
      roleName: names.firehoseRole,
      // Our bucket's resource (orders creation); otherwise the name, which may live in another region.
      bucket: this.archiveBucket ?? { bucketName: this.archiveBucketName, bucketArn: s3BucketArn(region, this.archiveBucketName, partition) },
      // Region in the key: a shared bucket keeps each region's events apart.
      prefix: keyPrefix,
      errorPrefix: `errors/${region}/`,
      bufferingIntervalSeconds: archive.bufferingIntervalSeconds,
      bufferingSizeMiB: archive.bufferingSizeMiB,
      logRetentionDays: archive.logRetentionDays,
      kmsKeyArn: archiveKey,
      preventDestroy: archive.preventDestroy,
    });
    this.archiveAlarms = new ArchiveAlarms(this, "ArchiveAlarms", {
      namePrefix: p,
      streamName: this.deliveryStream.streamName,
      bufferingIntervalSeconds: archive.bufferingIntervalSeconds ?? 900,
      topic: this.alarmTopic,
    });
    this.eventPublishing = new EventPublishing(this, "EventPublishing", {
      ...arnScope,
      configurationSetName: names.configurationSet,
      existingConfigurationSet: archive.existingConfigurationSet,
      roleName: names.sesRole,
      deliveryStream: this.deliveryStream,
      eventTypes: archive.eventTypes,
      requireTls: archive.requireTls,
      suppressedReasons: props.suppression?.configurationSet,
      eventBridge: props.chat
        ? { eventTypes: this.sesTypesFor(props.chat.sesEventTypes ?? DEFAULT_CHAT_EVENT_TYPES), condition: props.chat.enabled }
        : undefined,
    });
    const configurationSetAlarmsOn = props.alarms.configurationSet ?? true;
    if (configurationSetAlarmsOn !== false) {
      this.configurationSetAlarms = new ReputationAlarms(this, "ConfigurationSetAlarms", {
        ...arnScope,
        namePrefix: names.configurationSetAlarmPrefix,
        topic: this.alarmTopic,
        bounceRate: props.alarms.bounceRate,
        complaintRate: props.alarms.complaintRate,
        periodSeconds: props.alarms.periodSeconds,
        evaluationPeriods: props.alarms.evaluationPeriods,
        configurationSetName: names.configurationSet,
        condition: isToken(configurationSetAlarmsOn) ? (configurationSetAlarmsOn as Condition) : undefined,
      });
    }
    // First apply: SES checks the role when the event destination is created, and the provider does
    // not retry that call, but a brand-new IAM role can take seconds to be usable (IAM User Guide,
    // "Troubleshooting IAM": changes are eventually consistent). The stream is created after the SES
    // role and its policy, and its create waits until the stream is ACTIVE; the destination, which
    // needs the stream, follows. So the role is never seconds old when SES checks it.
    const stream = this.deliveryStream.stream;
    stream.dependsOn = [...(stream.dependsOn ?? []), dependable(this.eventPublishing.rolePolicy)];
    const accountLevel = props.suppression?.accountLevel;
    if (accountLevel) {
      this.accountSuppression = new AccountSuppression(this, "AccountSuppression", {
        reasons: accountLevel,
        // A token list may be null at plan time: the account's setting is then left alone, as without one.
        condition: isNullable(accountLevel) ? expression(this, isSetHcl(this, accountLevel)) : undefined,
      });
    }

    if (props.investigation) {
      const inv = props.investigation;
      // Athena skips archived (GLACIER, DEEP_ARCHIVE) and expired days without an error: the table
      // and the saved queries stay within the days it can read.
      const { lifecycle, tokens: lifecycleTokens } = resolveLifecycle(archive.lifecycle, "SesGuard archive.lifecycle");
      const lookbackDays = inv.lookbackDays ?? 7;
      const campaignTag = inv.campaignTag ?? "campaign";
      let readableDays: number;
      if (lifecycleTokens) {
        // Tokens (the plain module's variables): the same rule as an expression, and the module's validation checks the look-back.
        readableDays = numberExpression(this, queryableDaysHcl(hclOf(this, lifecycle.transitions), hclOf(this, lifecycle.expirationDays)));
      } else {
        readableDays = queryableDays(lifecycle);
        if (!isToken(lookbackDays) && lookbackDays > readableDays) {
          throw new Error(
            `SesGuard investigation.lookbackDays: got ${lookbackDays}; allowed: at most ${readableDays}, the days Athena can still read before archive.lifecycle moves events to GLACIER or DEEP_ARCHIVE (skipped without an error) or expires them`,
          );
        }
      }
      const invNames = investigationNames(p, accountId, region, (prefix) =>
        isToken(prefix) ? Token.asString(Fn.replace(prefix, "-", "_")) : prefix.replace(/-/g, "_"),
      );
      this.eventCatalog = new EventCatalog(this, "EventCatalog", {
        databaseName: invNames.glueDatabase,
        tableName: invNames.glueTable,
        bucketName: this.archiveBucketName,
        eventsPrefix,
        regions: inv.regions ?? [region],
        queryableDays: readableDays,
        condition: inv.enabled,
        preventDestroy: archive.preventDestroy,
      });
      const tokens = [p, lookbackDays, campaignTag].some(isToken);
      this.athena = new AthenaWorkgroup(this, "Athena", {
        ...arnScope,
        workgroupName: invNames.athenaWorkgroup,
        resultsBucketName: orDefault(this, inv.resultsBucketName, invNames.resultsBucket),
        resultsExpirationDays: inv.resultsExpirationDays,
        bytesScannedCutoffPerQueryMiB: inv.bytesScannedCutoffPerQueryMiB,
        // Results are as sensitive as the archive: the same key when the archive has one.
        kmsKeyArn: archiveKey,
        accessLogBucketName: archive.accessLogBucketName,
        database: this.eventCatalog.databaseName,
        condition: inv.enabled,
        namedQueries: namedQueries({
          database: this.eventCatalog.databaseName,
          table: this.eventCatalog.tableName,
          lookbackDays,
          campaignTag,
          tokenText: tokens
            ? {
                days: isToken(lookbackDays) ? `day%{ if ${hclOf(this, lookbackDays)} != 1 }s%{ endif }` : lookbackDays === 1 ? "day" : "days",
                campaignTagLower: isToken(campaignTag) ? Token.asString(Fn.lower(campaignTag)) : campaignTag.toLowerCase(),
              }
            : undefined,
        }),
      });
    }

    if (props.notifications) {
      this.notifications = new IdentityNotifications(this, "Notifications", {
        ...arnScope,
        topicName: names.notificationTopic,
        topic: props.notifications.topic,
        identities: props.notifications.identities,
        types: props.notifications.types,
        emails: props.notifications.emails,
        includeOriginalHeaders: props.notifications.includeOriginalHeaders,
        kmsKeyArn,
        condition: props.notifications.enabled,
      });
    }

    if (props.chat) {
      const types = props.chat.sesEventTypes ?? DEFAULT_CHAT_EVENT_TYPES;
      const inv = props.investigation;
      this.sesEventAlerts = new SesEventAlerts(this, "SesEventAlerts", {
        ...arnScope,
        namePrefix: p,
        configurationSetName: names.configurationSet,
        types,
        kmsKeyArn: kmsKeyArn!,
        alarmTopic: this.alarmTopic,
        nextSteps: {
          archiveLocation: `s3://${this.archiveBucketName}/${keyPrefix}`,
          investigate: this.athena ? { workgroup: this.athena.workgroupName, when: inv?.enabled ? hclOf(this, inv.enabled, false) : undefined } : undefined,
        },
        condition: props.chat.enabled,
      });
      const slackChannels = props.chat.slackChannels ?? [];
      const teamsChannels = props.chat.teamsChannels ?? [];
      const configured = channelsToConfigure(slackChannels).length + channelsToConfigure(teamsChannels).length;
      if (isToken(slackChannels) || isToken(teamsChannels) || configured > 0) {
        // Attributes, not names: a channel configuration subscribes to its topics, so they come first.
        const own = [this.alarmTopic.arn, attributeOf(this.sesEventAlerts.topic, "arn")];
        const others = props.chat.otherTopicArns ?? [];
        this.chatChannels = new ChatChannels(this, "ChatChannels", {
          ...arnScope,
          namePrefix: p,
          topicArns: isToken(others) ? Token.asList(expression(this, `concat(${hclOf(this, own)}, ${hclOf(this, others)})`)) : [...own, ...others],
          slackChannels,
          teamsChannels,
          provider: props.chat.provider,
          condition: props.chat.channelsEnabled,
        });
      }
    }

    const setAlarms = this.configurationSetAlarms;
    if (props.autoPause) {
      const scope = props.autoPause.scope ?? "configurationSet";
      const accountCritical = [this.alarms.alarmArns.BounceRateCritical, this.alarms.alarmArns.ComplaintRateCritical];
      const setCritical = setAlarms ? [setAlarms.alarmArns.BounceRateCritical, setAlarms.alarmArns.ComplaintRateCritical] : undefined;
      if (!isToken(scope) && scope === "configurationSet" && !setCritical) {
        throw new Error(
          'SesGuard autoPause.scope: got "configurationSet"; allowed: "account", or keep alarms.configurationSet on (a configuration set is paused on its own alarms)',
        );
      }
      // cdktf's own functions: they keep the partition expression inside each ARN intact.
      const alarmArns = isToken(scope)
        ? Token.asList(conditional(Op.eq(scope, "account"), accountCritical, setCritical ?? accountCritical))
        : scope === "account"
          ? accountCritical
          : setCritical!;
      this.autoPause = new AutoPause(this, "AutoPause", {
        ...arnScope,
        namePrefix: p,
        scope,
        configurationSetName: names.configurationSet,
        alarmArns,
        announceTopic: this.alarmTopic,
        alarmTopic: this.alarmTopic,
        condition: props.autoPause.enabled,
      });
    }

    const dashboardOn = props.dashboard?.enabled ?? true;
    if (dashboardOn !== false) {
      const accountArns = Object.values(this.alarms.alarmArns);
      const archiveArns = Object.values(archiveAlarmNames(p)).map((name) => arn(arnScope, "cloudwatch", `alarm:${name}`));
      const setArns = setAlarms ? Object.values(setAlarms.alarmArns) : [];
      const alarmArns = isToken(configurationSetAlarmsOn)
        ? // HCL text, not cdktf's functions: Fn.concat / conditional around these ARNs (each holds its partition
          // expression) print "escape sequences" warnings on every synth.
          Token.asList(
            expression(
              this,
              `concat(${hclOf(this, accountArns)}, ${hclOf(this, configurationSetAlarmsOn)} ? ${hclOf(this, setArns)} : [], ${hclOf(this, archiveArns)})`,
            ),
          )
        : [...accountArns, ...setArns, ...archiveArns];
      this.dashboard = new Dashboard(this, "Dashboard", {
        dashboardName: `${p}-${region}`,
        region,
        alarmArns,
        accountRates: { bounceRate: props.alarms.bounceRate, complaintRate: props.alarms.complaintRate },
        // Graphed whenever ses-guard manages the set: it enables the set's reputation metrics.
        configurationSetName: archive.existingConfigurationSet ? undefined : names.configurationSet,
        deliveryStreamName: this.deliveryStream.streamName,
        condition: isToken(dashboardOn) ? (dashboardOn as Condition) : undefined,
      });
    }
  }

  /** The configuration set's event types that carry the chosen chat events (an expression for a token list). */
  private sesTypesFor(types: readonly ChatEventType[]): SesEventType[] {
    if (!isToken(types)) return [...new Set(types.map(sesEventTypeOf))];
    const map = Object.fromEntries(CHAT_EVENT_TYPES.map((t) => [t, sesEventTypeOf(t)]));
    return Token.asList(expression(this, `distinct([for t in ${hclOf(this, types)} : lookup(${hclOf(this, map)}, t, t)])`)) as SesEventType[];
  }
}

/** `a || b` of two switches, literal or Terraform conditions. */
function anyOf(scope: Construct, a: boolean | Condition, b: boolean | Condition): boolean | Condition {
  if (!isToken(a) && !isToken(b)) return Boolean(a) || Boolean(b);
  if (a === true || b === true) return true;
  const parts = [a, b].filter((x) => x !== false).map((x) => hclOf(scope, x));
  return expression(scope, parts.join(" || "));
}

/** Maps a validated config onto one region's props: percent becomes `Rate`, existing resources become references. */
export function sesGuardPropsFromConfig(cfg: SesGuardConfig, region: SesRegion = cfg.regions[0]): SesGuardProps {
  const levels = (l: { warning: number; critical: number }): RateLevels => ({
    warning: Rate.percent(l.warning),
    critical: Rate.percent(l.critical),
  });
  const bucket = archiveBucketFor(cfg, region);
  const catalog = catalogFor(cfg, region);
  const topic = (arn: string | undefined): TopicRef | undefined => (arn ? { arn } : undefined);
  const identities = notificationIdentitiesFor(cfg, region);
  return {
    namePrefix: cfg.name,
    accountId: cfg.accountId,
    region,
    alarms: {
      emails: cfg.alarms.emails,
      topic: topic(cfg.existing.alarmTopicArns[region]),
      bounceRate: levels(cfg.alarms.bounceRatePercent),
      complaintRate: levels(cfg.alarms.complaintRatePercent),
      periodSeconds: cfg.alarms.periodSeconds,
      evaluationPeriods: cfg.alarms.evaluationPeriods,
      configurationSet: cfg.configurationSet.reputationAlarms,
    },
    archive: {
      bucketName: bucket.name,
      existingBucket: !bucket.created || bucket.home !== region,
      eventTypes: cfg.archive.eventTypes,
      bufferingIntervalSeconds: cfg.archive.bufferingIntervalSeconds,
      bufferingSizeMiB: cfg.archive.bufferingSizeMiB,
      lifecycle: cfg.archive.lifecycle,
      logRetentionDays: cfg.archive.logRetentionDays,
      configurationSetName: cfg.existing.configurationSetName ?? cfg.configurationSet.name,
      existingConfigurationSet: cfg.existing.configurationSetName !== undefined,
      requireTls: cfg.configurationSet.requireTls,
      preventDestroy: cfg.archive.preventDestroy,
      versioning: cfg.archive.versioning,
      accessLogBucketName: cfg.archive.accessLogging?.bucketName,
      accessLogPrefix: cfg.archive.accessLogging?.prefix,
    },
    encryption: { kmsKeyArn: cfg.encryption.kmsKeyArns[region], archive: cfg.encryption.archive },
    investigation: catalog
      ? {
          regions: catalog.regions,
          lookbackDays: cfg.investigation.lookbackDays,
          bytesScannedCutoffPerQueryMiB: cfg.investigation.bytesScannedCutoffPerQueryMiB,
          resultsExpirationDays: cfg.investigation.resultsExpirationDays,
          resultsBucketName: catalog.resultsBucket,
          campaignTag: cfg.investigation.campaignTag,
        }
      : undefined,
    suppression: {
      accountLevel: cfg.suppression.accountLevel ?? undefined,
      configurationSet: cfg.suppression.configurationSet ?? undefined,
    },
    // A channel has one configuration per account: the home region's stack creates it, subscribed to
    // every region's topics; the other stacks relay their events to their own topics only.
    chat: chatEnabled(cfg)
      ? region === cfg.regions[0]
        ? {
            slackChannels: cfg.chat.slackChannels,
            teamsChannels: cfg.chat.teamsChannels,
            otherTopicArns: chatTopicArns({ ...cfg, regions: cfg.regions.slice(1) }),
            sesEventTypes: cfg.chat.sesEventTypes,
          }
        : { sesEventTypes: cfg.chat.sesEventTypes }
      : undefined,
    autoPause: cfg.autoPause.enabled ? { scope: cfg.autoPause.scope } : undefined,
    dashboard: { enabled: cfg.dashboard.enabled },
    // A region with no identities of its own gets no notification topic.
    notifications:
      cfg.notifications.enabled && identities.length
        ? {
            identities,
            types: cfg.notifications.types,
            emails: cfg.notifications.emails ?? cfg.alarms.emails,
            includeOriginalHeaders: cfg.notifications.includeOriginalHeaders,
            topic: topic(cfg.existing.notificationTopicArns[region]),
          }
        : undefined,
  };
}
