// The doctor's checks, each passing and failing against mocked AWS answers, and the runner. The
// command (error mapping, report, flags, policy): doctor-cli.test.ts. No AWS: aws-sdk-client-mock.
import { DescribeAlarmsCommand, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeDeliveryStreamCommand } from "@aws-sdk/client-firehose";
import { ListObjectsV2Command, NoSuchBucket } from "@aws-sdk/client-s3";
import { GetIdentityNotificationAttributesCommand } from "@aws-sdk/client-ses";
import {
  GetAccountCommand,
  GetConfigurationSetCommand,
  GetConfigurationSetEventDestinationsCommand,
  GetEmailIdentityCommand,
  NotFoundException,
} from "@aws-sdk/client-sesv2";
import { ListSubscriptionsByTopicCommand, NotFoundException as SnsNotFound } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { ResourceNotFoundException } from "@aws-sdk/client-firehose";
import { dayPrefix } from "../../modules/doctor/archive";
import { Api, OPERATIONS, scopedApi } from "../../modules/doctor/aws";
import {
  accountCheck,
  alarmsCheck,
  callerCheck,
  Check,
  CheckResult,
  CHECKS,
  configurationSetCheck,
  freshnessCheck,
  identitiesCheck,
  reputationCheck,
  streamCheck,
  topicsCheck,
} from "../../modules/doctor/checks";
import { runChecks } from "../../modules/doctor/run";
import { regionTarget } from "../../modules/doctor/target";
import { SesGuardConfig } from "../../modules/app/config";
import { ACCOUNT, alarmLike, callsMade, chainConfig, healthy, mocks, NOW, resetMocks, testConfig } from "./doctor-mocks";

let cfg: SesGuardConfig;
beforeEach(() => {
  resetMocks();
  cfg = testConfig();
  healthy(cfg);
});

async function run(check: Check, config: SesGuardConfig = cfg, region = config.regions[0], maxEventAgeHours = 24): Promise<CheckResult[]> {
  const api = new Api();
  return check.run({
    target: regionTarget(config, region),
    api: scopedApi(
      api,
      check.calls.map((c) => c.command),
    ),
    now: NOW,
    maxEventAgeHours,
  });
}

const statuses = (results: CheckResult[]) => results.map((r) => `${r.status} ${r.subject}`);
const only = (results: CheckResult[], subject: string) => {
  const found = results.filter((r) => r.subject === subject);
  expect(found).toHaveLength(1);
  return found[0];
};

// ---------------------------------------------------------------- checks

describe("caller", () => {
  test("passes for the config's account", async () => {
    expect(statuses(await run(callerCheck))).toEqual([`pass account ${ACCOUNT}`]);
  });

  test("fails for another account's credentials, and the regional checks are skipped", async () => {
    mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: "999999999999", Arn: "arn:aws:iam::999999999999:user/x" });
    const results = await runChecks([regionTarget(cfg, "us-east-1")], new Api(), { now: NOW, maxEventAgeHours: 24 });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: "fail", check: "caller" });
    expect(results[0].detail).toContain("999999999999");
    expect(results[0].fix).toContain(ACCOUNT);
    expect(callsMade()).toEqual(["sts GetCallerIdentity"]);
  });
});

describe("account", () => {
  test("passes: sending enabled and healthy, production access, suppression as configured", async () => {
    expect(statuses(await run(accountCheck))).toEqual(["pass SES sending", "pass production access", "pass account-level suppression"]);
  });

  test("fails when AWS paused sending (SHUTDOWN) or reviews the account (PROBATION)", async () => {
    mocks.sesv2.on(GetAccountCommand).resolves({
      SendingEnabled: false,
      EnforcementStatus: "SHUTDOWN",
      ProductionAccessEnabled: true,
      SuppressionAttributes: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
    const shutdown = only(await run(accountCheck), "SES sending");
    expect(shutdown.status).toBe("fail");
    expect(shutdown.detail).toContain("SHUTDOWN");
    expect(shutdown.fix).toBeTruthy();
    mocks.sesv2.on(GetAccountCommand).resolves({
      SendingEnabled: true,
      EnforcementStatus: "PROBATION",
      ProductionAccessEnabled: true,
      SuppressionAttributes: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
    expect(only(await run(accountCheck), "SES sending")).toMatchObject({ status: "fail", detail: expect.stringContaining("PROBATION") });
  });

  test("fails when sending was turned off, naming the command that turns it on", async () => {
    mocks.sesv2.on(GetAccountCommand).resolves({ SendingEnabled: false, EnforcementStatus: "HEALTHY", ProductionAccessEnabled: true });
    const r = only(await run(accountCheck), "SES sending");
    expect(r.status).toBe("fail");
    expect(r.fix).toContain("put-account-sending-attributes --sending-enabled");
  });

  test("warns in the sandbox and shows the production access request", async () => {
    mocks.sesv2.on(GetAccountCommand).resolves({
      SendingEnabled: true,
      EnforcementStatus: "HEALTHY",
      ProductionAccessEnabled: false,
      Details: { ReviewDetails: { Status: "PENDING", CaseId: "1234567890" } },
      SuppressionAttributes: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
    const r = only(await run(accountCheck), "production access");
    expect(r.status).toBe("warn");
    expect(r.detail).toMatch(/sandbox.*PENDING \(case 1234567890\)/);
  });

  test("fails when the account-level suppression differs from the config; shows it as is when the config leaves it alone", async () => {
    mocks.sesv2.on(GetAccountCommand).resolves({
      SendingEnabled: true,
      EnforcementStatus: "HEALTHY",
      ProductionAccessEnabled: true,
      SuppressionAttributes: { SuppressedReasons: ["BOUNCE"] },
    });
    const drift = only(await run(accountCheck), "account-level suppression");
    expect(drift.status).toBe("fail");
    expect(drift.detail).toBe("BOUNCE; the config says BOUNCE, COMPLAINT");
    const unmanaged = only(await run(accountCheck, testConfig({ suppression: { accountLevel: null } })), "account-level suppression");
    expect(unmanaged).toMatchObject({ status: "pass", detail: expect.stringContaining("BOUNCE (not managed") });
  });
});

describe("identities", () => {
  test("passes: each listed identity verified, its bounce and complaint topics ours, forwarding shown", async () => {
    const results = await run(identitiesCheck);
    expect(statuses(results)).toEqual([
      "pass identity example.com",
      "pass identity example.com notifications",
      "pass identity billing@example.com",
      "pass identity billing@example.com notifications",
    ]);
    expect(only(results, "identity example.com notifications").detail).toContain("feedback forwarding by e-mail off");
    expect(mocks.ses.commandCalls(GetIdentityNotificationAttributesCommand)[0].args[0].input).toEqual({ Identities: ["example.com", "billing@example.com"] });
  });

  test("fails for an identity that does not exist in the region, and does not ask for its topics", async () => {
    mocks.sesv2
      .on(GetEmailIdentityCommand, { EmailIdentity: "billing@example.com" })
      .rejects(new NotFoundException({ message: "Email identity billing@example.com does not exist.", $metadata: {} }));
    const results = await run(identitiesCheck);
    expect(only(results, "identity billing@example.com")).toMatchObject({ status: "fail", detail: "not an SES identity in us-east-1" });
    expect(results.map((r) => r.subject)).not.toContain("identity billing@example.com notifications");
    expect(mocks.ses.commandCalls(GetIdentityNotificationAttributesCommand)[0].args[0].input).toEqual({ Identities: ["example.com"] });
  });

  test("fails for an unverified domain, with the DKIM records as the fix", async () => {
    mocks.sesv2
      .on(GetEmailIdentityCommand, { EmailIdentity: "example.com" })
      .resolves({ IdentityType: "DOMAIN", VerifiedForSendingStatus: false, VerificationStatus: "PENDING" });
    const r = only(await run(identitiesCheck), "identity example.com");
    expect(r.status).toBe("fail");
    expect(r.detail).toContain("PENDING");
    expect(r.fix).toContain("_domainkey.example.com");
  });

  test("fails when an identity's topic is not ours", async () => {
    const ours = regionTarget(cfg, "us-east-1").notificationTopic!.arn;
    mocks.ses.on(GetIdentityNotificationAttributesCommand).resolves({
      NotificationAttributes: {
        "example.com": {
          BounceTopic: ours,
          ComplaintTopic: "arn:aws:sns:us-east-1:123456789012:someone-elses",
          DeliveryTopic: undefined,
          ForwardingEnabled: true,
        },
        "billing@example.com": { BounceTopic: ours, ComplaintTopic: ours, DeliveryTopic: undefined, ForwardingEnabled: false },
      },
    });
    const results = await run(identitiesCheck);
    const r = only(results, "identity example.com notifications");
    expect(r.status).toBe("fail");
    expect(r.detail).toMatch(
      /^Complaint topic arn:aws:sns:us-east-1:123456789012:someone-elses, expected .*ses-guard-notifications; feedback forwarding by e-mail on$/,
    );
    expect(only(results, "identity billing@example.com notifications").status).toBe("pass");
  });
});

describe("configuration set", () => {
  test("passes: exists, reputation metrics on, sending enabled, destination enabled with the configured types", async () => {
    expect(statuses(await run(configurationSetCheck))).toEqual([
      "pass configuration set ses-guard reputation metrics",
      "pass configuration set ses-guard sending",
      "pass event destination archive-to-firehose",
    ]);
  });

  test("fails when it does not exist", async () => {
    mocks.sesv2.on(GetConfigurationSetCommand).rejects(new NotFoundException({ message: "Configuration set <ses-guard> does not exist.", $metadata: {} }));
    mocks.sesv2
      .on(GetConfigurationSetEventDestinationsCommand)
      .rejects(new NotFoundException({ message: "Configuration set <ses-guard> does not exist.", $metadata: {} }));
    expect(statuses(await run(configurationSetCheck))).toEqual(["fail configuration set ses-guard"]);
  });

  test("reputation metrics off: a failure for ses-guard's set, a warning for the user's own", async () => {
    mocks.sesv2.on(GetConfigurationSetCommand).resolves({ ReputationOptions: { ReputationMetricsEnabled: false }, SendingOptions: { SendingEnabled: true } });
    expect(only(await run(configurationSetCheck), "configuration set ses-guard reputation metrics").status).toBe("fail");
    const own = testConfig({ existing: { configurationSetName: "mine" } });
    const r = only(await run(configurationSetCheck, own), "configuration set mine reputation metrics");
    expect(r.status).toBe("warn");
    expect(r.fix).toContain("--configuration-set-name mine --reputation-metrics-enabled");
  });

  test("fails when sending is paused, saying what SES does not record and how to resume", async () => {
    mocks.sesv2.on(GetConfigurationSetCommand).resolves({
      ReputationOptions: { ReputationMetricsEnabled: true, LastFreshStart: new Date("2025-02-01T00:00:00Z") },
      SendingOptions: { SendingEnabled: false },
    });
    const r = only(await run(configurationSetCheck), "configuration set ses-guard sending");
    expect(r.status).toBe("fail");
    expect(r.detail).toContain("paused");
    expect(r.detail).toContain("2025-02-01T00:00:00.000Z");
    expect(r.fix).toContain("put-configuration-set-sending-options --configuration-set-name ses-guard --sending-enabled");
  });

  test.each([
    ["disabled", { Enabled: false }, /disabled/],
    ["missing an event type", { MatchingEventTypes: ["SEND", "BOUNCE"] }, /does not match REJECT, COMPLAINT, DELIVERY, DELIVERY_DELAY, RENDERING_FAILURE/],
    [
      "matching an extra type",
      { MatchingEventTypes: ["SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY", "RENDERING_FAILURE", "OPEN"] },
      /also matches OPEN/,
    ],
    [
      "sending to another stream",
      {
        KinesisFirehoseDestination: {
          DeliveryStreamArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/other",
          IamRoleArn: "arn:aws:iam::123456789012:role/r",
        },
      },
      /deliverystream\/other/,
    ],
  ])("fails for an event destination %s", async (_what, over, detail) => {
    const t = regionTarget(cfg, "us-east-1");
    mocks.sesv2.on(GetConfigurationSetEventDestinationsCommand).resolves({
      EventDestinations: [
        {
          Name: "archive-to-firehose",
          Enabled: true,
          MatchingEventTypes: [...t.eventTypes],
          KinesisFirehoseDestination: { DeliveryStreamArn: t.deliveryStreamArn, IamRoleArn: "arn:aws:iam::123456789012:role/r" },
          ...over,
        } as never,
      ],
    });
    const r = only(await run(configurationSetCheck), "event destination archive-to-firehose");
    expect(r.status).toBe("fail");
    expect(r.detail).toMatch(detail);
  });

  test("fails when the archive destination is gone", async () => {
    mocks.sesv2
      .on(GetConfigurationSetEventDestinationsCommand)
      .resolves({ EventDestinations: [{ Name: "cloudwatch", Enabled: true, MatchingEventTypes: ["SEND"] }] });
    expect(only(await run(configurationSetCheck), "event destination archive-to-firehose").detail).toContain("it has: cloudwatch");
  });
});

describe("stream", () => {
  test("passes when ACTIVE and writing to the archive bucket", async () => {
    const [r] = await run(streamCheck);
    expect(r).toMatchObject({ status: "pass", subject: "stream ses-guard-events" });
    expect(r.detail).toContain("s3://ses-guard-events-123456789012-us-east-1/events/us-east-1/ every 900 s");
  });

  test("fails when creation failed, with the failure Firehose reports", async () => {
    mocks.firehose.on(DescribeDeliveryStreamCommand).resolves({
      DeliveryStreamDescription: {
        DeliveryStreamName: "ses-guard-events",
        DeliveryStreamARN: "arn:aws:firehose:us-east-1:123456789012:deliverystream/ses-guard-events",
        DeliveryStreamStatus: "CREATING_FAILED",
        FailureDescription: { Type: "INVALID_KMS_KEY", Details: "The key is disabled." },
        DeliveryStreamType: "DirectPut",
        VersionId: "1",
        Destinations: [],
        HasMoreDestinations: false,
      },
    });
    const [r] = await run(streamCheck);
    expect(r.status).toBe("fail");
    expect(r.detail).toBe("status CREATING_FAILED (INVALID_KMS_KEY: The key is disabled.)");
  });

  test("fails when missing, or writing to another bucket", async () => {
    mocks.firehose
      .on(DescribeDeliveryStreamCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: "Firehose ses-guard-events under account 123456789012 not found.", $metadata: {} }));
    expect((await run(streamCheck))[0]).toMatchObject({ status: "fail", detail: expect.stringContaining("not found") });
    mocks.firehose.on(DescribeDeliveryStreamCommand).resolves({
      DeliveryStreamDescription: {
        DeliveryStreamName: "ses-guard-events",
        DeliveryStreamARN: "arn:aws:firehose:us-east-1:123456789012:deliverystream/ses-guard-events",
        DeliveryStreamStatus: "ACTIVE",
        DeliveryStreamType: "DirectPut",
        VersionId: "2",
        HasMoreDestinations: false,
        Destinations: [
          {
            DestinationId: "d",
            ExtendedS3DestinationDescription: {
              BucketARN: "arn:aws:s3:::elsewhere",
              RoleARN: "r",
              BufferingHints: {},
              CompressionFormat: "GZIP",
              EncryptionConfiguration: {},
            },
          },
        ],
      },
    });
    expect((await run(streamCheck))[0]).toMatchObject({ status: "fail", detail: expect.stringContaining("arn:aws:s3:::elsewhere") });
  });
});

describe("archive freshness", () => {
  test("passes with a recent object under today's prefix", async () => {
    const [r] = await run(freshnessCheck);
    expect(r).toMatchObject({ status: "pass", subject: "archive s3://ses-guard-events-123456789012-us-east-1/events/us-east-1/" });
    expect(r.detail).toMatch(/^newest object 2\.0 h old \(2025\/03\/07\//);
    expect(mocks.s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix)).toEqual(["events/us-east-1/2025/03/07/"]);
  });

  test("warns after N hours without events, asking whether senders use the configuration set, with the header and parameter", async () => {
    const yesterday = dayPrefix("events/us-east-1/", new Date(NOW.getTime() - 86400_000));
    mocks.s3
      .on(ListObjectsV2Command)
      .callsFake((input: { Prefix: string }) =>
        input.Prefix === yesterday
          ? { KeyCount: 1, Contents: [{ Key: `${yesterday}ses-guard-events-1-x`, LastModified: new Date(NOW.getTime() - 30 * 3600_000) }] }
          : { KeyCount: 0 },
      );
    const [r] = await run(freshnessCheck);
    expect(r.status).toBe("warn");
    expect(r.detail).toMatch(/^no events for 30 hours: are senders using the configuration set\?/);
    expect(r.fix).toContain('ConfigurationSetName="ses-guard"');
    expect(r.fix).toContain('"X-SES-CONFIGURATION-SET: ses-guard"');
    // Today first, then back one day: it stopped at the first day with objects.
    expect(mocks.s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix)).toEqual(["events/us-east-1/2025/03/07/", yesterday]);
    // The threshold is the flag's: 48 hours makes 30 hours fresh.
    expect((await run(freshnessCheck, cfg, "us-east-1", 48))[0].status).toBe("pass");
  });

  test("warns when nothing was archived in the look-back window, and fails for a missing bucket", async () => {
    mocks.s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    expect((await run(freshnessCheck))[0]).toMatchObject({ status: "warn", detail: expect.stringContaining("no events in the last 168 hours") });
    expect(mocks.s3.commandCalls(ListObjectsV2Command)).toHaveLength(8);
    mocks.s3.on(ListObjectsV2Command).rejects(new NoSuchBucket({ message: "The specified bucket does not exist", $metadata: {} }));
    expect((await run(freshnessCheck))[0]).toMatchObject({ status: "fail", detail: "bucket ses-guard-events-123456789012-us-east-1 not found" });
  });
});

describe("topics", () => {
  test("passes with every configured address confirmed", async () => {
    const results = await run(topicsCheck);
    expect(statuses(results)).toEqual(["pass alarm topic ses-guard-alarms", "pass notification topic ses-guard-notifications"]);
    expect(results[0].detail).toBe("1 confirmed (email ops@example.com)");
  });

  test("lists pending confirmations by address: a warning beside a confirmed one, a failure when nobody confirmed", async () => {
    const t = regionTarget(testConfig({ alarms: { emails: ["ops@example.com", "oncall@example.com"] } }), "us-east-1");
    const sub = (endpoint: string, pending: boolean) => ({
      SubscriptionArn: pending ? "PendingConfirmation" : `${t.alarmTopic.arn}:1111`,
      Protocol: "email",
      Endpoint: endpoint,
      TopicArn: t.alarmTopic.arn,
      Owner: ACCOUNT,
    });
    mocks.sns
      .on(ListSubscriptionsByTopicCommand, { TopicArn: t.alarmTopic.arn })
      .resolves({ Subscriptions: [sub("ops@example.com", false), sub("oncall@example.com", true)] });
    const cfg2 = testConfig({ alarms: { emails: ["ops@example.com", "oncall@example.com"] } });
    const warn = only(await run(topicsCheck, cfg2), "alarm topic ses-guard-alarms");
    expect(warn).toMatchObject({ status: "warn", detail: "1 confirmed (email ops@example.com); pending confirmation: oncall@example.com" });
    expect(warn.fix).toContain("Confirm subscription");
    mocks.sns
      .on(ListSubscriptionsByTopicCommand, { TopicArn: t.alarmTopic.arn })
      .resolves({ Subscriptions: [sub("ops@example.com", true), sub("oncall@example.com", true)] });
    const fail = only(await run(topicsCheck, cfg2), "alarm topic ses-guard-alarms");
    expect(fail.status).toBe("fail");
    expect(fail.detail).toContain("pending confirmation: ops@example.com, oncall@example.com: nobody receives alarms");
  });

  test("fails when a configured address is not subscribed, or the topic is gone", async () => {
    const t = regionTarget(cfg, "us-east-1");
    mocks.sns.on(ListSubscriptionsByTopicCommand, { TopicArn: t.alarmTopic.arn }).resolves({ Subscriptions: [] });
    expect(only(await run(topicsCheck), "alarm topic ses-guard-alarms")).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("not subscribed: ops@example.com"),
    });
    mocks.sns
      .on(ListSubscriptionsByTopicCommand, { TopicArn: t.notificationTopic!.arn })
      .rejects(new SnsNotFound({ message: "Topic does not exist", $metadata: {} }));
    expect(only(await run(topicsCheck), "notification topic ses-guard-notifications")).toMatchObject({
      status: "fail",
      detail: `${t.notificationTopic!.arn} not found`,
    });
  });

  test("a bring-your-own topic needs someone confirmed (ses-guard subscribed nobody to it)", async () => {
    const byo = "arn:aws:sns:us-east-1:123456789012:team-alarms";
    const own = testConfig({ existing: { alarmTopicArns: { "us-east-1": byo } } });
    mocks.sns.on(ListSubscriptionsByTopicCommand, { TopicArn: byo }).resolves({ Subscriptions: [] });
    const r = only(await run(topicsCheck, own), "alarm topic team-alarms");
    expect(r).toMatchObject({ status: "fail", detail: "0 confirmed (none): nobody receives alarms", fix: `subscribe someone to ${byo}` });
  });
});

describe("alarms", () => {
  test("passes when all ten exist (the account's, the configuration set's own, the archive's), notify the alarm topic and are OK", async () => {
    const results = await run(alarmsCheck);
    expect(results.map((r) => r.subject)).toEqual([
      "alarm ses-guard-bounce-rate-warning",
      "alarm ses-guard-bounce-rate-critical",
      "alarm ses-guard-complaint-rate-warning",
      "alarm ses-guard-complaint-rate-critical",
      "alarm ses-guard-configuration-set-bounce-rate-warning",
      "alarm ses-guard-configuration-set-bounce-rate-critical",
      "alarm ses-guard-configuration-set-complaint-rate-warning",
      "alarm ses-guard-configuration-set-complaint-rate-critical",
      "alarm ses-guard-archive-data-freshness",
      "alarm ses-guard-archive-delivery-success",
    ]);
    expect(results.every((r) => r.status === "pass")).toBe(true);
  });

  test("explains INSUFFICIENT_DATA as a warning, fails on ALARM with the reason, a missing alarm, disabled actions or a drifted threshold", async () => {
    const t = regionTarget(cfg, "us-east-1");
    mocks.cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        alarmLike(t, "ses-guard-bounce-rate-warning", { StateValue: "INSUFFICIENT_DATA" }),
        alarmLike(t, "ses-guard-bounce-rate-critical", {
          StateValue: "ALARM",
          StateReason: "Threshold Crossed: 1 datapoint [0.061] was greater than or equal to the threshold (0.05).",
        }),
        alarmLike(t, "ses-guard-complaint-rate-warning", { ActionsEnabled: false }),
        alarmLike(t, "ses-guard-complaint-rate-critical", { Threshold: 0.01 }),
        alarmLike(t, "ses-guard-configuration-set-bounce-rate-warning", { StateValue: "OK" }),
        alarmLike(t, "ses-guard-configuration-set-bounce-rate-critical", { StateValue: "ALARM", StateReason: "Threshold Crossed" }),
        alarmLike(t, "ses-guard-configuration-set-complaint-rate-warning", { StateValue: "INSUFFICIENT_DATA" }),
        alarmLike(t, "ses-guard-archive-data-freshness", { StateValue: "INSUFFICIENT_DATA" }),
      ],
    });
    const results = await run(alarmsCheck);
    expect(statuses(results)).toEqual([
      "warn alarm ses-guard-bounce-rate-warning",
      "fail alarm ses-guard-bounce-rate-critical",
      "fail alarm ses-guard-complaint-rate-warning",
      "fail alarm ses-guard-complaint-rate-critical",
      "pass alarm ses-guard-configuration-set-bounce-rate-warning",
      "fail alarm ses-guard-configuration-set-bounce-rate-critical",
      "warn alarm ses-guard-configuration-set-complaint-rate-warning",
      "fail alarm ses-guard-configuration-set-complaint-rate-critical",
      "warn alarm ses-guard-archive-data-freshness",
      "fail alarm ses-guard-archive-delivery-success",
    ]);
    expect(results[0].detail).toMatch(/^INSUFFICIENT_DATA since .*: not a fault: SES publishes Reputation.\* only once the account sends enough mail/);
    expect(results[1].detail).toContain("0.061");
    expect(results[1].fix).toContain("Investigating an alarm");
    expect(results[2].fix).toContain("enable-alarm-actions --alarm-names ses-guard-complaint-rate-warning");
    expect(results[3].detail).toBe("threshold 1 %, the config says 0.1 %");
    // The configuration set's own alarms: read as reputation alarms (the same levels and hints).
    expect(results[5].fix).toContain("Investigating an alarm");
    expect(results[6].detail).toMatch(/: not a fault: SES publishes Reputation/);
    expect(results[7].detail).toBe("not found in us-east-1");
    expect(results[9].detail).toBe("not found in us-east-1");
  });

  test("fails when an alarm notifies another topic", async () => {
    const t = regionTarget(cfg, "us-east-1");
    mocks.cloudwatch
      .on(DescribeAlarmsCommand)
      .resolves({ MetricAlarms: t.reputationAlarms.map((a) => alarmLike(t, a.name, { AlarmActions: ["arn:aws:sns:us-east-1:123456789012:old"] })) });
    expect((await run(alarmsCheck))[0]).toMatchObject({ status: "fail", detail: expect.stringContaining("notifies arn:aws:sns:us-east-1:123456789012:old") });
  });
});

describe("reputation", () => {
  test("passes below the warning level, showing the value against the levels", async () => {
    const results = await run(reputationCheck);
    expect(statuses(results)).toEqual(["pass bounce rate", "pass complaint rate"]);
    expect(results[0].detail).toBe("0.4 % at 2025-03-07T11:00:00.000Z (warning at 2 %, critical at 5 %)");
    expect(results[1].detail).toMatch(/^0\.01 % .*\(warning at 0\.05 %, critical at 0\.1 %\)$/);
  });

  test("warns at the warning level, fails at critical, warns without data", async () => {
    mocks.cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: "bouncerate", Timestamps: [NOW], Values: [0.021], StatusCode: "Complete" },
        { Id: "complaintrate", Timestamps: [NOW], Values: [0.0012], StatusCode: "Complete" },
      ],
    });
    expect(statuses(await run(reputationCheck))).toEqual(["warn bounce rate", "fail complaint rate"]);
    mocks.cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "bouncerate", Timestamps: [], Values: [], StatusCode: "Complete" }] });
    const none = await run(reputationCheck);
    expect(statuses(none)).toEqual(["warn bounce rate", "warn complaint rate"]);
    expect(none[0].detail).toContain("INSUFFICIENT_DATA");
  });
});

// ---------------------------------------------------------------- runner

describe("runner", () => {
  test("a healthy guard in three regions passes every check, in config order", async () => {
    const multi = testConfig({
      regions: ["us-east-1", "eu-west-1", "ap-southeast-2"],
      notifications: {
        identities: { "us-east-1": ["example.com"], "eu-west-1": ["example.com"], "ap-southeast-2": ["example.com.au"] },
        emails: ["bounces@example.com"],
      },
    } as never);
    healthy(multi);
    const results = await runChecks(
      multi.regions.map((r) => regionTarget(multi, r)),
      new Api(),
      { now: NOW, maxEventAgeHours: 24 },
    );
    expect(results.filter((r) => r.status !== "pass")).toEqual([]);
    expect(results[0].check).toBe("caller");
    const regions = results.slice(1).map((r) => r.region);
    expect([...new Set(regions)]).toEqual(["us-east-1", "eu-west-1", "ap-southeast-2"]);
    // Per region: 3 account + 2 identity + 3 configuration set + stream + archive + bypass + 2 topics + 10 alarms (4 the account's, 4 the set's,
    // 2 the archive's) + 2 reputation + the set's metrics (no chat, no autoPause: no rule, runbook or channel lines).
    expect(results.length).toBe(1 + 3 * 26);
  });

  test("regions are checked at once: every region's first SES call is made before any is answered", async () => {
    const multi = testConfig({ regions: ["us-east-1", "eu-west-1", "ap-southeast-2"] });
    healthy(multi);
    let release!: () => void;
    const allAsked = new Promise<void>((resolve) => (release = resolve));
    let asked = 0;
    mocks.sesv2.on(GetAccountCommand).callsFake(async () => {
      if (++asked === multi.regions.length) release();
      // Sequential regions would wait here forever; the race's second arm turns that into a failure.
      let timer: NodeJS.Timeout | undefined;
      const sequential = await Promise.race([allAsked.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 2000)))]);
      // A pending timer would keep the jest worker alive after the suite.
      clearTimeout(timer);
      return {
        SendingEnabled: true,
        EnforcementStatus: sequential ? "SEQUENTIAL" : "HEALTHY",
        ProductionAccessEnabled: true,
        SuppressionAttributes: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
      };
    });
    const results = await runChecks(
      multi.regions.map((r) => regionTarget(multi, r)),
      new Api(),
      { now: NOW, maxEventAgeHours: 24 },
    );
    expect(results.filter((r) => r.subject === "SES sending").map((r) => r.status)).toEqual(["pass", "pass", "pass"]);
  });

  test("each check makes only the calls it declares (and so the printed policy covers them)", async () => {
    const api = new Api();
    const limited = scopedApi(api, [GetAccountCommand]);
    await expect(limited.send("us-east-1", new GetCallerIdentityCommand({}))).rejects.toThrow("called sts GetCallerIdentity without declaring it");
    // Every check, run healthy with notifications in a region, makes calls within its declaration
    // (an undeclared call would turn into a could-not-check error here).
    // With chat (Slack and Teams) and autoPause, so every check makes its calls.
    const chain = chainConfig();
    resetMocks();
    healthy(chain);
    const results = await runChecks([regionTarget(chain, "us-east-1")], api, { now: NOW, maxEventAgeHours: 24 });
    expect(results.filter((r) => r.status !== "pass")).toEqual([]);
    const used = new Set(api.calls.map((c) => `${c.service} ${c.operation}`));
    const declared = new Set(CHECKS.flatMap((c) => c.calls).map((c) => `${OPERATIONS.get(c.command)!.service} ${OPERATIONS.get(c.command)!.operation}`));
    expect([...used].sort()).toEqual([...declared].sort());
  });
});
