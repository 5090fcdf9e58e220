// The generated Terraform module, called from a hand-written HCL root module
// (test/fixtures/module-root/main.tf), through real terraform init, validate and
// plan with the AWS provider, offline. Then every validation rule, through terraform.
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_EVENT_TYPES, LOG_RETENTION_DAYS, SES_EVENT_TYPES, STORAGE_CLASSES } from "../modules/config";
import { moduleVariables, writeTerraformModule } from "../modules/terraform-module";
import {
  copyStackToTemp,
  describeTerraform,
  initValidatePlan,
  PlanJson,
  PlannedResource,
  plannedResources,
  terraform,
  TerraformResult,
} from "./support/terraform";

jest.setTimeout(300_000);

const fixture = path.join(__dirname, "fixtures", "module-root");
/** Terraform wraps messages at ~78 columns; compare with runs of whitespace as one space. */
const squash = (text: string) => text.replace(/\s+/g, " ");

function managed(plan: PlanJson, module: string): PlannedResource[] {
  return plannedResources(plan).filter((r) => r.mode === "managed" && r.address.startsWith(`module.${module}.`));
}

function at(plan: PlanJson, address: string): Record<string, any> {
  const found = plannedResources(plan).find((r) => r.address === address);
  if (!found) throw new Error(`${address} not in plan`);
  return found.values;
}

const statements = (json: unknown) => JSON.parse(String(json)).Statement as Array<Record<string, any>>;

async function plan(dir: string, vars: string[], out?: string): Promise<{ res: TerraformResult; json?: PlanJson }> {
  const res = await terraform(dir, ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", ...(out ? [`-out=${out}`] : []), ...vars]);
  if (res.code !== 0 || !out) return { res };
  const show = await terraform(dir, ["show", "-json", "-no-color", out]);
  return { res, json: JSON.parse(show.stdout) as PlanJson };
}

describeTerraform("the generated module, called from a hand-written HCL root module", () => {
  let dir: string;
  let planned: PlanJson;
  const variants = new Map<string, Promise<{ res: TerraformResult; json?: PlanJson }>>();
  const started = Date.now();

  beforeAll(async () => {
    dir = copyStackToTemp(fixture);
    writeTerraformModule(path.join(dir, "ses-guard"));
    planned = await initValidatePlan(dir);
    // Plans with other values, started together once init is done (plan writes no state with -lock=false).
    const start = (name: string, vars: string[], out?: string) => {
      const p = plan(dir, vars, out);
      p.catch(() => undefined);
      variants.set(name, p);
    };
    // One plan for both warnings (check blocks): they never stop a plan.
    start("notifications off", ["-var=notifications_enabled=false", "-var=bounce_rate_critical_percent=6"], "off.bin");
    start("bounce_rate_critical_percent=150", ["-var=bounce_rate_critical_percent=150"]);
    start("bounce_rate_warning_percent=4", ["-var=bounce_rate_warning_percent=4"]);
    start("bucket_name=acme.events", ["-var=bucket_name=acme.events"]);
    start("minimal_name_prefix=sthree", ["-var=minimal_name_prefix=sthree"]);
  });

  afterAll(() => {
    console.log(`terraform-module integration: fixture init/validate/plan and ${variants.size} variant plans took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  test("init, validate and plan pass, and the plan holds both module instances' resources", () => {
    // 4 alarms, topic, policy, 2 + 1 subscriptions, 6 bucket resources, 5 stream resources,
    // 4 event publishing resources, notification topic and policy, 2 identities x 3 types.
    expect(managed(planned, "ses_guard")).toHaveLength(4 + 2 + 2 + 6 + 5 + 4 + 2 + 1 + 6);
    expect(managed(planned, "ses_guard_minimal")).toHaveLength(4 + 2 + 1 + 6 + 5 + 4 + 2 + 1 + 2);
    expect(plannedResources(planned).filter((r) => r.mode === "managed" && !r.address.startsWith("module."))).toEqual([]);
  });

  test("alarm thresholds are the percentages as fractions", () => {
    const expected: [string, string, number][] = [
      ["ses_guard", "alarms_bounce_rate_warning", 0.015],
      ["ses_guard", "alarms_bounce_rate_critical", 0.04],
      ["ses_guard", "alarms_complaint_rate_warning", 0.0004],
      ["ses_guard", "alarms_complaint_rate_critical", 0.0008],
      ["ses_guard_minimal", "alarms_bounce_rate_warning", 0.02],
      ["ses_guard_minimal", "alarms_bounce_rate_critical", 0.05],
      ["ses_guard_minimal", "alarms_complaint_rate_warning", 0.0005],
      ["ses_guard_minimal", "alarms_complaint_rate_critical", 0.001],
    ];
    for (const [module, name, fraction] of expected) {
      const alarm = at(planned, `module.${module}.aws_cloudwatch_metric_alarm.${name}`);
      expect([name, alarm.threshold]).toEqual([name, fraction]);
      expect(alarm).toMatchObject({ namespace: "AWS/SES", statistic: "Maximum", comparison_operator: "GreaterThanOrEqualToThreshold", treat_missing_data: "ignore" });
    }
    expect(at(planned, "module.ses_guard.aws_cloudwatch_metric_alarm.alarms_bounce_rate_warning")).toMatchObject({
      alarm_name: "acme-mail-bounce-rate-warning",
      alarm_description: expect.stringContaining("reached 1.5 % (warning). AWS reviews the account at 5 %."),
      period: 3600,
      evaluation_periods: 2,
    });
    expect(at(planned, "module.ses_guard_minimal.aws_cloudwatch_metric_alarm.alarms_bounce_rate_critical")).toMatchObject({ period: 900, evaluation_periods: 1 });
  });

  test("the event destination is enabled and sends the chosen event types to Firehose", () => {
    const full = at(planned, "module.ses_guard.aws_sesv2_configuration_set_event_destination.event_publishing_event_destination");
    expect(full.event_destination[0].enabled).toBe(true);
    expect([...full.event_destination[0].matching_event_types].sort()).toEqual([...SES_EVENT_TYPES].sort());
    const minimal = at(planned, "module.ses_guard_minimal.aws_sesv2_configuration_set_event_destination.event_publishing_event_destination");
    expect(minimal.event_destination[0].enabled).toBe(true);
    // A set in the provider's schema: compared sorted.
    expect([...minimal.event_destination[0].matching_event_types].sort()).toEqual([...DEFAULT_EVENT_TYPES].sort());
    expect(at(planned, "module.ses_guard.aws_sesv2_configuration_set.event_publishing_configuration_set")).toMatchObject({
      configuration_set_name: "acme-transactional",
      delivery_options: [{ tls_policy: "REQUIRE" }],
      reputation_options: [expect.objectContaining({ reputation_metrics_enabled: true })],
    });
    expect(at(planned, "module.ses_guard_minimal.aws_sesv2_configuration_set.event_publishing_configuration_set").configuration_set_name).toBe("ses-guard");
  });

  test("one identity notification topic per identity and type, keyed identity/type", () => {
    const topics = managed(planned, "ses_guard").filter((r) => r.type === "aws_ses_identity_notification_topic");
    const keys = ["acme.example", "billing@acme.example"].flatMap((i) => ["Bounce", "Complaint", "Delivery"].map((t) => `${i}/${t}`));
    expect(topics.map((t) => t.address).sort()).toEqual(keys.map((k) => `module.ses_guard.aws_ses_identity_notification_topic.notifications_identities["${k}"]`).sort());
    for (const t of topics) {
      expect(t.address).toContain(`["${t.values.identity}/${t.values.notification_type}"]`);
      expect(t.values.include_original_headers).toBe(true);
    }
    expect(at(planned, 'module.ses_guard_minimal.aws_ses_identity_notification_topic.notifications_identities["example.com/Bounce"]')).toMatchObject({
      identity: "example.com",
      notification_type: "Bounce",
    });
    const [allow] = statements(at(planned, "module.ses_guard.aws_sns_topic_policy.notifications_policy[0]").policy);
    expect(allow.Condition.ArnLike["aws:SourceArn"]).toEqual([
      "arn:aws:ses:eu-central-1:210987654321:identity/acme.example",
      "arn:aws:ses:eu-central-1:210987654321:identity/billing@acme.example",
    ]);
  });

  test("e-mail subscriptions are keyed by address", () => {
    const subscriptions = managed(planned, "ses_guard").filter((r) => r.type === "aws_sns_topic_subscription");
    expect(subscriptions.map((s) => [s.address.replace("module.ses_guard.aws_sns_topic_subscription.", ""), s.values.endpoint, s.values.protocol]).sort()).toEqual([
      ['alarms_topic_subscriptions["deliverability@acme.example"]', "deliverability@acme.example", "email"],
      ['alarms_topic_subscriptions["oncall@acme.example"]', "oncall@acme.example", "email"],
      ['notifications_subscriptions["ses-bounces-aaaabbbbccccdddd@acme.slack.com"]', "ses-bounces-aaaabbbbccccdddd@acme.slack.com", "email"],
    ]);
  });

  test("the archive bucket has the lifecycle from the dynamic block, and is private and TLS-only", () => {
    const lifecycle = at(planned, "module.ses_guard.aws_s3_bucket_lifecycle_configuration.archive_bucket_lifecycle");
    const tiering = lifecycle.rule.find((r: { id: string }) => r.id === "archive-tiering-and-expiration");
    expect(tiering.transition.map((t: { days: number; storage_class: string }) => [t.days, t.storage_class]).sort((a: number[], b: number[]) => a[0] - b[0])).toEqual([
      [30, "STANDARD_IA"],
      [90, "GLACIER_IR"],
      [180, "DEEP_ARCHIVE"],
    ]);
    expect(tiering.expiration).toEqual([expect.objectContaining({ days: 1095 })]);
    const abort = lifecycle.rule.find((r: { id: string }) => r.id === "abort-incomplete-multipart-uploads");
    expect(abort.abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 3 }]);
    expect(lifecycle.transition_default_minimum_object_size).toBe("all_storage_classes_128K");
    const minimal = at(planned, "module.ses_guard_minimal.aws_s3_bucket_lifecycle_configuration.archive_bucket_lifecycle");
    expect(minimal.rule[0].transition.map((t: { days: number }) => t.days).sort()).toEqual([30, 90]);
    expect(at(planned, "module.ses_guard.aws_s3_bucket.archive_bucket")).toMatchObject({ bucket: "acme-ses-event-archive", force_destroy: false });
    expect(at(planned, "module.ses_guard_minimal.aws_s3_bucket.archive_bucket").bucket).toBe("ses-guard-events-123456789012-us-east-1");
    expect(at(planned, "module.ses_guard.aws_s3_bucket_public_access_block.archive_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const [deny] = statements(at(planned, "module.ses_guard.aws_s3_bucket_policy.archive_bucket_policy").policy);
    expect(deny).toMatchObject({ Effect: "Deny", Resource: ["arn:aws:s3:::acme-ses-event-archive", "arn:aws:s3:::acme-ses-event-archive/*"] });
  });

  test("region, partition and account come from the provider and account_id: names and trust policies", () => {
    const stream = at(planned, "module.ses_guard.aws_kinesis_firehose_delivery_stream.delivery_stream");
    expect(stream.extended_s3_configuration[0]).toMatchObject({
      prefix: "events/eu-central-1/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/",
      buffering_interval: 600,
      buffering_size: 64,
      compression_format: "GZIP",
    });
    expect(at(planned, "module.ses_guard.aws_cloudwatch_log_group.delivery_stream_log_group")).toMatchObject({ name: "/aws/kinesisfirehose/acme-mail-events", retention_in_days: 90 });
    const role = at(planned, "module.ses_guard.aws_iam_role.delivery_stream_role");
    expect(role.name).toBe("acme-mail-firehose-eu-central-1");
    const [trust] = statements(role.assume_role_policy);
    expect(trust.Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "210987654321" },
      ArnLike: { "aws:SourceArn": "arn:aws:firehose:eu-central-1:210987654321:deliverystream/acme-mail-events" },
    });
    const ses = at(planned, "module.ses_guard_minimal.aws_iam_role.event_publishing_role");
    expect(ses.name).toBe("ses-guard-ses-publisher-us-east-1");
    expect(statements(ses.assume_role_policy)[0].Condition.ArnLike["aws:SourceArn"]).toBe("arn:aws:ses:us-east-1:123456789012:configuration-set/ses-guard");
  });

  test("tags go on every taggable resource", () => {
    const tagged = managed(planned, "ses_guard").filter((r) => "tags" in r.values);
    expect(tagged.length).toBeGreaterThanOrEqual(10);
    for (const r of tagged) expect([r.address, r.values.tags]).toEqual([r.address, { team: "platform", "cost-center": "email" }]);
  });

  test("outputs pass through the root module", () => {
    const outputs = planned.planned_values.outputs ?? {};
    expect(outputs.archive_bucket_name.value).toBe("acme-ses-event-archive");
    expect(outputs.configuration_set_name.value).toBe("acme-transactional");
    expect(outputs.delivery_stream_name.value).toBe("acme-mail-events");
    expect(outputs.minimal_archive_bucket_name.value).toBe("ses-guard-events-123456789012-us-east-1");
    expect(Object.keys(planned.output_changes ?? {}).sort()).toEqual(
      ["alarm_topic_arn", "archive_bucket_name", "configuration_set_name", "delivery_stream_name", "minimal_archive_bucket_name", "notification_topic_arn"].sort(),
    );
  });

  test("notifications_enabled = false: no notification resources, a null output, and a warning about the unused identities", async () => {
    const { res, json } = await variants.get("notifications off")!;
    expect(res.code).toBe(0);
    const off = managed(json!, "ses_guard");
    expect(at(json!, "module.ses_guard.aws_cloudwatch_metric_alarm.alarms_bounce_rate_critical").threshold).toBe(0.06);
    expect(off.filter((r) => /notification/.test(r.type) || r.address.includes(".notifications"))).toEqual([]);
    expect(off).toHaveLength(4 + 2 + 2 + 6 + 5 + 4);
    expect(json!.planned_values.outputs?.notification_topic_arn?.value ?? null).toBeNull();
    expect(squash(res.stdout + res.stderr)).toContain(
      "notification_identities is set but notifications_enabled is false; no notification topics are created",
    );
  });

  test("a level above AWS's review level plans, with a warning (as config.ts warns)", async () => {
    const { res } = await variants.get("notifications off")!;
    expect(res.code).toBe(0);
    const out = squash(res.stdout + res.stderr);
    expect(out).toContain("Warning: Check block assertion failed");
    expect(out).toContain("bounce_rate_critical_percent is 6 %, above the 5 % at which AWS puts the account under review; the alarm may fire too late");
  });

  test.each([
    ["bounce_rate_critical_percent=150", "bounce_rate_critical_percent: got 150; allowed: a percentage greater than 0 and less than 100 (5 means 5 %)"],
    ["bounce_rate_warning_percent=4", "bounce_rate_warning_percent: got 4; allowed: a warning level below the critical level (bounce_rate_critical_percent = 4)"],
    [
      "bucket_name=acme.events",
      'bucket_name: got "acme.events"; allowed: an S3 bucket name: lower-case letters, digits and hyphens, starting and ending with a letter or digit (no dots: they break TLS for virtual-hosted requests)',
    ],
    [
      "minimal_name_prefix=sthree",
      `name_prefix: got "sthree"; allowed: a name that makes a valid default bucket name, but "sthree-events-123456789012-us-east-1" breaks S3's rules; change name_prefix or set bucket_name`,
    ],
  ])("-var %s makes terraform plan fail with the module's message", async (name, message) => {
    const { res } = await variants.get(name)!;
    expect(res.code).not.toBe(0);
    const err = squash(res.stderr);
    expect(err).toContain("Error: Invalid value for variable");
    expect(err).toContain(message);
  });
});

// ---------------------------------------------------------------- every rule

/**
 * Each case: -var values on top of a valid base, and the exact messages terraform must
 * give (none for a valid input). Run with `terraform console` against the module's own
 * variables.tf.json, which needs no provider: about 0.2 s a case instead of a plan.
 */
const BASE: Record<string, string> = {
  account_id: "123456789012",
  alarm_emails: '["ops@example.com"]',
  notification_identities: '["example.com"]',
};
const EMAIL = "an e-mail address such as ops@example.com (ASCII, no spaces; punycode for international domains)";
const PERCENT = "a percentage greater than 0 and less than 100 (5 means 5 %)";
const CLASSES = STORAGE_CLASSES.map((c) => `"${c}"`).join(", ");
const tr = (...t: [number, string][]) => `[${t.map(([d, c]) => `{ days = ${d}, storage_class = "${c}" }`).join(", ")}]`;
const got = (...t: [number, string][]) => JSON.stringify(t.map(([days, storage_class]) => ({ days, storage_class })));

const CASES: [string, Record<string, string>, string[]][] = [
  ["the defaults", {}, []],
  ["name_prefix pattern", { name_prefix: "Ses" }, ['name_prefix: got "Ses"; allowed: 1 to 24 lower-case letters, digits or hyphens, starting with a letter']],
  ["name_prefix length", { name_prefix: "a".repeat(25) }, [`name_prefix: got "${"a".repeat(25)}"; allowed: 1 to 24 lower-case letters, digits or hyphens, starting with a letter`]],
  ["name_prefix hyphens", { name_prefix: "ses--guard" }, ['name_prefix: got "ses--guard"; allowed: no trailing or doubled hyphen']],
  ["account_id", { account_id: "12345" }, ['account_id: got "12345"; allowed: a 12-digit AWS account ID, as a string']],
  ["tag key", { tags: '{ "bad{key" = "x" }' }, ['tags: got ["bad{key"]; allowed: a tag key of 1 to 128 letters, digits, spaces or _.:/=+-@']],
  ["tag value", { tags: `{ team = "${"v".repeat(257)}" }` }, ['tags: got ["team"]; allowed: tag values of at most 256 characters']],
  ["alarm_emails empty", { alarm_emails: "[]" }, ["alarm_emails: got []; allowed: a list of at least 1 item(s)"]],
  ["alarm_emails format", { alarm_emails: '["ops@example.com", "not-an-address"]' }, [`alarm_emails: got ["not-an-address"]; allowed: ${EMAIL}`]],
  ["alarm_emails repeated", { alarm_emails: '["ops@example.com", "OPS@Example.com"]' }, ['alarm_emails: got ["OPS@Example.com"]; allowed: each address once (compared without case)']],
  ["bounce critical range", { bounce_rate_critical_percent: "150" }, [`bounce_rate_critical_percent: got 150; allowed: ${PERCENT}`]],
  ["bounce warning range", { bounce_rate_warning_percent: "0" }, [`bounce_rate_warning_percent: got 0; allowed: ${PERCENT}`]],
  ["bounce warning >= critical", { bounce_rate_warning_percent: "5" }, ["bounce_rate_warning_percent: got 5; allowed: a warning level below the critical level (bounce_rate_critical_percent = 5)"]],
  ["complaint critical range", { complaint_rate_critical_percent: "100" }, [`complaint_rate_critical_percent: got 100; allowed: ${PERCENT}`]],
  [
    "complaint warning range",
    { complaint_rate_warning_percent: "-1" },
    [`complaint_rate_warning_percent: got -1; allowed: ${PERCENT}`],
  ],
  [
    "complaint warning >= critical",
    { complaint_rate_warning_percent: "0.2" },
    ["complaint_rate_warning_percent: got 0.2; allowed: a warning level below the critical level (complaint_rate_critical_percent = 0.1)"],
  ],
  ["alarm period", { alarm_period_seconds: "90" }, ["alarm_period_seconds: got 90; allowed: a multiple of 60 from 60 to 86400"]],
  ["evaluation periods whole", { alarm_evaluation_periods: "0" }, ["alarm_evaluation_periods: got 0; allowed: a whole number >= 1"]],
  [
    "evaluation window",
    { alarm_period_seconds: "3600", alarm_evaluation_periods: "25" },
    ["alarm_evaluation_periods: got 25; allowed: at most 24 periods of 3600 s (alarm_period_seconds x alarm_evaluation_periods <= 86400)"],
  ],
  ["configuration set name", { configuration_set_name: "has space" }, ['configuration_set_name: got "has space"; allowed: 1 to 64 letters, digits, hyphens or underscores']],
  ["bucket length", { bucket_name: "ab" }, ['bucket_name: got "ab"; allowed: an S3 bucket name: 3 to 63 characters']],
  [
    "bucket characters",
    { bucket_name: "Acme-events" },
    ['bucket_name: got "Acme-events"; allowed: an S3 bucket name: lower-case letters, digits and hyphens, starting and ending with a letter or digit (no dots: they break TLS for virtual-hosted requests)'],
  ],
  ["bucket prefix", { bucket_name: "xn--events" }, ['bucket_name: got "xn--events"; allowed: an S3 bucket name: a name not starting with a reserved prefix (xn--, sthree-, amzn-s3-demo-)']],
  ["bucket suffix", { bucket_name: "events-s3alias" }, ['bucket_name: got "events-s3alias"; allowed: an S3 bucket name: a name not ending with a reserved suffix (-s3alias, --ol-s3, --x-s3, --table-s3)']],
  ["event types empty", { event_types: "[]" }, ["event_types: got []; allowed: a list of at least 1 item(s)"]],
  ["event type unknown", { event_types: '["SEND", "SENT"]' }, [`event_types: got ["SENT"]; allowed: one of ${SES_EVENT_TYPES.map((t) => `"${t}"`).join(", ")}`]],
  ["event type repeated", { event_types: '["SEND", "SEND"]' }, ['event_types: got ["SEND"]; allowed: each event type once']],
  ["buffering interval", { buffering_interval_seconds: "901" }, ["buffering_interval_seconds: got 901; allowed: a whole number from 0 to 900"]],
  ["buffering size", { buffering_size_mib: "0" }, ["buffering_size_mib: got 0; allowed: a whole number from 1 to 128"]],
  ["transition days", { lifecycle_transitions: tr([1.5, "GLACIER"]) }, [`lifecycle_transitions: got ${got([1.5, "GLACIER"])}; allowed: a whole number of days >= 0 in each transition`]],
  ["transition class", { lifecycle_transitions: tr([30, "COLD"]) }, [`lifecycle_transitions: got ${got([30, "COLD"])}; allowed: a storage_class one of ${CLASSES}`]],
  [
    "30 days for IA",
    { lifecycle_transitions: tr([10, "STANDARD_IA"]) },
    [`lifecycle_transitions: got ${got([10, "STANDARD_IA"])}; allowed: at least 30 days for STANDARD_IA and ONEZONE_IA (an S3 rule)`],
  ],
  [
    "ascending",
    { lifecycle_transitions: tr([30, "STANDARD_IA"], [30, "GLACIER"]) },
    [`lifecycle_transitions: got ${got([30, "GLACIER"])}; allowed: more days than the transition before it; transitions are listed in ascending order`],
  ],
  [
    "class order",
    { lifecycle_transitions: tr([30, "GLACIER"], [200, "STANDARD_IA"]) },
    [`lifecycle_transitions: got ${got([200, "STANDARD_IA"])}; allowed: a class after the previous transition's in S3's order ${STORAGE_CLASSES.join(" > ")}`],
  ],
  [
    "minimum storage between transitions",
    { lifecycle_transitions: tr([30, "STANDARD_IA"], [40, "GLACIER"]) },
    [
      `lifecycle_transitions: got ${got([40, "GLACIER"])}; allowed: at least the previous class's minimum storage days after the previous transition (STANDARD_IA 30, INTELLIGENT_TIERING 0, ONEZONE_IA 30, GLACIER_IR 90, GLACIER 90, DEEP_ARCHIVE 180)`,
    ],
  ],
  [
    "expiration after the last transition",
    { expiration_days: "100" },
    ["expiration_days: got 100; allowed: at least 180 days: after the last transition (90 days to GLACIER) plus its minimum storage, which S3 bills anyway"],
  ],
  [
    "expiration whole",
    { expiration_days: "0" },
    [
      "expiration_days: got 0; allowed: a whole number >= 1",
      "expiration_days: got 0; allowed: at least 180 days: after the last transition (90 days to GLACIER) plus its minimum storage, which S3 bills anyway",
    ],
  ],
  ["multipart days", { abort_incomplete_multipart_upload_days: "366" }, ["abort_incomplete_multipart_upload_days: got 366; allowed: a whole number from 1 to 365"]],
  ["log retention", { log_retention_days: "31" }, [`log_retention_days: got 31; allowed: one of ${LOG_RETENTION_DAYS.join(", ")}`]],
  [
    "identity format",
    { notification_identities: '["example.com", "not an identity"]' },
    [
      'notification_identities: got ["not an identity"]; allowed: an SES identity: a domain such as example.com or an address such as sender@example.com (ASCII, punycode for international domains)',
    ],
  ],
  ["identity repeated", { notification_identities: '["example.com", "EXAMPLE.com"]' }, ['notification_identities: got ["EXAMPLE.com"]; allowed: each identity once (compared without case)']],
  [
    "identities while enabled",
    { notification_identities: "[]" },
    ["notification_identities: got []; allowed: at least one SES identity while notifications are enabled (or set notifications_enabled to false)"],
  ],
  ["no identities while disabled", { notification_identities: "[]", notifications_enabled: "false" }, []],
  ["notification type", { notification_types: '["Bounce", "Open"]' }, ['notification_types: got ["Open"]; allowed: one of "Bounce", "Complaint", "Delivery"']],
  ["notification types empty", { notification_types: "[]" }, ["notification_types: got []; allowed: a list of at least 1 item(s)"]],
  ["notification type repeated", { notification_types: '["Bounce", "Bounce"]' }, ['notification_types: got ["Bounce"]; allowed: each notification type once']],
  ["notification e-mail", { notification_emails: '["x@"]' }, [`notification_emails: got ["x@"]; allowed: ${EMAIL}`]],
  ["notification e-mails empty", { notification_emails: "[]" }, []],
  [
    "notification e-mail repeated",
    { notification_emails: '["a@example.com", "A@example.com"]' },
    ['notification_emails: got ["A@example.com"]; allowed: each address once (compared without case)'],
  ],
  ["null entries", { alarm_emails: "[null]" }, [`alarm_emails: got [null]; allowed: ${EMAIL}`]],
  [
    "boundaries that are allowed",
    {
      name_prefix: "a",
      bounce_rate_warning_percent: "99.8",
      bounce_rate_critical_percent: "99.9",
      alarm_period_seconds: "86400",
      bucket_name: "a".repeat(63),
      buffering_interval_seconds: "0",
      buffering_size_mib: "128",
      lifecycle_transitions: tr([0, "INTELLIGENT_TIERING"], [1, "GLACIER"]),
      expiration_days: "91",
      abort_incomplete_multipart_upload_days: "365",
      log_retention_days: "3653",
      tags: '{ "Ünï cödé:key/=+-@" = "" }',
    },
    [],
  ],
  ["no transitions", { lifecycle_transitions: "[]", expiration_days: "1" }, []],
];

/** The module's variables.tf.json without the rules that read a data source (the fixture plan covers those). */
function variablesOnly(moduleDir: string, dir: string): void {
  const doc = JSON.parse(fs.readFileSync(path.join(moduleDir, "variables.tf.json"), "utf8"));
  for (const v of Object.values(doc.variable) as { validation?: { condition: string }[] }[]) {
    if (v.validation) v.validation = v.validation.filter((r) => !r.condition.includes("data."));
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "variables.tf.json"), JSON.stringify(doc, null, 2));
}

/** The validation messages terraform prints, whitespace-squashed. */
function validationMessages(stderr: string): string[] {
  return [...squash(stderr).matchAll(/Error: Invalid value for variable .*?([a-z_]+: got .*?) This was checked by/g)].map((m) => m[1]);
}

describeTerraform("every validation rule of the module, through terraform", () => {
  const results = new Map<string, Promise<TerraformResult>>();

  beforeAll(async () => {
    const moduleDir = path.join(copyStackToTemp(fixture), "ses-guard");
    writeTerraformModule(moduleDir);
    // A few at a time, each worker in its own folder: console takes the (empty) state's lock. No init: no provider, no module.
    const queue = [...CASES];
    const worker = async (n: number) => {
      const dir = path.join(path.dirname(moduleDir), `variables-only-${n}`);
      variablesOnly(moduleDir, dir);
      for (let c = queue.shift(); c; c = queue.shift()) {
        const [name, vars] = c;
        const args = Object.entries({ ...BASE, ...vars }).map(([k, v]) => `-var=${k}=${v}`);
        const p = terraform(dir, ["console", "-no-color", ...args]);
        results.set(name, p);
        await p.catch(() => undefined);
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
  });

  test.each(CASES)("%s", async (name, _vars, expected) => {
    const res = await results.get(name)!;
    expect(validationMessages(res.stderr)).toEqual(expected);
    // Terraform also evaluates messages of rules that pass: none may fail to evaluate.
    expect(squash(res.stderr)).not.toContain("Validation error message expression is invalid");
    if (!expected.length) expect(squash(res.stderr)).not.toContain("Error:");
  });

  test("every rule of every variable is exercised by a case (the one reading the region by the fixture plan)", () => {
    const expectedMessages = CASES.flatMap(([, , m]) => m);
    const missing: string[] = [];
    for (const spec of moduleVariables()) {
      for (const rule of spec.rules) {
        if (rule.condition.includes("data.")) continue;
        const fixed = rule.allowed.split("${")[0];
        if (!expectedMessages.some((m) => m.startsWith(`${spec.name}: got `) && m.includes(`; allowed: ${fixed}`))) missing.push(`${spec.name}: ${fixed}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
