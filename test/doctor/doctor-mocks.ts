// Shared by the doctor and drill tests: SDK clients mocked with aws-sdk-client-mock, answering like
// a healthy deployed guard (response shapes from the AWS API references), which a test then breaks
// one answer at a time. No test here reaches AWS: the mocks replace every client's send().
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, MetricAlarm, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { GetIdentityNotificationAttributesCommand, SESClient } from "@aws-sdk/client-ses";
import {
  GetAccountCommand,
  GetConfigurationSetCommand,
  GetConfigurationSetEventDestinationsCommand,
  GetEmailIdentityCommand,
  SendEmailCommand,
  SESv2Client,
} from "@aws-sdk/client-sesv2";
import { ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { gzipSync } from "zlib";
import * as fs from "fs";
import * as path from "path";
import { parseConfig, SesGuardConfig, SesGuardConfigInput } from "../../modules/app/config";
import { dayPrefix } from "../../modules/doctor/archive";
import { EVENT_DESTINATION_NAME, regionTarget, RegionTarget } from "../../modules/doctor/target";

// Never probe the instance metadata address, and keep the SDK's Node-version notice off stderr.
process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export const ACCOUNT = "123456789012";
export const NOW = new Date("2025-03-07T12:00:00Z");

export function testConfig(over: Partial<SesGuardConfigInput> = {}): SesGuardConfig {
  return parseConfig({
    accountId: ACCOUNT,
    regions: ["us-east-1"],
    alarms: { emails: ["ops@example.com"] },
    notifications: { identities: ["example.com", "billing@example.com"], emails: ["bounces@example.com"] },
    suppression: { accountLevel: ["BOUNCE", "COMPLAINT"] },
    ...over,
  } as SesGuardConfigInput);
}

export const mocks = {
  sts: mockClient(STSClient),
  sesv2: mockClient(SESv2Client),
  ses: mockClient(SESClient),
  sns: mockClient(SNSClient),
  cloudwatch: mockClient(CloudWatchClient),
  firehose: mockClient(FirehoseClient),
  s3: mockClient(S3Client),
};

export function resetMocks(): void {
  for (const m of Object.values(mocks)) m.reset();
}

/** Every call the mocks received, as `service Operation`. */
export function callsMade(): string[] {
  return Object.entries(mocks).flatMap(([service, m]) => m.calls().map((c) => `${service} ${(c.args[0] as object).constructor.name.replace(/Command$/, "")}`));
}

/** An SDK-style service error: what the SDK throws for an AWS error response. */
export function awsError(name: string, message = name, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode, attempts: 3 } });
}

async function regionOf(getClient: () => { config: { region: unknown } }): Promise<string> {
  const region = getClient().config.region;
  return typeof region === "function" ? ((await (region as () => Promise<string>)()) as string) : String(region);
}

/** Answers of a guard that works, for every region of `cfg`. */
export function healthy(cfg: SesGuardConfig, now: Date = NOW): void {
  const target = (region: string): RegionTarget => regionTarget(cfg, region);
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: cfg.accountId, Arn: `arn:aws:iam::${cfg.accountId}:user/ci`, UserId: "AIDAEXAMPLE" });
  mocks.sesv2.on(GetAccountCommand).resolves({
    SendingEnabled: true,
    EnforcementStatus: "HEALTHY",
    ProductionAccessEnabled: true,
    SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 120 },
    SuppressionAttributes: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    DedicatedIpAutoWarmupEnabled: false,
  });
  mocks.sesv2.on(GetEmailIdentityCommand).callsFake((input: { EmailIdentity: string }) => ({
    IdentityType: input.EmailIdentity.includes("@") ? "EMAIL_ADDRESS" : "DOMAIN",
    VerifiedForSendingStatus: true,
    VerificationStatus: "SUCCESS",
    FeedbackForwardingStatus: false,
  }));
  mocks.ses.on(GetIdentityNotificationAttributesCommand).callsFake(async (input: { Identities: string[] }, getClient) => {
    const t = target(await regionOf(getClient as never));
    const arn = t.notificationTopic?.arn;
    return {
      NotificationAttributes: Object.fromEntries(
        input.Identities.map((id) => [
          id,
          { BounceTopic: arn, ComplaintTopic: arn, DeliveryTopic: undefined, ForwardingEnabled: false, HeadersInBounceNotificationsEnabled: true },
        ]),
      ),
    };
  });
  mocks.sesv2.on(GetConfigurationSetCommand).callsFake((input: { ConfigurationSetName: string }) => ({
    ConfigurationSetName: input.ConfigurationSetName,
    ReputationOptions: { ReputationMetricsEnabled: true },
    SendingOptions: { SendingEnabled: true },
    DeliveryOptions: { TlsPolicy: "REQUIRE" },
  }));
  mocks.sesv2.on(GetConfigurationSetEventDestinationsCommand).callsFake(async (_input, getClient) => {
    const t = target(await regionOf(getClient as never));
    return {
      EventDestinations: [
        {
          Name: EVENT_DESTINATION_NAME,
          Enabled: true,
          MatchingEventTypes: [...t.eventTypes],
          KinesisFirehoseDestination: {
            DeliveryStreamArn: t.deliveryStreamArn,
            IamRoleArn: `arn:aws:iam::${cfg.accountId}:role/${cfg.name}-ses-publisher-${t.region}`,
          },
        },
      ],
    };
  });
  mocks.firehose.on(DescribeDeliveryStreamCommand).callsFake(async (_input, getClient) => {
    const t = target(await regionOf(getClient as never));
    return {
      DeliveryStreamDescription: {
        DeliveryStreamName: t.deliveryStream,
        DeliveryStreamARN: t.deliveryStreamArn,
        DeliveryStreamStatus: "ACTIVE",
        DeliveryStreamType: "DirectPut",
        VersionId: "1",
        HasMoreDestinations: false,
        Destinations: [
          {
            DestinationId: "destinationId-000000000001",
            ExtendedS3DestinationDescription: {
              RoleARN: `arn:aws:iam::${cfg.accountId}:role/${cfg.name}-firehose-${t.region}`,
              BucketARN: t.bucketArn,
              Prefix: `${t.eventsPrefix}!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/`,
              BufferingHints: { IntervalInSeconds: t.bufferingIntervalSeconds, SizeInMBs: 128 },
              CompressionFormat: "GZIP",
              EncryptionConfiguration: { NoEncryptionConfig: "NoEncryption" },
            },
          },
        ],
      },
    };
  });
  // One object written two hours ago under today's prefix of each region.
  mocks.s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => {
    const region = cfg.regions.find((r) => input.Prefix === dayPrefix(`events/${r}/`, now));
    if (!region) return { KeyCount: 0, IsTruncated: false };
    return {
      KeyCount: 1,
      IsTruncated: false,
      Contents: [{ Key: `${input.Prefix}${cfg.name}-events-1-2025-03-07-09-45-12-0a1b2c3d`, LastModified: new Date(now.getTime() - 2 * 3600_000), Size: 2048 }],
    };
  });
  mocks.sns.on(ListSubscriptionsByTopicCommand).callsFake(async (input: { TopicArn: string }, getClient) => {
    const t = target(await regionOf(getClient as never));
    const topic = [t.alarmTopic, t.notificationTopic].find((x) => x?.arn === input.TopicArn);
    return {
      Subscriptions: (topic?.emails ?? []).map((e, i) => ({
        SubscriptionArn: `${input.TopicArn}:0000000${i}-aaaa-bbbb-cccc-dddddddddddd`,
        Owner: cfg.accountId,
        Protocol: "email",
        Endpoint: e,
        TopicArn: input.TopicArn,
      })),
    };
  });
  mocks.cloudwatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames: string[] }, getClient) => {
    const t = target(await regionOf(getClient as never));
    return { MetricAlarms: input.AlarmNames.map((name) => alarmLike(t, name, { StateValue: "OK" })) };
  });
  mocks.cloudwatch.on(GetMetricDataCommand).resolves({
    MetricDataResults: [
      { Id: "bouncerate", Label: "Reputation.BounceRate", Timestamps: [new Date(now.getTime() - 3600_000)], Values: [0.004], StatusCode: "Complete" },
      { Id: "complaintrate", Label: "Reputation.ComplaintRate", Timestamps: [new Date(now.getTime() - 3600_000)], Values: [0.0001], StatusCode: "Complete" },
    ],
  });
  mocks.cloudwatch.on(SetAlarmStateCommand).resolves({});
  mocks.sesv2.on(SendEmailCommand).rejects(awsError("MessageRejected", "healthy() sends nothing"));
  mocks.s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", "healthy() stores nothing", 404));
}

/** A DescribeAlarms entry for one of ses-guard's alarms, as CloudWatch returns it. */
export function alarmLike(t: RegionTarget, name: string, over: Partial<MetricAlarm>): MetricAlarm {
  const reputation = t.reputationAlarms.find((a) => a.name === name);
  return {
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${t.region}:${t.accountId}:alarm:${name}`,
    ActionsEnabled: true,
    AlarmActions: [t.alarmTopic.arn],
    OKActions: [t.alarmTopic.arn],
    StateValue: "OK",
    StateReason: "Threshold Crossed: 1 datapoint [0.004 (07/03/25 11:00:00)] was not greater than or equal to the threshold (0.02).",
    StateUpdatedTimestamp: new Date(NOW.getTime() - 86400_000),
    Namespace: reputation ? "AWS/SES" : "AWS/Firehose",
    MetricName: reputation ? `Reputation.${reputation.metric}` : "DeliveryToS3.Success",
    Statistic: "Maximum",
    Period: 900,
    EvaluationPeriods: 1,
    Threshold: reputation ? reputation.percent / 100 : 1,
    ComparisonOperator: reputation ? "GreaterThanOrEqualToThreshold" : "LessThanThreshold",
    TreatMissingData: reputation ? "ignore" : "notBreaching",
    ...over,
  };
}

const SAMPLES = path.join(__dirname, "..", "ses-event-samples");

/** A sample event from test/ses-event-samples/, as SES would publish it for `messageId`. */
export function sampleEvent(file: "send" | "delivery" | "bounce" | "complaint" | "reject", messageId: string): Record<string, unknown> {
  const event = JSON.parse(fs.readFileSync(path.join(SAMPLES, `${file}.json`), "utf8")) as { mail: Record<string, unknown> };
  event.mail.messageId = messageId;
  return event;
}

/** An archive object: gzip'd JSON lines, one record per line, as the stream writes them. */
export function archiveObject(records: readonly object[], separator = "\n"): Uint8Array {
  return gzipSync(Buffer.from(records.map((r) => JSON.stringify(r)).join(separator) + separator));
}

/** A GetObject body the SDK would return (the drill reads it with transformToByteArray). */
export function body(bytes: Uint8Array) {
  return { transformToByteArray: async () => bytes } as never;
}
