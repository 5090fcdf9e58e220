import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KinesisFirehoseDeliveryStream } from "@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SesIdentityNotificationTopic } from "@cdktf/provider-aws/lib/ses-identity-notification-topic";
import { Sesv2ConfigurationSet } from "@cdktf/provider-aws/lib/sesv2-configuration-set";
import { Sesv2ConfigurationSetEventDestination } from "@cdktf/provider-aws/lib/sesv2-configuration-set-event-destination";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { parseConfig, SesGuardConfig } from "../modules/app/config";
import { Rate } from "../modules/shared/rate";
import { SesGuard, sesGuardPropsFromConfig } from "../modules/ses-guard";
import { SesGuardStack, SesGuardStackProps, stackName } from "../modules/app/ses-guard-stack";

function example(file: string): SesGuardConfig {
  return parseConfig(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "examples", file), "utf8")), file);
}

function synthStack(config: SesGuardConfig, extra: Partial<SesGuardStackProps> = {}): string {
  const stack = new SesGuardStack(Testing.app(), stackName(config, config.regions[0]), { config, ...extra });
  return Testing.synth(stack);
}

function resources(synthesized: string, type: { tfResourceType: string }): Record<string, any> {
  return JSON.parse(synthesized).resource?.[type.tfResourceType] ?? {};
}

const full = example("full.json");
const off = example("notifications-off.json");
const fullOut = synthStack(full);
const offOut = synthStack(off);

describe("SesGuardStack outputs", () => {
  test("full.json: every output, notification topic and investigation included", () => {
    expect(Object.keys(JSON.parse(fullOut).output).sort()).toEqual([
      "alarm_topic_arn",
      "archive_bucket_name",
      "athena_results_bucket_name",
      "athena_workgroup",
      "configuration_set_name",
      "dashboard_url",
      "delivery_stream_name",
      "glue_database",
      "glue_table",
      "next_steps",
      "notification_topic_arn",
      "pending_email_confirmations",
      "resume_sending_command",
      "ses_events_topic_arn",
    ]);
  });

  test("pending_email_confirmations lists every subscription ses-guard creates, filtered on pending_confirmation", () => {
    const value: string = JSON.parse(fullOut).output.pending_email_confirmations.value;
    const subscriptions = Object.keys(JSON.parse(fullOut).resource.aws_sns_topic_subscription);
    expect(subscriptions.length).toBe(3);
    for (const s of subscriptions) expect(value).toContain(`aws_sns_topic_subscription.${s}`);
    expect(value).toMatch(/: s\.endpoint if s\.pending_confirmation\]\}$/);
  });

  test("next_steps names the configuration set to send with", () => {
    expect(JSON.parse(fullOut).output.next_steps.value).toContain("ConfigurationSetName=acme-transactional");
  });

  test("notifications-off.json: no notification topic output, none of chat or auto-pause (off by default), no dashboard (turned off)", () => {
    expect(Object.keys(JSON.parse(offOut).output).sort()).toEqual([
      "alarm_topic_arn",
      "archive_bucket_name",
      "configuration_set_name",
      "delivery_stream_name",
      "next_steps",
      "pending_email_confirmations",
    ]);
  });

  test("full.json: output values name the configured resources", () => {
    const output = JSON.parse(fullOut).output;
    expect(output.alarm_topic_arn.value).toBe("${aws_sns_topic.alarms_topic.arn}");
    expect(output.archive_bucket_name.value).toBe("acme-ses-event-archive");
    expect(output.delivery_stream_name.value).toBe("acme-mail-events");
    expect(output.configuration_set_name.value).toBe("acme-transactional");
    expect(output.notification_topic_arn.value).toBe("${aws_sns_topic.notifications_topic.arn}");
  });

  test("notifications-off.json: derived bucket and configuration set names", () => {
    const output = JSON.parse(offOut).output;
    expect(output.archive_bucket_name.value).toBe("mailer-events-123456789012-eu-west-1");
    expect(output.configuration_set_name.value).toBe("mailer");
    expect(output.delivery_stream_name.value).toBe("mailer-events");
  });

  test("every output has a description: a sentence saying what it holds", () => {
    for (const [name, out] of Object.entries<any>(JSON.parse(fullOut).output))
      expect([name, out.description]).toEqual([name, expect.stringMatching(/^[A-Z][^]{20,}\.$/)]);
  });

  test("next_steps: confirm the subscriptions, send with the set, and with investigation, the Athena workgroup", () => {
    const steps: string = JSON.parse(fullOut).output.next_steps.value;
    expect(steps).toMatch(/^Every address in pending_email_confirmations must click the link/);
    expect(steps).toContain("(or the X-SES-CONFIGURATION-SET header) so that events are archived.");
    expect(steps).toContain("When an alarm fires, open Athena workgroup acme-mail-investigations and run its saved queries");
    expect(JSON.parse(offOut).output.next_steps.value).not.toContain("Athena");
  });
});

describe("SesGuardStack provider and backend", () => {
  test("provider region and default tags come from the config", () => {
    expect(fullOut).toHaveProviderWithProperties(AwsProvider, {
      region: "eu-west-1",
      default_tags: [{ tags: { team: "platform", "cost-center": "email" } }],
    });
  });

  test("no default_tags block without tags", () => {
    const [provider] = JSON.parse(offOut).provider.aws;
    expect(provider.region).toBe("eu-west-1");
    expect(provider.default_tags).toBeUndefined();
  });

  test("the local state path is relative and named after the stack", () => {
    const statePath = JSON.parse(fullOut).terraform.backend.local.path;
    expect(path.isAbsolute(statePath)).toBe(false);
    expect(statePath).toBe("terraform.acme-mail-eu-west-1.tfstate");
  });

  test("a given local state path is used as is", () => {
    const out = synthStack(off, { localStatePath: "../../../state/terraform.mailer-eu-west-1.tfstate" });
    expect(JSON.parse(out).terraform.backend.local.path).toBe("../../../state/terraform.mailer-eu-west-1.tfstate");
  });

  test("stackName is <name>-<region>", () => {
    expect(stackName(full, "eu-west-1")).toBe("acme-mail-eu-west-1");
    expect(stackName(off, "eu-west-1")).toBe("mailer-eu-west-1");
  });
});

describe("SesGuardStack resource addresses", () => {
  test.each([
    [S3Bucket.tfResourceType, "archive_bucket"],
    [KinesisFirehoseDeliveryStream.tfResourceType, "delivery_stream"],
    [Sesv2ConfigurationSet.tfResourceType, "event_publishing_configuration_set"],
    [Sesv2ConfigurationSetEventDestination.tfResourceType, "event_publishing_event_destination"],
    [IamRole.tfResourceType, "delivery_stream_role"],
    [IamRole.tfResourceType, "event_publishing_role"],
    [SnsTopic.tfResourceType, "alarms_topic"],
    [SnsTopic.tfResourceType, "notifications_topic"],
    [CloudwatchMetricAlarm.tfResourceType, "alarms_bounce_rate_warning"],
    [CloudwatchMetricAlarm.tfResourceType, "alarms_bounce_rate_critical"],
    [CloudwatchMetricAlarm.tfResourceType, "alarms_complaint_rate_warning"],
    [CloudwatchMetricAlarm.tfResourceType, "alarms_complaint_rate_critical"],
    [SesIdentityNotificationTopic.tfResourceType, "notifications_identities"],
    [SnsTopicSubscription.tfResourceType, "alarms_topic_subscriptions_oncall_at_acme_example"],
  ])("%s.%s", (type, address) => {
    expect(Object.keys(JSON.parse(fullOut).resource[type] ?? {})).toContain(address);
  });

  test("no address carries a hash suffix", () => {
    const all = Object.values<Record<string, unknown>>(JSON.parse(fullOut).resource).flatMap((byId) => Object.keys(byId));
    expect(all.length).toBeGreaterThan(20);
    // Lower-case words joined by "_"; "-" survives from addresses and domains.
    for (const id of all) expect(id).toMatch(/^[a-z][a-z0-9_-]*$/);
    for (const id of all) expect(id).not.toMatch(/_[0-9a-f]{8}$/i);
  });

  test("resources reference each other by the readable addresses", () => {
    const stream = resources(fullOut, KinesisFirehoseDeliveryStream).delivery_stream;
    expect(stream.extended_s3_configuration.bucket_arn).toBe("${aws_s3_bucket.archive_bucket.arn}");
    const destination = resources(fullOut, Sesv2ConfigurationSetEventDestination).event_publishing_event_destination;
    expect(destination.event_destination.kinesis_firehose_destination.delivery_stream_arn).toBe("${aws_kinesis_firehose_delivery_stream.delivery_stream.arn}");
  });
});

describe("SesGuardStack from full.json", () => {
  test("alarm thresholds are the configured percent as fractions", () => {
    const alarms = resources(fullOut, CloudwatchMetricAlarm);
    expect(alarms.alarms_bounce_rate_warning.threshold).toBe(0.015);
    expect(alarms.alarms_bounce_rate_critical.threshold).toBe(0.04);
    expect(alarms.alarms_complaint_rate_warning.threshold).toBe(0.0004);
    expect(alarms.alarms_complaint_rate_critical.threshold).toBe(0.0008);
    expect(alarms.alarms_bounce_rate_critical.period).toBe(3600);
    expect(alarms.alarms_bounce_rate_critical.evaluation_periods).toBe(2);
  });

  test("IAM role names carry the region (IAM names are global)", () => {
    const roles = resources(fullOut, IamRole);
    expect(roles.delivery_stream_role.name).toBe("acme-mail-firehose-eu-west-1");
    expect(roles.event_publishing_role.name).toBe("acme-mail-ses-publisher-eu-west-1");
  });

  test("notification subscribers are notifications.emails, not the alarm addresses", () => {
    const subscriptions = Object.entries(resources(fullOut, SnsTopicSubscription));
    const onNotifications = subscriptions.filter(([, s]) => s.topic_arn === "${aws_sns_topic.notifications_topic.arn}").map(([, s]) => s.endpoint);
    expect(onNotifications).toEqual(["ses-bounces-aaaabbbbccccdddd@acme.slack.com"]);
  });

  test("one notification topic instance per identity and type, keyed <identity>/<Type>", () => {
    const [topics] = Object.values(resources(fullOut, SesIdentityNotificationTopic)) as any[];
    expect(Object.keys(topics.for_each).sort()).toEqual([
      "acme.example/Bounce",
      "acme.example/Complaint",
      "acme.example/Delivery",
      "billing@acme.example/Bounce",
      "billing@acme.example/Complaint",
      "billing@acme.example/Delivery",
    ]);
  });
});

describe("SesGuardStack from notifications-off.json", () => {
  test("creates no notification topics and only the alarm SNS topic", () => {
    expect(offOut).not.toHaveResource(SesIdentityNotificationTopic);
    expect(Object.keys(resources(offOut, SnsTopic))).toEqual(["alarms_topic"]);
  });

  test("uses the default thresholds", () => {
    const alarms = resources(offOut, CloudwatchMetricAlarm);
    expect(alarms.alarms_bounce_rate_critical.threshold).toBe(0.05);
    expect(alarms.alarms_complaint_rate_critical.threshold).toBe(0.001);
  });
});

describe("sesGuardPropsFromConfig", () => {
  const minimal = example("minimal.json");

  test("converts percent to Rate (bounce critical 5 -> fraction 0.05)", () => {
    const { alarms } = sesGuardPropsFromConfig(minimal);
    expect(alarms.bounceRate.critical).toBeInstanceOf(Rate);
    expect(alarms.bounceRate.critical.percent).toBe(5);
    expect(alarms.bounceRate.critical.fraction).toBe(0.05);
    expect(alarms.bounceRate.warning.fraction).toBe(0.02);
    expect(alarms.complaintRate.warning.fraction).toBe(0.0005);
    expect(alarms.complaintRate.critical.fraction).toBe(0.001);
  });

  test("notifications.emails falls back to alarms.emails", () => {
    expect(minimal.notifications.emails).toBeUndefined();
    expect(sesGuardPropsFromConfig(minimal).notifications?.emails).toEqual(["ops@example.com"]);
  });

  test("notifications.emails is used when given", () => {
    expect(sesGuardPropsFromConfig(full).notifications?.emails).toEqual(["ses-bounces-aaaabbbbccccdddd@acme.slack.com"]);
  });

  test("an empty notifications.emails list is kept, not replaced by the alarm addresses", () => {
    const cfg = parseConfig({ ...JSON.parse(JSON.stringify(minimal)), notifications: { identities: ["example.com"], emails: [] } });
    expect(sesGuardPropsFromConfig(cfg).notifications?.emails).toEqual([]);
  });

  test("no notifications when disabled", () => {
    expect(sesGuardPropsFromConfig(off).notifications).toBeUndefined();
  });

  test("maps names, scope and archive settings", () => {
    const props = sesGuardPropsFromConfig(full);
    expect(props.namePrefix).toBe("acme-mail");
    expect(props.accountId).toBe("210987654321");
    expect(props.region).toBe("eu-west-1");
    expect(props.archive?.bucketName).toBe("acme-ses-event-archive");
    expect(props.archive?.configurationSetName).toBe("acme-transactional");
    expect(props.archive?.bufferingIntervalSeconds).toBe(600);
    expect(props.archive?.bufferingSizeMiB).toBe(64);
    expect(props.archive?.logRetentionDays).toBe(90);
    expect(props.notifications?.types).toEqual(["Bounce", "Complaint", "Delivery"]);
  });
});

describe("SesGuard construct", () => {
  test("without notifications creates no identity notification topics", () => {
    const out = Testing.synthScope((scope) => {
      new SesGuard(scope, "Guard", { ...sesGuardPropsFromConfig(full), notifications: undefined });
    });
    expect(out).not.toHaveResource(SesIdentityNotificationTopic);
    expect(out).toHaveResource(KinesisFirehoseDeliveryStream);
  });

  test("without archive props uses each default", () => {
    const props = sesGuardPropsFromConfig(off);
    const out = Testing.synthScope((scope) => {
      new SesGuard(scope, "Guard", { ...props, archive: undefined });
    });
    expect(out).toHaveResourceWithProperties(S3Bucket, { bucket: "mailer-events-123456789012-eu-west-1" });
    expect(out).toHaveResourceWithProperties(Sesv2ConfigurationSet, { configuration_set_name: "mailer" });
  });
});

describe("SesGuard first-use rules (library use)", () => {
  const props = (change: (p: any) => void = () => undefined) => {
    const p: any = sesGuardPropsFromConfig(
      parseConfig({ accountId: "123456789012", alarms: { emails: ["ops@example.com"] }, notifications: { enabled: false } }),
    );
    change(p);
    return p;
  };
  const build = (p: any) => Testing.synthScope((scope) => void new SesGuard(scope, "Guard", p));

  test("the stream waits for the SES role's policy, and the event destination for the stream", () => {
    const out = build(props());
    const [stream] = Object.values(resources(out, KinesisFirehoseDeliveryStream)) as any[];
    expect(stream.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_iam_role_policy\.Guard_EventPublishing_RolePolicy_/)]));
    const [destination] = Object.values(resources(out, Sesv2ConfigurationSetEventDestination)) as any[];
    expect(destination.event_destination.kinesis_firehose_destination.delivery_stream_arn).toMatch(/^\$\{aws_kinesis_firehose_delivery_stream\..*\.arn\}$/);
  });

  test("refuses a KMS alias ARN: IAM policies cannot name a key by alias", () => {
    const alias = "arn:aws:kms:us-east-1:123456789012:alias/ses";
    expect(() => build(props((p) => (p.encryption = { kmsKeyArn: alias })))).toThrow(
      `SesGuard encryption.kmsKeyArn: got "${alias}"; allowed: a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias`,
    );
  });

  test("keeps the saved queries' look-back within the days Athena can read", () => {
    const withGlacier = (lookbackDays: number) =>
      props((p) => {
        p.archive = { ...p.archive, lifecycle: { transitions: [{ days: 40, storageClass: "GLACIER" }], expirationDays: 400 } };
        p.investigation = { lookbackDays };
      });
    expect(() => build(withGlacier(40))).toThrow("SesGuard investigation.lookbackDays: got 40; allowed: at most 39");
    const table: any = Object.values(JSON.parse(build(withGlacier(39))).resource.aws_glue_catalog_table)[0];
    expect(table.parameters["projection.dt.range"]).toBe("NOW-39DAYS,NOW");
  });
});

describe("SesGuard composition (library use)", () => {
  const base = (change: (c: any) => void = () => undefined): SesGuardConfig => {
    const c: any = { accountId: "123456789012", alarms: { emails: ["ops@example.com"] }, notifications: { identities: ["example.com"] } };
    change(c);
    return parseConfig(c);
  };
  const TOPIC = "arn:aws:sns:us-east-1:123456789012:mine";
  const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const built = (cfg: SesGuardConfig) => JSON.parse(synthStack(cfg));
  const keys = (out: any) => Object.keys(out.resource.aws_kms_key ?? {});

  test("a key is created only when a topic of ours or the archive needs one", () => {
    // Every topic brought and the archive unencrypted: nothing to encrypt, no key.
    expect(keys(built(base((c) => (c.existing = { alarmTopicArns: { "us-east-1": TOPIC }, notificationTopicArns: { "us-east-1": TOPIC } }))))).toEqual([]);
    expect(keys(built(base((c) => ((c.existing = { alarmTopicArns: { "us-east-1": TOPIC } }), (c.notifications = { enabled: false })))))).toEqual([]);
    // Our notification topic, or our alarm topic, or an encrypted archive: a key.
    expect(keys(built(base((c) => (c.existing = { alarmTopicArns: { "us-east-1": TOPIC } }))))).toEqual(["encryption_key"]);
    expect(keys(built(base((c) => (c.notifications = { enabled: false }))))).toEqual(["encryption_key"]);
    expect(
      keys(
        built(
          base(
            (c) => (
              (c.existing = { alarmTopicArns: { "us-east-1": TOPIC }, notificationTopicArns: { "us-east-1": TOPIC } }),
              (c.encryption = { archive: true })
            ),
          ),
        ),
      ),
    ).toEqual(["encryption_key"]);
  });

  test("a key of the user's is used everywhere and none is created", () => {
    const out = built(base((c) => (c.encryption = { kmsKeyArns: { "us-east-1": KEY }, archive: true })));
    expect(keys(out)).toEqual([]);
    expect(out.resource.aws_sns_topic.alarms_topic.kms_master_key_id).toBe(KEY);
    expect(out.resource.aws_sns_topic.notifications_topic.kms_master_key_id).toBe(KEY);
    expect(out.resource.aws_kinesis_firehose_delivery_stream.delivery_stream.server_side_encryption.key_arn).toBe(KEY);
  });

  test("without archive encryption the stream keeps an AWS-owned key, whatever key the topics use", () => {
    const out = built(base((c) => (c.encryption = { kmsKeyArns: { "us-east-1": KEY } })));
    expect(out.resource.aws_kinesis_firehose_delivery_stream.delivery_stream.server_side_encryption).toEqual({ enabled: true, key_type: "AWS_OWNED_CMK" });
  });

  test("a key given as a Terraform expression is not checked for being an alias (its value is known at apply)", () => {
    const props = sesGuardPropsFromConfig(base());
    expect(() => Testing.synthScope((scope) => void new SesGuard(scope, "Guard", { ...props, encryption: { kmsKeyArn: "${var.key_arn}" } }))).not.toThrow();
  });

  test("the archive alarms follow the buffering interval, 900 s by default", () => {
    const freshness = (out: any) => out.resource.aws_cloudwatch_metric_alarm.archive_alarms_data_freshness.threshold;
    expect(freshness(built(base()))).toBe(900);
    expect(freshness(built(base((c) => (c.archive = { bufferingIntervalSeconds: 300 }))))).toBe(300);
  });

  test("suppression: the account level only when set; the set's own reasons only when set", () => {
    const none = built(base());
    expect(none.resource.aws_sesv2_account_suppression_attributes).toBeUndefined();
    expect(none.resource.aws_sesv2_configuration_set.event_publishing_configuration_set.suppression_options).toBeUndefined();
    const both = built(base((c) => (c.suppression = { accountLevel: ["BOUNCE"], configurationSet: ["COMPLAINT"] })));
    expect(Object.values<any>(both.resource.aws_sesv2_account_suppression_attributes).map((a) => a.suppressed_reasons)).toEqual([["BOUNCE"]]);
    expect(both.resource.aws_sesv2_configuration_set.event_publishing_configuration_set.suppression_options).toEqual({ suppressed_reasons: ["COMPLAINT"] });
    const props = sesGuardPropsFromConfig(base());
    expect(props.suppression).toEqual({ accountLevel: undefined, configurationSet: undefined });
    // No suppression props at all is the same as none set.
    expect(() => Testing.synthScope((scope) => void new SesGuard(scope, "Guard", { ...props, suppression: undefined }))).not.toThrow();
  });

  test("with investigation, a key prefix the table would not read is refused", () => {
    const props = sesGuardPropsFromConfig(base((c) => (c.investigation = { enabled: true })));
    expect(() => Testing.synthScope((scope) => void new SesGuard(scope, "Guard", { ...props, archive: { ...props.archive, keyPrefix: "other/" } }))).toThrow(
      'SesGuard archive.keyPrefix: got "other/"; allowed: "events/us-east-1/" with investigation (the table reads events/<region>/)',
    );
    expect(() =>
      Testing.synthScope((scope) => void new SesGuard(scope, "Guard", { ...props, archive: { ...props.archive, keyPrefix: "events/us-east-1/" } })),
    ).not.toThrow();
  });

  test("notifications: on with identities in this region; off when disabled or when the region has none", () => {
    expect(sesGuardPropsFromConfig(base()).notifications?.identities).toEqual(["example.com"]);
    expect(sesGuardPropsFromConfig(base((c) => (c.notifications.enabled = false))).notifications).toBeUndefined();
    const perRegion = base((c) => ((c.regions = ["us-east-1", "eu-west-1"]), (c.notifications.identities = { "eu-west-1": ["example.eu"] })));
    expect(sesGuardPropsFromConfig(perRegion, "us-east-1").notifications).toBeUndefined();
    expect(sesGuardPropsFromConfig(perRegion, "eu-west-1").notifications?.identities).toEqual(["example.eu"]);
  });

  test("brought topics: no subscriptions of ours, so no pending_email_confirmations output, and next_steps says the policies are the user's", () => {
    const out = built(base((c) => (c.existing = { alarmTopicArns: { "us-east-1": TOPIC }, notificationTopicArns: { "us-east-1": TOPIC } })));
    expect(out.resource.aws_sns_topic_subscription).toBeUndefined();
    expect(out.output.pending_email_confirmations).toBeUndefined();
    expect(out.output.next_steps.value).toMatch(/^Make sure your existing topics' policies let CloudWatch and SES publish\./);
  });

  test("two constructs that would share a Terraform name are refused, naming both", () => {
    const app = Testing.app();
    const stack = new SesGuardStack(app, "s", { config: base() });
    expect(() => new SesGuard(stack, "SesGuard2", sesGuardPropsFromConfig(base()))).toThrow(
      /^Two resources map to the Terraform name "[a-z_]+": s\/SesGuard\/.+ and s\/SesGuard2\/.+; give one a different ID$/,
    );
  });
});

describe("SesGuardStack from full.json: from alarm to action", () => {
  test("chat channels subscribe to the topics' attributes, so the topics exist first", () => {
    const json = JSON.parse(fullOut);
    for (const channel of Object.values(json.resource.aws_chatbot_slack_channel_configuration) as any[]) {
      expect(channel.sns_topic_arns).toEqual(["${aws_sns_topic.alarms_topic.arn}", "${aws_sns_topic.ses_event_alerts_topic.arn}"]);
    }
  });

  test("the alarm topic lets the auto-pause rule announce, and the key lets EventBridge encrypt", () => {
    const json = JSON.parse(fullOut);
    const topicPolicy = JSON.parse(json.resource.aws_sns_topic_policy.alarms_topic_policy.policy);
    expect(topicPolicy.Statement.map((s: any) => s.Sid)).toEqual(["AllowOurEventBridgeRules", "AllowCloudWatchAlarmsOfThisAccount"]);
    // The alarm rule, the announcement on the runbook's success and the failed-runbook report: <name>-pause-*.
    expect(topicPolicy.Statement[0].Condition.ArnLike["aws:SourceArn"]).toBe("arn:aws:events:eu-west-1:210987654321:rule/acme-mail-pause-*");
    const ruleNames = Object.values(json.resource.aws_cloudwatch_event_rule as Record<string, any>).map((r) => r.name);
    expect(ruleNames).toEqual(expect.arrayContaining(["acme-mail-pause-on-critical", "acme-mail-pause-announce", "acme-mail-pause-runbook-failed"]));
    const key = JSON.parse(json.resource.aws_kms_key.encryption_key.policy);
    expect(key.Statement.find((s: any) => s.Sid === "EventBridgePublishesToEncryptedTopics").Principal).toEqual({ Service: "events.amazonaws.com" });
  });

  test("without chat or auto-pause, neither the key nor the alarm topic lets EventBridge in", () => {
    const json = JSON.parse(offOut);
    expect(JSON.parse(json.resource.aws_kms_key.encryption_key.policy).Statement.map((s: any) => s.Sid)).not.toContain("EventBridgePublishesToEncryptedTopics");
    expect(json.resource.aws_sns_topic_policy.alarms_topic_policy.policy).not.toContain("events.amazonaws.com");
    expect(json.resource.aws_cloudwatch_event_rule).toBeUndefined();
  });
});
