// Every example config, synthesized and run through real terraform init, validate and an offline plan.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig, SesGuardConfig } from "../modules/config";
import { synthesize } from "../modules/cli";
import { copyStackToTemp, describeTerraform, initValidatePlan, PlanJson, PlannedResource, resourcesOfType } from "./support/terraform";

jest.setTimeout(300_000);

const examplesDir = path.join(__dirname, "..", "examples");
const examples = fs
  .readdirSync(examplesDir)
  .filter((f) => f.endsWith(".json"))
  .sort();

function one(plan: PlanJson, type: string, name: string): PlannedResource {
  const found = resourcesOfType(plan, type).find((r) => r.name === name);
  if (!found) throw new Error(`${type}.${name} not in plan`);
  return found;
}

interface Statement {
  Effect: string;
  Principal?: { Service?: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
const statements = (json: unknown): Statement[] => JSON.parse(String(json)).Statement;

test("there are at least the minimal, full and notifications-off examples", () => {
  expect(examples).toEqual(expect.arrayContaining(["minimal.json", "full.json", "notifications-off.json", "default.json"]));
});

async function planExample(file: string): Promise<{ config: SesGuardConfig; plan: PlanJson }> {
  const config = parseConfig(JSON.parse(fs.readFileSync(path.join(examplesDir, file), "utf8")), file);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-it-"));
  try {
    const stackDir = synthesize(config, path.join(work, "cdktf.out"), work);
    return { config, plan: await initValidatePlan(copyStackToTemp(stackDir), { backend: false }) };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

describeTerraform("examples plan offline with the real aws provider", () => {
  // Started together: most of the time is the provider binary starting, which overlaps well.
  const planned = new Map<string, Promise<{ config: SesGuardConfig; plan: PlanJson }>>();
  beforeAll(() => {
    for (const file of examples) {
      const p = planExample(file);
      p.catch(() => undefined); // reported by the example's own beforeAll
      planned.set(file, p);
    }
  });

  describe.each(examples)("%s", (file) => {
    let config: SesGuardConfig;
    let plan: PlanJson;

    beforeAll(async () => {
      ({ config, plan } = await planned.get(file)!);
    });

    test("reputation alarms use AWS/SES metrics with fractional thresholds", () => {
      const alarms = resourcesOfType(plan, "aws_cloudwatch_metric_alarm");
      const expected = [
        ["alarms_bounce_rate_warning", "Reputation.BounceRate", config.alarms.bounceRatePercent.warning],
        ["alarms_bounce_rate_critical", "Reputation.BounceRate", config.alarms.bounceRatePercent.critical],
        ["alarms_complaint_rate_warning", "Reputation.ComplaintRate", config.alarms.complaintRatePercent.warning],
        ["alarms_complaint_rate_critical", "Reputation.ComplaintRate", config.alarms.complaintRatePercent.critical],
      ] as const;
      expect(alarms.map((a) => a.name).sort()).toEqual(expected.map(([n]) => n).sort());
      for (const [name, metric, percent] of expected) {
        const v = one(plan, "aws_cloudwatch_metric_alarm", name).values;
        expect(v).toMatchObject({
          namespace: "AWS/SES",
          metric_name: metric,
          comparison_operator: "GreaterThanOrEqualToThreshold",
          treat_missing_data: "ignore",
          actions_enabled: true,
          period: config.alarms.periodSeconds,
          evaluation_periods: config.alarms.evaluationPeriods,
        });
        expect(v.threshold).toBeCloseTo(percent / 100, 12);
        expect(v.threshold as number).toBeLessThan(1);
      }
    });

    test("the event destination is explicitly enabled and sends the configured events to Firehose", () => {
      const dest = resourcesOfType(plan, "aws_sesv2_configuration_set_event_destination");
      expect(dest).toHaveLength(1);
      const ed = (dest[0].values.event_destination as Array<Record<string, unknown>>)[0];
      expect(ed.enabled).toBe(true);
      expect([...(ed.matching_event_types as string[])].sort()).toEqual([...config.archive.eventTypes].sort());
      expect(ed.kinesis_firehose_destination).toHaveLength(1);
      const set = resourcesOfType(plan, "aws_sesv2_configuration_set")[0].values;
      expect(set.configuration_set_name).toBe(config.configurationSet.name ?? config.name);
      expect(set.reputation_options).toEqual([expect.objectContaining({ reputation_metrics_enabled: true })]);
    });

    test("the archive bucket is private, encrypted, TLS-only and has the configured lifecycle", () => {
      const bucket = one(plan, "aws_s3_bucket", "archive_bucket").values;
      expect(bucket.force_destroy).toBe(false);
      expect(one(plan, "aws_s3_bucket_public_access_block", "archive_bucket_public_access_block").values).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      const lifecycle = one(plan, "aws_s3_bucket_lifecycle_configuration", "archive_bucket_lifecycle").values;
      const rules = lifecycle.rule as Array<Record<string, unknown>>;
      const tiering = rules.find((r) => r.id === "archive-tiering-and-expiration")!;
      const transitions = (tiering.transition as Array<{ days: number; storage_class: string }>)
        .map((t) => ({ days: t.days, storageClass: t.storage_class }))
        .sort((a, b) => a.days - b.days);
      expect(transitions).toEqual(config.archive.lifecycle.transitions);
      expect(tiering.expiration).toEqual([expect.objectContaining({ days: config.archive.lifecycle.expirationDays })]);
      const abort = rules.find((r) => r.id === "abort-incomplete-multipart-uploads")!;
      expect(abort.abort_incomplete_multipart_upload).toEqual([
        { days_after_initiation: config.archive.lifecycle.abortIncompleteMultipartUploadDays },
      ]);
      const policy = statements(one(plan, "aws_s3_bucket_policy", "archive_bucket_policy").values.policy);
      expect(policy).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      );
    });

    test("the delivery stream writes gzip to the bucket under date prefixes", () => {
      const stream = one(plan, "aws_kinesis_firehose_delivery_stream", "delivery_stream").values;
      expect(stream.destination).toBe("extended_s3");
      const s3 = (stream.extended_s3_configuration as Array<Record<string, unknown>>)[0];
      expect(s3).toMatchObject({
        compression_format: "GZIP",
        buffering_interval: config.archive.bufferingIntervalSeconds,
        buffering_size: config.archive.bufferingSizeMiB,
      });
      expect(s3.prefix).toContain("!{timestamp:yyyy}");
      expect(s3.error_output_prefix).toContain("!{firehose:error-output-type}");
      expect(one(plan, "aws_cloudwatch_log_group", "delivery_stream_log_group").values.retention_in_days).toBe(
        config.archive.logRetentionDays,
      );
    });

    test("service roles trust only this account and the one resource they serve", () => {
      const setName = config.configurationSet.name ?? config.name;
      const cases = [
        ["event_publishing_role", "ses.amazonaws.com", `:configuration-set/${setName}`],
        ["delivery_stream_role", "firehose.amazonaws.com", `:deliverystream/${config.name}-events`],
      ] as const;
      for (const [name, service, arnSuffix] of cases) {
        const [trust] = statements(one(plan, "aws_iam_role", name).values.assume_role_policy);
        expect(trust.Principal).toEqual({ Service: service });
        expect(trust.Condition?.StringEquals?.["aws:SourceAccount"]).toBe(config.accountId);
        expect(String(trust.Condition?.ArnLike?.["aws:SourceArn"])).toMatch(
          new RegExp(`^arn:aws[a-z-]*:[a-z]+:${config.region}:${config.accountId}${arnSuffix.replace(/[.]/g, "\\.")}$`),
        );
      }
      const [put] = statements(one(plan, "aws_iam_role_policy", "event_publishing_role_policy").values.policy);
      expect(put.Action).toBe("firehose:PutRecordBatch");
    });

    test("identity notification topics match the config", () => {
      const topics = resourcesOfType(plan, "aws_ses_identity_notification_topic");
      const n = config.notifications;
      if (!n.enabled) {
        expect(topics).toHaveLength(0);
        expect(resourcesOfType(plan, "aws_sns_topic").map((t) => t.name)).toEqual(["alarms_topic"]);
        return;
      }
      const got = topics.map((t) => `${t.values.identity}/${t.values.notification_type}`).sort();
      const want = n.identities.flatMap((i) => n.types.map((t) => `${i}/${t}`)).sort();
      expect(got).toEqual(want);
      for (const t of topics) expect(t.values.include_original_headers).toBe(n.includeOriginalHeaders);
      const subscribers = resourcesOfType(plan, "aws_sns_topic_subscription")
        .filter((s) => s.name.startsWith("notifications_"))
        .map((s) => s.values.endpoint)
        .sort();
      expect(subscribers).toEqual([...(n.emails ?? config.alarms.emails)].sort());
    });

    test("outputs name the topic, bucket, stream and configuration set", () => {
      const outputs = Object.keys((plan as unknown as { planned_values: { outputs: object } }).planned_values.outputs).sort();
      const expected = ["alarm_topic_arn", "archive_bucket_name", "configuration_set_name", "delivery_stream_name"];
      if (config.notifications.enabled) expected.push("notification_topic_arn");
      expect(outputs).toEqual(expected.sort());
    });
  });
});
