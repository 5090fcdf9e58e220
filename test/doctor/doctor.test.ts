// `npm run doctor`: every check passing and failing against mocked AWS answers, the runner, the
// error mapping (exit 2, one line), the report and the policy it prints. No AWS: aws-sdk-client-mock.
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
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadConfigFile } from "../../modules/app/cli";
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
import { doctorMain } from "../../modules/doctor/cli";
import { cannotCheck } from "../../modules/doctor/errors";
import { policyActions, policyFor } from "../../modules/doctor/policy";
import { runChecks } from "../../modules/doctor/run";
import { regionTarget } from "../../modules/doctor/target";
import { SesGuardConfig } from "../../modules/app/config";
import { ACCOUNT, alarmLike, awsError, callsMade, healthy, mocks, NOW, resetMocks, testConfig } from "./doctor-mocks";

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
    // Per region: 3 account + 2 identity + 3 configuration set + stream + archive + 2 topics + 10 alarms (4 the account's, 4 the set's, 2 the archive's) + 2 reputation.
    expect(results.length).toBe(1 + 3 * 24);
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
      const sequential = await Promise.race([allAsked.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 2000))]);
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
    const results = await runChecks([regionTarget(cfg, "us-east-1")], api, { now: NOW, maxEventAgeHours: 24 });
    expect(results.every((r) => r.status === "pass")).toBe(true);
    const used = new Set(api.calls.map((c) => `${c.service} ${c.operation}`));
    const declared = new Set(CHECKS.flatMap((c) => c.calls).map((c) => `${OPERATIONS.get(c.command)!.service} ${OPERATIONS.get(c.command)!.operation}`));
    expect([...used].sort()).toEqual([...declared].sort());
  });
});

// ---------------------------------------------------------------- error mapping

describe("could not check: one line, exit status 2", () => {
  const site = { service: "sesv2", operation: "GetAccount", region: "us-east-1", action: "ses:GetAccount" };

  test("no credentials", () => {
    const e = Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
    expect(cannotCheck(e, site)).toMatchObject({ kind: "credentials", message: expect.stringContaining("no AWS credentials found") });
  });

  test("rejected or expired credentials", () => {
    expect(cannotCheck(awsError("ExpiredToken", "The security token included in the request is expired", 403), site)).toMatchObject({
      kind: "credentials",
      message: expect.stringContaining("ExpiredToken"),
    });
  });

  test("connection refused, unknown host, timeout", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED", $metadata: { attempts: 3 } });
    expect(cannotCheck(refused, site)).toMatchObject({ kind: "unreachable", message: expect.stringContaining("cannot reach the sesv2 endpoint in us-east-1") });
    expect(cannotCheck(Object.assign(new Error("getaddrinfo ENOTFOUND email.us-east-1.amazonaws.com"), { code: "ENOTFOUND" }), site)?.kind).toBe("unreachable");
    expect(cannotCheck(Object.assign(new Error("socket timed out"), { name: "TimeoutError" }), site)?.kind).toBe("unreachable");
  });

  test("access denied names the missing permission: IAM's, or the call's own action", () => {
    const iam = awsError(
      "AccessDeniedException",
      "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ses:GetAccount on resource: * because no identity-based policy allows the ses:GetAccount action",
      403,
    );
    expect(cannotCheck(iam, site)).toMatchObject({
      kind: "access-denied",
      missingPermission: "ses:GetAccount",
      message: expect.stringMatching(
        /^access denied: missing permission ses:GetAccount on \* \(sesv2 GetAccount in us-east-1\); npm run doctor -- --print-policy/,
      ),
    });
    const bare = awsError("AuthorizationErrorException", "Authorization error", 403);
    expect(
      cannotCheck(bare, { service: "sns", operation: "ListSubscriptionsByTopic", region: "eu-west-1", action: "sns:ListSubscriptionsByTopic" }),
    ).toMatchObject({ kind: "access-denied", missingPermission: "sns:ListSubscriptionsByTopic" });
    expect(
      cannotCheck(awsError("AccessDenied", "Access Denied", 403), { service: "s3", operation: "ListObjectsV2", region: "us-east-1", action: "s3:ListBucket" })
        ?.missingPermission,
    ).toBe("s3:ListBucket");
  });

  test("throttling after the SDK's retries", () => {
    expect(cannotCheck(awsError("ThrottlingException", "Rate exceeded"), site)).toMatchObject({
      kind: "throttled",
      message: "throttled by sesv2 GetAccount in us-east-1 (ThrottlingException) after 3 attempts; run again in a minute",
    });
    expect(cannotCheck(awsError("TooManyRequestsException", "Too many requests"), site)?.kind).toBe("throttled");
  });

  test("not-found answers are left to the check", () => {
    expect(cannotCheck(awsError("NotFoundException"), site, (n) => n === "NotFoundException")).toBeUndefined();
  });

  test.each([
    [
      "AccessDenied",
      awsError("AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ses:GetAccount on resource: *", 403),
      /missing permission ses:GetAccount/,
    ],
    ["throttling", awsError("TooManyRequestsException", "Too Many Requests", 429), /throttled by sesv2 GetAccount in us-east-1/],
    ["connection refused", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }), /cannot reach the sesv2 endpoint/],
  ])("the CLI prints one line for %s, nothing on stdout, exit 2", async (_what, error, line) => {
    mocks.sesv2.on(GetAccountCommand).rejects(error);
    const { code, out, err } = await cli([]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^ses-guard doctor: could not check: /);
    expect(err[0]).toMatch(line);
  });

  test("an answer no check expects is a could-not-check line too, never a stack trace", async () => {
    mocks.firehose.on(DescribeDeliveryStreamCommand).rejects(awsError("InvalidArgumentException", "1 validation error detected"));
    const { code, err } = await cli([]);
    expect(code).toBe(2);
    expect(err).toEqual([
      "ses-guard doctor: could not check: unexpected answer from firehose DescribeDeliveryStream in us-east-1: InvalidArgumentException: 1 validation error detected",
    ]);
  });
});

// ---------------------------------------------------------------- CLI

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-doctor-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeConfig(raw: unknown, name = "ses-guard.json"): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof raw === "string" ? raw : JSON.stringify(raw));
  return file;
}

const RAW = {
  accountId: ACCOUNT,
  regions: ["us-east-1"],
  alarms: { emails: ["ops@example.com"] },
  notifications: { identities: ["example.com", "billing@example.com"], emails: ["bounces@example.com"] },
  suppression: { accountLevel: ["BOUNCE", "COMPLAINT"] },
};

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string[] }> {
  if (!argv.includes("--config") && !env.SES_GUARD_CONFIG) argv = ["--config", writeConfig(RAW), ...argv];
  let out = "";
  const err: string[] = [];
  const code = await doctorMain(argv, { out: (t) => (out += t), err: (l) => err.push(l), env, cwd: dir, now: () => NOW });
  return { code, out, err };
}

describe("npm run doctor", () => {
  test("a healthy guard: a line per check, a summary, exit 0", async () => {
    const { code, out, err } = await cli([]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ses-guard doctor: account 123456789012, region us-east-1 \(.*ses-guard\.json\)$/);
    expect(lines.slice(1, -1).every((l) => /^PASS {2}/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe(`ses-guard doctor: ${lines.length - 2} passed, 0 warnings, 0 failed`);
  });

  test("a failure: exit 1, the fix under its line", async () => {
    mocks.sesv2
      .on(GetEmailIdentityCommand, { EmailIdentity: "example.com" })
      .resolves({ IdentityType: "DOMAIN", VerifiedForSendingStatus: false, VerificationStatus: "FAILED" });
    const { code, out } = await cli([]);
    expect(code).toBe(1);
    const lines = out.split("\n");
    const i = lines.findIndex((l) => l.startsWith("FAIL  us-east-1  identity example.com: not verified for sending (verification FAILED)"));
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toMatch(/^ +fix: publish the DKIM CNAME records of example.com/);
    expect(lines.at(-2)).toMatch(/, 1 failed$/);
  });

  test("warnings alone exit 0", async () => {
    mocks.s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    const { code, out } = await cli([]);
    expect(out).toMatch(/^WARN {2}us-east-1 {2}archive .*: no events in the last 168 hours/m);
    expect(code).toBe(0);
  });

  test("--format json: the same checks, for CI", async () => {
    mocks.sesv2
      .on(GetEmailIdentityCommand, { EmailIdentity: "example.com" })
      .resolves({ IdentityType: "DOMAIN", VerifiedForSendingStatus: false, VerificationStatus: "PENDING" });
    const text = await cli([]);
    const json = await cli(["--format", "json"]);
    expect(json.code).toBe(text.code);
    const report = JSON.parse(json.out);
    expect(report).toMatchObject({ tool: "ses-guard doctor", accountId: ACCOUNT, regions: ["us-east-1"], exitCode: 1, checkedAt: NOW.toISOString() });
    const textLines = text.out.split("\n").filter((l) => /^(PASS|WARN|FAIL)/.test(l));
    expect(report.results).toHaveLength(textLines.length);
    expect(report.summary).toEqual({ pass: textLines.length - 1, warn: 0, fail: 1 });
    expect(report.results.find((r: CheckResult) => r.status === "fail")).toMatchObject({
      check: "identities",
      region: "us-east-1",
      subject: "identity example.com",
      fix: expect.any(String),
    });
  });

  test("--format json when it cannot check: exit 2, one line on stderr, the reason as JSON", async () => {
    mocks.sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
    const { code, out, err } = await cli(["--format", "json"]);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(JSON.parse(out)).toMatchObject({ exitCode: 2, cannotCheck: { kind: "credentials" } });
  });

  test("--verbose prints every API call made", async () => {
    const { err } = await cli(["--verbose"]);
    expect(err[0]).toMatch(/^api: us-east-1 sts GetCallerIdentity \d+ ms ok$/);
    for (const op of [
      "sesv2 GetAccount",
      "ses GetIdentityNotificationAttributes",
      "firehose DescribeDeliveryStream",
      "s3 ListObjectsV2",
      "sns ListSubscriptionsByTopic",
      "cloudwatch DescribeAlarms",
      "cloudwatch GetMetricData",
    ]) {
      expect(err.some((l) => l.includes(` ${op} `))).toBe(true);
    }
    expect(err).toHaveLength(callsMade().length);
  });

  test("--region limits the check to a configured region; another region is a usage error", async () => {
    const raw = { ...RAW, regions: ["us-east-1", "eu-west-1"] };
    const file = writeConfig(raw, "two.json");
    healthy(testConfig({ regions: ["us-east-1", "eu-west-1"] }));
    const one = await cli(["--config", file, "--region", "eu-west-1", "--format", "json"]);
    expect(JSON.parse(one.out).regions).toEqual(["eu-west-1"]);
    expect(
      new Set(
        JSON.parse(one.out)
          .results.filter((r: CheckResult) => r.region)
          .map((r: CheckResult) => r.region),
      ),
    ).toEqual(new Set(["eu-west-1"]));
    const bad = await cli(["--config", file, "--region", "ap-south-1"]);
    expect(bad).toMatchObject({
      code: 2,
      out: "",
      err: ['ses-guard doctor: error: --region: got "ap-south-1"; allowed: one of the config\'s regions (us-east-1, eu-west-1)'],
    });
  });

  test("bad flags: one line, exit 2, no AWS call", async () => {
    for (const argv of [["--format", "yaml"], ["--frobnicate"], ["--max-event-age-hours", "0"], ["--config"]]) {
      const { code, out, err } = await cli(argv);
      expect([argv.join(" "), code, out, err.length]).toEqual([argv.join(" "), 2, "", 1]);
      expect(err[0]).toMatch(/^ses-guard doctor: error: .*allowed: /);
    }
    expect(callsMade()).toEqual([]);
  });

  test("a bad config: synth's one-line message, exit 1; no config at all is an error, not the embedded example", async () => {
    const broken = writeConfig('{ "accountId": "123", }', "broken.json");
    let expected = "";
    try {
      loadConfigFile(broken, "broken.json");
    } catch (e) {
      expected = (e as Error).message;
    }
    expect(expected).not.toBe("");
    const bad = await cli([], { SES_GUARD_CONFIG: "broken.json" });
    expect(bad).toMatchObject({ code: 1, out: "", err: [`ses-guard doctor: error: ${expected}`] });
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-doctor-none-"));
    let err: string[] = [];
    const code = await doctorMain([], { out: () => undefined, err: (l) => (err = [...err, l]), env: {}, cwd: empty, now: () => NOW });
    fs.rmSync(empty, { recursive: true });
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain("no config: got no --config, no $SES_GUARD_CONFIG and no ./ses-guard.json");
    expect(callsMade()).toEqual([]);
  });

  test("--help lists every check", async () => {
    const { code, out } = await cli(["--help"]);
    expect(code).toBe(0);
    for (const c of CHECKS) expect(out).toContain(`  - ${c.id}: `);
  });
});

// ---------------------------------------------------------------- policy

describe("--print-policy", () => {
  test("prints a read-only policy of exactly the actions the checks call, scoped to the config's resources, without calling AWS", async () => {
    const { code, out } = await cli(["--print-policy"]);
    expect(code).toBe(0);
    expect(callsMade()).toEqual([]);
    const policy = JSON.parse(out);
    const actions = policyActions(policy);
    const declared = [
      ...new Set(
        CHECKS.flatMap((c) => c.calls)
          .map((c) => OPERATIONS.get(c.command)!.action)
          .filter((a): a is string => !!a),
      ),
    ].sort();
    expect(actions).toEqual(declared);
    for (const a of actions) expect(a).toMatch(/^[a-z0-9]+:(Get|List|Describe)[A-Za-z]+$/);
    const resources = (action: string) => [policy.Statement.find((s: { Action: string }) => s.Action === action).Resource].flat();
    expect(resources("ses:GetConfigurationSet")).toEqual(["arn:aws:ses:us-east-1:123456789012:configuration-set/ses-guard"]);
    expect(resources("ses:GetEmailIdentity")).toEqual([
      "arn:aws:ses:us-east-1:123456789012:identity/billing@example.com",
      "arn:aws:ses:us-east-1:123456789012:identity/example.com",
    ]);
    expect(resources("s3:ListBucket")).toEqual(["arn:aws:s3:::ses-guard-events-123456789012-us-east-1"]);
    expect(resources("sns:ListSubscriptionsByTopic")).toHaveLength(2);
    // 4 account, 4 configuration set and 2 archive alarms.
    expect(resources("cloudwatch:DescribeAlarms")).toHaveLength(10);
    expect(resources("ses:GetAccount")).toEqual(["*"]);
  });

  test("without notifications, no identity or topic permissions beyond the alarm topic", () => {
    const quiet = testConfig({ notifications: { enabled: false } });
    const policy = policyFor(
      CHECKS.flatMap((c) => c.calls),
      [regionTarget(quiet, "us-east-1")],
    );
    expect(policyActions(policy)).not.toContain("ses:GetEmailIdentity");
    expect(policyActions(policy)).not.toContain("ses:GetIdentityNotificationAttributes");
    expect(policy.Statement.find((s) => s.Action === "sns:ListSubscriptionsByTopic")?.Resource).toBe("arn:aws:sns:us-east-1:123456789012:ses-guard-alarms");
  });

  test("docs/doctor-and-drill.md shows the same actions", () => {
    const section = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "doctor-and-drill.md"), "utf8");
    const block = /```json\n(\{\n {2}"Version": "2012-10-17"[\s\S]*?\n\})\n```/.exec(section);
    expect(block).not.toBeNull();
    const shown = JSON.parse(block![1]);
    const declared = [
      ...new Set(
        CHECKS.flatMap((c) => c.calls)
          .map((c) => OPERATIONS.get(c.command)!.action)
          .filter((a): a is string => !!a),
      ),
    ].sort();
    expect(policyActions(shown)).toEqual(declared);
  });
});
