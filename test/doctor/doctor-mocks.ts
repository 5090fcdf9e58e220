// Shared by the doctor and drill tests: SDK clients mocked with aws-sdk-client-mock, answering like
// a healthy deployed guard (response shapes from the AWS API references), which a test then breaks
// one answer at a time. No test here reaches AWS: the mocks replace every client's send().
import { ChatbotClient, DescribeSlackChannelConfigurationsCommand, ListMicrosoftTeamsChannelConfigurationsCommand } from "@aws-sdk/client-chatbot";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricDataCommandInput,
  ListMetricsCommand,
  MetricAlarm,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
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
import { DescribeAutomationExecutionsCommand, DescribeDocumentCommand, SSMClient, StartAutomationExecutionCommand } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { MetadataBearer } from "@smithy/types";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import { gzipSync } from "zlib";
import * as fs from "fs";
import * as path from "path";
import { parseConfig, SesGuardConfig, SesGuardConfigInput } from "../../modules/app/config";
import { dayPrefix } from "../../modules/doctor/archive";
import { EVENT_BUS_DESTINATION_NAME, EVENT_DESTINATION_NAME, regionTarget, RegionTarget } from "../../modules/doctor/target";

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

/** Chat channels (Slack and Teams) and the automatic pause: every check of the action chain has something to check. */
export const CHAIN = {
  chat: {
    slackChannels: [{ name: "alerts", workspaceId: "T0123ABCDE", channelId: "C0123ABCDEF" }],
    teamsChannels: [
      {
        name: "email-ops",
        tenantId: "8f2c1e4a-3b5d-4c6e-9f7a-1b2c3d4e5f60",
        teamId: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        channelId: "19%3aa1b2c3d4e5f6a7b8c9d0%40thread.tacv2",
      },
    ],
  },
  autoPause: { enabled: true },
} as const;

export function chainConfig(over: Partial<SesGuardConfigInput> = {}): SesGuardConfig {
  return testConfig({ ...(CHAIN as unknown as Partial<SesGuardConfigInput>), ...over });
}

export const mocks = {
  sts: mockClient(STSClient),
  sesv2: mockClient(SESv2Client),
  ses: mockClient(SESClient),
  sns: mockClient(SNSClient),
  cloudwatch: mockClient(CloudWatchClient),
  firehose: mockClient(FirehoseClient),
  s3: mockClient(S3Client),
  events: mockClient(EventBridgeClient),
  ssm: mockClient(SSMClient),
  // The chatbot client is of an older SDK generation (the one published): its types differ, not its send().
  chatbot: mockClient(ChatbotClient as never) as unknown as AwsStub<object, MetadataBearer, object>,
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
        ...(t.chat
          ? [
              {
                Name: EVENT_BUS_DESTINATION_NAME,
                Enabled: true,
                MatchingEventTypes: [...t.chat.eventTypes],
                EventBridgeDestination: { EventBusArn: t.chat.eventBusArn },
              },
            ]
          : []),
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
  mocks.cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) =>
    input.MetricDataQueries?.[0]?.Id === "send"
      ? // The account's sends: as many as the archive holds Send events of the set (healthyArchive).
        {
          MetricDataResults: [{ Id: "send", Label: "Send", Timestamps: [new Date(now.getTime() - 7200_000)], Values: [HEALTHY_SENDS], StatusCode: "Complete" }],
        }
      : {
          MetricDataResults: [
            { Id: "bouncerate", Label: "Reputation.BounceRate", Timestamps: [new Date(now.getTime() - 3600_000)], Values: [0.004], StatusCode: "Complete" },
            {
              Id: "complaintrate",
              Label: "Reputation.ComplaintRate",
              Timestamps: [new Date(now.getTime() - 3600_000)],
              Values: [0.0001],
              StatusCode: "Complete",
            },
          ],
        },
  );
  mocks.cloudwatch.on(ListMetricsCommand).callsFake((input: { Dimensions?: { Name: string; Value: string }[] }) => ({
    Metrics: [{ Namespace: "AWS/SES", MetricName: "Reputation.BounceRate", Dimensions: input.Dimensions }],
  }));
  healthyChain(cfg);
  mocks.cloudwatch.on(SetAlarmStateCommand).resolves({});
  mocks.sesv2.on(SendEmailCommand).rejects(awsError("MessageRejected", "healthy() sends nothing"));
  // The one object holds HEALTHY_SENDS Send events of the set, sent three hours ago.
  mocks.s3.on(GetObjectCommand).callsFake(() => ({
    Body: body(archiveObject(Array.from({ length: HEALTHY_SENDS }, (_, i) => sendEvent(`healthy-${i}`, new Date(now.getTime() - 3 * 3600_000))))),
  }));
}

/** Send events of the set a healthy archive holds, and the account's Send count to match. */
export const HEALTHY_SENDS = 3;

/** A Send event of `messageId`, sent at `at`. */
export function sendEvent(messageId: string, at: Date): Record<string, unknown> {
  const event = sampleEvent("send", messageId) as { mail: Record<string, unknown> };
  event.mail.timestamp = at.toISOString();
  return event;
}

/** Answers of the action chain (rules, runbooks, chat channels) of a guard that works. */
export function healthyChain(cfg: SesGuardConfig): void {
  const target = (region: string): RegionTarget => regionTarget(cfg, region);
  const rulesOf = (t: RegionTarget): { Name: string; targets: { Id: string; Arn: string }[] }[] => [
    ...(t.chat ? [{ Name: `${cfg.name}-chat-permanent-bounce`, targets: [{ Id: "chat-topic", Arn: t.chat.sesEventsTopicArn }] }] : []),
    ...(t.autoPause
      ? [
          {
            Name: t.autoPause.ruleName,
            targets: [{ Id: "pause-sending", Arn: `arn:aws:ssm:${t.region}:${t.accountId}:automation-definition/${t.autoPause.pauseRunbook}:$DEFAULT` }],
          },
        ]
      : []),
  ];
  mocks.events.on(ListRulesCommand).callsFake(async (_input, getClient) => {
    const t = target(await regionOf(getClient as never));
    return {
      Rules: rulesOf(t).map((r) => ({
        Name: r.Name,
        State: "ENABLED",
        EventBusName: "default",
        Arn: `arn:aws:events:${t.region}:${t.accountId}:rule/${r.Name}`,
      })),
    };
  });
  mocks.events.on(ListTargetsByRuleCommand).callsFake(async (input: { Rule: string }, getClient) => {
    const t = target(await regionOf(getClient as never));
    return { Targets: rulesOf(t).find((r) => r.Name === input.Rule)?.targets ?? [] };
  });
  mocks.ssm.on(DescribeDocumentCommand).callsFake((input: { Name: string }) => ({
    Document: { Name: input.Name, DocumentType: "Automation", Status: "Active", DefaultVersion: "1", SchemaVersion: "0.3" },
  }));
  const home = target(cfg.regions[0]);
  const configuration = (c: RegionTarget["chatChannels"][number]) => ({
    ChatConfigurationArn:
      c.configurationArn ?? `arn:aws:chatbot::${cfg.accountId}:chat-configuration/${c.kind}-channel/${cfg.name}-${cfg.regions[0]}-${c.name}`,
    ConfigurationName: `${cfg.name}-${cfg.regions[0]}-${c.name}`,
    IamRoleArn: `arn:aws:iam::${cfg.accountId}:role/${cfg.name}-chatbot-${cfg.regions[0]}`,
    SnsTopicArns: [...home.chatTopicArns],
    State: "ENABLED",
  });
  mocks.chatbot.on(DescribeSlackChannelConfigurationsCommand as never).callsFake(async (_input, getClient) => {
    const region = await regionOf(getClient as never);
    return {
      SlackChannelConfigurations: home.chatChannels
        .filter((c) => c.kind === "slack" && region === home.chatApiRegions[0])
        .map((c) => ({ ...configuration(c), SlackTeamId: c.teamId, SlackChannelId: c.channelId, SlackTeamName: "team", SlackChannelName: c.name })),
    };
  });
  mocks.chatbot.on(ListMicrosoftTeamsChannelConfigurationsCommand as never).callsFake(async (_input, getClient) => {
    const region = await regionOf(getClient as never);
    return {
      TeamChannelConfigurations: home.chatChannels
        .filter((c) => c.kind === "teams" && region === home.chatApiRegions[0])
        .map((c) => ({ ...configuration(c), TeamId: c.teamId, ChannelId: c.channelId, TenantId: "8f2c1e4a-3b5d-4c6e-9f7a-1b2c3d4e5f60" })),
    };
  });
  mocks.ssm.on(DescribeAutomationExecutionsCommand).resolves({ AutomationExecutionMetadataList: [] });
  mocks.ssm.on(StartAutomationExecutionCommand).rejects(awsError("InvalidAutomationExecutionParametersException", "healthyChain() starts nothing"));
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
