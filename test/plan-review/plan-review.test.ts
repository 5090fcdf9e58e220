// Plan review on small hand-built plan JSON: parsing and bad input, counts, every risk flag
// raised and not raised, the Markdown (determinism, escaping, folding), the CLI and its exit codes,
// and the example GitHub Actions workflow.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { DETAILS_THRESHOLD, parsePlan, parsePlanText, PlanInputError, reviewPlan, Risk, RISK_KINDS, RiskKind } from "../../modules/plan-review/plan-review";
import { isWideResource, policyWidening } from "../../modules/plan-review/plan-review-policy";
import { reviewMain } from "../../modules/plan-review/review-cli";

const root = path.join(__dirname, "..", "..");

// ---------------------------------------------------------------- builders

type Values = Record<string, unknown> | null;

interface RcOptions {
  after_unknown?: unknown;
  importing?: Record<string, unknown>;
  action_reason?: string;
  replace_paths?: unknown[];
  previous_address?: string;
  deposed?: string;
  module_address?: string;
  mode?: string;
}

/** One resource_changes entry; the address is type.name. */
function rc(type: string, name: string, actions: string[], before: Values, after: Values, opts: RcOptions = {}) {
  const { after_unknown, importing, replace_paths, ...top } = opts;
  return {
    address: `${opts.module_address ? `${opts.module_address}.` : ""}${type}.${name}`,
    mode: "managed",
    type,
    name,
    provider_name: "registry.terraform.io/hashicorp/aws",
    ...top,
    change: { actions, before, after, after_unknown: after_unknown ?? {}, ...(importing ? { importing } : {}), ...(replace_paths ? { replace_paths } : {}) },
  };
}

const update = (type: string, before: Values, after: Values, opts?: RcOptions) => rc(type, "x", ["update"], before, after, opts);
const create = (type: string, after: Values, opts?: RcOptions) => rc(type, "x", ["create"], null, after, opts);
const destroy = (type: string, before: Values, opts?: RcOptions) => rc(type, "x", ["delete"], before, null, opts);
const replace = (type: string, before: Values, after: Values, opts?: RcOptions) =>
  rc(type, "x", ["delete", "create"], before, after, { action_reason: "replace_because_cannot_update", ...opts });

function planOf(changes: unknown[], extra: Record<string, unknown> = {}) {
  return { format_version: "1.2", terraform_version: "1.11.4", planned_values: { root_module: {} }, resource_changes: changes, ...extra };
}

const review = (changes: unknown[], extra?: Record<string, unknown>) => reviewPlan(parsePlan(planOf(changes, extra), "plan.json"));
const risks = (...changes: unknown[]): readonly Risk[] => review(changes).risks;
const kinds = (...changes: unknown[]): RiskKind[] => risks(...changes).map((r) => r.kind);

// Values as the aws provider plans them (trimmed to what matters).
const alarm = (over: Record<string, unknown> = {}) => ({
  alarm_name: "ses-guard-bounce-rate-critical",
  namespace: "AWS/SES",
  metric_name: "Reputation.BounceRate",
  threshold: 0.05,
  actions_enabled: true,
  alarm_actions: ["arn:aws:sns:us-east-1:123456789012:ses-guard-alarms"],
  ok_actions: ["arn:aws:sns:us-east-1:123456789012:ses-guard-alarms"],
  ...over,
});
const complaintAlarm = (threshold: number) => alarm({ alarm_name: "c", metric_name: "Reputation.ComplaintRate", threshold });
const destination = (enabled: boolean, types: string[]) => ({
  configuration_set_name: "ses-guard",
  event_destination_name: "archive-to-firehose",
  event_destination: [
    {
      enabled,
      matching_event_types: types,
      kinesis_firehose_destination: [
        { delivery_stream_arn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/ses-guard-events", iam_role_arn: "arn:aws:iam::123456789012:role/r" },
      ],
    },
  ],
});
const DEFAULT_TYPES = ["BOUNCE", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY", "REJECT", "RENDERING_FAILURE", "SEND"];
const lifecycle = (expirationDays: number | null, status = "Enabled") => ({
  bucket: "archive",
  rule: [
    {
      id: "archive-tiering-and-expiration",
      status,
      transition: [
        { days: 90, storage_class: "GLACIER", date: null },
        { days: 30, storage_class: "STANDARD_IA", date: null },
      ],
      expiration: expirationDays === null ? [] : [{ days: expirationDays, date: null }],
    },
    {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      transition: [],
      expiration: [],
    },
  ],
});
const bucket = (name = "archive", forceDestroy = false) => ({ bucket: name, force_destroy: forceDestroy });
const stream = (over: Record<string, unknown> = {}) => ({
  name: "ses-guard-events",
  destination: "extended_s3",
  server_side_encryption: [{ enabled: true, key_type: "AWS_OWNED_CMK", key_arn: null }],
  extended_s3_configuration: [
    { bucket_arn: "arn:aws:s3:::archive", buffering_interval: 900, buffering_size: 128, compression_format: "GZIP", kms_key_arn: null },
  ],
  ...over,
});
const pab = (on = true) => ({ bucket: "archive", block_public_acls: on, block_public_policy: on, ignore_public_acls: true, restrict_public_buckets: true });
const sse = (algorithm: string, key: string | null = null) => ({
  bucket: "archive",
  rule: [{ bucket_key_enabled: true, apply_server_side_encryption_by_default: [{ sse_algorithm: algorithm, kms_master_key_id: key }] }],
});
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const tlsDeny = {
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: ["arn:aws:s3:::archive", "arn:aws:s3:::archive/*"],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const trust = (condition: Record<string, unknown> | undefined) =>
  doc({
    Sid: "AllowServiceForThisResourceOnly",
    Effect: "Allow",
    Principal: { Service: "firehose.amazonaws.com" },
    Action: "sts:AssumeRole",
    ...(condition ? { Condition: condition } : {}),
  });
const GUARDED = {
  StringEquals: { "aws:SourceAccount": "123456789012" },
  ArnLike: { "aws:SourceArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/s" },
};
const writeObjects = (actions: string | string[], resource: string | string[] = "arn:aws:s3:::archive/*") =>
  doc({ Sid: "WriteObjects", Effect: "Allow", Action: actions, Resource: resource });
const notification = (type: string, topic: string | null = "arn:aws:sns:us-east-1:123456789012:ses-guard-notifications") => ({
  identity: "example.com",
  notification_type: type,
  topic_arn: topic,
  include_original_headers: true,
});

// ---------------------------------------------------------------- bad input

describe("bad input gets one clear line", () => {
  const rejects = (text: string, ...fragments: string[]) => {
    let error: unknown;
    try {
      parsePlanText(text, "plan.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlanInputError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    expect(message.startsWith("plan.json: ")).toBe(true);
    expect(message).toContain("allowed:");
    for (const f of fragments) expect(message).toContain(f);
    return message;
  };

  test("not JSON, with where it broke", () => {
    const message = rejects('{"format_version": "1.2",\n  "resource_changes" 1}', "not valid JSON", "terraform show -json <planfile>");
    // Node reports a position for this error (line and column of the offending token), and a reason.
    expect(message).toMatch(/not valid JSON( at line 2, column 22)? \((Unexpected number|Expected ':')/);
    rejects('{"resource_changes": [,]}', "not valid JSON (Unexpected token ',')");
    // V8 quotes the text around the error; a huge plan must not end up in the message.
    const long = rejects(`[${"1,".repeat(500)}]`, "not valid JSON (Unexpected token ']')");
    expect(long.length).toBeLessThan(200);
  });

  test("terraform's text output is recognized", () => {
    rejects("Terraform will perform the following actions:\n", "not valid JSON", "looks like terraform's text output");
  });

  test("a binary plan file (a zip: terraform plan -out) gets the terraform show -json hint too", () => {
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x08, 0x00, 0x08, 0x00, 0xff, 0xfe]).toString("utf8");
    expect(rejects(zip)).toBe(
      "plan.json: not valid JSON (Unexpected token 'P') (this looks like a binary plan file saved by terraform plan -out; use terraform show -json <planfile>); allowed: the output of \"terraform show -json <planfile>\" (plan format_version 1.x)",
    );
    // Text that merely starts with "PK" is not taken for one.
    expect(rejects("PKG")).not.toContain("binary plan file");
  });

  test("empty input", () => {
    rejects("  \n", "got empty input");
  });

  test.each([
    ["[]", "got a JSON array"],
    ['"plan"', 'got string "plan"'],
    ["42", "got number 42"],
    ["null", "got null"],
    ["{}", "got an empty JSON object"],
    ['{"a": 1, "b": 2}', 'got a JSON object with keys "a", "b"'],
  ])("JSON that is not a plan: %s", (text, got) => {
    rejects(text, "not a Terraform plan", got);
  });

  test("a state file is told apart from a plan", () => {
    rejects(
      JSON.stringify({ format_version: "1.0", terraform_version: "1.11.4", values: {} }),
      "got a Terraform state",
      "run terraform show -json on a plan file",
    );
  });

  test("Terraform configuration (cdk.tf.json) is told apart from a plan", () => {
    rejects(JSON.stringify({ terraform: {}, provider: {}, resource: {} }), "got Terraform configuration");
  });

  test.each(["2.0", "0.2", "1", "1.2.3", "v1.2"])("unsupported format_version %s", (version) => {
    rejects(JSON.stringify(planOf([], { format_version: version })), `format_version ${JSON.stringify(version)} is not supported`, "allowed: 1.x");
  });

  test("a plan without format_version", () => {
    rejects(JSON.stringify({ resource_changes: [] }), "format_version: got none", 'a string "1.x"');
  });

  test.each(["1.0", "1.2", "1.10"])("format_version %s is accepted", (version) => {
    expect(parsePlanText(JSON.stringify(planOf([], { format_version: version })), "plan.json").formatVersion).toBe(version);
  });

  test("malformed resource_changes name the entry and field", () => {
    rejects(JSON.stringify(planOf({} as unknown as unknown[])), "resource_changes: got a JSON object", "allowed: a JSON array");
    rejects(JSON.stringify(planOf(["x"])), "resource_changes[0]: got string");
    const bad = rc("aws_s3_bucket", "b", ["create"], null, {});
    rejects(
      JSON.stringify(planOf([{ ...bad, change: { ...bad.change, actions: "create" } }])),
      'resource_changes[0].change.actions: got "create"',
      'allowed: a list of actions such as ["create"]',
    );
    rejects(JSON.stringify(planOf([{ ...bad, type: undefined }])), "resource_changes[0].type: got none", "allowed: a string");
    rejects(JSON.stringify(planOf([{ ...bad, change: undefined }])), "resource_changes[0].change: got none");
  });

  test("a plan with no resource_changes at all is an empty plan", () => {
    const r = reviewPlan(parsePlanText(JSON.stringify({ format_version: "1.2", planned_values: {} }), "plan.json"));
    expect(r.counts).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0, import: 0, unchanged: 0 });
    expect(r.markdown).toContain("No changes.");
  });
});

// ---------------------------------------------------------------- counts

describe("counts", () => {
  test("create, update, replace (both orders), delete, import, unchanged; data sources ignored", () => {
    const r = review([
      rc("aws_sns_topic", "a", ["create"], null, { name: "a" }),
      rc("aws_sns_topic", "b", ["update"], { name: "b" }, { name: "b" }),
      rc("aws_sns_topic", "c", ["delete", "create"], { name: "c" }, { name: "c2" }),
      rc("aws_sns_topic", "d", ["create", "delete"], { name: "d" }, { name: "d2" }),
      rc("aws_sns_topic", "e", ["delete"], { name: "e" }, null),
      rc("aws_sns_topic", "f", ["no-op"], { name: "f" }, { name: "f" }, { importing: { id: "arn:aws:sns:us-east-1:123456789012:f" } }),
      rc("aws_sns_topic", "g", ["update"], { name: "g" }, { name: "g" }, { importing: { id: "g" } }),
      rc("aws_sns_topic", "h", ["no-op"], { name: "h" }, { name: "h" }),
      rc("aws_sns_topic", "i", ["forget"], { name: "i" }, null),
      rc("aws_caller_identity", "me", ["read"], null, {}, { mode: "data" }),
    ]);
    expect(review([]).counts.other).toEqual({});
    expect(r.counts).toEqual({ create: 1, update: 2, replace: 2, delete: 1, import: 2, unchanged: 1, other: { forget: 1 } });
    expect(r.markdown).toContain("**Plan:** 1 to create, 2 to update, 2 to replace, 1 to delete, 2 to import, 1 to forget; 1 unchanged.");
    expect(r.markdown).not.toContain("aws_caller_identity");
  });

  test("the resources table says why a replace happens, what is imported, moved or deposed", () => {
    const md = review([
      rc("aws_s3_bucket", "a", ["delete", "create"], bucket("a"), bucket("a2"), {
        action_reason: "replace_because_cannot_update",
        replace_paths: [["bucket"]],
      }),
      rc("aws_s3_bucket", "b", ["delete", "create"], bucket("b"), bucket("b"), { action_reason: "replace_by_request" }),
      rc("aws_s3_bucket", "c", ["delete", "create"], bucket("c"), bucket("c"), { action_reason: "replace_because_tainted" }),
      rc("aws_sns_topic", "d", ["no-op"], { name: "d" }, { name: "d" }, { importing: { id: "arn:aws:sns:us-east-1:1:d" } }),
      rc("aws_sns_topic", "e", ["no-op"], { name: "e" }, { name: "e" }, { previous_address: "aws_sns_topic.old" }),
      rc("aws_sns_topic", "f", ["delete"], { name: "f" }, null, { deposed: "00000001" }),
    ]).markdown;
    expect(md).toContain("| replace | `aws_s3_bucket.a` | `bucket` cannot change in place |");
    expect(md).toContain("| replace | `aws_s3_bucket.b` | requested with -replace |");
    expect(md).toContain("| replace | `aws_s3_bucket.c` | the object is tainted |");
    expect(md).toContain("| import | `aws_sns_topic.d` | import ID `arn:aws:sns:us-east-1:1:d` |");
    expect(md).toContain("| move | `aws_sns_topic.e` | moved from `aws_sns_topic.old` |");
    expect(md).toContain("| delete | `aws_sns_topic.f` | deposed object `00000001` |");
  });
});

// ---------------------------------------------------------------- risk flags: raised, and not raised

describe("every risk flag has a heading and a test", () => {
  test("the kinds listed here are all the kinds there are", () => {
    expect(Object.keys(RISK_KINDS).sort()).toEqual(
      [
        "alarm-actions-emptied",
        "alarm-level-changed",
        "alarm-removed",
        "auto-pause-added",
        "auto-pause-removed",
        "auto-pause-scope-changed",
        "bucket-destroyed",
        "chat-channel-added",
        "chat-channel-removed",
        "dashboard-removed",
        "data-bearing-destroyed",
        "data-bearing-forgotten",
        "configuration-set-destroyed",
        "delivery-stream-destroyed",
        "encryption-weakened",
        "event-destination-disabled",
        "event-types-lost",
        "event-types-reduced",
        "iam-policy-widened",
        "notification-topic-overwritten",
        "notifications-removed",
        "public-access-weakened",
        "retention-changed",
        "retention-shortened",
        "threshold-above-review-level",
      ].sort(),
    );
  });
});

test("docs/reviewing-plans.md's flag table lists every kind", () => {
  const readme = fs.readFileSync(path.join(root, "docs", "reviewing-plans.md"), "utf8");
  expect(Object.keys(RISK_KINDS).filter((k) => !readme.includes(`| \`${k}\` |`))).toEqual([]);
});

describe("bucket-destroyed", () => {
  test("raised on delete and on replace, with the data-loss reason", () => {
    expect(kinds(destroy("aws_s3_bucket", bucket()))).toEqual(["bucket-destroyed"]);
    const [r] = risks(replace("aws_s3_bucket", bucket("a"), bucket("b"), { replace_paths: [["bucket"]] }));
    expect(r).toMatchObject({ kind: "bucket-destroyed", level: "high", address: "aws_s3_bucket.x" });
    expect(r.reason).toContain("S3 bucket `a` is replaced (`bucket` cannot change in place)");
    expect(r.reason).toContain("force_destroy = false");
    expect(risks(destroy("aws_s3_bucket", bucket("a", true)))[0].reason).toContain("every object in it is deleted with it");
  });

  test("names the Firehose stream that writes to it, found by value, not by name", () => {
    const [r] = risks(destroy("aws_s3_bucket", bucket("archive")), rc("aws_kinesis_firehose_delivery_stream", "anything", ["no-op"], stream(), stream()));
    expect(r.reason).toContain("Event archive bucket `archive` (written by Firehose stream `ses-guard-events`)");
  });

  test("not raised on create, update or no-op", () => {
    expect(
      kinds(
        create("aws_s3_bucket", bucket()),
        update("aws_s3_bucket", bucket(), bucket("archive", true)),
        rc("aws_s3_bucket", "n", ["no-op"], bucket(), bucket()),
      ),
    ).toEqual([]);
  });
});

describe("delivery-stream-destroyed and configuration-set-destroyed", () => {
  test("raised on delete and replace", () => {
    expect(kinds(destroy("aws_kinesis_firehose_delivery_stream", stream()))).toEqual(["delivery-stream-destroyed"]);
    expect(kinds(replace("aws_kinesis_firehose_delivery_stream", stream(), stream({ name: "other" })))).toEqual(["delivery-stream-destroyed"]);
    expect(kinds(destroy("aws_sesv2_configuration_set", { configuration_set_name: "s" }))).toEqual(["configuration-set-destroyed"]);
    expect(kinds(replace("aws_sesv2_configuration_set", { configuration_set_name: "s" }, { configuration_set_name: "t" }))).toEqual([
      "configuration-set-destroyed",
    ]);
    expect(risks(destroy("aws_sesv2_configuration_set", { configuration_set_name: "s" }))[0].reason).toContain("Configuration set `s` is deleted");
  });

  test("not raised on update or create", () => {
    const buffered = stream({ extended_s3_configuration: [{ bucket_arn: "arn:aws:s3:::archive", buffering_interval: 300, buffering_size: 64 }] });
    expect(kinds(update("aws_kinesis_firehose_delivery_stream", stream(), buffered), create("aws_kinesis_firehose_delivery_stream", stream()))).toEqual([]);
    expect(kinds(update("aws_sesv2_configuration_set", { configuration_set_name: "s" }, { configuration_set_name: "s" }))).toEqual([]);
  });
});

describe("event-destination-disabled", () => {
  test("raised when disabled, created disabled, or deleted", () => {
    expect(kinds(update("aws_sesv2_configuration_set_event_destination", destination(true, DEFAULT_TYPES), destination(false, DEFAULT_TYPES)))).toEqual([
      "event-destination-disabled",
    ]);
    expect(risks(create("aws_sesv2_configuration_set_event_destination", destination(false, DEFAULT_TYPES)))[0].reason).toContain("created disabled");
    expect(kinds(destroy("aws_sesv2_configuration_set_event_destination", destination(true, DEFAULT_TYPES)))).toEqual(["event-destination-disabled"]);
  });

  test("SES v1 event destinations too", () => {
    const v1 = (enabled: boolean, types: string[]) => ({ name: "d", configuration_set_name: "s", enabled, matching_types: types });
    expect(kinds(update("aws_ses_event_destination", v1(true, ["bounce", "send"]), v1(false, ["bounce", "send"])))).toEqual(["event-destination-disabled"]);
    expect(kinds(update("aws_ses_event_destination", v1(true, ["bounce", "send"]), v1(true, ["send"])))).toEqual(["event-types-lost"]);
  });

  test("not raised when it stays enabled, is created enabled, or is replaced enabled", () => {
    expect(
      kinds(
        update("aws_sesv2_configuration_set_event_destination", destination(true, DEFAULT_TYPES), destination(true, DEFAULT_TYPES)),
        create("aws_sesv2_configuration_set_event_destination", destination(true, DEFAULT_TYPES)),
        replace("aws_sesv2_configuration_set_event_destination", destination(true, DEFAULT_TYPES), destination(true, DEFAULT_TYPES)),
      ),
    ).toEqual([]);
    // Re-enabling is a fix, not a risk.
    expect(kinds(update("aws_sesv2_configuration_set_event_destination", destination(false, DEFAULT_TYPES), destination(true, DEFAULT_TYPES)))).toEqual([]);
  });
});

describe("event-types-lost and event-types-reduced", () => {
  const change = (before: string[], after: string[]) =>
    update("aws_sesv2_configuration_set_event_destination", destination(true, before), destination(true, after));

  test("losing BOUNCE or COMPLAINT is high", () => {
    const [r] = risks(
      change(
        DEFAULT_TYPES,
        DEFAULT_TYPES.filter((t) => t !== "COMPLAINT"),
      ),
    );
    expect(r).toMatchObject({ kind: "event-types-lost", level: "high" });
    expect(r.reason).toContain("stops archiving `COMPLAINT`");
    expect(risks(change(["BOUNCE", "COMPLAINT"], ["SEND"]))[0].reason).toContain("`BOUNCE` and `COMPLAINT`");
  });

  test("losing other types is low, and only that", () => {
    expect(risks(change(DEFAULT_TYPES, ["BOUNCE", "COMPLAINT"])).map((r) => [r.kind, r.level])).toEqual([["event-types-reduced", "low"]]);
  });

  test("not raised when types are added or reordered", () => {
    expect(kinds(change(DEFAULT_TYPES, [...DEFAULT_TYPES, "OPEN"].reverse()))).toEqual([]);
  });
});

describe("retention-shortened", () => {
  const change = (before: number | null, after: number | null, status = "Enabled") =>
    update("aws_s3_bucket_lifecycle_configuration", lifecycle(before), lifecycle(after, status));

  test("raised when expiration comes sooner, or appears where objects never expired", () => {
    const [r] = risks(change(730, 365));
    expect(r).toMatchObject({ kind: "retention-shortened", level: "high" });
    expect(r.reason).toContain("Objects in `archive` now expire after 365 days (they expired after 730 days)");
    expect(risks(change(null, 365))[0].reason).toContain("(they never expired)");
    expect(kinds(replace("aws_s3_bucket_lifecycle_configuration", lifecycle(730), lifecycle(90)))).toEqual(["retention-shortened"]);
  });

  test("not raised when retention grows, stays, is removed, or the rule is disabled; nor on create", () => {
    // Each is still said in words (retention-changed, low), except the one that changes nothing.
    expect(kinds(change(365, 730), change(730, 730), change(730, null), change(730, 30, "Disabled"))).toEqual([
      "retention-changed",
      "retention-changed",
      "retention-changed",
    ]);
    // A deleted lifecycle is a data-bearing resource destroyed, not a shorter retention.
    expect(kinds(create("aws_s3_bucket_lifecycle_configuration", lifecycle(30)), destroy("aws_s3_bucket_lifecycle_configuration", lifecycle(730)))).toEqual([
      "data-bearing-destroyed",
    ]);
  });
});

describe("alarm-removed", () => {
  test("raised when an SES alarm is deleted", () => {
    const [r] = risks(destroy("aws_cloudwatch_metric_alarm", alarm()));
    expect(r).toMatchObject({ kind: "alarm-removed", level: "high" });
    expect(r.reason).toContain("Alarm `ses-guard-bounce-rate-critical` on `Reputation.BounceRate` is deleted: nobody is told when the rate rises");
    const freshness = { alarm_name: "ses-guard-archive-data-freshness", namespace: "AWS/Firehose", metric_name: "DeliveryToS3.DataFreshness", threshold: 900 };
    expect(risks(destroy("aws_cloudwatch_metric_alarm", freshness))[0].reason).toContain("nobody is told when the archive stops receiving events");
    const mathAlarm = {
      alarm_name: "m",
      namespace: null,
      metric_query: [{ id: "m1", metric: [{ namespace: "AWS/SES", metric_name: "Reputation.BounceRate" }] }],
    };
    expect(kinds(destroy("aws_cloudwatch_metric_alarm", mathAlarm))).toEqual(["alarm-removed"]);
  });

  test("not raised for a replaced SES alarm or a deleted alarm on another namespace", () => {
    expect(kinds(replace("aws_cloudwatch_metric_alarm", alarm(), alarm({ alarm_name: "renamed" })))).toEqual([]);
    expect(kinds(destroy("aws_cloudwatch_metric_alarm", alarm({ namespace: "AWS/EC2", metric_name: "CPUUtilization" })))).toEqual([]);
  });
});

describe("alarm-actions-emptied", () => {
  test("raised when alarm actions are emptied or disabled, or an alarm is created without any", () => {
    expect(kinds(update("aws_cloudwatch_metric_alarm", alarm(), alarm({ alarm_actions: [] })))).toEqual(["alarm-actions-emptied"]);
    expect(kinds(update("aws_cloudwatch_metric_alarm", alarm(), alarm({ alarm_actions: null })))).toEqual(["alarm-actions-emptied"]);
    const [r] = risks(update("aws_cloudwatch_metric_alarm", alarm(), alarm({ actions_enabled: false })));
    expect(r.reason).toContain("actions disabled");
    expect(kinds(create("aws_cloudwatch_metric_alarm", alarm({ alarm_actions: [] })))).toEqual(["alarm-actions-emptied"]);
  });

  test("not raised when actions are only known after apply, kept, or were already empty", () => {
    const unknown = { ...alarm() } as Record<string, unknown>;
    delete unknown.alarm_actions;
    expect(kinds(create("aws_cloudwatch_metric_alarm", unknown, { after_unknown: { alarm_actions: true } }))).toEqual([]);
    expect(kinds(update("aws_cloudwatch_metric_alarm", alarm(), alarm({ alarm_actions: ["arn:aws:sns:us-east-1:1:other"] })))).toEqual([]);
    expect(kinds(update("aws_cloudwatch_metric_alarm", alarm({ alarm_actions: [] }), alarm({ alarm_actions: [], alarm_description: "x" })))).toEqual([]);
  });
});

describe("threshold-above-review-level", () => {
  test("raised when a bounce threshold rises above 5 % or a complaint threshold above 0.1 %", () => {
    const [r] = risks(update("aws_cloudwatch_metric_alarm", alarm({ threshold: 0.05 }), alarm({ threshold: 0.06 })));
    expect(r).toMatchObject({ kind: "threshold-above-review-level", level: "high" });
    expect(r.reason).toContain("raised from 5 % to 6 %, above the 5 % bounce rate");
    expect(risks(update("aws_cloudwatch_metric_alarm", complaintAlarm(0.001), complaintAlarm(0.0015)))[0].reason).toContain(
      "raised from 0.1 % to 0.15 %, above the 0.1 % complaint rate",
    );
    expect(risks(create("aws_cloudwatch_metric_alarm", alarm({ threshold: 0.07 })))[0].reason).toContain("set to 7 %");
  });

  test("not raised for a configuration set's own alarm: AWS reviews the account's rate, flagged on the account's alarm", () => {
    const perSet = (threshold: number) => alarm({ threshold, dimensions: { "ses:configuration-set": "shop" } });
    // The set's own level change is still said in words (alarm-level-changed, low).
    expect(kinds(update("aws_cloudwatch_metric_alarm", perSet(0.05), perSet(0.06)))).toEqual(["alarm-level-changed"]);
    expect(kinds(update("aws_cloudwatch_metric_alarm", alarm({ threshold: 0.05 }), alarm({ threshold: 0.06 })))).toEqual(["threshold-above-review-level"]);
  });

  test("not raised at or below the review level, for other metrics, or when lowered (still above)", () => {
    expect(
      kinds(
        update("aws_cloudwatch_metric_alarm", alarm({ threshold: 0.02 }), alarm({ threshold: 0.05 })),
        update("aws_cloudwatch_metric_alarm", complaintAlarm(0.0005), complaintAlarm(0.0008)),
        update("aws_cloudwatch_metric_alarm", complaintAlarm(0.0005), complaintAlarm(0.001)),
        create("aws_cloudwatch_metric_alarm", alarm({ metric_name: "Send", threshold: 1000 })),
        update("aws_cloudwatch_metric_alarm", alarm({ threshold: 0.08 }), alarm({ threshold: 0.07 })),
        update("aws_cloudwatch_metric_alarm", alarm({ threshold: 0.08 }), alarm({ threshold: 0.08, alarm_description: "x" })),
      ),
      // Each threshold that moves is still said in words, at low; the description change says nothing.
    ).toEqual(["alarm-level-changed", "alarm-level-changed", "alarm-level-changed", "alarm-level-changed"]);
  });
});

describe("public-access-weakened", () => {
  test("raised when a public access block flag turns off or the block is deleted", () => {
    const [r] = risks(update("aws_s3_bucket_public_access_block", pab(true), pab(false)));
    expect(r).toMatchObject({ kind: "public-access-weakened", level: "high" });
    expect(r.reason).toContain("turns off `block_public_acls`, `block_public_policy`");
    expect(kinds(destroy("aws_s3_bucket_public_access_block", pab(true)))).toEqual(["public-access-weakened"]);
    expect(kinds(update("aws_s3_account_public_access_block", pab(true), pab(false)))).toEqual(["public-access-weakened"]);
  });

  test("raised when a bucket or topic policy newly allows anyone, or a bucket ACL goes public", () => {
    const open = doc(tlsDeny, { Sid: "Open", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::archive/*" });
    expect(kinds(update("aws_s3_bucket_policy", { bucket: "archive", policy: doc(tlsDeny) }, { bucket: "archive", policy: open }))).toEqual([
      "public-access-weakened",
    ]);
    const openTopic = doc({ Sid: "Open", Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Publish", Resource: "arn:aws:sns:us-east-1:1:t" });
    expect(kinds(update("aws_sns_topic_policy", { policy: doc() }, { policy: openTopic }))).toEqual(["public-access-weakened"]);
    expect(kinds(update("aws_s3_bucket_acl", { bucket: "archive", acl: "private" }, { bucket: "archive", acl: "public-read" }))).toEqual([
      "public-access-weakened",
    ]);
  });

  test("not raised on a replace that keeps the block on, a Deny for anyone, or an Allow for anyone with a condition", () => {
    expect(kinds(create("aws_s3_bucket_policy", { bucket: "archive", policy: doc(tlsDeny) }))).toEqual([]);
    // A replace is no weakening, but a data-bearing resource destroyed and created again: said, at high.
    expect(kinds(replace("aws_s3_bucket_public_access_block", pab(true), pab(true)))).toEqual(["data-bearing-destroyed"]);
    const guarded = doc({
      Sid: "Org",
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "arn:aws:s3:::archive/*",
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } },
    });
    expect(
      kinds(
        update(
          "aws_s3_bucket_policy",
          { bucket: "archive", policy: doc(tlsDeny) },
          { bucket: "archive", policy: doc(tlsDeny, JSON.parse(guarded).Statement[0]) },
        ),
      ),
    ).toEqual([]);
    expect(kinds(update("aws_s3_bucket_acl", { bucket: "archive", acl: "public-read" }, { bucket: "archive", acl: "private" }))).toEqual([]);
  });
});

describe("encryption-weakened", () => {
  test("raised for S3 default encryption deleted or moved off KMS", () => {
    expect(kinds(destroy("aws_s3_bucket_server_side_encryption_configuration", sse("AES256")))).toEqual(["encryption-weakened"]);
    const [r] = risks(update("aws_s3_bucket_server_side_encryption_configuration", sse("aws:kms", "k"), sse("AES256")));
    expect(r).toMatchObject({ kind: "encryption-weakened", level: "medium" });
    expect(r.reason).toContain("from `aws:kms` to `AES256`");
    expect(kinds(update("aws_s3_bucket_server_side_encryption_configuration", sse("aws:kms", "k"), sse("aws:kms")))).toEqual(["encryption-weakened"]);
  });

  test("raised for Firehose encryption off, TLS no longer required, the TLS-only bucket policy lost, an SNS key removed", () => {
    expect(kinds(update("aws_kinesis_firehose_delivery_stream", stream(), stream({ server_side_encryption: [{ enabled: false }] })))).toEqual([
      "encryption-weakened",
    ]);
    expect(
      kinds(
        update("aws_kinesis_firehose_delivery_stream", stream({ server_side_encryption: [{ enabled: true, key_type: "CUSTOMER_MANAGED_CMK" }] }), stream()),
      ),
    ).toEqual(["encryption-weakened"]);
    const tls = (policy: string) => ({ configuration_set_name: "s", delivery_options: [{ tls_policy: policy }] });
    expect(risks(update("aws_sesv2_configuration_set", tls("REQUIRE"), tls("OPTIONAL")))[0].reason).toContain("from `REQUIRE` to `OPTIONAL`");
    expect(kinds(update("aws_s3_bucket_policy", { bucket: "archive", policy: doc(tlsDeny) }, { bucket: "archive", policy: doc() }))).toEqual([
      "encryption-weakened",
    ]);
    expect(kinds(destroy("aws_s3_bucket_policy", { bucket: "archive", policy: doc(tlsDeny) }))).toEqual(["encryption-weakened"]);
    expect(kinds(update("aws_sns_topic", { name: "t", kms_master_key_id: "alias/aws/sns" }, { name: "t", kms_master_key_id: null }))).toEqual([
      "encryption-weakened",
    ]);
  });

  test("raised when a KMS key is scheduled for deletion (high) or stops rotating (medium)", () => {
    const key = (rotation: boolean) => ({ description: "ses-guard: encrypts SNS topics", enable_key_rotation: rotation, deletion_window_in_days: 30 });
    const [gone] = risks(destroy("aws_kms_key", key(true)));
    expect(gone).toMatchObject({ kind: "encryption-weakened", level: "high" });
    expect(gone.reason).toContain("scheduled for deletion in 30 days");
    expect(kinds(replace("aws_kms_key", key(true), key(true)))).toEqual(["encryption-weakened"]);
    expect(risks(update("aws_kms_key", key(true), key(false)))[0].level).toBe("medium");
    expect(kinds(create("aws_kms_key", key(true)), update("aws_kms_key", key(false), key(true)))).toEqual([]);
  });

  test("not raised when encryption stays, strengthens, or a config is replaced", () => {
    const tls = (policy: string) => ({ configuration_set_name: "s", delivery_options: [{ tls_policy: policy }] });
    expect(
      kinds(
        update("aws_s3_bucket_server_side_encryption_configuration", sse("AES256"), sse("aws:kms", "k")),
        update("aws_kinesis_firehose_delivery_stream", stream(), stream()),
        update("aws_sesv2_configuration_set", tls("OPTIONAL"), tls("REQUIRE")),
        update("aws_s3_bucket_policy", { bucket: "archive", policy: doc(tlsDeny) }, { bucket: "archive", policy: doc({ ...tlsDeny, Sid: "Renamed" }) }),
      ),
    ).toEqual([]);
    // Replaced with the same encryption: no weakening, only the data-bearing resource destroyed and created again.
    expect(kinds(replace("aws_s3_bucket_server_side_encryption_configuration", sse("AES256"), sse("AES256")))).toEqual(["data-bearing-destroyed"]);
  });
});

describe("iam-policy-widened", () => {
  test("raised for a new wildcard action (high for *) and a new every-resource pattern", () => {
    const [s3] = risks(update("aws_iam_role_policy", { policy: writeObjects("s3:PutObject") }, { policy: writeObjects("s3:*") }));
    expect(s3).toMatchObject({ kind: "iam-policy-widened", level: "medium" });
    expect(s3.reason).toContain("newly allows wildcard actions `s3:*`");
    expect(risks(update("aws_iam_role_policy", { policy: writeObjects("s3:PutObject") }, { policy: writeObjects("*") }))[0].level).toBe("high");
    const [any] = risks(update("aws_iam_policy", { policy: writeObjects("s3:PutObject") }, { policy: writeObjects("s3:PutObject", "*") }));
    expect(any.reason).toContain("newly allows every resource of a kind: `*`");
    expect(kinds(create("aws_iam_role_policy", { policy: writeObjects("firehose:*", "arn:aws:firehose:us-east-1:1:deliverystream/*") }))).toEqual([
      "iam-policy-widened",
      "iam-policy-widened",
    ]);
  });

  test("raised when a trust or topic policy loses aws:SourceAccount or aws:SourceArn", () => {
    const [r] = risks(
      update(
        "aws_iam_role",
        { name: "role", assume_role_policy: trust(GUARDED) },
        { name: "role", assume_role_policy: trust({ StringEquals: GUARDED.StringEquals }) },
      ),
    );
    expect(r).toMatchObject({ kind: "iam-policy-widened", level: "medium" });
    expect(r.reason).toContain("Trust policy of role `role` drops the condition `AllowServiceForThisResourceOnly: aws:SourceArn`");
    expect(kinds(update("aws_iam_role", { name: "role", assume_role_policy: trust(GUARDED) }, { name: "role", assume_role_policy: trust(undefined) }))).toEqual(
      ["iam-policy-widened"],
    );
  });

  test("raised when a trust policy lets anyone assume the role, or an admin policy is attached", () => {
    const open = doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" });
    expect(
      risks(update("aws_iam_role", { name: "r", assume_role_policy: trust(GUARDED) }, { name: "r", assume_role_policy: open })).map((r) => [r.kind, r.level]),
    ).toContainEqual(["iam-policy-widened", "high"]);
    expect(risks(create("aws_iam_role_policy_attachment", { role: "r", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" }))[0]).toMatchObject({
      kind: "iam-policy-widened",
      level: "high",
    });
    expect(risks(create("aws_iam_role_policy_attachment", { role: "r", policy_arn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }))[0].level).toBe("medium");
  });

  test("inline policies of a role are compared by name", () => {
    const role = (policy: string) => ({ name: "r", assume_role_policy: trust(GUARDED), inline_policy: [{ name: "p", policy }] });
    expect(kinds(update("aws_iam_role", role(writeObjects("s3:PutObject")), role(writeObjects("s3:Put*"))))).toEqual(["iam-policy-widened"]);
  });

  test("not raised for ses-guard's own policies, a renamed bucket, a narrowed policy, or a policy only known after apply", () => {
    expect(
      kinds(
        create("aws_iam_role", { name: "r", assume_role_policy: trust(GUARDED) }),
        create("aws_iam_role_policy", { policy: writeObjects(["s3:PutObject", "s3:GetObject"]) }),
      ),
    ).toEqual([]);
    expect(
      kinds(update("aws_iam_role_policy", { policy: writeObjects("s3:PutObject") }, { policy: writeObjects("s3:PutObject", "arn:aws:s3:::renamed/*") })),
    ).toEqual([]);
    expect(kinds(update("aws_iam_role_policy", { policy: writeObjects("s3:*") }, { policy: writeObjects("s3:PutObject") }))).toEqual([]);
    expect(kinds(update("aws_iam_role_policy", { policy: writeObjects("s3:PutObject") }, {}, { after_unknown: { policy: true } }))).toEqual([]);
    expect(
      kinds(
        update(
          "aws_iam_role",
          { name: "r", assume_role_policy: trust(GUARDED) },
          { name: "r", assume_role_policy: trust({ ArnLike: GUARDED.ArnLike, StringEquals: GUARDED.StringEquals }) },
        ),
      ),
    ).toEqual([]);
    expect(kinds(create("aws_iam_role_policy_attachment", { role: "r", policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }))).toEqual([]);
  });

  test("what counts as a wide resource", () => {
    for (const wide of [
      "*",
      "arn:aws:s3:::*",
      "arn:aws:sns:us-east-1:123456789012:*",
      "arn:aws:firehose:us-east-1:1:deliverystream/*",
      "arn:*:s3:::b",
      "arn:aws:iam::*:role/r",
    ]) {
      expect([wide, isWideResource(wide)]).toEqual([wide, true]);
    }
    for (const narrow of [
      "arn:aws:s3:::bucket/*",
      "arn:aws:s3:::bucket",
      "arn:aws:logs:us-east-1:1:log-group:/aws/kinesisfirehose/x:*",
      "arn:aws:sns:us-east-1:1:topic",
    ]) {
      expect([narrow, isWideResource(narrow)]).toEqual([narrow, false]);
    }
  });

  test("policies that are not JSON are not judged", () => {
    expect(policyWidening(undefined, "not json")).toBeUndefined();
    expect(policyWidening("{", doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }))).toEqual({
      wildcardActions: [],
      wideResources: [],
      lostConditions: [],
      publicStatements: [],
    });
  });
});

describe("notifications-removed", () => {
  test("raised when an identity's Bounce or Complaint notifications are deleted (medium) or Delivery (low)", () => {
    const [r] = risks(destroy("aws_ses_identity_notification_topic", notification("Bounce")));
    expect(r).toMatchObject({ kind: "notifications-removed", level: "medium" });
    expect(r.reason).toContain("SES stops publishing Bounce notifications for `example.com` to SNS topic `ses-guard-notifications`");
    expect(risks(destroy("aws_ses_identity_notification_topic", notification("Delivery")))[0].level).toBe("low");
    expect(kinds(update("aws_ses_identity_notification_topic", notification("Complaint"), notification("Complaint", null)))).toEqual(["notifications-removed"]);
  });

  test("not raised when notifications move to another topic, are replaced, or are created", () => {
    expect(
      kinds(
        update("aws_ses_identity_notification_topic", notification("Bounce"), notification("Bounce", "arn:aws:sns:us-east-1:1:other")),
        replace("aws_ses_identity_notification_topic", notification("Bounce"), notification("Bounce")),
        create("aws_ses_identity_notification_topic", notification("Bounce")),
      ).filter((k) => k === "notifications-removed"),
    ).toEqual([]);
  });
});

describe("notification-topic-overwritten", () => {
  test("raised when a topic is set: SES keeps one per identity and type, so a create replaces whatever was there", () => {
    expect(risks(create("aws_ses_identity_notification_topic", notification("Bounce")))).toEqual([
      {
        level: "medium",
        kind: "notification-topic-overwritten",
        address: "aws_ses_identity_notification_topic.x",
        reason:
          "SES keeps one Bounce topic per identity, so sending `example.com`'s Bounce notifications to SNS topic `ses-guard-notifications` replaces any topic already set outside this state: whatever subscribed to that one stops hearing of each bounce.",
      },
    ]);
    expect(risks(create("aws_ses_identity_notification_topic", notification("Delivery")))[0]).toMatchObject({
      level: "low",
      kind: "notification-topic-overwritten",
    });
  });

  test("raised when notifications move to another topic, naming both", () => {
    const [r] = risks(update("aws_ses_identity_notification_topic", notification("Complaint"), notification("Complaint", "arn:aws:sns:us-east-1:1:other")));
    expect(r).toMatchObject({ level: "medium", kind: "notification-topic-overwritten" });
    expect(r.reason).toBe(
      "SES keeps one Complaint topic per identity, so moving `example.com`'s Complaint notifications from SNS topic `ses-guard-notifications` to `other` cuts that topic's subscribers off from each complaint.",
    );
  });

  test("a topic created in the same plan is named from the configuration's references; a replace onto another identity counts as a create", () => {
    const after = notification("Bounce", null) as Record<string, unknown>;
    delete after.topic_arn;
    const [r] = review(
      [
        rc("aws_ses_identity_notification_topic", "n", ["create"], null, after, { after_unknown: { topic_arn: true } }),
        rc("aws_sns_topic", "t", ["create"], null, { name: "team-bounces" }, { after_unknown: { arn: true } }),
      ],
      {
        configuration: {
          root_module: {
            resources: [
              { address: "aws_ses_identity_notification_topic.n", expressions: { topic_arn: { references: ["aws_sns_topic.t.arn", "aws_sns_topic.t"] } } },
            ],
          },
        },
      },
    ).risks;
    expect(r.reason).toContain("to SNS topic `team-bounces` replaces any topic already set outside this state");
    const moved = replace("aws_ses_identity_notification_topic", notification("Bounce"), { ...notification("Bounce"), identity: "example.org" });
    expect(risks(moved).map((x) => x.reason)).toEqual([
      expect.stringContaining("sending `example.org`'s Bounce notifications to SNS topic `ses-guard-notifications` replaces"),
    ]);
  });

  test("not raised when the topic stays, is cleared (that is notifications-removed), or the setting is deleted or left alone", () => {
    expect(
      kinds(
        update("aws_ses_identity_notification_topic", notification("Bounce"), { ...notification("Bounce"), include_original_headers: false }),
        replace("aws_ses_identity_notification_topic", notification("Bounce"), notification("Bounce")),
        rc("aws_ses_identity_notification_topic", "n", ["no-op"], notification("Bounce"), notification("Bounce")),
      ),
    ).toEqual([]);
    expect(kinds(update("aws_ses_identity_notification_topic", notification("Bounce"), notification("Bounce", null)))).toEqual(["notifications-removed"]);
    expect(kinds(destroy("aws_ses_identity_notification_topic", notification("Bounce")))).toEqual(["notifications-removed"]);
  });
});

test("risks are sorted by level, then kind, then address", () => {
  const list = risks(
    destroy("aws_ses_identity_notification_topic", notification("Delivery")),
    rc("aws_s3_bucket", "b", ["delete"], bucket("b"), null),
    rc("aws_s3_bucket", "a", ["delete"], bucket("a"), null),
    destroy("aws_ses_identity_notification_topic", notification("Bounce")),
    update("aws_cloudwatch_metric_alarm", alarm(), alarm({ threshold: 0.09 })),
  );
  expect(list.map((r) => `${r.level} ${r.kind} ${r.address}`)).toEqual([
    "high bucket-destroyed aws_s3_bucket.a",
    "high bucket-destroyed aws_s3_bucket.b",
    "high threshold-above-review-level aws_cloudwatch_metric_alarm.x",
    "medium notifications-removed aws_ses_identity_notification_topic.x",
    "low notifications-removed aws_ses_identity_notification_topic.x",
  ]);
});

test("checks classify by type and values, so resources in modules and under other names are reviewed", () => {
  const r = risks(rc("aws_s3_bucket", "anything_at_all", ["delete"], bucket("b"), null, { module_address: "module.eu" }));
  expect(r).toEqual([expect.objectContaining({ kind: "bucket-destroyed", address: "module.eu.aws_s3_bucket.anything_at_all" })]);
});

// ---------------------------------------------------------------- Markdown

describe("Markdown", () => {
  const sample = () => [
    update("aws_cloudwatch_metric_alarm", alarm(), alarm({ threshold: 0.07 })),
    rc("aws_sns_topic_subscription", "s", ["create"], null, { endpoint: "ops@example.com", protocol: "email", topic_arn: "arn:aws:sns:us-east-1:1:alarms" }),
    update("aws_sesv2_configuration_set_event_destination", destination(true, DEFAULT_TYPES), destination(true, ["SEND", "COMPLAINT", "OPEN"])),
    update("aws_s3_bucket_lifecycle_configuration", lifecycle(730), lifecycle(400)),
    update(
      "aws_kinesis_firehose_delivery_stream",
      stream(),
      stream({ extended_s3_configuration: [{ bucket_arn: "arn:aws:s3:::archive", buffering_interval: 300, buffering_size: 64, compression_format: "GZIP" }] }),
    ),
    rc("aws_ses_identity_notification_topic", "n", ["delete"], notification("Bounce"), null),
  ];

  test("risks first, then the settings that matter in plain words with before → after, then resources", () => {
    const md = review(sample()).markdown;
    const order = ["### ses-guard plan review", "**Plan:**", "#### Risks (5)", "#### Settings that change", "#### Resources by action", "<sub>"].map((h) =>
      md.indexOf(h),
    );
    expect(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]))).toBe(true);
    expect(md).toContain("| 🔴 high | Alarm threshold above the AWS review level | `aws_cloudwatch_metric_alarm.x` |");
    expect(md).toContain("**Alarms**");
    expect(md).toContain("| update | `ses-guard-bounce-rate-critical` | bounce rate | 5 % → 7 % | `ses-guard-alarms` |");
    expect(md).toContain("| create | `ops@example.com` | email | `alarms` |");
    expect(md).toContain(
      "| update | `ses-guard` | `archive-to-firehose` | yes | `COMPLAINT`, `OPEN`, `SEND` (removed: `BOUNCE`, `DELIVERY`, `DELIVERY_DELAY`, `REJECT`, `RENDERING_FAILURE`; added: `OPEN`) | Firehose `ses-guard-events` |",
    );
    expect(md).toContain("| update | `archive` | `archive-tiering-and-expiration` enabled | 30 d `STANDARD_IA`, 90 d `GLACIER` | 730 d → 400 d | — |");
    expect(md).toContain("| update | `archive` | `abort-incomplete-multipart-uploads` enabled | none | — | abort after 7 d |");
    expect(md).toContain("| update | `ses-guard-events` | 900 s or 128 MiB → 300 s or 64 MiB | GZIP | `archive` |");
    expect(md).toContain("| delete | `example.com` | Bounce | `ses-guard-notifications` | yes |");
    expect(md.endsWith("</sub>\n")).toBe(true);
  });

  test("names only known after apply come from the configuration's references", () => {
    const after = alarm();
    delete (after as Record<string, unknown>).alarm_actions;
    const md = review(
      [
        rc("aws_cloudwatch_metric_alarm", "a", ["create"], null, after, { after_unknown: { alarm_actions: true, arn: true } }),
        rc("aws_sns_topic", "t", ["create"], null, { name: "team-alarms" }, { after_unknown: { arn: true } }),
      ],
      {
        configuration: {
          root_module: {
            resources: [
              { address: "aws_cloudwatch_metric_alarm.a", expressions: { alarm_actions: { references: ["aws_sns_topic.t.arn", "aws_sns_topic.t"] } } },
            ],
          },
        },
      },
    ).markdown;
    expect(md).toContain("| 5 % | `team-alarms` |");
  });

  test("every threshold carries its unit: seconds, percent for rates, counts per period", () => {
    const firehose = (metric: string, threshold: number, over: Record<string, unknown> = {}) =>
      rc("aws_cloudwatch_metric_alarm", metric.replace(/\W/g, "_"), ["create"], null, {
        alarm_name: metric,
        namespace: "AWS/Firehose",
        metric_name: metric,
        threshold,
        period: 300,
        alarm_actions: [],
        ...over,
      });
    const md = review([
      firehose("DeliveryToS3.DataFreshness", 900),
      firehose("DeliveryToS3.Success", 1),
      rc(
        "aws_cloudwatch_metric_alarm",
        "sends",
        ["create"],
        null,
        alarm({ alarm_name: "sends", metric_name: "Send", threshold: 1000, statistic: "Sum", period: 300 }),
      ),
      firehose("IncomingBytes", 5000000, { unit: "Bytes" }),
      firehose("ThrottledRecords", 3, { statistic: "Average" }),
    ]).markdown;
    expect(md).toContain("| create | `DeliveryToS3.DataFreshness` | `DeliveryToS3.DataFreshness` | 900 s | nobody |");
    expect(md).toContain("| create | `DeliveryToS3.Success` | `DeliveryToS3.Success` | 100 % | nobody |");
    expect(md).toContain("| create | `sends` | `Send` | 1000 per 300 s |");
    expect(md).toContain("| create | `IncomingBytes` | `IncomingBytes` | 5000000 bytes | nobody |");
    // A metric whose unit the plan does not say is printed as it is.
    expect(md).toContain("| create | `ThrottledRecords` | `ThrottledRecords` | 3 | nobody |");
    const raised = review([
      update("aws_cloudwatch_metric_alarm", firehose("DeliveryToS3.DataFreshness", 900).change.after, firehose("DeliveryToS3.DataFreshness", 300).change.after),
    ]).markdown;
    expect(raised).toContain("| 900 s → 300 s |");
  });

  test("thresholds print as percent without floating-point noise", () => {
    const md = review([
      create("aws_cloudwatch_metric_alarm", alarm({ threshold: 0.07 })),
      rc("aws_cloudwatch_metric_alarm", "c", ["create"], null, complaintAlarm(0.0003)),
    ]).markdown;
    expect(md).toContain("| 7 % |");
    expect(md).toContain("| 0.03 % |");
    expect(md).not.toMatch(/0000000/);
  });

  test("deterministic: the same plan in any order gives the same bytes", () => {
    const forward = review(sample()).markdown;
    expect(review([...sample()].reverse()).markdown).toBe(forward);
    expect(review(sample()).markdown).toBe(forward);
  });

  test("long tables fold into <details>, short ones do not", () => {
    const many = Array.from({ length: DETAILS_THRESHOLD + 1 }, (_, i) =>
      rc("aws_sns_topic_subscription", `s${String(i).padStart(2, "0")}`, ["create"], null, { endpoint: `a${i}@example.com`, protocol: "email" }),
    );
    const md = review(many).markdown;
    expect(md).toContain("<details>\n<summary>E-mail subscriptions (11)</summary>\n\n| Change | Address |");
    expect(md).toContain("<details>\n<summary>11 resources</summary>\n\n| Action | Resource | Note |");
    expect(md.split("<details>").length).toBe(md.split("</details>").length);
    expect(review(many.slice(0, DETAILS_THRESHOLD)).markdown).not.toContain("<details>");
  });

  test("table cells escape pipes and line breaks; code spans survive backticks", () => {
    const md = review([rc("aws_sns_topic_subscription", "s", ["create"], null, { endpoint: "a|b`c\nd@example.com", protocol: "email" })]).markdown;
    expect(md).toContain("| create | ``a\\|b`c d@example.com`` | email |");
    for (const line of md.split("\n").filter((l) => l.startsWith("| "))) {
      // Every table row has as many unescaped cell separators as its header.
      expect(line.replace(/\\\|/g, "").split("|").length).toBeGreaterThanOrEqual(4);
    }
  });

  test("without a title the heading names the ses-guard stacks the plan touches, found by their role and stream names", () => {
    const stack = (prefix: string, region: string, module?: string) => [
      rc(
        "aws_iam_role",
        "publisher",
        ["no-op"],
        { name: `${prefix}-ses-publisher-${region}` },
        { name: `${prefix}-ses-publisher-${region}` },
        { module_address: module },
      ),
      rc("aws_kinesis_firehose_delivery_stream", "s", ["update"], stream({ name: `${prefix}-events` }), stream({ name: `${prefix}-events` }), {
        module_address: module,
      }),
    ];
    expect(review(stack("mail", "eu-west-1")).markdown.split("\n")[0]).toBe("### ses-guard plan review: `mail-eu-west-1`");
    expect(review([...stack("b", "us-east-1", "module.b"), ...stack("a", "ap-southeast-2", "module.a")]).markdown.split("\n")[0]).toBe(
      "### ses-guard plan review: `a-ap-southeast-2`, `b-us-east-1`",
    );
    // A role named like ses-guard's without its stream beside it, or not ending in a region, names nothing.
    expect(review(stack("mail", "eu-west-1").slice(0, 1)).markdown.split("\n")[0]).toBe("### ses-guard plan review");
    expect(review(stack("mail", "not-a-region")).markdown.split("\n")[0]).toBe("### ses-guard plan review");
    // --title wins.
    expect(reviewPlan(parsePlan(planOf(stack("mail", "eu-west-1")), "p"), { title: "prod" }).markdown.split("\n")[0]).toBe("### ses-guard plan review: `prod`");
  });

  test("a title names the stack; an errored plan says so; an empty plan says no changes", () => {
    expect(reviewPlan(parsePlan(planOf([]), "p"), { title: "mail-eu-west-1" }).markdown).toContain("### ses-guard plan review: `mail-eu-west-1`\n");
    expect(review([], { errored: true }).markdown).toContain("> **Warning:** Terraform reported errors while planning");
    const empty = review([rc("aws_sns_topic", "t", ["no-op"], { name: "t" }, { name: "t" })]).markdown;
    expect(empty).toContain("No risks found.");
    expect(empty).toContain("No changes.");
    expect(empty).not.toContain("#### Settings that change");
  });
});

// ---------------------------------------------------------------- CLI

describe("review CLI", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-review-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
    return file;
  };

  function run(argv: string[], stdin?: string) {
    let out = "";
    const err: string[] = [];
    const code = reviewMain(argv, {
      out: (t) => (out += t),
      err: (l) => err.push(l),
      readStdin: () => stdin,
      readFile: (f) => fs.readFileSync(f, "utf8"),
    });
    return { code, out, err };
  }

  const risky = planOf([
    update("aws_s3_bucket_lifecycle_configuration", lifecycle(730), lifecycle(30)),
    destroy("aws_ses_identity_notification_topic", notification("Delivery")),
  ]);

  test("prints the Markdown and exits 0 without --fail-on, even with risks", () => {
    const r = run([write("plan.json", risky)]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("#### Risks (2)");
    expect(r.err).toEqual(["ses-guard review: risks: 1 high, 0 medium, 1 low"]);
  });

  test("--fail-on exits 1 only for a risk at or above the level, and still prints the summary", () => {
    const file = write("plan.json", risky);
    expect(run([file, "--fail-on=high"]).code).toBe(1);
    expect(run(["--fail-on", "medium", file]).code).toBe(1);
    const lowOnly = write("low.json", planOf([destroy("aws_ses_identity_notification_topic", notification("Delivery"))]));
    expect(run([lowOnly, "--fail-on=medium"]).code).toBe(0);
    const r = run([lowOnly, "--fail-on=low"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("#### Risks (1)");
    expect(r.err).toEqual(["ses-guard review: 1 risk(s) at or above low (0 high, 0 medium, 1 low); failing because of --fail-on=low"]);
  });

  test("reads stdin with no file or with -", () => {
    expect(run([], JSON.stringify(risky)).out).toContain("#### Risks (2)");
    expect(run(["-", "--title=stack"], JSON.stringify(risky)).out).toContain("### ses-guard plan review: `stack`");
  });

  test.each([
    [["--fail-on=severe"], '--fail-on: got "severe"; allowed: high, medium, low'],
    [["--fail-on"], "--fail-on: got no value; allowed: high, medium, low"],
    [["--title"], "--title: got no value"],
    [["--verbose"], 'unknown argument "--verbose"; allowed: PLAN_JSON, -, --fail-on=high|medium|low, --title TEXT, --help'],
    [["a.json", "b.json"], 'got a second plan file "b.json" after "a.json"'],
    [["missing.json"], "missing.json: file not found; allowed: the output of"],
    [[], "no plan given: got no PLAN_JSON argument and stdin is a terminal"],
  ])("usage error %j: exit 2, one line, nothing on stdout", (argv, message) => {
    const r = run(argv.map((a) => (a === "missing.json" ? path.join(dir, a) : a)));
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^ses-guard review: error: /);
    expect(r.err[0]).toContain(message);
  });

  test("a directory, non-JSON, non-plan or unsupported version: exit 2 with one line", () => {
    expect(run([dir]).err[0]).toContain("is a directory");
    for (const [content, message] of [
      ["not json", "not valid JSON"],
      ["[1]", "not a Terraform plan: got a JSON array"],
      [JSON.stringify(planOf([], { format_version: "2.0" })), 'format_version "2.0" is not supported; allowed: 1.x'],
    ]) {
      const r = run([write("bad.json", content)]);
      expect([r.code, r.out, r.err.length]).toEqual([2, "", 1]);
      expect(r.err[0]).toContain(message);
    }
  });

  test("--help prints usage with the exit codes and exits 0", () => {
    const r = run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Exit status: 0 reviewed, 1 risk at or above --fail-on, 2 bad usage or input.");
    expect(r.out).toContain("npm run --silent review -- plan.json > review.md (--silent keeps npm's banner out of the Markdown)");
  });

  test("./help shows the invocation that keeps npm's banner out of the Markdown", () => {
    const help = spawnSync("bash", [path.join(root, "help")], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("npm run --silent review -- plan.json > review.md");
  });

  test("npm run review's script bundles the CLI and runs it: file, stdin, exit codes", () => {
    const file = write("plan.json", risky);
    const script = path.join(root, "scripts", "review.js");
    const ok = spawnSync(process.execPath, [script, file, "--fail-on=high"], { encoding: "utf8" });
    expect([ok.status, ok.stderr.trim()]).toEqual([
      1,
      "ses-guard review: 1 risk(s) at or above high (1 high, 0 medium, 1 low); failing because of --fail-on=high",
    ]);
    expect(ok.stdout).toContain("#### Risks (2)");
    const piped = spawnSync(process.execPath, [script], { input: JSON.stringify(planOf([])), encoding: "utf8" });
    expect(piped.status).toBe(0);
    expect(piped.stdout).toContain("No changes.");
    const bad = spawnSync(process.execPath, [script, write("bad.json", "{")], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts.review).toBe("node scripts/review.js");
  }, 60_000);
});

// ---------------------------------------------------------------- GitHub Actions example

describe("examples/github-actions workflow", () => {
  const dir = path.join(root, "examples", "github-actions");
  // The plan-review workflows; the scheduled doctor workflow beside them has its own test (doctor-workflow.test.ts).
  const workflows = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && !f.includes("doctor"));

  interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    id?: string;
    if?: string;
  }
  interface Workflow {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, { "runs-on": string; steps: Step[] }>;
  }
  const load = (f: string) => parseYaml(fs.readFileSync(path.join(dir, f), "utf8")) as Workflow;

  test("there is a workflow and it parses as YAML", () => {
    expect(workflows.length).toBeGreaterThan(0);
    for (const f of workflows) expect(() => load(f)).not.toThrow();
  });

  test("runs on pull requests with OIDC and comment permissions", () => {
    for (const f of workflows) {
      const wf = load(f);
      expect(Object.keys(wf.on)).toContain("pull_request");
      expect(wf.permissions).toMatchObject({ "id-token": "write", "pull-requests": "write", contents: "read" });
    }
  });

  test("uses only real, current actions, pinned to a major version", () => {
    const allowed = [
      "actions/checkout@v4",
      "actions/setup-node@v4",
      "hashicorp/setup-terraform@v3",
      "aws-actions/configure-aws-credentials@v4",
      "actions/github-script@v7",
    ];
    for (const f of workflows) {
      const uses = Object.values(load(f).jobs).flatMap((j) => j.steps.map((s) => s.uses).filter((u): u is string => !!u));
      expect(uses.length).toBeGreaterThanOrEqual(5);
      for (const u of uses) expect(allowed).toContain(u);
    }
  });

  test("synthesizes, plans each stack, reviews, and updates one comment found by a hidden marker", () => {
    for (const f of workflows) {
      const steps = Object.values(load(f).jobs).flatMap((j) => j.steps);
      const runs = steps.map((s) => s.run ?? "").join("\n");
      for (const fragment of [
        /npm ci/,
        /npm run synth/,
        /terraform (-chdir=\S+ )?init/,
        /terraform (-chdir=\S+ )?plan/,
        /terraform (-chdir=\S+ )?show -json/,
        /npm run --silent review --/,
        /--fail-on/,
      ]) {
        expect([String(fragment), fragment.test(runs)]).toEqual([String(fragment), true]);
      }
      const script = String(steps.find((s) => s.uses?.startsWith("actions/github-script"))?.with?.script ?? "");
      expect(script).toContain("<!-- ses-guard-plan-review -->");
      expect(script).toMatch(/updateComment/);
      expect(script).toMatch(/createComment/);
    }
  });
});

describe("auto-pause-removed", () => {
  test("raised when the pause rule or the pause runbook is deleted, not for other rules or an update", () => {
    expect(kinds(destroy("aws_cloudwatch_event_rule", { name: "shop-pause-on-critical" }))).toEqual(["auto-pause-removed"]);
    const [r] = risks(destroy("aws_ssm_document", { name: "shop-pause-sending" }));
    expect(r).toMatchObject({ kind: "auto-pause-removed", level: "medium" });
    expect(r.reason).toContain("Runbook `shop-pause-sending` is deleted");
    expect(kinds(destroy("aws_cloudwatch_event_rule", { name: "shop-chat-complaint" }))).toEqual([]);
    expect(kinds(destroy("aws_ssm_document", { name: "shop-resume-sending" }))).toEqual([]);
    expect(kinds(update("aws_cloudwatch_event_rule", { name: "shop-pause-on-critical" }, { name: "shop-pause-on-critical", description: "x" }))).toEqual([]);
  });
});

describe("chat-channel-removed", () => {
  test.each(["aws_chatbot_slack_channel_configuration", "aws_chatbot_teams_channel_configuration"])("raised when a %s is deleted", (type) => {
    const [r] = risks(destroy(type, { configuration_name: "shop-us-east-1-alerts" }));
    expect(r).toMatchObject({ kind: "chat-channel-removed", level: "medium" });
    expect(r.reason).toContain("`shop-us-east-1-alerts`");
    expect(kinds(update(type, { configuration_name: "a" }, { configuration_name: "a", logging_level: "INFO" }))).toEqual([]);
  });
});

describe("dashboard-removed", () => {
  test("raised, low, when the dashboard is deleted; not on an update", () => {
    expect(risks(destroy("aws_cloudwatch_dashboard", { dashboard_name: "shop-us-east-1" }))).toEqual([
      expect.objectContaining({ kind: "dashboard-removed", level: "low" }),
    ]);
    expect(kinds(update("aws_cloudwatch_dashboard", { dashboard_name: "d" }, { dashboard_name: "d", dashboard_body: "{}" }))).toEqual([]);
  });
});
