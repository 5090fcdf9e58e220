/**
 * The doctor's checks. Each declares the API calls it makes (and so the IAM actions it needs:
 * policy.ts prints them) and turns AWS's answers into pass / warn / fail lines, each failure with
 * its fix. Read-only: no check changes anything.
 */
import type { DescribeAlarmsCommandOutput, MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import type { DescribeDeliveryStreamCommandOutput } from "@aws-sdk/client-firehose";
import { DescribeDeliveryStreamCommand } from "@aws-sdk/client-firehose";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { GetIdentityNotificationAttributesCommandOutput } from "@aws-sdk/client-ses";
import { GetIdentityNotificationAttributesCommand } from "@aws-sdk/client-ses";
import type {
  GetAccountCommandOutput,
  GetConfigurationSetCommandOutput,
  GetConfigurationSetEventDestinationsCommandOutput,
  GetEmailIdentityCommandOutput,
} from "@aws-sdk/client-sesv2";
import { GetAccountCommand, GetConfigurationSetCommand, GetConfigurationSetEventDestinationsCommand, GetEmailIdentityCommand } from "@aws-sdk/client-sesv2";
import type { ListSubscriptionsByTopicCommandOutput } from "@aws-sdk/client-sns";
import { ListSubscriptionsByTopicCommand } from "@aws-sdk/client-sns";
import type { GetCallerIdentityCommandOutput } from "@aws-sdk/client-sts";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { newestObject } from "./archive";
import { isNotFound } from "./aws";
import { eventBusDestinationCheck, rulesCheck, runbooksCheck } from "./chain-checks";
import { reputationCheck, setMetricsCheck } from "./metric-checks";
import { bypassCheck } from "./bypass-check";
import { chatChannelsCheck } from "./chat-check";
import { allPages, ANY, APPLY, alarmArn, Check, CheckResult, formatHours, hoursAgo, result, sameSet, sesArn, topicsOf } from "./check-kit";
import { arnRegion, EVENT_DESTINATION_NAME } from "./target";

export type { CallSpec, Check, CheckContext, CheckResult, Status } from "./check-kit";
export { bypassCheck, chatChannelsCheck, eventBusDestinationCheck, reputationCheck, rulesCheck, runbooksCheck, setMetricsCheck };

// ---------------------------------------------------------------- caller

export const callerCheck: Check = {
  id: "caller",
  scope: "account",
  summary: "the credentials belong to accountId (sts GetCallerIdentity)",
  calls: [{ command: GetCallerIdentityCommand, resources: () => [] }],
  async run(ctx) {
    const t = ctx.target;
    const out = await ctx.api.send<GetCallerIdentityCommandOutput>(t.region, new GetCallerIdentityCommand({}));
    const base = { check: "caller", subject: `account ${t.accountId}` };
    if (out.Account === t.accountId) return [{ ...base, status: "pass", detail: `credentials of ${out.Arn ?? "an identity"} in account ${out.Account}` }];
    return [
      {
        ...base,
        status: "fail",
        detail: `the credentials are for account ${out.Account ?? "(unknown)"} (${out.Arn ?? "?"}), the config's accountId is ${t.accountId}; nothing else was checked`,
        fix: `use credentials for account ${t.accountId} (AWS_PROFILE=<profile of that account>), or check --config`,
      },
    ];
  },
};

// ---------------------------------------------------------------- account

export const accountCheck: Check = {
  id: "account",
  scope: "region",
  summary: "SES sending enabled, enforcement status, production access, account-level suppression (sesv2 GetAccount)",
  calls: [{ command: GetAccountCommand, resources: ANY }],
  async run(ctx) {
    const t = ctx.target;
    const a = await ctx.api.send<GetAccountCommandOutput>(t.region, new GetAccountCommand({}));
    const out: CheckResult[] = [];
    const enforcement = a.EnforcementStatus ?? "unknown";
    if (a.SendingEnabled !== false && enforcement === "HEALTHY") {
      out.push(result(ctx, "account", "pass", "SES sending", `enabled, enforcement status HEALTHY`));
    } else if (enforcement === "PROBATION" || enforcement === "SHUTDOWN") {
      out.push(
        result(
          ctx,
          "account",
          "fail",
          "SES sending",
          enforcement === "SHUTDOWN"
            ? `paused by AWS (enforcement status SHUTDOWN, sending ${a.SendingEnabled === false ? "disabled" : "enabled"})`
            : `account under review (enforcement status PROBATION): AWS pauses sending if the cause is not fixed`,
          `open the SES console's Reputation metrics page in ${t.region} and the AWS Support case about it; find the recipients with the archive (README, "Investigating an alarm"), stop mailing them, then answer the case`,
        ),
      );
    } else {
      out.push(
        result(
          ctx,
          "account",
          a.SendingEnabled === false ? "fail" : "warn",
          "SES sending",
          `sending ${a.SendingEnabled === false ? "disabled" : "enabled"}, enforcement status ${enforcement}`,
          a.SendingEnabled === false
            ? `sending was turned off for the account in ${t.region}; once the cause is fixed: aws sesv2 put-account-sending-attributes --sending-enabled --region ${t.region}`
            : "an enforcement status ses-guard does not know; see the SES console's account dashboard",
        ),
      );
    }
    const review = a.Details?.ReviewDetails;
    const reviewText = review?.Status ? `; production access request ${review.Status}${review.CaseId ? ` (case ${review.CaseId})` : ""}` : "";
    out.push(
      a.ProductionAccessEnabled
        ? result(ctx, "account", "pass", "production access", `granted${reviewText}`)
        : result(
            ctx,
            "account",
            "warn",
            "production access",
            `sandbox: mail only to verified addresses and the mailbox simulator, at most 200 a day${reviewText}`,
            `request production access (SES console, Account dashboard, or aws sesv2 put-account-details --region ${t.region})`,
          ),
    );
    const reasons = [...(a.SuppressionAttributes?.SuppressedReasons ?? [])].sort();
    const shown = reasons.length ? reasons.join(", ") : "none";
    if (t.accountSuppression === null) {
      out.push(result(ctx, "account", "pass", "account-level suppression", `${shown} (not managed by ses-guard: suppression.accountLevel is null)`));
    } else {
      const want = [...t.accountSuppression].sort();
      const { missing, extra } = sameSet(reasons, want);
      out.push(
        missing.length || extra.length
          ? result(ctx, "account", "fail", "account-level suppression", `${shown}; the config says ${want.join(", ") || "none"}`, APPLY(t))
          : result(ctx, "account", "pass", "account-level suppression", `${shown}, as configured`),
      );
    }
    return out;
  },
};

// ---------------------------------------------------------------- identities

const VERIFY_FIX = (id: string, region: string) =>
  id.includes("@")
    ? `click the link in the verification mail SES sent to ${id}, or verify it again: aws sesv2 create-email-identity --email-identity ${id} --region ${region} (delete it first if it exists)`
    : `publish the DKIM CNAME records of ${id} (aws sesv2 get-email-identity --email-identity ${id} --region ${region} lists the tokens: <token>._domainkey.${id} -> <token>.dkim.amazonses.com) and wait for SES to see them`;

export const identitiesCheck: Check = {
  id: "identities",
  scope: "region",
  summary:
    "each identity in notifications.identities exists and is verified; its bounce and complaint topics are ours; feedback forwarding shown (sesv2 GetEmailIdentity, ses GetIdentityNotificationAttributes)",
  calls: [
    { command: GetEmailIdentityCommand, resources: (t) => t.identities.map((id) => sesArn(t, `identity/${id}`)) },
    { command: GetIdentityNotificationAttributesCommand, resources: (t) => (t.notificationTopic && t.identities.length ? ["*"] : []) },
  ],
  async run(ctx) {
    const t = ctx.target;
    if (!t.identities.length) return [];
    const verified = await Promise.all(
      t.identities.map(async (id): Promise<{ id: string; exists: boolean; line: CheckResult }> => {
        let identity: GetEmailIdentityCommandOutput;
        try {
          identity = await ctx.api.send<GetEmailIdentityCommandOutput>(t.region, new GetEmailIdentityCommand({ EmailIdentity: id }));
        } catch (e) {
          if (!isNotFound(e)) throw e;
          const fix = `create and verify it in ${t.region} (SES console, Identities), or take it out of notifications.identities for ${t.region}`;
          return { id, exists: false, line: result(ctx, "identities", "fail", `identity ${id}`, `not an SES identity in ${t.region}`, fix) };
        }
        const set = identity.ConfigurationSetName ? `default configuration set ${identity.ConfigurationSetName}` : "no default configuration set";
        const kind = (identity.IdentityType ?? "identity").toLowerCase().replace(/_/g, " ");
        const line = identity.VerifiedForSendingStatus
          ? result(ctx, "identities", "pass", `identity ${id}`, `verified ${kind}, ${set}`)
          : result(
              ctx,
              "identities",
              "fail",
              `identity ${id}`,
              `not verified for sending (verification ${identity.VerificationStatus ?? "status unknown"})`,
              VERIFY_FIX(id, t.region),
            );
        return { id, exists: true, line };
      }),
    );
    const topic = t.notificationTopic;
    const existing = verified.filter((v) => v.exists).map((v) => v.id);
    let attributes: NonNullable<GetIdentityNotificationAttributesCommandOutput["NotificationAttributes"]> = {};
    if (topic) {
      // One call for up to 100 identities (SES API Reference, GetIdentityNotificationAttributes).
      for (let i = 0; i < existing.length; i += 100) {
        const page = await ctx.api.send<GetIdentityNotificationAttributesCommandOutput>(
          t.region,
          new GetIdentityNotificationAttributesCommand({ Identities: existing.slice(i, i + 100) }),
        );
        attributes = { ...attributes, ...page.NotificationAttributes };
      }
    }
    const out: CheckResult[] = [];
    for (const { id, exists, line } of verified) {
      out.push(line);
      if (!topic || !exists) continue;
      const subject = `identity ${id} notifications`;
      const attrs = attributes[id];
      if (!attrs) {
        out.push(result(ctx, "identities", "fail", subject, "SES returned no notification settings for it", APPLY(t)));
        continue;
      }
      const topicOf: Record<string, string | undefined> = { Bounce: attrs.BounceTopic, Complaint: attrs.ComplaintTopic, Delivery: attrs.DeliveryTopic };
      const wrong = t.notificationTypes.filter((type) => topicOf[type] !== topic.arn);
      const forwarding = `feedback forwarding by e-mail ${attrs.ForwardingEnabled ? "on" : "off"}`;
      out.push(
        wrong.length
          ? result(
              ctx,
              "identities",
              "fail",
              subject,
              `${wrong.map((type) => `${type} topic ${topicOf[type] ?? "not set"}`).join(", ")}, expected ${topic.arn}; ${forwarding}`,
              APPLY(t),
            )
          : result(ctx, "identities", "pass", subject, `${t.notificationTypes.join(", ")} -> ${topic.arn.split(":").pop()}; ${forwarding}`),
      );
    }
    return out;
  },
};

// ---------------------------------------------------------------- configuration set

export const configurationSetCheck: Check = {
  id: "configuration-set",
  scope: "region",
  summary:
    "the configuration set exists, with reputation metrics and sending on, and its archive event destination enabled with the configured event types (sesv2 GetConfigurationSet, GetConfigurationSetEventDestinations)",
  calls: [
    { command: GetConfigurationSetCommand, resources: (t) => [t.configurationSetArn] },
    { command: GetConfigurationSetEventDestinationsCommand, resources: (t) => [t.configurationSetArn] },
  ],
  async run(ctx) {
    const t = ctx.target;
    const subject = `configuration set ${t.configurationSet}`;
    let set: GetConfigurationSetCommandOutput;
    let destinations: GetConfigurationSetEventDestinationsCommandOutput;
    try {
      [set, destinations] = await Promise.all([
        ctx.api.send<GetConfigurationSetCommandOutput>(t.region, new GetConfigurationSetCommand({ ConfigurationSetName: t.configurationSet })),
        ctx.api.send<GetConfigurationSetEventDestinationsCommandOutput>(
          t.region,
          new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: t.configurationSet }),
        ),
      ]);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      return [
        result(
          ctx,
          "configuration-set",
          "fail",
          subject,
          `not found in ${t.region}: nothing sent with it can be archived`,
          t.configurationSetManaged ? APPLY(t) : `create it in ${t.region}, or correct existing.configurationSetName`,
        ),
      ];
    }
    const out: CheckResult[] = [];
    const reputation = set.ReputationOptions?.ReputationMetricsEnabled === true;
    out.push(
      reputation
        ? result(ctx, "configuration-set", "pass", `${subject} reputation metrics`, "on")
        : result(
            ctx,
            "configuration-set",
            t.configurationSetManaged ? "fail" : "warn",
            `${subject} reputation metrics`,
            "off: no per-set Reputation.* metrics",
            t.configurationSetManaged
              ? APPLY(t)
              : `aws sesv2 put-configuration-set-reputation-options --configuration-set-name ${t.configurationSet} --reputation-metrics-enabled --region ${t.region}`,
          ),
    );
    if (set.SendingOptions?.SendingEnabled === false) {
      // SES keeps no record of who paused a set or why; the fresh start is the one date it keeps.
      const freshStart = set.ReputationOptions?.LastFreshStart;
      out.push(
        result(
          ctx,
          "configuration-set",
          "fail",
          `${subject} sending`,
          `paused: SES rejects every message sent with it (SES records no time or reason for a pause${freshStart ? `; reputation metrics last reset ${new Date(freshStart).toISOString()}` : ""}; an alarm action or someone with ses:PutConfigurationSetSendingOptions paused it)`,
          t.autoPause
            ? `find why (a critical alarm starts runbook ${t.autoPause.pauseRunbook}: aws ssm describe-automation-executions --filters Key=DocumentNamePrefix,Values=${t.autoPause.pauseRunbook} --region ${t.region}; alarm history: aws cloudwatch describe-alarm-history --alarm-name-prefix ${t.namePrefix}- --region ${t.region}), fix it, then resume: ${t.autoPause.resumeCommand}`
            : `find why (alarm history: aws cloudwatch describe-alarm-history --alarm-name-prefix ${t.namePrefix}- --region ${t.region}; CloudTrail: PutConfigurationSetSendingOptions), then: aws sesv2 put-configuration-set-sending-options --configuration-set-name ${t.configurationSet} --sending-enabled --region ${t.region}`,
        ),
      );
    } else {
      out.push(result(ctx, "configuration-set", "pass", `${subject} sending`, "enabled"));
    }
    const destination = destinations.EventDestinations?.find((d) => d.Name === EVENT_DESTINATION_NAME);
    const destSubject = `event destination ${EVENT_DESTINATION_NAME}`;
    if (!destination) {
      out.push(
        result(
          ctx,
          "configuration-set",
          "fail",
          destSubject,
          `not on ${t.configurationSet} (it has: ${destinations.EventDestinations?.map((d) => d.Name).join(", ") || "none"}): nothing is archived`,
          APPLY(t),
        ),
      );
      return out;
    }
    const problems: string[] = [];
    if (destination.Enabled !== true) problems.push("disabled (the provider's default is disabled)");
    const { missing, extra } = sameSet([...(destination.MatchingEventTypes ?? [])], [...t.eventTypes]);
    if (missing.length) problems.push(`does not match ${missing.join(", ")}`);
    if (extra.length) problems.push(`also matches ${extra.join(", ")}, which archive.eventTypes leaves out`);
    const stream = destination.KinesisFirehoseDestination?.DeliveryStreamArn;
    if (stream !== t.deliveryStreamArn) problems.push(`sends to ${stream ?? "no Firehose stream"}, not ${t.deliveryStreamArn}`);
    out.push(
      problems.length
        ? result(ctx, "configuration-set", "fail", destSubject, problems.join("; "), APPLY(t))
        : result(ctx, "configuration-set", "pass", destSubject, `enabled, ${t.eventTypes.length} event types to ${t.deliveryStream}`),
    );
    return out;
  },
};

// ---------------------------------------------------------------- archive

export const streamCheck: Check = {
  id: "stream",
  scope: "region",
  summary: "the Firehose stream is ACTIVE and writes to the archive bucket (firehose DescribeDeliveryStream)",
  calls: [{ command: DescribeDeliveryStreamCommand, resources: (t) => [t.deliveryStreamArn] }],
  async run(ctx) {
    const t = ctx.target;
    const subject = `stream ${t.deliveryStream}`;
    let out: DescribeDeliveryStreamCommandOutput;
    try {
      out = await ctx.api.send<DescribeDeliveryStreamCommandOutput>(t.region, new DescribeDeliveryStreamCommand({ DeliveryStreamName: t.deliveryStream }));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      return [result(ctx, "stream", "fail", subject, `not found in ${t.region}: events have nowhere to go`, APPLY(t))];
    }
    const d = out.DeliveryStreamDescription;
    const status = d?.DeliveryStreamStatus ?? "unknown";
    const failure = d?.FailureDescription ?? d?.DeliveryStreamEncryptionConfiguration?.FailureDescription;
    const s3 = d?.Destinations?.[0]?.ExtendedS3DestinationDescription;
    if (status !== "ACTIVE") {
      return [
        result(
          ctx,
          "stream",
          "fail",
          subject,
          `status ${status}${failure ? ` (${failure.Type}: ${failure.Details})` : ""}`,
          status.endsWith("FAILED")
            ? `read the failure above, fix it (often the role or KMS key policy), then recreate the stream: ${APPLY(t)}`
            : "wait a minute and run again",
        ),
      ];
    }
    if (s3?.BucketARN && s3.BucketARN !== t.bucketArn) {
      return [result(ctx, "stream", "fail", subject, `ACTIVE, but writes to ${s3.BucketARN}, not ${t.bucketArn}`, APPLY(t))];
    }
    const interval = s3?.BufferingHints?.IntervalInSeconds;
    return [
      result(
        ctx,
        "stream",
        "pass",
        subject,
        `ACTIVE, writes to s3://${t.bucket}/${t.eventsPrefix}${interval !== undefined ? ` every ${interval} s at most` : ""}`,
      ),
    ];
  },
};

/** Days looked back for the newest archived object. */
export const FRESHNESS_LOOKBACK_DAYS = 7;

export const freshnessCheck: Check = {
  id: "archive",
  scope: "region",
  summary: `the newest object under events/<region>/ is recent: otherwise senders may not be using the configuration set (s3 ListObjectsV2, up to ${FRESHNESS_LOOKBACK_DAYS + 1} day prefixes)`,
  calls: [{ command: ListObjectsV2Command, resources: (t) => [t.bucketArn] }],
  async run(ctx) {
    const t = ctx.target;
    const subject = `archive s3://${t.bucket}/${t.eventsPrefix}`;
    let newest;
    try {
      newest = await newestObject(ctx.api, t.bucketRegion, t.bucket, t.eventsPrefix, ctx.now, FRESHNESS_LOOKBACK_DAYS);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      return [result(ctx, "archive", "fail", subject, `bucket ${t.bucket} not found`, APPLY(t))];
    }
    const set = t.configurationSet;
    const fix =
      `send with configuration set ${set}: SES API (v2 SendEmail, v1 SendEmail/SendRawEmail) parameter ConfigurationSetName="${set}"; ` +
      `SMTP header "X-SES-CONFIGURATION-SET: ${set}"; or make it each identity's default: aws sesv2 put-email-identity-configuration-set-attributes --email-identity <identity> --configuration-set-name ${set} --region ${t.region}. ` +
      `npm run drill -- --yes --from <verified sender> tests the path end to end`;
    if (!newest) {
      return [
        result(
          ctx,
          "archive",
          "warn",
          subject,
          `no events in the last ${FRESHNESS_LOOKBACK_DAYS * 24} hours (or ever): are senders using the configuration set?`,
          fix,
        ),
      ];
    }
    const age = hoursAgo(ctx.now, newest.lastModified);
    if (age > ctx.maxEventAgeHours) {
      return [
        result(
          ctx,
          "archive",
          "warn",
          subject,
          `no events for ${Math.floor(age)} hours: are senders using the configuration set? (newest: ${newest.key})`,
          fix,
        ),
      ];
    }
    return [result(ctx, "archive", "pass", subject, `newest object ${formatHours(age)} old (${newest.key.slice(t.eventsPrefix.length)})`)];
  },
};

// ---------------------------------------------------------------- topics

export const topicsCheck: Check = {
  id: "topics",
  scope: "region",
  summary: "each topic's subscriptions, pending confirmations by address (sns ListSubscriptionsByTopic)",
  calls: [{ command: ListSubscriptionsByTopicCommand, resources: (t) => topicsOf(t).map((topic) => topic.arn) }],
  async run(ctx) {
    const t = ctx.target;
    const lines = await Promise.all(
      topicsOf(t).map(async (topic): Promise<CheckResult> => {
        const kind = topic === t.alarmTopic ? "alarm" : "notification";
        const subject = `${kind} topic ${topic.arn.split(":").pop()}`;
        const subs: { endpoint: string; protocol: string; pending: boolean }[] = [];
        try {
          const listed = await allPages(
            (token) =>
              ctx.api.send<ListSubscriptionsByTopicCommandOutput>(
                arnRegion(topic.arn),
                new ListSubscriptionsByTopicCommand({ TopicArn: topic.arn, NextToken: token }),
              ),
            (page) => page.Subscriptions,
          );
          for (const s of listed) {
            subs.push({ endpoint: s.Endpoint ?? "?", protocol: s.Protocol ?? "?", pending: s.SubscriptionArn === "PendingConfirmation" });
          }
        } catch (e) {
          if (!isNotFound(e)) throw e;
          return result(ctx, "topics", "fail", subject, `${topic.arn} not found`, topic.created ? APPLY(t) : `correct existing.${kind}TopicArns.${t.region}`);
        }
        const confirmed = subs.filter((s) => !s.pending);
        const pending = subs.filter((s) => s.pending).map((s) => s.endpoint);
        const subscribed = new Set(subs.map((s) => s.endpoint.toLowerCase()));
        const absent = topic.emails.filter((e) => !subscribed.has(e.toLowerCase()));
        const shown = `${confirmed.length} confirmed (${confirmed.map((s) => `${s.protocol} ${s.endpoint}`).join(", ") || "none"})${pending.length ? `; pending confirmation: ${pending.join(", ")}` : ""}${absent.length ? `; not subscribed: ${absent.join(", ")}` : ""}`;
        const confirmFix = `each pending address must click "Confirm subscription" in the mail from AWS Notifications (check spam); after SNS drops it (about 3 days), terraform apply sends a new one`;
        if (absent.length) return result(ctx, "topics", "fail", subject, shown, APPLY(t));
        if (!confirmed.length) {
          return result(
            ctx,
            "topics",
            "fail",
            subject,
            `${shown}: nobody receives ${kind === "alarm" ? "alarms" : "notifications"}`,
            pending.length ? confirmFix : `subscribe someone to ${topic.arn}`,
          );
        }
        if (pending.length) return result(ctx, "topics", "warn", subject, shown, confirmFix);
        return result(ctx, "topics", "pass", subject, shown);
      }),
    );
    return lines;
  },
};

// ---------------------------------------------------------------- alarms

const INSUFFICIENT_REPUTATION =
  "not a fault: SES publishes Reputation.* only once the account sends enough mail to rate (mailbox simulator mail never counts), and the alarm leaves this state with real volume";
const INSUFFICIENT_ARCHIVE = "not evaluated yet (a new alarm): it becomes OK within minutes, since missing data counts as not breaching";

export const alarmsCheck: Check = {
  id: "alarms",
  scope: "region",
  summary: "the reputation, archive and dead-letter queue alarms exist, notify the alarm topic, and their state (cloudwatch DescribeAlarms)",
  calls: [
    {
      command: DescribeAlarmsCommand,
      resources: (t) => [...t.reputationAlarms.map((a) => a.name), ...t.archiveAlarms, ...t.deadLetterAlarms].map((n) => alarmArn(t, n)),
    },
  ],
  async run(ctx) {
    const t = ctx.target;
    const names = [...t.reputationAlarms.map((a) => a.name), ...t.archiveAlarms, ...t.deadLetterAlarms];
    const out = await ctx.api.send<DescribeAlarmsCommandOutput>(t.region, new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ["MetricAlarm"] }));
    const byName = new Map<string, MetricAlarm>((out.MetricAlarms ?? []).map((a) => [a.AlarmName ?? "", a]));
    return names.map((name) => {
      const alarm = byName.get(name);
      const subject = `alarm ${name}`;
      if (!alarm) return result(ctx, "alarms", "fail", subject, `not found in ${t.region}`, APPLY(t));
      const reputation = t.reputationAlarms.find((a) => a.name === name);
      if (alarm.ActionsEnabled === false) {
        return result(
          ctx,
          "alarms",
          "fail",
          subject,
          "actions disabled: it notifies nobody",
          `aws cloudwatch enable-alarm-actions --alarm-names ${name} --region ${t.region}`,
        );
      }
      if (!(alarm.AlarmActions ?? []).includes(t.alarmTopic.arn)) {
        return result(ctx, "alarms", "fail", subject, `notifies ${(alarm.AlarmActions ?? []).join(", ") || "nothing"}, not ${t.alarmTopic.arn}`, APPLY(t));
      }
      if (reputation && alarm.Threshold !== undefined && Math.abs(alarm.Threshold - reputation.percent / 100) > 1e-12) {
        return result(
          ctx,
          "alarms",
          "fail",
          subject,
          `threshold ${+(alarm.Threshold * 100).toPrecision(6)} %, the config says ${reputation.percent} %`,
          APPLY(t),
        );
      }
      const since = alarm.StateUpdatedTimestamp ? ` since ${new Date(alarm.StateUpdatedTimestamp).toISOString()}` : "";
      switch (alarm.StateValue) {
        case "OK":
          return result(ctx, "alarms", "pass", subject, `OK${since}`);
        case "ALARM":
          return result(
            ctx,
            "alarms",
            "fail",
            subject,
            `ALARM${since}: ${alarm.StateReason ?? ""}`.trim(),
            reputation
              ? `find the recipients and stop mailing them: README, "Investigating an alarm"`
              : t.deadLetterAlarms.includes(name)
                ? `EventBridge could not deliver events: read the messages in SQS queue ${name.replace(/-not-empty$/, "")} (their attributes say why), fix the target, then purge the queue`
                : `read the stream's error log group /aws/kinesisfirehose/${t.deliveryStream} (often the role or the bucket's KMS key policy denies the write)`,
          );
        default:
          return result(
            ctx,
            "alarms",
            "warn",
            subject,
            `INSUFFICIENT_DATA${since}: ${reputation ? INSUFFICIENT_REPUTATION : INSUFFICIENT_ARCHIVE}`,
            reputation ? "nothing to do until mail flows" : "run the doctor again in a few minutes",
          );
      }
    });
  },
};

/** Every check, in report order. */
export const CHECKS: readonly Check[] = [
  callerCheck,
  accountCheck,
  identitiesCheck,
  configurationSetCheck,
  streamCheck,
  freshnessCheck,
  eventBusDestinationCheck,
  bypassCheck,
  topicsCheck,
  alarmsCheck,
  reputationCheck,
  setMetricsCheck,
  rulesCheck,
  runbooksCheck,
  chatChannelsCheck,
];
