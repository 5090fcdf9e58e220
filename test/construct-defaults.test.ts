// Each construct used on its own, without SesGuardStack (which always passes every prop): its own
// defaults, and the limits it checks itself. A library user who leaves a prop out gets exactly these.
import { Testing } from "cdktf";
import { AthenaWorkgroup } from "../modules/athena-workgroup";
import { AlarmTopic } from "../modules/alarm-topic";
import { ArchiveAlarms } from "../modules/archive-alarms";
import { ArchiveBucket } from "../modules/archive-bucket";
import { DeliveryStream } from "../modules/delivery-stream";
import { EmailSubscriptions } from "../modules/email-subscriptions";
import { EncryptionKey } from "../modules/encryption-key";
import { EventCatalog } from "../modules/event-catalog";
import { EventPublishing } from "../modules/event-publishing";
import { IdentityNotifications } from "../modules/identity-notifications";
import { Rate } from "../modules/shared/rate";
import { ReputationAlarms } from "../modules/reputation-alarms";
import { AccountSuppression, checkSuppressionReasons } from "../modules/suppression";
import { Construct } from "constructs";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const TOPIC = { arn: "arn:aws:sns:eu-west-1:123456789012:ops" };

type Json = Record<string, any>;

/** The synthesized resources of one construct, by type; each type's values in logical-ID order. */
function synth(build: (scope: Construct) => void): Record<string, Json[]> {
  const out = JSON.parse(Testing.synthScope(build)) as { resource?: Record<string, Record<string, Json>> };
  return Object.fromEntries(
    Object.entries(out.resource ?? {}).map(([type, byId]) => [
      type,
      Object.keys(byId)
        .sort()
        .map((id) => byId[id]),
    ]),
  );
}

const one = (resources: Record<string, Json[]>, type: string): Json => {
  expect(resources[type]).toHaveLength(1);
  return resources[type][0];
};
const policyOf = (resource: Json, key = "policy") => JSON.parse(resource[key]);

describe("AlarmTopic", () => {
  test("by default any alarm of the account and region may publish, the topic is unencrypted, and each address is subscribed", () => {
    const r = synth((s) => new AlarmTopic(s, "T", { accountId: ACCOUNT, region: REGION, topicName: "ops", emails: ["a@example.com", "B@example.com"] }));
    expect(one(r, "aws_sns_topic")).toEqual({ name: "ops" });
    const [statement] = policyOf(one(r, "aws_sns_topic_policy")).Statement;
    expect(statement.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": ACCOUNT },
      ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*" },
    });
    expect(statement.Resource).toBe("arn:aws:sns:eu-west-1:123456789012:ops");
    expect(r.aws_sns_topic_subscription.map((s) => [s.protocol, s.endpoint])).toEqual([
      ["email", "a@example.com"],
      ["email", "B@example.com"],
    ]);
  });

  test("an AWS managed key is refused with the reason", () => {
    expect(() =>
      synth((s) => new AlarmTopic(s, "T", { accountId: ACCOUNT, region: REGION, topicName: "ops", emails: [], kmsKeyArn: "alias/aws/sns" })),
    ).toThrow(/^AlarmTopic kmsKeyArn: got "alias\/aws\/sns"; allowed: /);
  });
});

describe("EmailSubscriptions", () => {
  test("one subscription per address, keyed by the address in lower case, none for an empty list", () => {
    let subs: EmailSubscriptions | undefined;
    synth((s) => {
      subs = new EmailSubscriptions(s, "S", { topic: TOPIC, emails: ["Ops@Example.com"] });
    });
    expect(subs!.subscriptions.map((x) => x.node.id)).toEqual(["ops@example.com"]);
    expect(synth((s) => new EmailSubscriptions(s, "S", { topic: TOPIC, emails: [] })).aws_sns_topic_subscription).toBeUndefined();
  });
});

describe("ArchiveAlarms", () => {
  const build = (bufferingIntervalSeconds: number) =>
    synth((s) => new ArchiveAlarms(s, "A", { namePrefix: "mail", streamName: "mail-events", bufferingIntervalSeconds, topic: TOPIC }))
      .aws_cloudwatch_metric_alarm;

  test("data freshness above the buffering interval, and any failed delivery, notify the topic", () => {
    const [freshness, success] = build(300);
    expect(freshness).toMatchObject({
      alarm_name: "mail-archive-data-freshness",
      namespace: "AWS/Firehose",
      metric_name: "DeliveryToS3.DataFreshness",
      dimensions: { DeliveryStreamName: "mail-events" },
      statistic: "Maximum",
      threshold: 300,
      comparison_operator: "GreaterThanThreshold",
      period: 300,
      evaluation_periods: 3,
      treat_missing_data: "notBreaching",
      actions_enabled: true,
      alarm_actions: [TOPIC.arn],
      ok_actions: [TOPIC.arn],
    });
    expect(freshness.alarm_description).toBe(
      "Records in Firehose stream mail-events are older than its 300 s buffering interval: delivery to S3 is failing or falling behind. Check the stream's error log group.",
    );
    expect(success).toMatchObject({
      alarm_name: "mail-archive-delivery-success",
      metric_name: "DeliveryToS3.Success",
      statistic: "Minimum",
      threshold: 1,
      comparison_operator: "LessThanThreshold",
      alarm_actions: [TOPIC.arn],
    });
    expect(success.alarm_description).toContain("Some deliveries from Firehose stream mail-events to S3 failed");
  });

  test("the freshness threshold is never below 60 s", () => {
    expect(build(0)[0].threshold).toBe(60);
    expect(build(59)[0].threshold).toBe(60);
    expect(build(61)[0].threshold).toBe(61);
  });
});

describe("ArchiveBucket", () => {
  test("defaults: protected from destroy, not force-destroyed, SSE-S3, no versioning or logging, the default lifecycle", () => {
    const r = synth((s) => new ArchiveBucket(s, "B", { bucketName: "mail-archive", region: REGION }));
    expect(one(r, "aws_s3_bucket")).toEqual({ bucket: "mail-archive", force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(r.aws_s3_bucket_versioning).toBeUndefined();
    expect(r.aws_s3_bucket_logging).toBeUndefined();
    expect(one(r, "aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" }, bucket_key_enabled: true },
    ]);
    const lifecycle = one(r, "aws_s3_bucket_lifecycle_configuration");
    expect(lifecycle.transition_default_minimum_object_size).toBe("all_storage_classes_128K");
    const [tiering, abort] = lifecycle.rule;
    expect(tiering).toEqual({
      id: "archive-tiering-and-expiration",
      status: "Enabled",
      filter: [{ prefix: "" }],
      transition: [
        { days: 30, storage_class: "STANDARD_IA" },
        { days: 90, storage_class: "GLACIER_IR" },
      ],
      expiration: [{ days: 730 }],
    });
    expect(abort).toEqual({
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      filter: [{ prefix: "" }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
    });
    expect(policyOf(one(r, "aws_s3_bucket_policy")).Statement[0]).toMatchObject({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Resource: ["arn:aws:s3:::mail-archive", "arn:aws:s3:::mail-archive/*"],
    });
    expect(one(r, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test("versioning keeps old versions the default 30 days; access logs go under s3-access/<bucket>/ by default", () => {
    const r = synth(
      (s) =>
        new ArchiveBucket(s, "B", { bucketName: "mail-archive", region: REGION, versioning: true, accessLogBucketName: "mail-logs", preventDestroy: false }),
    );
    expect(one(r, "aws_s3_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(one(r, "aws_s3_bucket_lifecycle_configuration").rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
    expect(one(r, "aws_s3_bucket_logging")).toMatchObject({ target_bucket: "mail-logs", target_prefix: "s3-access/mail-archive/" });
    expect(one(r, "aws_s3_bucket").lifecycle).toEqual({ prevent_destroy: false });
  });

  test("bad names and lifecycles are refused naming the prop", () => {
    expect(() => synth((s) => new ArchiveBucket(s, "B", { bucketName: "Mail", region: REGION }))).toThrow(
      /^ArchiveBucket bucketName: got "Mail"; allowed: lower-case letters/,
    );
    expect(() => synth((s) => new ArchiveBucket(s, "B", { bucketName: "mail-archive", region: REGION, accessLogBucketName: "x" }))).toThrow(
      'ArchiveBucket accessLogBucketName: got "x"; allowed: 3 to 63 characters',
    );
    expect(() => synth((s) => new ArchiveBucket(s, "B", { bucketName: "mail-archive", region: REGION, lifecycle: { expirationDays: 0 } }))).toThrow(
      /^ArchiveBucket lifecycle: expirationDays: got 0/,
    );
  });
});

describe("DeliveryStream", () => {
  const base = {
    accountId: ACCOUNT,
    region: REGION,
    streamName: "mail-events",
    bucket: { bucketName: "mail-archive", bucketArn: "arn:aws:s3:::mail-archive" },
  };

  test("defaults: 900 s / 128 MiB buffers, 30-day error logs, events/ and errors/ prefixes, an AWS-owned key, protected from destroy", () => {
    const r = synth((s) => new DeliveryStream(s, "D", base));
    const stream = one(r, "aws_kinesis_firehose_delivery_stream");
    expect(stream.server_side_encryption).toEqual({ enabled: true, key_type: "AWS_OWNED_CMK" });
    expect(stream.lifecycle).toEqual({ prevent_destroy: true });
    expect(stream.extended_s3_configuration).toMatchObject({
      bucket_arn: "arn:aws:s3:::mail-archive",
      buffering_interval: 900,
      buffering_size: 128,
      compression_format: "GZIP",
      prefix: "events/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/",
      error_output_prefix: "errors/!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/",
    });
    expect(stream.extended_s3_configuration.kms_key_arn).toBeUndefined();
    expect(one(r, "aws_cloudwatch_log_group")).toEqual({ name: "/aws/kinesisfirehose/mail-events", retention_in_days: 30 });
    expect(one(r, "aws_cloudwatch_log_stream").name).toBe("DestinationDelivery");
    expect(one(r, "aws_iam_role").name).toBe("mail-events-eu-west-1");
    const sids = policyOf(one(r, "aws_iam_role_policy")).Statement.map((s: Json) => s.Sid);
    expect(sids).toEqual(["WriteObjects", "FindBucket", "LogDeliveryErrors"]);
  });

  test("the buffering and retention limits: smallest and largest accepted, one past each refused", () => {
    const make = (extra: object) => () => synth((s) => new DeliveryStream(s, "D", { ...base, ...extra }));
    for (const ok of [
      { bufferingIntervalSeconds: 0 },
      { bufferingIntervalSeconds: 900 },
      { bufferingSizeMiB: 1 },
      { bufferingSizeMiB: 128 },
      { logRetentionDays: 1 },
      { logRetentionDays: 3653 },
    ]) {
      expect(make(ok)).not.toThrow();
    }
    expect(make({ bufferingIntervalSeconds: -1 })).toThrow("DeliveryStream bufferingIntervalSeconds: got -1; allowed: a whole number from 0 to 900");
    expect(make({ bufferingIntervalSeconds: 901 })).toThrow("DeliveryStream bufferingIntervalSeconds: got 901; allowed: a whole number from 0 to 900");
    expect(make({ bufferingIntervalSeconds: 1.5 })).toThrow("DeliveryStream bufferingIntervalSeconds: got 1.5;");
    expect(make({ bufferingSizeMiB: 0 })).toThrow("DeliveryStream bufferingSizeMiB: got 0; allowed: a whole number from 1 to 128");
    expect(make({ bufferingSizeMiB: 129 })).toThrow("DeliveryStream bufferingSizeMiB: got 129; allowed: a whole number from 1 to 128");
    expect(make({ bufferingSizeMiB: 2.5 })).toThrow("DeliveryStream bufferingSizeMiB: got 2.5;");
    expect(make({ logRetentionDays: 2 })).toThrow(/^DeliveryStream logRetentionDays: got 2; allowed: one of 1, 3, 5, 7, /);
    expect(make({ kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/mine" })).toThrow(
      /^DeliveryStream kmsKeyArn: got "arn:aws:kms:eu-west-1:123456789012:alias\/mine"; allowed: /,
    );
  });
});

describe("EncryptionKey", () => {
  test("defaults: a 30-day deletion window, yearly rotation, and an alias", () => {
    const r = synth((s) => new EncryptionKey(s, "K", { accountId: ACCOUNT, region: REGION, aliasName: "mail-topics" }));
    const key = one(r, "aws_kms_key");
    expect(key).toMatchObject({ deletion_window_in_days: 30, enable_key_rotation: true });
    expect(key.description).toBe("ses-guard: encrypts SNS topics that CloudWatch alarms and SES publish to (eu-west-1)");
    expect(one(r, "aws_kms_alias").name).toBe("alias/mail-topics");
    const statements = policyOf(key).Statement;
    expect(statements.map((s: Json) => [s.Sid, s.Principal])).toEqual([
      ["AccountAdministersThroughIam", { AWS: "arn:aws:iam::123456789012:root" }],
      ["CloudWatchAlarmsPublishToEncryptedTopics", { Service: "cloudwatch.amazonaws.com" }],
      ["SesPublishesToEncryptedTopics", { Service: "ses.amazonaws.com" }],
    ]);
    expect(statements[1]).toEqual({
      Sid: "CloudWatchAlarmsPublishToEncryptedTopics",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
    });
    expect(statements[0]).toMatchObject({ Effect: "Allow", Action: "kms:*", Resource: "*" });
  });

  test("the root principal follows the region's partition", () => {
    const r = synth((s) => new EncryptionKey(s, "K", { accountId: ACCOUNT, region: "us-gov-west-1", aliasName: "k" }));
    expect(policyOf(one(r, "aws_kms_key")).Statement[0].Principal).toEqual({ AWS: "arn:aws-us-gov:iam::123456789012:root" });
  });

  test("the deletion window: 7 and 30 accepted, 6, 31 and fractions refused", () => {
    const make = (deletionWindowInDays: number) => () =>
      synth((s) => new EncryptionKey(s, "K", { accountId: ACCOUNT, region: REGION, aliasName: "k", deletionWindowInDays }));
    expect(make(7)).not.toThrow();
    expect(make(30)).not.toThrow();
    for (const bad of [6, 31, 7.5]) expect(make(bad)).toThrow(`EncryptionKey deletionWindowInDays: got ${bad}; allowed: a whole number from 7 to 30`);
  });
});

describe("EventPublishing", () => {
  const base = {
    accountId: ACCOUNT,
    region: REGION,
    configurationSetName: "mail",
    deliveryStream: { streamName: "mail-events", streamArn: "arn:aws:firehose:eu-west-1:123456789012:deliverystream/mail-events" },
  };

  test("defaults: a new set requiring TLS with reputation metrics, the default event types, an enabled destination, a role named after the set", () => {
    const r = synth((s) => new EventPublishing(s, "P", base));
    expect(one(r, "aws_sesv2_configuration_set")).toEqual({
      configuration_set_name: "mail",
      delivery_options: { tls_policy: "REQUIRE" },
      reputation_options: { reputation_metrics_enabled: true },
      // An automatic pause (sending_options) is not undone by the next apply.
      lifecycle: { ignore_changes: ["sending_options"] },
    });
    // Without eventBridge, the archive destination only.
    const destination = one(r, "aws_sesv2_configuration_set_event_destination");
    expect(destination.event_destination_name).toBe("archive-to-firehose");
    expect(destination.event_destination.enabled).toBe(true);
    expect(destination.event_destination.matching_event_types).toEqual([
      "SEND",
      "REJECT",
      "BOUNCE",
      "COMPLAINT",
      "DELIVERY",
      "DELIVERY_DELAY",
      "RENDERING_FAILURE",
    ]);
    expect(destination.event_destination.kinesis_firehose_destination.delivery_stream_arn).toBe(base.deliveryStream.streamArn);
    const role = one(r, "aws_iam_role");
    expect(role.name).toBe("mail-ses-events-eu-west-1");
    expect(role.description).toBe("Lets SES configuration set mail publish events to Firehose stream mail-events");
    expect(policyOf(one(r, "aws_iam_role_policy")).Statement).toEqual([
      { Sid: "PutEventRecords", Effect: "Allow", Action: "firehose:PutRecordBatch", Resource: base.deliveryStream.streamArn },
    ]);
  });

  test("an existing set: no set created, the destination names it; TLS optional only when asked", () => {
    const r = synth((s) => new EventPublishing(s, "P", { ...base, existingConfigurationSet: true }));
    expect(r.aws_sesv2_configuration_set).toBeUndefined();
    expect(one(r, "aws_sesv2_configuration_set_event_destination").configuration_set_name).toBe("mail");
    expect(
      one(
        synth((s) => new EventPublishing(s, "P", { ...base, requireTls: false })),
        "aws_sesv2_configuration_set",
      ).delivery_options,
    ).toEqual({ tls_policy: "OPTIONAL" });
    expect(
      one(
        synth((s) => new EventPublishing(s, "P", { ...base, requireTls: true })),
        "aws_sesv2_configuration_set",
      ).delivery_options,
    ).toEqual({ tls_policy: "REQUIRE" });
  });

  test("bad event types and suppression reasons are refused naming the prop", () => {
    const make = (extra: object) => () => synth((s) => new EventPublishing(s, "P", { ...base, ...extra }));
    expect(make({ eventTypes: [] })).toThrow(
      "EventPublishing eventTypes: got []; allowed: one or more of SEND, REJECT, BOUNCE, COMPLAINT, DELIVERY, OPEN, CLICK, RENDERING_FAILURE, DELIVERY_DELAY, SUBSCRIPTION",
    );
    expect(make({ eventTypes: ["SEND", "bounce"] })).toThrow('EventPublishing eventTypes: got "bounce"; allowed: SEND, REJECT,');
    expect(make({ suppressedReasons: ["BOUNCE"], existingConfigurationSet: true })).toThrow(
      'EventPublishing suppressedReasons: got ["BOUNCE"]; allowed: nothing with existingConfigurationSet (the set is not managed here)',
    );
    expect(make({ suppressedReasons: ["SPAM"] })).toThrow('EventPublishing suppressedReasons: got "SPAM"; allowed: BOUNCE, COMPLAINT');
    expect(
      one(
        synth((s) => new EventPublishing(s, "P", { ...base, suppressedReasons: ["COMPLAINT"] })),
        "aws_sesv2_configuration_set",
      ).suppression_options,
    ).toEqual({ suppressed_reasons: ["COMPLAINT"] });
  });
});

describe("IdentityNotifications", () => {
  const base = { accountId: ACCOUNT, region: REGION, identities: ["example.com"] };

  test("defaults: Bounce and Complaint, a topic named ses-guard-notifications with nobody subscribed, original headers included", () => {
    const r = synth((s) => new IdentityNotifications(s, "N", base));
    expect(one(r, "aws_sns_topic")).toEqual({ name: "ses-guard-notifications" });
    expect(r.aws_sns_topic_subscription).toBeUndefined();
    const notifications = one(r, "aws_ses_identity_notification_topic");
    expect(notifications.include_original_headers).toBe(true);
    expect(Object.keys(notifications.for_each)).toEqual(["example.com/Bounce", "example.com/Complaint"]);
    const [statement] = policyOf(one(r, "aws_sns_topic_policy")).Statement;
    expect(statement.Resource).toBe("arn:aws:sns:eu-west-1:123456789012:ses-guard-notifications");
    expect(statement.Condition.ArnLike).toEqual({ "aws:SourceArn": ["arn:aws:ses:eu-west-1:123456789012:identity/example.com"] });
  });

  test("the instances are one per identity and default type", () => {
    let n: IdentityNotifications | undefined;
    synth((s) => {
      n = new IdentityNotifications(s, "N", { ...base, identities: ["example.com", "ops@example.org"] });
    });
    expect(n!.instanceKeys).toEqual(["example.com/Bounce", "example.com/Complaint", "ops@example.org/Bounce", "ops@example.org/Complaint"]);
  });

  test("bad identities, types and keys are refused naming the prop", () => {
    const make = (extra: object) => () => synth((s) => new IdentityNotifications(s, "N", { ...base, ...extra }));
    expect(make({ identities: [] })).toThrow("IdentityNotifications identities: got []; allowed: one or more SES identities (domains or addresses)");
    expect(make({ identities: ["not an identity"] })).toThrow(
      'IdentityNotifications identities: got "not an identity"; allowed: an SES identity: a domain such as example.com',
    );
    expect(make({ types: ["Bounce", "Open"] })).toThrow('IdentityNotifications types: got "Open"; allowed: Bounce, Complaint, Delivery');
    expect(make({ kmsKeyArn: "alias/aws/sns" })).toThrow(/^IdentityNotifications kmsKeyArn: got "alias\/aws\/sns"; allowed: /);
    expect(make({ includeOriginalHeaders: false })).not.toThrow();
  });
});

describe("ReputationAlarms", () => {
  const levels = (warning: number, critical: number) => ({ warning: Rate.percent(warning), critical: Rate.percent(critical) });
  const base = { accountId: ACCOUNT, region: REGION, namePrefix: "mail", bounceRate: levels(2, 5), complaintRate: levels(0.05, 0.1) };

  test("defaults: a topic <prefix>-alarms for the prefix's alarms with nobody subscribed, 900 s periods, one period", () => {
    const r = synth((s) => new ReputationAlarms(s, "R", base));
    expect(one(r, "aws_sns_topic")).toEqual({ name: "mail-alarms" });
    expect(r.aws_sns_topic_subscription).toBeUndefined();
    expect(policyOf(one(r, "aws_sns_topic_policy")).Statement[0].Condition.ArnLike).toEqual({
      "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:mail-*",
    });
    const alarms = r.aws_cloudwatch_metric_alarm;
    expect(alarms.map((a) => [a.alarm_name, a.threshold, a.period, a.evaluation_periods])).toEqual([
      ["mail-bounce-rate-critical", 0.05, 900, 1],
      ["mail-bounce-rate-warning", 0.02, 900, 1],
      ["mail-complaint-rate-critical", 0.001, 900, 1],
      ["mail-complaint-rate-warning", 0.0005, 900, 1],
    ]);
    expect(alarms[0].alarm_description).toBe(
      "SES account bounce rate reached 5 % (critical). AWS reviews the account at 5 %. Query the ses-guard event archive to find the recipients.",
    );
    expect(alarms[3].alarm_description).toBe(
      "SES account complaint rate reached 0.05 % (warning). AWS reviews the account at 0.1 %. Query the ses-guard event archive to find the recipients.",
    );
  });

  test("the period and evaluation limits: smallest and largest accepted, one past each refused", () => {
    const make = (extra: object) => () => synth((s) => new ReputationAlarms(s, "R", { ...base, topic: TOPIC, ...extra }));
    for (const ok of [{ periodSeconds: 60 }, { periodSeconds: 86400 }, { periodSeconds: 60, evaluationPeriods: 1440 }, { evaluationPeriods: 96 }])
      expect(make(ok)).not.toThrow();
    for (const bad of [0, 59, 90, 86460])
      expect(make({ periodSeconds: bad })).toThrow(`ReputationAlarms periodSeconds: got ${bad}; allowed: a multiple of 60 from 60 to 86400`);
    const evaluation = "allowed: a whole number >= 1 with periodSeconds x evaluationPeriods <= 86400";
    expect(make({ evaluationPeriods: 0 })).toThrow(`ReputationAlarms evaluationPeriods: got 0; ${evaluation}`);
    expect(make({ evaluationPeriods: 97 })).toThrow(`ReputationAlarms evaluationPeriods: got 97; ${evaluation}`);
    expect(make({ evaluationPeriods: 1.5 })).toThrow(`ReputationAlarms evaluationPeriods: got 1.5; ${evaluation}`);
  });

  test("a warning level at or above critical is refused", () => {
    expect(() => synth((s) => new ReputationAlarms(s, "R", { ...base, complaintRate: levels(0.1, 0.1) }))).toThrow(
      "ReputationAlarms complaintRate.warning: got 0.1 %; allowed: below complaintRate.critical (0.1 %)",
    );
  });

  test("a topic given is used and none created", () => {
    const r = synth((s) => new ReputationAlarms(s, "R", { ...base, topic: TOPIC }));
    expect(r.aws_sns_topic).toBeUndefined();
    expect(r.aws_cloudwatch_metric_alarm.every((a) => a.alarm_actions[0] === TOPIC.arn && a.ok_actions[0] === TOPIC.arn)).toBe(true);
  });
});

describe("AthenaWorkgroup", () => {
  const base = { accountId: ACCOUNT, region: REGION, workgroupName: "mail", resultsBucketName: "mail-results" };

  test("defaults: results expire after 30 days, 10240 MiB scanned per query, SSE-S3, no saved queries", () => {
    const r = synth((s) => new AthenaWorkgroup(s, "W", base));
    const workgroup = one(r, "aws_athena_workgroup");
    expect(workgroup.configuration.bytes_scanned_cutoff_per_query).toBe(10240 * 1024 * 1024);
    expect(workgroup.configuration.result_configuration.encryption_configuration).toEqual({ encryption_option: "SSE_S3" });
    expect(one(r, "aws_s3_bucket_lifecycle_configuration").rule[0].expiration).toEqual([{ days: 30 }]);
    expect(r.aws_athena_named_query).toBeUndefined();
    expect(one(r, "aws_s3_bucket")).toMatchObject({ bucket: "mail-results", force_destroy: true });
  });

  test("limits: 1 day and 10 MiB accepted, less refused", () => {
    const make = (extra: object) => () => synth((s) => new AthenaWorkgroup(s, "W", { ...base, ...extra }));
    expect(make({ resultsExpirationDays: 1, bytesScannedCutoffPerQueryMiB: 10 })).not.toThrow();
    expect(make({ resultsExpirationDays: 0 })).toThrow("AthenaWorkgroup resultsExpirationDays: got 0; allowed: a whole number from 1 to 3650");
    expect(make({ bytesScannedCutoffPerQueryMiB: 9 })).toThrow(
      "AthenaWorkgroup bytesScannedCutoffPerQueryMiB: got 9; allowed: at least 10 MiB (Athena's smallest per-query limit)",
    );
    expect(make({ workgroupName: "a b" })).toThrow('AthenaWorkgroup workgroupName: got "a b"; allowed: 1 to 128 letters, digits, ., _ or -');
  });
});

describe("EventCatalog", () => {
  test("defaults: table ses_events over events/", () => {
    const r = synth((s) => new EventCatalog(s, "C", { databaseName: "mail", bucketName: "mail-archive", regions: [REGION] }));
    const table = one(r, "aws_glue_catalog_table");
    expect(table.name).toBe("ses_events");
    expect(table.storage_descriptor.location).toBe("s3://mail-archive/events/");
  });
});

describe("AccountSuppression", () => {
  test("the reasons given, each once", () => {
    expect(
      one(
        synth((s) => new AccountSuppression(s, "A", { reasons: ["BOUNCE", "COMPLAINT"] })),
        "aws_sesv2_account_suppression_attributes",
      ).suppressed_reasons,
    ).toEqual(["BOUNCE", "COMPLAINT"]);
    expect(() => checkSuppressionReasons("where", ["BOUNCE", "BOUNCE"])).toThrow('where: got ["BOUNCE","BOUNCE"]; allowed: each reason once');
    expect(() => checkSuppressionReasons("where", [])).not.toThrow();
  });
});
