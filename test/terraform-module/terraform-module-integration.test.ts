// The generated Terraform module through real terraform, offline, in one batch of commands run
// concurrently: one plan of a hand-written HCL root module (test/fixtures/module-root/main.tf,
// three module calls: every input set, defaults, notifications off with the caller's key), one
// plan that must fail with the module's message, `init` and `validate` of
// examples/terraform-module, and every validation rule through one `terraform console`.
import * as fs from "fs";
import * as path from "path";
import { CHATBOT_API_REGIONS, DEFAULT_EVENT_TYPES, LOG_RETENTION_DAYS, SES_EVENT_TYPES, STORAGE_CLASSES } from "../../modules/app/config";
import { CHAT_EVENT_TYPES } from "../../modules/shared/ses-chat-events";
import { DEFAULT_MODULE_OUTDIR, hclString, moduleVariables, writeTerraformModule } from "../../modules/terraform-module/terraform-module";
import { RULES } from "../../modules/shared/rules";
import {
  copyStackToTemp,
  describeTerraform,
  initValidate,
  PlanJson,
  PlannedResource,
  plannedResources,
  terraform,
  TerraformResult,
} from "../support/terraform";

jest.setTimeout(180_000);

const root = path.join(__dirname, "..", "..");
const fixture = path.join(__dirname, "..", "fixtures", "module-root");
const example = path.join(root, "examples", "terraform-module");
/** Where examples/terraform-module/main.tf expects the module: `npm run module`'s default folder. */
const EXAMPLE_SOURCE = path.posix.relative("examples/terraform-module", DEFAULT_MODULE_OUTDIR.split(path.sep).join("/"));
/** Terraform wraps messages at ~78 columns; compare with runs of whitespace as one space. */
const squash = (text: string) => text.replace(/\s+/g, " ");
const PLAN_ARGS = ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color"];

function managed(plan: PlanJson, module: string): PlannedResource[] {
  return plannedResources(plan).filter((r) => r.mode === "managed" && r.address.startsWith(`module.${module}.`));
}

function at(plan: PlanJson, address: string): Record<string, any> {
  const found = plannedResources(plan).find((r) => r.address === address);
  if (!found) throw new Error(`${address} not in plan`);
  return found.values;
}

/** Attributes terraform only knows after apply (`after_unknown`). */
function unknownAt(plan: PlanJson, address: string): Record<string, unknown> {
  const change = (plan.resource_changes ?? []).find((r) => r.address === address);
  if (!change) throw new Error(`${address} not in plan`);
  return (change.change.after_unknown ?? {}) as Record<string, unknown>;
}

const statements = (json: unknown) => JSON.parse(String(json)).Statement as Array<Record<string, any>>;

async function mustSucceed(dir: string, args: string[]): Promise<TerraformResult> {
  const res = await terraform(dir, args);
  if (res.code !== 0) throw new Error(`terraform ${args[0]} failed (exit ${res.code}) in ${dir}\n${res.stderr}\n${res.stdout}`);
  return res;
}

/** Wall time of each step, for the log line. */
const timings: Record<string, number> = {};
async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await work();
  } finally {
    timings[name] = (Date.now() - start) / 1000;
  }
}

// ---------------------------------------------------------------- every rule

/**
 * Each case: input values on top of a valid base (HCL, strings unquoted), and the exact messages
 * terraform must give (none for a valid input). All cases run in one `terraform console`, one
 * module call each, against the module's own variables.tf.json: no provider, no plan.
 */
const KEY_ARN = (region: string) => `arn:aws:kms:${region}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const BASE: Record<string, string> = {
  account_id: "123456789012",
  alarm_emails: '["ops@example.com"]',
  notification_identities: '["example.com"]',
};
const EMAIL = "an e-mail address such as ops@example.com (ASCII, no spaces; punycode for international domains)";
const PERCENT = "a percentage greater than 0 and less than 100 (5 means 5 %)";
const CLASSES = STORAGE_CLASSES.map((c) => `"${c}"`).join(", ");
const SLACK = (name: string, workspace = "T012ABCDE", channel = "C012ABCDE") =>
  `{ name = "${name}", workspace_id = "${workspace}", channel_id = "${channel}" }`;
const TEAMS = (
  name: string,
  tenant = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
  team = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  channel = "19%3aabc%40thread.tacv2",
) => `{ name = "${name}", tenant_id = "${tenant}", team_id = "${team}", channel_id = "${channel}" }`;
const CHAT_API = CHATBOT_API_REGIONS.join(", ");
const tr = (...t: [number, string][]) => `[${t.map(([d, c]) => `{ days = ${d}, storage_class = "${c}" }`).join(", ")}]`;
const got = (...t: [number, string][]) => JSON.stringify(t.map(([days, storage_class]) => ({ days, storage_class })));

const CASES: [string, Record<string, string>, string[]][] = [
  ["the defaults", {}, []],
  [
    "name_prefix pattern",
    { name_prefix: "Ses" },
    [
      'name_prefix: got "Ses"; allowed: 1 to 24 lower-case letters, digits or hyphens, starting with a letter',
      // Terraform reports every rule that fails: the derived bucket name breaks S3's rules too.
      `name_prefix: got "Ses"; allowed: a name that makes a valid default bucket name, but "Ses-events-123456789012-us-east-1" breaks S3's rules; change name_prefix or set bucket_name`,
    ],
  ],
  [
    "name_prefix length",
    { name_prefix: "a".repeat(25) },
    [`name_prefix: got "${"a".repeat(25)}"; allowed: 1 to 24 lower-case letters, digits or hyphens, starting with a letter`],
  ],
  ["name_prefix hyphens", { name_prefix: "ses--guard" }, ['name_prefix: got "ses--guard"; allowed: no trailing or doubled hyphen']],
  ["account_id", { account_id: "12345" }, ['account_id: got "12345"; allowed: a 12-digit AWS account ID, as a string']],
  ["tag key", { tags: '{ "bad{key" = "x" }' }, ['tags: got ["bad{key"]; allowed: a tag key of 1 to 128 letters, digits, spaces or _.:/=+-@']],
  ["tag value", { tags: `{ team = "${"v".repeat(257)}" }` }, [`tags: got ["team"]; allowed: ${RULES.tagValue.allowed}`]],
  ["tag value characters", { tags: '{ team = "a{b" }' }, [`tags: got ["team"]; allowed: ${RULES.tagValue.allowed}`]],
  ["alarm_emails empty", { alarm_emails: "[]" }, ["alarm_emails: got []; allowed: a list of at least 1 item(s)"]],
  ["alarm_emails format", { alarm_emails: '["ops@example.com", "not-an-address"]' }, [`alarm_emails: got ["not-an-address"]; allowed: ${EMAIL}`]],
  [
    "alarm_emails repeated",
    { alarm_emails: '["ops@example.com", "OPS@Example.com"]' },
    ['alarm_emails: got ["OPS@Example.com"]; allowed: each address once (compared without case)'],
  ],
  ["bounce critical range", { bounce_rate_critical_percent: "150" }, [`bounce_rate_critical_percent: got 150; allowed: ${PERCENT}`]],
  ["bounce warning range", { bounce_rate_warning_percent: "0" }, [`bounce_rate_warning_percent: got 0; allowed: ${PERCENT}`]],
  [
    "bounce warning given as a fraction",
    { bounce_rate_warning_percent: "0.02" },
    [
      "bounce_rate_warning_percent: got 0.02; allowed: at least 0.5 (the levels are percent: 5 means 5 %, not 0.05); 0.02 percent fires on almost any bounce: did you mean 2?",
    ],
  ],
  [
    "bounce critical given as a fraction: only the critical level is named",
    { bounce_rate_critical_percent: "0.05" },
    [
      "bounce_rate_critical_percent: got 0.05; allowed: at least 0.5 (the levels are percent: 5 means 5 %, not 0.05); 0.05 percent fires on almost any bounce: did you mean 5?",
    ],
  ],
  ["bounce floor itself", { bounce_rate_warning_percent: "0.5" }, []],
  [
    "complaint critical given as a fraction",
    { complaint_rate_critical_percent: "0.001" },
    [
      "complaint_rate_critical_percent: got 0.001; allowed: at least 0.01 (the levels are percent: 5 means 5 %, not 0.05); 0.001 percent fires on almost any complaint: did you mean 0.1?",
    ],
  ],
  [
    "complaint warning given as a fraction",
    { complaint_rate_warning_percent: "0.0005" },
    [
      "complaint_rate_warning_percent: got 0.0005; allowed: at least 0.01 (the levels are percent: 5 means 5 %, not 0.05); 0.0005 percent fires on almost any complaint: did you mean 0.05?",
    ],
  ],
  [
    "bounce warning >= critical",
    { bounce_rate_warning_percent: "5" },
    ["bounce_rate_warning_percent: got 5; allowed: a warning level below the critical level (bounce_rate_critical_percent = 5)"],
  ],
  ["complaint critical range", { complaint_rate_critical_percent: "100" }, [`complaint_rate_critical_percent: got 100; allowed: ${PERCENT}`]],
  ["complaint warning range", { complaint_rate_warning_percent: "-1" }, [`complaint_rate_warning_percent: got -1; allowed: ${PERCENT}`]],
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
  [
    "configuration set name",
    { configuration_set_name: "has space" },
    ['configuration_set_name: got "has space"; allowed: 1 to 64 letters, digits, hyphens or underscores'],
  ],
  ["bucket length", { bucket_name: "ab" }, ['bucket_name: got "ab"; allowed: an S3 bucket name: 3 to 63 characters']],
  [
    "bucket characters",
    { bucket_name: "Acme-events" },
    [
      'bucket_name: got "Acme-events"; allowed: an S3 bucket name: lower-case letters, digits and hyphens, starting and ending with a letter or digit (no dots: they break TLS for virtual-hosted requests)',
    ],
  ],
  [
    "bucket prefix",
    { bucket_name: "xn--events" },
    ['bucket_name: got "xn--events"; allowed: an S3 bucket name: a name not starting with a reserved prefix (xn--, sthree-, amzn-s3-demo-)'],
  ],
  [
    "bucket suffix",
    { bucket_name: "events-s3alias" },
    ['bucket_name: got "events-s3alias"; allowed: an S3 bucket name: a name not ending with a reserved suffix (-s3alias, --ol-s3, --x-s3, --table-s3)'],
  ],
  ["event types empty", { event_types: "[]" }, ["event_types: got []; allowed: a list of at least 1 item(s)"]],
  [
    "event type unknown",
    { event_types: '["SEND", "SENT"]' },
    [`event_types: got ["SENT"]; allowed: one of ${SES_EVENT_TYPES.map((t) => `"${t}"`).join(", ")}`],
  ],
  ["event type repeated", { event_types: '["SEND", "SEND"]' }, ['event_types: got ["SEND"]; allowed: each event type once']],
  ["buffering interval", { buffering_interval_seconds: "901" }, ["buffering_interval_seconds: got 901; allowed: a whole number from 0 to 900"]],
  ["buffering size", { buffering_size_mib: "0" }, ["buffering_size_mib: got 0; allowed: a whole number from 1 to 128"]],
  [
    "transition days",
    { lifecycle_transitions: tr([1.5, "GLACIER"]) },
    [`lifecycle_transitions: got ${got([1.5, "GLACIER"])}; allowed: a whole number of days >= 0 in each transition`],
  ],
  [
    "transition class",
    { lifecycle_transitions: tr([30, "COLD"]) },
    [`lifecycle_transitions: got ${got([30, "COLD"])}; allowed: a storage_class one of ${CLASSES}`],
  ],
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
    ["expiration_days: got 100; allowed: at least 180 days: after the last transition (90 days to GLACIER_IR) plus its minimum storage, which S3 bills anyway"],
  ],
  [
    "expiration whole",
    { expiration_days: "0" },
    [
      "expiration_days: got 0; allowed: a whole number >= 1",
      "expiration_days: got 0; allowed: at least 180 days: after the last transition (90 days to GLACIER_IR) plus its minimum storage, which S3 bills anyway",
    ],
  ],
  [
    "multipart days",
    { abort_incomplete_multipart_upload_days: "366" },
    ["abort_incomplete_multipart_upload_days: got 366; allowed: a whole number from 1 to 365"],
  ],
  ["log retention", { log_retention_days: "31" }, [`log_retention_days: got 31; allowed: one of ${LOG_RETENTION_DAYS.join(", ")}`]],
  [
    "identity format",
    { notification_identities: '["example.com", "not an identity"]' },
    [
      'notification_identities: got ["not an identity"]; allowed: an SES identity: a domain such as example.com or an address such as sender@example.com (ASCII, punycode for international domains)',
    ],
  ],
  [
    "identity repeated",
    { notification_identities: '["example.com", "EXAMPLE.com"]' },
    ['notification_identities: got ["EXAMPLE.com"]; allowed: each identity once (compared without case)'],
  ],
  [
    "identities while enabled",
    { notification_identities: "[]", notifications_enabled: "true" },
    ["notification_identities: got []; allowed: at least one SES identity while notifications are enabled (or set notifications_enabled to false)"],
  ],
  ["no identities while disabled", { notification_identities: "[]", notifications_enabled: "false" }, []],
  ["no identities, notifications_enabled unset: off, no error", { notification_identities: "[]" }, []],
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
  // Rules that read the provider's region: data.aws_region.current.id becomes var.test_region here.
  [
    "default bucket name",
    { name_prefix: "sthree" },
    [
      `name_prefix: got "sthree"; allowed: a name that makes a valid default bucket name, but "sthree-events-123456789012-us-east-1" breaks S3's rules; change name_prefix or set bucket_name`,
    ],
  ],
  ["default bucket name, not used", { name_prefix: "sthree", bucket_name: "acme-events" }, []],
  [
    "default bucket name in the provider's region",
    { name_prefix: "xn--mail", test_region: "eu-west-1" },
    [
      `name_prefix: got "xn--mail"; allowed: no trailing or doubled hyphen`,
      `name_prefix: got "xn--mail"; allowed: a name that makes a valid default bucket name, but "xn--mail-events-123456789012-eu-west-1" breaks S3's rules; change name_prefix or set bucket_name`,
    ],
  ],
  [
    "key in another region",
    { kms_key_arn: `${KEY_ARN("eu-west-1")}` },
    [`kms_key_arn: got "${KEY_ARN("eu-west-1")}"; allowed: a key in us-east-1 (KMS keys are regional)`],
  ],
  ["key in the provider's region", { kms_key_arn: KEY_ARN("eu-west-1"), test_region: "eu-west-1" }, []],
  [
    "AWS-managed key",
    { kms_key_arn: "arn:aws:kms:us-east-1:123456789012:alias/aws/sns" },
    [
      'kms_key_arn: got "arn:aws:kms:us-east-1:123456789012:alias/aws/sns"; allowed: a customer-managed KMS key: AWS-managed keys such as alias/aws/sns cannot let CloudWatch alarms or SES encrypt, so their notifications would silently never arrive (Trivy AWS-0136)',
    ],
  ],
  [
    "key ARN",
    { kms_key_arn: "key/1234" },
    ['kms_key_arn: got "key/1234"; allowed: a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
  ],
  [
    "key alias: IAM policies cannot name a key by alias",
    { kms_key_arn: "arn:aws:kms:us-east-1:123456789012:alias/mail" },
    [
      'kms_key_arn: got "arn:aws:kms:us-east-1:123456789012:alias/mail"; allowed: a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias: IAM policies cannot name a key by alias; `aws kms describe-key --key-id alias/<name>` prints the key\'s ARN',
    ],
  ],
  ["noncurrent days", { noncurrent_version_expiration_days: "0" }, ["noncurrent_version_expiration_days: got 0; allowed: a whole number >= 1"]],
  ["access log bucket length", { access_log_bucket_name: "ab" }, ['access_log_bucket_name: got "ab"; allowed: an S3 bucket name: 3 to 63 characters']],
  [
    "access log bucket characters",
    { access_log_bucket_name: "Logs" },
    [
      'access_log_bucket_name: got "Logs"; allowed: an S3 bucket name: lower-case letters, digits and hyphens, starting and ending with a letter or digit (no dots: they break TLS for virtual-hosted requests)',
    ],
  ],
  [
    "access log bucket prefix",
    { access_log_bucket_name: "sthree-logs" },
    ['access_log_bucket_name: got "sthree-logs"; allowed: an S3 bucket name: a name not starting with a reserved prefix (xn--, sthree-, amzn-s3-demo-)'],
  ],
  [
    "access log bucket suffix",
    { access_log_bucket_name: "logs--x-s3" },
    ['access_log_bucket_name: got "logs--x-s3"; allowed: an S3 bucket name: a name not ending with a reserved suffix (-s3alias, --ol-s3, --x-s3, --table-s3)'],
  ],
  [
    "access log prefix",
    { access_log_bucket_name: "access-logs", access_log_prefix: "has space/" },
    [`access_log_prefix: got "has space/"; allowed: an S3 key prefix of letters, digits and !_.*'()/-`],
  ],
  [
    "access log prefix without a bucket",
    { access_log_prefix: "logs/" },
    ['access_log_prefix: got "logs/"; allowed: null while access_log_bucket_name is null (the prefix only applies to access logging)'],
  ],
  ["access logging", { access_log_bucket_name: "access-logs", access_log_prefix: "ses/archive/" }, []],
  [
    "transition minimum object size",
    { transition_minimum_object_size: "all" },
    ['transition_minimum_object_size: got "all"; allowed: one of "all_storage_classes_128K", "varies_by_storage_class"'],
  ],
  ["everything on", { versioning: "true", encrypt_archive: "true", transition_minimum_object_size: "varies_by_storage_class" }, []],
  ["look-back", { investigation_lookback_days: "0" }, ["investigation_lookback_days: got 0; allowed: a whole number from 1 to 3653"]],
  [
    "look-back into GLACIER days, which Athena skips",
    { investigation_enabled: "true", investigation_lookback_days: "40", lifecycle_transitions: '[{ days = 40, storage_class = "GLACIER" }]' },
    [
      "investigation_lookback_days: got 40; allowed: at most 39: older events are in GLACIER or DEEP_ARCHIVE (lifecycle_transitions), which Athena skips without an error, or deleted (expiration_days); transition later, or to GLACIER_IR, which Athena reads",
    ],
  ],
  [
    "look-back up to the last readable day",
    { investigation_enabled: "true", investigation_lookback_days: "39", lifecycle_transitions: '[{ days = 40, storage_class = "GLACIER" }]' },
    [],
  ],
  [
    "look-back into GLACIER days while investigation is off: not checked",
    { investigation_lookback_days: "40", lifecycle_transitions: '[{ days = 40, storage_class = "GLACIER" }]' },
    [],
  ],
  [
    "scan cutoff whole",
    { investigation_bytes_scanned_cutoff_per_query_mib: "10.5" },
    ["investigation_bytes_scanned_cutoff_per_query_mib: got 10.5; allowed: a whole number"],
  ],
  [
    "scan cutoff minimum",
    { investigation_bytes_scanned_cutoff_per_query_mib: "9" },
    ["investigation_bytes_scanned_cutoff_per_query_mib: got 9; allowed: at least 10 MiB (Athena's smallest per-query limit)"],
  ],
  [
    "scan cutoff maximum",
    { investigation_bytes_scanned_cutoff_per_query_mib: "2000000000" },
    ["investigation_bytes_scanned_cutoff_per_query_mib: got 2000000000; allowed: at most 1073741824 MiB (1 PiB)"],
  ],
  [
    "results expiration",
    { investigation_results_expiration_days: "3651" },
    ["investigation_results_expiration_days: got 3651; allowed: a whole number from 1 to 3650"],
  ],
  [
    "results bucket length",
    { investigation_results_bucket_name: "ab" },
    ['investigation_results_bucket_name: got "ab"; allowed: an S3 bucket name: 3 to 63 characters'],
  ],
  [
    "results bucket characters",
    { investigation_results_bucket_name: "Results" },
    [
      'investigation_results_bucket_name: got "Results"; allowed: an S3 bucket name: lower-case letters, digits and hyphens, starting and ending with a letter or digit (no dots: they break TLS for virtual-hosted requests)',
    ],
  ],
  [
    "results bucket prefix",
    { investigation_results_bucket_name: "amzn-s3-demo-results" },
    [
      'investigation_results_bucket_name: got "amzn-s3-demo-results"; allowed: an S3 bucket name: a name not starting with a reserved prefix (xn--, sthree-, amzn-s3-demo-)',
    ],
  ],
  [
    "results bucket suffix",
    { investigation_results_bucket_name: "results--ol-s3" },
    [
      'investigation_results_bucket_name: got "results--ol-s3"; allowed: an S3 bucket name: a name not ending with a reserved suffix (-s3alias, --ol-s3, --x-s3, --table-s3)',
    ],
  ],
  [
    "results bucket is the archive's",
    { investigation_results_bucket_name: "ses-guard-events-123456789012-us-east-1" },
    [
      'investigation_results_bucket_name: got "ses-guard-events-123456789012-us-east-1"; allowed: a bucket of its own: not the archive bucket or the access-log bucket (results expire after investigation_results_expiration_days)',
    ],
  ],
  [
    "results bucket is the access-log bucket",
    { access_log_bucket_name: "access-logs", investigation_results_bucket_name: "access-logs" },
    [
      'investigation_results_bucket_name: got "access-logs"; allowed: a bucket of its own: not the archive bucket or the access-log bucket (results expire after investigation_results_expiration_days)',
    ],
  ],
  [
    "default results bucket name",
    // Given as null, not left out: Terraform names the module call only for a value written in it.
    { name_prefix: "sthree", bucket_name: "acme-events", investigation_enabled: "true", investigation_results_bucket_name: "null" },
    [
      `investigation_results_bucket_name: got null; allowed: a bucket name while the default, "sthree-athena-123456789012-us-east-1", breaks S3's rules (or a name_prefix that makes a valid one)`,
    ],
  ],
  ["default results bucket name, not used", { name_prefix: "sthree", bucket_name: "acme-events", investigation_enabled: "false" }, []],
  [
    "campaign tag",
    { investigation_campaign_tag: "has space" },
    ['investigation_campaign_tag: got "has space"; allowed: an SES message tag name: 1 to 256 letters, digits, _ or -'],
  ],
  [
    "account suppression reason",
    { suppression_account_level: '["BOUNCE", "OPEN"]' },
    ['suppression_account_level: got ["OPEN"]; allowed: one of "BOUNCE", "COMPLAINT"'],
  ],
  [
    "account suppression repeated",
    { suppression_account_level: '["BOUNCE", "BOUNCE"]' },
    ['suppression_account_level: got ["BOUNCE"]; allowed: each reason once'],
  ],
  [
    "configuration set suppression reason",
    { suppression_configuration_set: '["SPAM"]' },
    ['suppression_configuration_set: got ["SPAM"]; allowed: one of "BOUNCE", "COMPLAINT"'],
  ],
  [
    "configuration set suppression repeated",
    { suppression_configuration_set: '["COMPLAINT", "COMPLAINT"]' },
    ['suppression_configuration_set: got ["COMPLAINT"]; allowed: each reason once'],
  ],
  ["auto-pause scope", { auto_pause_scope: "pause-all" }, ['auto_pause_scope: got "pause-all"; allowed: one of "configurationSet", "account"']],
  [
    "auto-pause of the configuration set without its alarms",
    { auto_pause_enabled: "true", auto_pause_scope: "configurationSet", configuration_set_reputation_alarms: "false" },
    [
      'auto_pause_scope: got "configurationSet"; allowed: "account", or configuration_set_reputation_alarms true: a configuration set is paused on its own alarms',
    ],
  ],
  [
    "auto-pause of the account, no per-set alarms, no dashboard",
    { auto_pause_enabled: "true", auto_pause_scope: "account", configuration_set_reputation_alarms: "false", dashboard_enabled: "false" },
    [],
  ],
  [
    "Slack channel fields",
    { chat_slack_channels: `[${SLACK("ops")}, ${SLACK("Ops", "t012", "D012ABCDE")}]`, test_region: "us-east-2" },
    [
      `chat_slack_channels: got ["Ops"]; allowed: each name: ${RULES.chatChannelName.allowed}`,
      `chat_slack_channels: got ["t012"]; allowed: each workspace_id: ${RULES.slackWorkspaceId.allowed}`,
      `chat_slack_channels: got ["D012ABCDE"]; allowed: each channel_id: ${RULES.slackChannelId.allowed}`,
    ],
  ],
  [
    "Slack channels where the chat API is not",
    { chat_slack_channels: `[${SLACK("ops")}]` },
    [
      `chat_slack_channels: got [{"channel_id":"C012ABCDE","name":"ops","workspace_id":"T012ABCDE"}]; allowed: no channels in "us-east-1": the Amazon Q Developer in chat applications API is only in ${CHAT_API} (use the cdktf app, which places the channels there, or your own channel configuration subscribed to alarm_topic_arn and ses_events_topic_arn)`,
    ],
  ],
  [
    "Teams channel fields",
    { chat_teams_channels: `[${TEAMS("mail-ops", "not-a-uuid", "0F1E2D3C4B5A69788796A5B4C3D2E1F0", "19:abc@thread.tacv2")}]`, test_region: "us-west-2" },
    [
      `chat_teams_channels: got ["not-a-uuid"]; allowed: each tenant_id: ${RULES.teamsTenantId.allowed}`,
      `chat_teams_channels: got ["0F1E2D3C4B5A69788796A5B4C3D2E1F0"]; allowed: each team_id: ${RULES.teamsTeamId.allowed}`,
      `chat_teams_channels: got ["19:abc@thread.tacv2"]; allowed: each channel_id: ${RULES.teamsChannelId.allowed}`,
    ],
  ],
  [
    "Teams channel names",
    { chat_teams_channels: `[${TEAMS("1ops")}]`, test_region: "eu-west-1" },
    [`chat_teams_channels: got ["1ops"]; allowed: each name: ${RULES.chatChannelName.allowed}`],
  ],
  [
    "Teams channels where the chat API is not",
    { chat_teams_channels: `[${TEAMS("ops")}]`, test_region: "eu-central-1" },
    [
      `chat_teams_channels: got [{"channel_id":"19%3aabc%40thread.tacv2","name":"ops","team_id":"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","tenant_id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}]; allowed: no channels in "eu-central-1": the Amazon Q Developer in chat applications API is only in ${CHAT_API}`,
    ],
  ],
  [
    "a Slack and a Teams channel with one name",
    { chat_slack_channels: `[${SLACK("ops")}]`, chat_teams_channels: `[${TEAMS("ops")}]`, test_region: "ap-southeast-1" },
    [
      `chat_teams_channels: got [{"channel_id":"19%3aabc%40thread.tacv2","name":"ops","team_id":"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","tenant_id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}]; allowed: channel names that no other chat channel (Slack or Teams) has`,
    ],
  ],
  [
    "a Slack channel ID listed twice",
    { chat_slack_channels: `[${SLACK("ops")}, ${SLACK("ops-2")}]`, test_region: "us-west-2" },
    ['chat_slack_channels: got ["C012ABCDE"]; allowed: each channel_id once: a channel has one configuration per account, which receives every region'],
  ],
  [
    "a Teams channel ID listed twice",
    { chat_teams_channels: `[${TEAMS("ops")}, ${TEAMS("ops-2")}]`, test_region: "us-west-2" },
    [
      'chat_teams_channels: got ["19%3aabc%40thread.tacv2"]; allowed: each channel_id once: a channel has one configuration per account, which receives every region',
    ],
  ],
  [
    "channels where the chat API is not, in a call that creates no configurations",
    { chat_slack_channels: `[${SLACK("ops")}]`, chat_teams_channels: `[${TEAMS("email-ops")}]`, chat_create_channel_configurations: "false" },
    [],
  ],
  [
    "other regions' topics for the configurations",
    {
      chat_slack_channels: `[${SLACK("ops")}]`,
      chat_other_topic_arns: '["arn:aws:sns:eu-west-1:123456789012:ses-guard-alarms", "arn:aws:sns:eu-west-1:123456789012:ses-guard-ses-events"]',
      test_region: "us-west-2",
    },
    [],
  ],
  [
    "other regions' topics that are not topic ARNs",
    { chat_other_topic_arns: '["arn:aws:sns:eu-west-1:123456789012:ok", "ses-guard-alarms"]' },
    ['chat_other_topic_arns: got ["ses-guard-alarms"]; allowed: SNS topic ARNs, arn:aws:sns:<region>:<account>:<name>'],
  ],
  [
    "other regions' topics in a call that creates no configurations",
    { chat_create_channel_configurations: "false", chat_other_topic_arns: '["arn:aws:sns:eu-west-1:123456789012:ok"]' },
    [
      'chat_other_topic_arns: got ["arn:aws:sns:eu-west-1:123456789012:ok"]; allowed: [] while chat_create_channel_configurations is false: this call subscribes no configuration to them',
    ],
  ],
  [
    "Slack and Teams channels in a region with the chat API, every event type",
    {
      chat_slack_channels: `[${SLACK("deliverability")}, ${SLACK("private", "T012ABCDE", "G012ABCDE")}]`,
      chat_teams_channels: `[${TEAMS("email-ops")}]`,
      chat_ses_event_types: JSON.stringify(CHAT_EVENT_TYPES),
      test_region: "eu-west-1",
    },
    [],
  ],
  ["chat event types empty", { chat_ses_event_types: "[]" }, ["chat_ses_event_types: got []; allowed: a list of at least 1 item(s)"]],
  [
    "chat event type",
    { chat_ses_event_types: '["COMPLAINT", "OPEN"]' },
    [`chat_ses_event_types: got ["OPEN"]; allowed: one of ${CHAT_EVENT_TYPES.map((t) => `"${t}"`).join(", ")}`],
  ],
  [
    "a runbook name SSM reserves",
    { name_prefix: "aws-mail", auto_pause_enabled: "true" },
    [
      'name_prefix: got "aws-mail"; allowed: a name that does not start with aws, amazon or amzn while auto-pause is on (SSM reserves those prefixes for runbook names)',
    ],
  ],
  [
    "chat turned off while a channel is listed",
    { chat_enabled: "false", chat_slack_channels: `[${SLACK("ops")}]`, test_region: "us-west-2" },
    ["chat_enabled: got false; allowed: true (or null) while channels are listed: they would receive no SES events"],
  ],
  ["chat relay without channels", { chat_enabled: "true" }, []],
  [
    "chat event type repeated",
    { chat_ses_event_types: '["COMPLAINT", "COMPLAINT"]' },
    ['chat_ses_event_types: got ["COMPLAINT"]; allowed: each event type once'],
  ],
  [
    "investigation and suppression on",
    {
      investigation_enabled: "true",
      suppression_account_level: "[]",
      suppression_configuration_set: '["BOUNCE", "COMPLAINT"]',
      investigation_results_bucket_name: "acme-athena",
    },
    [],
  ],
];

/** The module's variables.tf.json, with the provider's region as an input (`test_region`) instead of the data source. */
function variablesOnly(moduleDir: string, dir: string): void {
  const text = fs.readFileSync(path.join(moduleDir, "variables.tf.json"), "utf8");
  const doc = JSON.parse(text.split("data.aws_region.current.id").join("var.test_region"));
  if (JSON.stringify(doc).includes("data.")) throw new Error("a validation rule reads another data source; make variablesOnly stand in for it too");
  doc.variable.test_region = { type: "string", default: "us-east-1", description: "Stands in for data.aws_region.current.id." };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "variables.tf.json"), JSON.stringify(doc, null, 2));
}

const STRING_INPUTS = new Set([
  ...moduleVariables()
    .filter((v) => v.type === "string")
    .map((v) => v.name),
  "test_region",
]);

/** The inputs each variable's rules read: its own, the others its cross-variable rules name, the region. */
const READS = new Map(
  moduleVariables().map((spec) => {
    const text = spec.rules.map((r) => `${r.condition} ${r.allowed} ${r.got ?? ""}`).join(" ");
    const names = [...text.matchAll(/var\.([a-z_]+)/g)].map((m) => m[1]);
    return [spec.name, new Set([spec.name, ...names, ...(text.includes("data.aws_region.current.id") ? ["test_region"] : [])])];
  }),
);

/** The variables whose rules a case's inputs can trip: only their messages belong to the case. */
function affected(vars: Record<string, string>): Set<string> {
  return new Set([...READS].filter(([, reads]) => Object.keys(vars).some((k) => reads.has(k))).map(([name]) => name));
}

/**
 * Cases share a module call when no rule could tell them apart: their inputs, and the variables
 * those inputs can trip, do not overlap. Each module call costs terraform ~0.1 s of CPU to
 * validate, so ~80 cases in ~20 calls instead of ~80. A case without inputs gets a call of its own.
 */
function packCases(): number[][] {
  const groups: { cases: number[]; taken: Set<string> }[] = [];
  CASES.forEach(([, vars], i) => {
    const mine = new Set([...Object.keys(vars), ...affected(vars)]);
    const group = mine.size ? groups.find((g) => g.taken.size && [...mine].every((v) => !g.taken.has(v))) : undefined;
    if (group) {
      group.cases.push(i);
      mine.forEach((v) => group.taken.add(v));
    } else groups.push({ cases: [i], taken: mine });
  });
  return groups.map((g) => g.cases);
}
const CASE_GROUPS = packCases();

/** A root module with one call of the variables-only module per group of cases. */
function casesRoot(dir: string): void {
  const calls = CASE_GROUPS.map((group, g) => {
    const values = Object.assign({}, BASE, ...group.map((i) => CASES[i][1])) as Record<string, string>;
    const args = Object.entries(values).map(([k, v]) => `  ${k} = ${STRING_INPUTS.has(k) && v !== "null" ? hclString(v) : v}`);
    return [`module "group_${g}" {`, '  source = "./vars"', ...args, "}"].join("\n");
  });
  fs.writeFileSync(path.join(dir, "main.tf"), `${calls.join("\n\n")}\n`);
}

/** The validation messages of each group's module call, from the one console run; any other diagnostic goes to `other`. */
function messagesByGroup(stderr: string): { byGroup: Map<number, string[]>; other: string[] } {
  const byGroup = new Map<number, string[]>();
  const other: string[] = [];
  for (const block of squash(stderr)
    .split(/(?=Error: )/)
    .filter((b) => b.startsWith("Error: "))) {
    const m = /^Error: Invalid value for variable on main\.tf line \d+, in module "group_(\d+)":.*? ([a-z_]+: got .*?) This was checked by/.exec(block);
    if (m) byGroup.set(Number(m[1]), [...(byGroup.get(Number(m[1])) ?? []), m[2]]);
    else other.push(block);
  }
  return { byGroup, other };
}

/** The messages of case `i`: those of its group's call about the variables its inputs can trip. */
function caseMessages(results: ReturnType<typeof messagesByGroup>, i: number): string[] {
  const g = CASE_GROUPS.findIndex((group) => group.includes(i));
  const mine = affected(CASES[i][1]);
  return (results.byGroup.get(g) ?? []).filter((m) => mine.has(m.slice(0, m.indexOf(": got "))));
}

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/**
 * npm test runs the validation rules (one console, no provider); the extended tier (`npm run test:extended`, in CI)
 * also plans the fixture root and validates examples/terraform-module, which cost a provider start each (the plain
 * module is planned in npm test too: test/app/integration.test.ts compares it with the stacks).
 */
const EXTENDED = process.env.SES_GUARD_TEST_TIER === "extended";
const extendedOnly = (fn: () => void) => (EXTENDED ? fn() : undefined);

describeTerraform("the generated module through terraform", () => {
  let planned: PlanJson;
  let planOutput = "";
  let consoleRun: TerraformResult;
  let exampleSourceLines = 0;
  const failures: Record<string, unknown> = {};
  /** Rethrows what went wrong in beforeAll for this part, so each test fails with terraform's own words. */
  const need = (part: string) => {
    if (part in failures) throw failures[part];
  };
  const started = Date.now();

  beforeAll(async () => {
    const work = copyStackToTemp(fixture);
    writeTerraformModule(path.join(work, "ses-guard"));
    // The example, pointed at the module generated here rather than the repository's dist/.
    const exampleDir = path.join(work, "example");
    fs.mkdirSync(exampleDir);
    const source = new RegExp(`(source\\s*=\\s*)"${escapeRe(EXAMPLE_SOURCE)}"`, "g");
    const text = fs.readFileSync(path.join(example, "main.tf"), "utf8");
    exampleSourceLines = (text.match(source) ?? []).length;
    fs.writeFileSync(path.join(exampleDir, "main.tf"), text.replace(source, '$1"../ses-guard"'));
    const casesDir = path.join(work, "validation-cases");
    variablesOnly(path.join(work, "ses-guard"), path.join(casesDir, "vars"));
    casesRoot(casesDir);

    const part = async (name: string, steps: () => Promise<void>) => {
      try {
        await timed(name, steps);
      } catch (e) {
        failures[name] = e;
      }
    };
    // Independent folders run side by side.
    await Promise.all([
      EXTENDED &&
        part("fixture", async () => {
          await timed("fixture init", () => mustSucceed(work, ["init", "-input=false", "-no-color"]));
          await timed("plan + show", async () => {
            const res = await mustSucceed(work, [...PLAN_ARGS, "-out=plan.bin"]);
            planOutput = squash(res.stdout + res.stderr);
            planned = JSON.parse((await mustSucceed(work, ["show", "-json", "-no-color", "plan.bin"])).stdout) as PlanJson;
          });
        }),
      EXTENDED && part("example", () => initValidate(exampleDir)),
      part("validation cases", async () => {
        await mustSucceed(casesDir, ["init", "-input=false", "-no-color"]);
        consoleRun = await terraform(casesDir, ["console", "-no-color"]);
      }),
    ]);
  });

  afterAll(() => {
    const steps = Object.entries(timings)
      .map(([name, s]) => `${name} ${s.toFixed(1)} s`)
      .join(", ");
    console.log(
      `terraform-module integration: ${((Date.now() - started) / 1000).toFixed(1)} s in all (${steps}); ${CASES.length} validation cases in ${CASE_GROUPS.length} module calls`,
    );
  });

  extendedOnly(() =>
    describe("a root module calling it three times: one plan", () => {
      beforeEach(() => need("fixture"));

      test("init and plan pass, and the plan holds each module instance's resources", () => {
        // 4 reputation + 2 archive alarms, topic, policy, subscriptions, key and alias (unless the caller's),
        // bucket resources (+ versioning, + logging), 5 stream resources, 4 event publishing resources,
        // notification topic, policy, subscriptions and identities x types (while notifications are on).
        // Investigation: Glue database and table, results bucket with 5 (+ logging) baseline resources and
        // lifecycle, workgroup, 7 saved queries; suppression: the account-level setting.
        // By default also the configuration set's 4 alarms and the dashboard. ses_guard adds auto-pause (rule, 2 targets,
        // 2 roles and their policies, 2 runbooks, and what is listed below) and chat for 7 event types (a rule and a target each, twice: with and
        // without a Subject header), its role and policy, a Slack and a Teams channel, the SES events topic and
        // its policy, and the EventBridge event destination.
        // Each of the two also has its dead-letter queue (queue, queue policy, alarm); auto-pause announces from a rule of
        // its own (on the pause runbook's success) and reports a failed runbook from another (a rule and a target each).
        const defaults = 4 + 1;
        const deadLetter = 3;
        const autoPause = 1 + 2 + 2 + 2 + 2 + 1 + 2 + deadLetter;
        const chat = 7 * 2 * 2 + 2 + 2 + 2 + 1 + deadLetter;
        expect(managed(planned, "ses_guard")).toHaveLength(6 + 2 + 2 + 2 + 8 + 5 + 4 + 2 + 1 + 6 + 17 + 1 + defaults + autoPause + chat);
        expect(managed(planned, "ses_guard_minimal")).toHaveLength(6 + 2 + 1 + 2 + 6 + 5 + 4 + 2 + 1 + 2 + defaults);
        // configuration_set_reputation_alarms and dashboard_enabled false: as before either existed.
        expect(managed(planned, "ses_guard_quiet")).toHaveLength(6 + 2 + 1 + 0 + 6 + 5 + 4 + 16 + 1);
        expect(plannedResources(planned).filter((r) => r.mode === "managed" && !r.address.startsWith("module."))).toEqual([]);
      });

      test("chat channels are one resource each, keyed by name; auto-pause acts on the configuration set's own critical alarms", () => {
        expect(
          managed(planned, "ses_guard")
            .filter((r) => r.type.startsWith("aws_chatbot_"))
            .map((r) => r.address)
            .sort(),
        ).toEqual([
          'module.ses_guard.aws_chatbot_slack_channel_configuration.chat_channels_slack["deliverability"]',
          'module.ses_guard.aws_chatbot_teams_channel_configuration.chat_channels_teams["email-ops"]',
        ]);
        const pattern = JSON.parse(at(planned, "module.ses_guard.aws_cloudwatch_event_rule.auto_pause_rule[0]").event_pattern);
        expect(pattern.resources).toEqual(
          ["bounce", "complaint"].map((m) => `arn:aws:cloudwatch:eu-west-1:210987654321:alarm:acme-mail-configuration-set-${m}-rate-critical`),
        );
        // Off where not asked for: no chat or auto-pause in the other calls, no per-set alarms or dashboard in ses_guard_quiet.
        for (const m of ["ses_guard_minimal", "ses_guard_quiet", "ses_guard_required_only"]) {
          expect([m, managed(planned, m).filter((r) => /chatbot|ssm_document|event_rule/.test(r.type) || r.name.startsWith("ses_event_alerts"))]).toEqual([
            m,
            [],
          ]);
        }
        expect(
          managed(planned, "ses_guard_quiet").filter((r) => r.type === "aws_cloudwatch_dashboard" || r.name.startsWith("configuration_set_alarms")),
        ).toEqual([]);
      });

      test("a call with only the required inputs plans: notifications stay off while no identities are given", () => {
        // Like ses_guard_minimal less the notification topic, its policy, subscription and identity topics.
        expect(managed(planned, "ses_guard_required_only")).toHaveLength(6 + 2 + 1 + 2 + 6 + 5 + 4 + 4 + 1);
        expect(managed(planned, "ses_guard_required_only").filter((r) => /notification/.test(r.type) || r.name.startsWith("notifications_"))).toEqual([]);
        expect(at(planned, 'module.ses_guard_required_only.aws_sns_topic_subscription.alarms_topic_subscriptions["ops@example.com"]').endpoint).toBe(
          "ops@example.com",
        );
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
          ["ses_guard_quiet", "alarms_bounce_rate_critical", 0.06],
        ];
        for (const [module, name, fraction] of expected) {
          const alarm = at(planned, `module.${module}.aws_cloudwatch_metric_alarm.${name}`);
          expect([name, alarm.threshold]).toEqual([name, fraction]);
          expect(alarm).toMatchObject({
            namespace: "AWS/SES",
            statistic: "Maximum",
            comparison_operator: "GreaterThanOrEqualToThreshold",
            treat_missing_data: "ignore",
          });
        }
        expect(at(planned, "module.ses_guard.aws_cloudwatch_metric_alarm.alarms_bounce_rate_warning")).toMatchObject({
          alarm_name: "acme-mail-bounce-rate-warning",
          alarm_description: expect.stringContaining("reached 1.5 % (warning). AWS reviews the account at 5 %."),
          period: 3600,
          evaluation_periods: 2,
        });
        expect(at(planned, "module.ses_guard_minimal.aws_cloudwatch_metric_alarm.alarms_bounce_rate_critical")).toMatchObject({
          period: 900,
          evaluation_periods: 1,
        });
      });

      test("the archive watches itself: DataFreshness beyond the buffering interval, Success below 1", () => {
        for (const [module, stream, interval] of [
          ["ses_guard", "acme-mail-events", 600],
          ["ses_guard_minimal", "ses-guard-events", 900],
        ] as const) {
          const prefix = stream.replace(/-events$/, "");
          expect(at(planned, `module.${module}.aws_cloudwatch_metric_alarm.archive_alarms_data_freshness`)).toMatchObject({
            alarm_name: `${prefix}-archive-data-freshness`,
            namespace: "AWS/Firehose",
            metric_name: "DeliveryToS3.DataFreshness",
            dimensions: { DeliveryStreamName: stream },
            statistic: "Maximum",
            threshold: interval,
            comparison_operator: "GreaterThanThreshold",
            treat_missing_data: "notBreaching",
            actions_enabled: true,
          });
          expect(at(planned, `module.${module}.aws_cloudwatch_metric_alarm.archive_alarms_delivery_success`)).toMatchObject({
            metric_name: "DeliveryToS3.Success",
            dimensions: { DeliveryStreamName: stream },
            statistic: "Minimum",
            threshold: 1,
            comparison_operator: "LessThanThreshold",
          });
          // Alarm and OK actions: the alarm topic, whose ARN is known after apply.
          expect(unknownAt(planned, `module.${module}.aws_cloudwatch_metric_alarm.archive_alarms_data_freshness`)).toMatchObject({
            alarm_actions: true,
            ok_actions: true,
          });
        }
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
        expect(topics.map((t) => t.address).sort()).toEqual(
          keys.map((k) => `module.ses_guard.aws_ses_identity_notification_topic.notifications_identities["${k}"]`).sort(),
        );
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
          "arn:aws:ses:eu-west-1:210987654321:identity/acme.example",
          "arn:aws:ses:eu-west-1:210987654321:identity/billing@acme.example",
        ]);
      });

      test("e-mail subscriptions are keyed by address", () => {
        const subscriptions = managed(planned, "ses_guard").filter((r) => r.type === "aws_sns_topic_subscription");
        expect(
          subscriptions.map((s) => [s.address.replace("module.ses_guard.aws_sns_topic_subscription.", ""), s.values.endpoint, s.values.protocol]).sort(),
        ).toEqual([
          ['alarms_topic_subscriptions["deliverability@acme.example"]', "deliverability@acme.example", "email"],
          ['alarms_topic_subscriptions["oncall@acme.example"]', "oncall@acme.example", "email"],
          ['notifications_subscriptions["ses-bounces-aaaabbbbccccdddd@acme.slack.com"]', "ses-bounces-aaaabbbbccccdddd@acme.slack.com", "email"],
        ]);
      });

      test("the archive bucket: lifecycle from the dynamic blocks, versioning, access logs, private and TLS-only", () => {
        const lifecycle = at(planned, "module.ses_guard.aws_s3_bucket_lifecycle_configuration.archive_bucket_lifecycle");
        const tiering = lifecycle.rule.find((r: { id: string }) => r.id === "archive-tiering-and-expiration");
        expect(
          tiering.transition.map((t: { days: number; storage_class: string }) => [t.days, t.storage_class]).sort((a: number[], b: number[]) => a[0] - b[0]),
        ).toEqual([
          [30, "STANDARD_IA"],
          [90, "GLACIER_IR"],
          [180, "DEEP_ARCHIVE"],
        ]);
        expect(tiering.expiration).toEqual([expect.objectContaining({ days: 1095 })]);
        expect(tiering.noncurrent_version_expiration).toEqual([expect.objectContaining({ noncurrent_days: 14 })]);
        const abort = lifecycle.rule.find((r: { id: string }) => r.id === "abort-incomplete-multipart-uploads");
        expect(abort.abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 3 }]);
        expect(lifecycle.transition_default_minimum_object_size).toBe("varies_by_storage_class");
        expect(at(planned, "module.ses_guard.aws_s3_bucket_versioning.archive_bucket_versioning[0]").versioning_configuration).toEqual([
          expect.objectContaining({ status: "Enabled" }),
        ]);
        expect(at(planned, "module.ses_guard.aws_s3_bucket_logging.archive_bucket_access_logging[0]")).toMatchObject({
          target_bucket: "acme-s3-access-logs",
          target_prefix: "ses-archive/",
        });
        const minimal = at(planned, "module.ses_guard_minimal.aws_s3_bucket_lifecycle_configuration.archive_bucket_lifecycle");
        expect(minimal.rule[0].transition.map((t: { days: number }) => t.days).sort()).toEqual([30, 90]);
        expect(minimal.rule[0].noncurrent_version_expiration).toEqual([]);
        expect(minimal.transition_default_minimum_object_size).toBe("all_storage_classes_128K");
        expect(managed(planned, "ses_guard_minimal").filter((r) => /versioning|logging/.test(r.type))).toEqual([]);
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

      test("encryption: a created key with rotation, or the caller's; topics, bucket and stream use it", () => {
        const BYO = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        for (const [module, alias, account] of [
          ["ses_guard", "alias/acme-mail", "210987654321"],
          ["ses_guard_minimal", "alias/ses-guard", "123456789012"],
        ] as const) {
          const key = at(planned, `module.${module}.aws_kms_key.encryption_key[0]`);
          expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
          const policy = statements(key.policy);
          expect(policy.find((s) => s.Sid === "AccountAdministersThroughIam")?.Principal).toEqual({ AWS: `arn:aws:iam::${account}:root` });
          for (const service of ["cloudwatch.amazonaws.com", "ses.amazonaws.com"]) {
            expect(policy.find((s) => s.Principal?.Service === service)?.Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
          }
          expect(at(planned, `module.${module}.aws_kms_alias.encryption_key_alias[0]`).name).toBe(alias);
          // The key's ARN is known after apply: every topic's key is that unknown value.
          expect(unknownAt(planned, `module.${module}.aws_sns_topic.alarms_topic`).kms_master_key_id).toBe(true);
        }
        expect(unknownAt(planned, "module.ses_guard.aws_sns_topic.notifications_topic[0]").kms_master_key_id).toBe(true);
        // The caller's key: no key of our own, and the ARN as given, everywhere.
        expect(managed(planned, "ses_guard_quiet").filter((r) => r.type.startsWith("aws_kms_"))).toEqual([]);
        expect(at(planned, "module.ses_guard_quiet.aws_sns_topic.alarms_topic").kms_master_key_id).toBe(BYO);
        expect(at(planned, "module.ses_guard_quiet.aws_s3_bucket_server_side_encryption_configuration.archive_bucket_encryption").rule[0]).toMatchObject({
          apply_server_side_encryption_by_default: [{ sse_algorithm: "aws:kms", kms_master_key_id: BYO }],
          bucket_key_enabled: true,
        });
        const quiet = at(planned, "module.ses_guard_quiet.aws_kinesis_firehose_delivery_stream.delivery_stream");
        expect(quiet.server_side_encryption).toEqual([expect.objectContaining({ enabled: true, key_type: "CUSTOMER_MANAGED_CMK", key_arn: BYO })]);
        expect(quiet.extended_s3_configuration[0].kms_key_arn).toBe(BYO);
        const kms = statements(at(planned, "module.ses_guard_quiet.aws_iam_role_policy.delivery_stream_role_policy").policy).find(
          (s) => s.Sid === "EncryptObjectsThroughS3",
        );
        expect(kms).toMatchObject({
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: BYO,
          Condition: {
            // The bucket ARN: S3 uses it as the encryption context with a Bucket Key.
            StringEquals: {
              "kms:ViaService": "s3.us-east-1.amazonaws.com",
              "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::quiet-events-123456789012-us-east-1",
            },
          },
        });
        // encrypt_archive with the created key: SSE-KMS and CUSTOMER_MANAGED_CMK with the key known after apply.
        expect(
          at(planned, "module.ses_guard.aws_s3_bucket_server_side_encryption_configuration.archive_bucket_encryption").rule[0]
            .apply_server_side_encryption_by_default[0].sse_algorithm,
        ).toBe("aws:kms");
        expect(at(planned, "module.ses_guard.aws_kinesis_firehose_delivery_stream.delivery_stream").server_side_encryption[0].key_type).toBe(
          "CUSTOMER_MANAGED_CMK",
        );
        expect(unknownAt(planned, "module.ses_guard.aws_kinesis_firehose_delivery_stream.delivery_stream").server_side_encryption).toEqual([
          expect.objectContaining({ key_arn: true }),
        ]);
        // Defaults: SSE-S3 and an AWS-owned Firehose key, and no KMS statement for the Firehose role.
        const sseS3 = at(planned, "module.ses_guard_minimal.aws_s3_bucket_server_side_encryption_configuration.archive_bucket_encryption").rule[0];
        expect(sseS3.apply_server_side_encryption_by_default).toEqual([expect.objectContaining({ sse_algorithm: "AES256" })]);
        // The provider plans an unset key as "".
        expect(sseS3.apply_server_side_encryption_by_default[0].kms_master_key_id || null).toBeNull();
        expect(at(planned, "module.ses_guard_minimal.aws_kinesis_firehose_delivery_stream.delivery_stream").server_side_encryption).toEqual([
          expect.objectContaining({ enabled: true, key_type: "AWS_OWNED_CMK" }),
        ]);
        expect(statements(at(planned, "module.ses_guard_minimal.aws_iam_role_policy.delivery_stream_role_policy").policy).map((s) => s.Sid)).toEqual([
          "WriteObjects",
          "FindBucket",
          "LogDeliveryErrors",
        ]);
      });

      test("region, partition and account come from the provider and account_id: names and trust policies", () => {
        const stream = at(planned, "module.ses_guard.aws_kinesis_firehose_delivery_stream.delivery_stream");
        expect(stream.extended_s3_configuration[0]).toMatchObject({
          prefix: "events/eu-west-1/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/",
          buffering_interval: 600,
          buffering_size: 64,
          compression_format: "GZIP",
        });
        expect(at(planned, "module.ses_guard.aws_cloudwatch_log_group.delivery_stream_log_group")).toMatchObject({
          name: "/aws/kinesisfirehose/acme-mail-events",
          retention_in_days: 90,
        });
        const role = at(planned, "module.ses_guard.aws_iam_role.delivery_stream_role");
        expect(role.name).toBe("acme-mail-firehose-eu-west-1");
        const [trust] = statements(role.assume_role_policy);
        // Firehose presents the account as external ID, and no source ARN.
        expect(trust.Condition).toEqual({ StringEquals: { "sts:ExternalId": "210987654321" } });
        const ses = at(planned, "module.ses_guard_minimal.aws_iam_role.event_publishing_role");
        expect(ses.name).toBe("ses-guard-ses-publisher-us-east-1");
        expect(statements(ses.assume_role_policy)[0].Condition.ArnLike["aws:SourceArn"]).toBe("arn:aws:ses:us-east-1:123456789012:configuration-set/ses-guard");
      });

      test("tags go on every taggable resource", () => {
        const tagged = managed(planned, "ses_guard").filter((r) => "tags" in r.values);
        expect(tagged.length).toBeGreaterThanOrEqual(14);
        for (const r of tagged) expect([r.address, r.values.tags]).toEqual([r.address, { team: "platform", "cost-center": "email" }]);
      });

      test("outputs pass through the root module; next_steps names the configuration set", () => {
        const outputs = planned.planned_values.outputs ?? {};
        expect(outputs.archive_bucket_name.value).toBe("acme-ses-event-archive");
        expect(outputs.configuration_set_name.value).toBe("acme-transactional");
        expect(outputs.delivery_stream_name.value).toBe("acme-mail-events");
        expect(outputs.minimal_archive_bucket_name.value).toBe("ses-guard-events-123456789012-us-east-1");
        expect(outputs.next_steps.value).toContain("Send with ConfigurationSetName=acme-transactional (or the X-SES-CONFIGURATION-SET header)");
        expect(outputs.next_steps.value).toMatch(/^Every address in pending_email_confirmations must click the link/);
        expect(outputs.next_steps.value).toMatch(/archived\. When an alarm fires, open Athena workgroup acme-mail-investigations and run its saved queries/);
        expect(outputs.athena_workgroup.value).toBe("acme-mail-investigations");
        expect(outputs.minimal_athena_workgroup?.value ?? null).toBeNull();
        // Read from state after apply (pending_confirmation is known only then).
        expect(outputs.pending_email_confirmations.value).toBeUndefined();
        expect(Object.keys(planned.output_changes ?? {}).sort()).toEqual(
          [
            "alarm_topic_arn",
            "archive_bucket_name",
            "athena_workgroup",
            "configuration_set_name",
            "delivery_stream_name",
            "minimal_archive_bucket_name",
            "minimal_athena_workgroup",
            "next_steps",
            "notification_topic_arn",
            "pending_email_confirmations",
            "quiet_notification_topic_arn",
          ].sort(),
        );
      });

      test("notifications_enabled = false: no notification resources, a null output, and a warning about the unused identities", () => {
        const off = managed(planned, "ses_guard_quiet");
        expect(off.filter((r) => /notification/.test(r.type) || r.address.includes(".notifications"))).toEqual([]);
        expect(planned.planned_values.outputs?.quiet_notification_topic_arn?.value ?? null).toBeNull();
        expect(planOutput).toContain("notification_identities is set but notifications_enabled is false; no notification topics are created");
      });

      test("a level above AWS's review level, or a suppression reason left out, plans with a warning (as config.ts warns)", () => {
        expect(planOutput).toContain("Warning: Check block assertion failed");
        expect(planOutput).toContain(
          "bounce_rate_critical_percent is 6 %, above the 5 % at which AWS puts the account under review; the alarm may fire too late",
        );
        expect(planOutput).toContain(
          "suppression_account_level leaves out COMPLAINT: SES keeps sending to addresses that complained, in this region, which raises the rates AWS reviews",
        );
      });

      test("investigation: a Glue table over this call's bucket and region, a locked-down workgroup, saved queries", () => {
        const table = at(planned, "module.ses_guard.aws_glue_catalog_table.event_catalog_table[0]");
        expect(table).toMatchObject({ name: "ses_events", database_name: "acme_mail_events", table_type: "EXTERNAL_TABLE" });
        expect(table.parameters).toMatchObject({
          "projection.enabled": "true",
          "projection.region.values": "eu-west-1",
          // DEEP_ARCHIVE from day 180, which Athena skips: the table stops the day before.
          "projection.dt.range": "NOW-179DAYS,NOW",
          // Terraform's $${ escape is a literal ${ for Athena to fill in.
          "storage.location.template": "s3://acme-ses-event-archive/events/${region}/${dt}/",
        });
        expect(table.storage_descriptor[0].location).toBe("s3://acme-ses-event-archive/events/");
        const workgroup = at(planned, "module.ses_guard.aws_athena_workgroup.athena[0]");
        expect(workgroup).toMatchObject({ name: "acme-mail-investigations", state: "ENABLED" });
        expect(workgroup.configuration[0]).toMatchObject({
          enforce_workgroup_configuration: true,
          bytes_scanned_cutoff_per_query: 5120 * 1024 * 1024,
          engine_version: [expect.objectContaining({ selected_engine_version: "Athena engine version 3" })],
        });
        expect(workgroup.configuration[0].result_configuration[0]).toMatchObject({
          output_location: "s3://acme-ses-athena-results/",
          expected_bucket_owner: "210987654321",
          encryption_configuration: [expect.objectContaining({ encryption_option: "SSE_KMS" })],
        });
        expect(at(planned, "module.ses_guard.aws_s3_bucket.athena_results_bucket[0]")).toMatchObject({
          bucket: "acme-ses-athena-results",
          force_destroy: true,
        });
        const queries = managed(planned, "ses_guard").filter((r) => r.type === "aws_athena_named_query");
        expect(queries).toHaveLength(7);
        const campaign = at(planned, "module.ses_guard.aws_athena_named_query.athena_bounce_rate_by_campaign[0]");
        expect(campaign.database).toBe("acme_mail_events");
        expect(campaign.query).toContain("FROM acme_mail_events.ses_events");
        expect(campaign.query).toContain("INTERVAL '14' DAY");
        expect(campaign.query).toContain("the last 14 days");
        // Matched without regard to case, whatever the SerDe does with map keys.
        expect(campaign.query).toContain("map_filter(mail.tags, (k, v) -> lower(k) = 'campaign')");
        // Defaults, and the caller's key for the results.
        expect(at(planned, "module.ses_guard_quiet.aws_s3_bucket.athena_results_bucket[0]").bucket).toBe("quiet-athena-123456789012-us-east-1");
        expect(at(planned, "module.ses_guard_quiet.aws_athena_workgroup.athena[0]").configuration[0].result_configuration[0].encryption_configuration).toEqual([
          expect.objectContaining({ encryption_option: "SSE_KMS", kms_key_arn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }),
        ]);
        expect(at(planned, "module.ses_guard_quiet.aws_athena_named_query.athena_hard_bounces_by_recipient[0]").query).toContain(
          "FROM quiet_events.ses_events",
        );
        expect(managed(planned, "ses_guard_minimal").filter((r) => /athena|glue/.test(r.type))).toEqual([]);
      });

      test("suppression: the account level and the configuration set's own reasons, only when given", () => {
        expect(at(planned, "module.ses_guard.aws_sesv2_account_suppression_attributes.account_suppression[0]").suppressed_reasons).toEqual([
          "BOUNCE",
          "COMPLAINT",
        ]);
        expect(at(planned, "module.ses_guard_quiet.aws_sesv2_account_suppression_attributes.account_suppression[0]").suppressed_reasons).toEqual(["BOUNCE"]);
        expect(at(planned, "module.ses_guard.aws_sesv2_configuration_set.event_publishing_configuration_set").suppression_options).toEqual([
          { suppressed_reasons: ["BOUNCE", "COMPLAINT"] },
        ]);
        expect(at(planned, "module.ses_guard_minimal.aws_sesv2_configuration_set.event_publishing_configuration_set").suppression_options).toEqual([]);
        expect(managed(planned, "ses_guard_minimal").filter((r) => r.type === "aws_sesv2_account_suppression_attributes")).toEqual([]);
      });
    }),
  );

  extendedOnly(() =>
    test("examples/terraform-module: terraform init and validate pass with the module where `npm run module` writes it", () => {
      need("example");
      expect(EXAMPLE_SOURCE).toBe("../../dist/terraform-module/ses-guard");
      expect(exampleSourceLines).toBe(2);
    }),
  );

  describe("every validation rule, through one terraform console", () => {
    let results: ReturnType<typeof messagesByGroup>;
    beforeAll(() => {
      if (!("validation cases" in failures)) results = messagesByGroup(consoleRun.stderr);
    });
    beforeEach(() => need("validation cases"));

    test("terraform reports nothing but the cases' validation errors", () => {
      // Terraform also evaluates messages of rules that pass: none may fail to evaluate.
      expect(results.other).toEqual([]);
      expect(squash(consoleRun.stderr)).not.toContain("Validation error message expression is invalid");
      const claimed = CASES.flatMap((_, i) => caseMessages(results, i));
      expect([...results.byGroup.values()].flat().filter((m) => !claimed.includes(m))).toEqual([]);
      expect(CASE_GROUPS.length).toBeLessThan(CASES.length / 2);
    });

    test.each(CASES.map((c, i) => [c[0], i, c[2]] as const))("%s", (_name, i, expected) => {
      // Terraform's order of diagnostics across variables is its own: compared sorted.
      expect(caseMessages(results, i).sort()).toEqual([...expected].sort());
    });

    test("every rule of every variable is exercised by a case", () => {
      const expectedMessages = CASES.flatMap(([, , m]) => m);
      const missing: string[] = [];
      for (const spec of moduleVariables()) {
        for (const rule of spec.rules) {
          const fixed = rule.allowed.split("${")[0];
          if (!expectedMessages.some((m) => m.startsWith(`${spec.name}: got `) && m.includes(`; allowed: ${fixed}`))) missing.push(`${spec.name}: ${fixed}`);
        }
      }
      expect(missing).toEqual([]);
    });
  });
});
