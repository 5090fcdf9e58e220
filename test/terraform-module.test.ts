// The generated plain Terraform module: structure, validation rules, README and determinism (no terraform needed).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing } from "cdktf";
import {
  bucketNameProblem,
  ConfigError,
  DEFAULT_EVENT_TYPES,
  isDomain,
  isEmailAddress,
  LOG_RETENTION_DAYS,
  MINIMUM_STORAGE_DAYS,
  NOTIFICATION_TYPES,
  notificationIdentitiesFor,
  parseConfig,
  SES_EVENT_TYPES,
  SES_REGIONS,
  SesGuardConfig,
  SesRegion,
  STORAGE_CLASSES,
} from "../modules/config";
import { partitionOf } from "../modules/arn";
import { logicalIdSegment } from "../modules/logical-id";
import { main as moduleCli, parseModuleArgs } from "../modules/module-cli";
import { SesGuardStack } from "../modules/ses-guard-stack";
import {
  AWS_PROVIDER_CONSTRAINT,
  configSays,
  DEFAULT_MODULE_OUTDIR,
  hclLiteral,
  hclString,
  MODULE_FILES,
  MODULE_OUTPUTS,
  MODULE_PATTERNS,
  moduleDocuments,
  moduleFiles,
  moduleVariables,
  NEXT_STEPS,
  TERRAFORM_CONSTRAINT,
  TRANSITION_MINIMUM_OBJECT_SIZES,
  writeTerraformModule,
} from "../modules/terraform-module";
import { POLICY_RULES, RuleContext, StackJson } from "./support/policy-rules";

const root = path.join(__dirname, "..");
const files = moduleFiles();
const main = JSON.parse(files["main.tf.json"]);
const variables: Record<string, VariableJson> = JSON.parse(files["variables.tf.json"]).variable;
const outputs: Record<string, { description: string; value: string }> = JSON.parse(files["outputs.tf.json"]).output;
const specs = moduleVariables();

interface VariableJson {
  description?: string;
  type?: string;
  default?: unknown;
  nullable?: boolean;
  validation?: { condition: string; error_message: string }[];
}

const tmpDirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-module-"));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function keysDeep(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => keysDeep(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      keysDeep(v, out);
    }
  }
  return out;
}

function stringsDeep(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsDeep(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => stringsDeep(v, out));
  return out;
}

function messages(name: string): string[] {
  return (variables[name].validation ?? []).map((v) => v.error_message);
}
function conditions(name: string): string[] {
  return (variables[name].validation ?? []).map((v) => v.condition);
}

/** The "allowed" part of the ConfigError a config gives. */
function configAllowed(patch: (cfg: Record<string, any>) => void): string {
  const cfg: Record<string, any> = {
    accountId: "123456789012",
    alarms: { emails: ["ops@example.com"] },
    notifications: { identities: ["example.com"] },
  };
  patch(cfg);
  try {
    parseConfig(cfg);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const m = /allowed: (.*?)(?: \(\d+ more problems? after this one\))?$/.exec((e as Error).message);
    if (!m) throw new Error(`no "allowed:" in ${(e as Error).message}`);
    return m[1];
  }
  throw new Error("the config was accepted");
}

describe("module structure", () => {
  test("no provider, backend, cloud block or cdktf metadata in any file", () => {
    for (const doc of [main, { variable: variables }, { output: outputs }]) {
      expect(doc.provider).toBeUndefined();
      expect(keysDeep(doc)).not.toContain("//");
    }
    expect(Object.keys(main.terraform).sort()).toEqual(["required_providers", "required_version"]);
    expect(keysDeep(main)).not.toContain("backend");
    expect(keysDeep(main)).not.toContain("cloud");
    expect(fs.readdirSync(writeTerraformModule(path.join(tmp(), "m"))).sort()).toEqual([...MODULE_FILES].sort());
  });

  test("requires terraform >= 1.9 and an aws provider constraint admitting 5.100 and 6.x", () => {
    expect(main.terraform.required_version).toBe(TERRAFORM_CONSTRAINT);
    expect(TERRAFORM_CONSTRAINT).toBe(">= 1.9");
    expect(main.terraform.required_providers).toEqual({ aws: { source: "hashicorp/aws", version: AWS_PROVIDER_CONSTRAINT } });
    // A small evaluator for the ">= a, < b" form Terraform uses.
    const admits = (constraint: string, version: string) => {
      const num = (v: string) => v.split(".").map(Number).concat([0, 0, 0]).slice(0, 3);
      const cmp = (a: number[], b: number[]) => a.reduce((r, x, i) => r || Math.sign(x - b[i]), 0);
      return constraint.split(",").every((part) => {
        const [, op, v] = /^\s*(>=|<=|<|>|=)\s*([\d.]+)\s*$/.exec(part)!;
        const c = cmp(num(version), num(v));
        return { ">=": c >= 0, "<=": c <= 0, "<": c < 0, ">": c > 0, "=": c === 0 }[op];
      });
    };
    for (const ok of ["5.100.0", "5.100.1", "6.0.0", "6.25.3", "6.99.99"]) expect([ok, admits(AWS_PROVIDER_CONSTRAINT, ok)]).toEqual([ok, true]);
    for (const no of ["5.99.0", "4.67.0", "7.0.0", "7.1.0"]) expect([no, admits(AWS_PROVIDER_CONSTRAINT, no)]).toEqual([no, false]);
  });

  test("every variable has a description, a type and, unless it is required, a default", () => {
    expect(Object.keys(variables)).toEqual(specs.map((s) => s.name));
    expect(Object.keys(variables).length).toBeGreaterThanOrEqual(20);
    const required = Object.entries(variables)
      .filter(([, v]) => !("default" in v))
      .map(([k]) => k);
    expect(required).toEqual(["account_id", "alarm_emails"]);
    for (const [name, v] of Object.entries(variables)) {
      expect([name, typeof v.description, (v.description ?? "").length > 20, /\.$/.test(v.description ?? "")]).toEqual([name, "string", true, true]);
      expect([name, typeof v.type]).toEqual([name, "string"]);
      // Passing null means "the default" unless null is the default (a derived value).
      expect([name, v.nullable]).toEqual([name, v.default === null]);
    }
  });

  test("the environment-specific inputs the issue lists are variables", () => {
    for (const name of [
      "name_prefix",
      "account_id",
      "notification_identities",
      "alarm_emails",
      "notification_emails",
      "bounce_rate_warning_percent",
      "bounce_rate_critical_percent",
      "complaint_rate_warning_percent",
      "complaint_rate_critical_percent",
      "log_retention_days",
      "expiration_days",
      "tags",
      "bucket_name",
    ]) {
      expect(Object.keys(variables)).toContain(name);
    }
  });

  test("defaults are the config schema's defaults", () => {
    const d = parseConfig({ accountId: "123456789012", alarms: { emails: ["ops@example.com"] }, notifications: { identities: ["example.com"] } });
    const defaults = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, v.default]));
    expect(defaults).toMatchObject({
      name_prefix: d.name,
      tags: {},
      bounce_rate_warning_percent: d.alarms.bounceRatePercent.warning,
      bounce_rate_critical_percent: d.alarms.bounceRatePercent.critical,
      complaint_rate_warning_percent: d.alarms.complaintRatePercent.warning,
      complaint_rate_critical_percent: d.alarms.complaintRatePercent.critical,
      alarm_period_seconds: d.alarms.periodSeconds,
      alarm_evaluation_periods: d.alarms.evaluationPeriods,
      configuration_set_name: null,
      require_tls: true,
      bucket_name: null,
      versioning: d.archive.versioning,
      noncurrent_version_expiration_days: d.archive.lifecycle.noncurrentVersionExpirationDays,
      access_log_bucket_name: null,
      access_log_prefix: null,
      event_types: [...DEFAULT_EVENT_TYPES],
      buffering_interval_seconds: d.archive.bufferingIntervalSeconds,
      buffering_size_mib: d.archive.bufferingSizeMiB,
      lifecycle_transitions: d.archive.lifecycle.transitions.map((t) => ({ days: t.days, storage_class: t.storageClass })),
      expiration_days: d.archive.lifecycle.expirationDays,
      abort_incomplete_multipart_upload_days: d.archive.lifecycle.abortIncompleteMultipartUploadDays,
      transition_minimum_object_size: d.archive.lifecycle.transitionMinimumObjectSize,
      log_retention_days: d.archive.logRetentionDays,
      kms_key_arn: null,
      encrypt_archive: d.encryption.archive,
      // Null: on when identities are given (the config instead requires them while enabled).
      notifications_enabled: null,
      notification_identities: [],
      notification_types: d.notifications.types,
      notification_emails: null,
      include_original_headers: d.notifications.includeOriginalHeaders,
    });
  });

  // The stack grows (other work adds outputs and resources): the module must cover the issue's list, and agree where both have something.
  const stack = () => {
    const config = parseConfig(JSON.parse(fs.readFileSync(path.join(root, "examples", "full.json"), "utf8")));
    return JSON.parse(Testing.synth(new SesGuardStack(Testing.app(), "s", { config })));
  };

  test("outputs are the stack's outputs, with its descriptions", () => {
    const synthesized = stack();
    expect(Object.keys(outputs)).toEqual([
      "alarm_topic_arn",
      "archive_bucket_name",
      "delivery_stream_name",
      "configuration_set_name",
      "notification_topic_arn",
      "pending_email_confirmations",
      "next_steps",
      "athena_workgroup",
      "glue_database",
      "glue_table",
      "athena_results_bucket_name",
    ]);
    expect(Object.keys(outputs)).toEqual(MODULE_OUTPUTS.map((o) => o.name));
    const stackOutputs = synthesized.output as Record<string, { description: string }>;
    for (const [name, o] of Object.entries(outputs)) {
      const stackWords = stackOutputs[name]?.description
        .replace(/\.$/, "")
        .replace("investigation.resultsExpirationDays", "investigation_results_expiration_days");
      expect([name, name in stackOutputs && o.description.startsWith(stackWords)]).toEqual([name, true]);
    }
    expect(outputs.notification_topic_arn.value).toBe("${one(aws_sns_topic.notifications_topic[*].arn)}");
    // Both subscription resources, read from state after apply.
    expect(outputs.pending_email_confirmations.value).toBe(
      "${[for s in concat(values(aws_sns_topic_subscription.alarms_topic_subscriptions), values(aws_sns_topic_subscription.notifications_subscriptions)) : s.endpoint if s.pending_confirmation]}",
    );
    expect(synthesized.output.pending_email_confirmations.value).toMatch(/^\$\{\[for s in \[.*\] : s\.endpoint if s\.pending_confirmation\]\}$/);
    // next_steps: the stack's sentences, with the configuration set's name as a reference.
    const name = "${aws_sesv2_configuration_set.event_publishing_configuration_set.configuration_set_name}";
    expect(outputs.next_steps.value).toBe(
      `${NEXT_STEPS.confirm} ${NEXT_STEPS.send(name)}%{ if var.investigation_enabled } ${NEXT_STEPS.investigate("${local.athena_workgroup}")}%{ endif }`,
    );
    expect(synthesized.output.next_steps.value.startsWith(`${NEXT_STEPS.confirm} ${NEXT_STEPS.send("acme-transactional")}`)).toBe(true);
  });

  test("it creates the stack's resource types, with the stack's addresses", () => {
    const synthesized = stack();
    expect(Object.keys(main.resource).sort()).toEqual([
      "aws_athena_named_query",
      "aws_athena_workgroup",
      "aws_cloudwatch_log_group",
      "aws_cloudwatch_log_stream",
      "aws_cloudwatch_metric_alarm",
      "aws_glue_catalog_database",
      "aws_glue_catalog_table",
      "aws_iam_role",
      "aws_iam_role_policy",
      "aws_kinesis_firehose_delivery_stream",
      "aws_kms_alias",
      "aws_kms_key",
      "aws_s3_bucket",
      "aws_s3_bucket_lifecycle_configuration",
      "aws_s3_bucket_logging",
      "aws_s3_bucket_ownership_controls",
      "aws_s3_bucket_policy",
      "aws_s3_bucket_public_access_block",
      "aws_s3_bucket_server_side_encryption_configuration",
      "aws_s3_bucket_versioning",
      "aws_ses_identity_notification_topic",
      "aws_sesv2_account_suppression_attributes",
      "aws_sesv2_configuration_set",
      "aws_sesv2_configuration_set_event_destination",
      "aws_sns_topic",
      "aws_sns_topic_policy",
      "aws_sns_topic_subscription",
    ]);
    expect(Object.keys(synthesized.resource)).toEqual(expect.arrayContaining(Object.keys(main.resource)));
    expect(Object.keys(main.data).sort()).toEqual(["aws_partition", "aws_region"]);
    // Stack names without per-item suffixes are module names.
    const stackNames = Object.values(synthesized.resource as Record<string, object>).flatMap((r) => Object.keys(r));
    for (const name of [
      "alarms_bounce_rate_critical",
      "archive_bucket",
      "archive_bucket_lifecycle",
      "delivery_stream",
      "event_publishing_event_destination",
      "notifications_identities",
      "encryption_key",
      "encryption_key_alias",
      "archive_alarms_data_freshness",
      "archive_alarms_delivery_success",
      "archive_bucket_versioning",
      "archive_bucket_access_logging",
      "event_catalog_table",
      "athena",
      "athena_results_bucket",
      "athena_hard_bounces_by_recipient",
      "account_suppression",
    ]) {
      expect(stackNames).toContain(name);
      expect(Object.values(main.resource as Record<string, object>).flatMap((r) => Object.keys(r))).toContain(name);
    }
  });

  test("first apply: what AWS checks at create waits for the permission it checks, as in the stack", () => {
    const r = main.resource;
    // The stream's create (it waits until ACTIVE) follows the SES role's policy; the destination needs the stream.
    expect(r.aws_kinesis_firehose_delivery_stream.delivery_stream.depends_on).toEqual([
      "aws_iam_role_policy.delivery_stream_role_policy",
      "aws_iam_role_policy.event_publishing_role_policy",
    ]);
    expect(
      r.aws_sesv2_configuration_set_event_destination.event_publishing_event_destination.event_destination.kinesis_firehose_destination.delivery_stream_arn,
    ).toBe("${aws_kinesis_firehose_delivery_stream.delivery_stream.arn}");
    // SES checks it may publish when a notification topic is set.
    expect(r.aws_ses_identity_notification_topic.notifications_identities.depends_on).toEqual(["aws_sns_topic_policy.notifications_policy"]);
  });

  test("lists are for_each, notifications are count, transitions a dynamic block, the destination enabled", () => {
    const r = main.resource;
    expect(r.aws_sns_topic_subscription.alarms_topic_subscriptions.for_each).toBe("${local.alarm_subscriptions}");
    expect(r.aws_sns_topic_subscription.notifications_subscriptions.for_each).toBe("${local.notification_subscriptions}");
    expect(r.aws_ses_identity_notification_topic.notifications_identities.for_each).toBe("${local.identity_notification_topics}");
    expect(main.locals.identity_notification_topics).toContain("setproduct(var.notification_identities, var.notification_types)");
    expect(main.locals.identity_notification_topics).toContain('"${pair[0]}/${pair[1]}"');
    expect(r.aws_sns_topic.notifications_topic.count).toBe("${local.notifications_enabled ? 1 : 0}");
    expect(r.aws_sns_topic_policy.notifications_policy.count).toBe("${local.notifications_enabled ? 1 : 0}");
    // Unset, notifications are on exactly when identities are given: a call with only the required inputs plans.
    expect(main.locals.notifications_enabled).toBe(
      "${var.notifications_enabled != null ? var.notifications_enabled : length(var.notification_identities) > 0}",
    );
    expect(r.aws_kms_key.encryption_key.count).toBe("${var.kms_key_arn == null ? 1 : 0}");
    expect(r.aws_kms_alias.encryption_key_alias.count).toBe("${var.kms_key_arn == null ? 1 : 0}");
    expect(r.aws_s3_bucket_versioning.archive_bucket_versioning.count).toBe("${var.versioning ? 1 : 0}");
    expect(r.aws_s3_bucket_logging.archive_bucket_access_logging.count).toBe("${var.access_log_bucket_name != null ? 1 : 0}");
    expect(main.locals.kms_key_arn).toBe("${var.kms_key_arn != null ? var.kms_key_arn : one(aws_kms_key.encryption_key[*].arn)}");
    const tiering = r.aws_s3_bucket_lifecycle_configuration.archive_bucket_lifecycle.rule[0];
    expect(tiering.dynamic.transition.for_each).toBe("${var.lifecycle_transitions}");
    expect(tiering.dynamic.noncurrent_version_expiration.for_each).toBe("${var.versioning ? [var.noncurrent_version_expiration_days] : []}");
    expect(tiering.transition).toBeUndefined();
    const destination = r.aws_sesv2_configuration_set_event_destination.event_publishing_event_destination.event_destination;
    expect(destination.enabled).toBe(true);
    for (const type of ["aws_cloudwatch_metric_alarm"]) {
      for (const [name, alarm] of Object.entries(r[type]) as [string, { threshold: string }][]) {
        if (name.startsWith("alarms_")) expect(alarm.threshold).toMatch(/^\$\{var\.\w+_percent \/ 100\}$/);
      }
    }
  });

  test("policies are the stack's policy documents, with expressions inside strings", () => {
    const policy = JSON.parse(main.resource.aws_iam_role.delivery_stream_role.assume_role_policy);
    // Firehose presents the account as external ID, and no source ARN.
    expect(policy.Statement[0].Condition).toEqual({ StringEquals: { "sts:ExternalId": "${var.account_id}" } });
    // The identity list is spliced in as jsonencode(), the rest is plain JSON.
    const topic = main.resource.aws_sns_topic_policy.notifications_policy.policy as string;
    expect(topic).toContain('"ArnLike":{"aws:SourceArn":${jsonencode(local.identity_arns)}}');
    expect(() => JSON.parse(topic.replace("${jsonencode(local.identity_arns)}", "[]"))).not.toThrow();
    // The KMS statement of the Firehose role is there only with encrypt_archive: a template directive keeps the JSON readable.
    const firehose = main.resource.aws_iam_role_policy.delivery_stream_role_policy.policy as string;
    expect(firehose).toMatch(/,%\{ if var\.encrypt_archive \}\{"Sid":"EncryptObjectsThroughS3",.*\},%\{ endif \}\{"Sid":"LogDeliveryErrors"/);
    for (const on of [true, false]) {
      const rendered = firehose.replace(/%\{ if var\.encrypt_archive \}(.*?)%\{ endif \}/, on ? "$1" : "");
      expect(JSON.parse(rendered).Statement.map((x: { Sid: string }) => x.Sid)).toEqual([
        "WriteObjects",
        "FindBucket",
        ...(on ? ["EncryptObjectsThroughS3"] : []),
        "LogDeliveryErrors",
      ]);
    }
  });

  test("lifecycle meta-arguments are literal: prevent_destroy on the bucket and the stream, never force_destroy", () => {
    const guarded = Object.entries(main.resource as Record<string, Record<string, any>>).flatMap(([type, byName]) =>
      Object.entries(byName)
        .filter(([, body]) => body.lifecycle?.prevent_destroy !== undefined)
        .map(([name, body]) => [`${type}.${name}`, body.lifecycle.prevent_destroy]),
    );
    expect(guarded).toEqual([
      ["aws_kinesis_firehose_delivery_stream.delivery_stream", true],
      ["aws_s3_bucket.archive_bucket", true],
    ]);
    expect(main.resource.aws_s3_bucket.archive_bucket.force_destroy).toBe(false);
    expect(files["README.md"]).toContain("### prevent_destroy");
    expect(files["README.md"]).toContain("Terraform allows no variables in `lifecycle`");
  });

  test("every var.* and local.* reference is declared", () => {
    const text = stringsDeep([main, outputs, variables]).join("\n");
    const vars = new Set([...text.matchAll(/\bvar\.([a-z_]+)/g)].map((m) => m[1]));
    const locals = new Set([...text.matchAll(/\blocal\.([a-z_]+)/g)].map((m) => m[1]));
    expect([...vars].filter((v) => !(v in variables))).toEqual([]);
    expect([...locals].filter((l) => !(l in main.locals))).toEqual([]);
    // And every variable is used somewhere outside its own block.
    const used = stringsDeep([main, outputs]).join("\n");
    expect(Object.keys(variables).filter((v) => !used.includes(`var.${v}`))).toEqual([]);
  });
});

describe("validation blocks mirror modules/config.ts", () => {
  test("every variable with a config rule has validation blocks", () => {
    const without = Object.entries(variables)
      .filter(([, v]) => !v.validation?.length)
      .map(([k]) => k);
    // Booleans have no rule beyond their type.
    expect(without.sort()).toEqual([
      "encrypt_archive",
      "include_original_headers",
      "investigation_enabled",
      "notifications_enabled",
      "require_tls",
      "versioning",
    ]);
    for (const [name, v] of Object.entries(variables)) {
      for (const rule of v.validation ?? []) {
        expect(rule.condition).toMatch(/^\$\{.*\}$/s);
        expect(rule.condition).toContain(`var.${name}`);
        expect(rule.error_message.startsWith(`${name}: got \${jsonencode(`)).toBe(true);
        expect(rule.error_message).toContain("; allowed: ");
      }
    }
  });

  test("cross-variable rules (Terraform >= 1.9) refer to the other variable", () => {
    expect(conditions("bounce_rate_warning_percent").some((c) => c.includes("var.bounce_rate_critical_percent"))).toBe(true);
    expect(conditions("complaint_rate_warning_percent").some((c) => c.includes("var.complaint_rate_critical_percent"))).toBe(true);
    expect(conditions("alarm_evaluation_periods").some((c) => c.includes("var.alarm_period_seconds"))).toBe(true);
    expect(conditions("expiration_days").some((c) => c.includes("var.lifecycle_transitions"))).toBe(true);
    expect(conditions("notification_identities").some((c) => c.includes("var.notifications_enabled"))).toBe(true);
    expect(conditions("name_prefix").some((c) => c.includes("var.bucket_name") && c.includes("data.aws_region.current.id"))).toBe(true);
    expect(conditions("kms_key_arn").some((c) => c.includes("data.aws_region.current.id"))).toBe(true);
    expect(conditions("access_log_prefix").some((c) => c.includes("var.access_log_bucket_name"))).toBe(true);
  });

  test("constants come from config.ts, not retyped lists", () => {
    const eventTypes = conditions("event_types").join("\n");
    for (const t of SES_EVENT_TYPES) expect(eventTypes).toContain(`"${t}"`);
    const notificationTypes = conditions("notification_types").join("\n");
    for (const t of NOTIFICATION_TYPES) expect(notificationTypes).toContain(`"${t}"`);
    expect(conditions("log_retention_days")[0]).toContain(hclLiteral(LOG_RETENTION_DAYS));
    const lifecycle = conditions("lifecycle_transitions").join("\n") + conditions("expiration_days").join("\n");
    expect(lifecycle).toContain(hclLiteral(MINIMUM_STORAGE_DAYS));
    expect(lifecycle).toContain(hclLiteral(Object.fromEntries(STORAGE_CLASSES.map((c, i) => [c, i]))));
    const precondition = main.resource.aws_sesv2_configuration_set.event_publishing_configuration_set.lifecycle.precondition[0];
    expect(precondition.condition).toContain(hclLiteral(SES_REGIONS));
  });

  // Each case: a config that config.ts rejects, and the variable whose message must say the same thing.
  const wording: [string, string, (cfg: Record<string, any>) => void][] = [
    ["name regex", "name_prefix", (c) => (c.name = "Ses")],
    ["name hyphens", "name_prefix", (c) => (c.name = "ses--guard")],
    ["account", "account_id", (c) => (c.accountId = "12345")],
    ["alarm e-mail", "alarm_emails", (c) => (c.alarms.emails = ["not-an-address"])],
    ["percent", "bounce_rate_critical_percent", (c) => (c.alarms.bounceRatePercent = { critical: 150 })],
    ["percent", "complaint_rate_warning_percent", (c) => (c.alarms.complaintRatePercent = { warning: 0 })],
    ["period", "alarm_period_seconds", (c) => (c.alarms.periodSeconds = 90)],
    ["configuration set", "configuration_set_name", (c) => (c.configurationSet = { name: "has space" })],
    ["bucket length", "bucket_name", (c) => (c.archive = { bucketName: "ab" })],
    ["bucket dot", "bucket_name", (c) => (c.archive = { bucketName: "acme.events" })],
    ["bucket prefix", "bucket_name", (c) => (c.archive = { bucketName: "xn--events" })],
    ["bucket suffix", "bucket_name", (c) => (c.archive = { bucketName: "events-s3alias" })],
    ["event type", "event_types", (c) => (c.archive = { eventTypes: ["SENT"] })],
    ["log retention", "log_retention_days", (c) => (c.archive = { logRetentionDays: 31 })],
    ["identity", "notification_identities", (c) => (c.notifications.identities = ["not an identity"])],
    ["identities while enabled", "notification_identities", (c) => (c.notifications.identities = [])],
    ["notification type", "notification_types", (c) => (c.notifications.types = ["Open"])],
    ["notification e-mail", "notification_emails", (c) => (c.notifications.emails = ["x@"])],
    ["AWS-managed key", "kms_key_arn", (c) => (c.encryption = { kmsKeyArns: { "us-east-1": "arn:aws:kms:us-east-1:123456789012:alias/aws/sns" } })],
    ["key ARN", "kms_key_arn", (c) => (c.encryption = { kmsKeyArns: { "us-east-1": "key/1234" } })],
    ["access log bucket", "access_log_bucket_name", (c) => (c.archive = { accessLogging: { bucketName: "Logs" } })],
    ["access log prefix", "access_log_prefix", (c) => (c.archive = { accessLogging: { bucketName: "access-logs", prefix: "has space/" } })],
    ["transition minimum size", "transition_minimum_object_size", (c) => (c.archive = { lifecycle: { transitionMinimumObjectSize: "all" } })],
    ["campaign tag", "investigation_campaign_tag", (c) => (c.investigation = { enabled: true, campaignTag: "has space" })],
    ["scan cutoff minimum", "investigation_bytes_scanned_cutoff_per_query_mib", (c) => (c.investigation = { enabled: true, bytesScannedCutoffPerQueryMiB: 5 })],
    [
      "scan cutoff maximum",
      "investigation_bytes_scanned_cutoff_per_query_mib",
      (c) => (c.investigation = { enabled: true, bytesScannedCutoffPerQueryMiB: 2e9 }),
    ],
    ["results bucket", "investigation_results_bucket_name", (c) => (c.investigation = { enabled: true, resultsBucketName: "Results" })],
    [
      "results bucket of its own",
      "investigation_results_bucket_name",
      (c) => {
        c.archive = { bucketName: "acme-events" };
        c.investigation = { enabled: true, resultsBucketName: "acme-events" };
      },
    ],
    ["account suppression reason", "suppression_account_level", (c) => (c.suppression = { accountLevel: ["OPEN"] })],
    ["configuration set suppression reason", "suppression_configuration_set", (c) => (c.suppression = { configurationSet: ["OPEN"] })],
  ];
  test.each(wording)("%s: %s says what config.ts says", (_, name, patch) => {
    // Config keys become variable names; nothing else differs.
    const allowed = configAllowed(patch)
      .replace("notifications.enabled", "notifications_enabled")
      .replace("resultsExpirationDays", "investigation_results_expiration_days");
    expect(messages(name).some((m) => m.includes(allowed))).toBe(true);
  });

  test("tag keys: config.ts's wording, or the module's own where config.ts gives zod's generic record-key error", () => {
    const said = configAllowed((c) => (c.tags = { "bad{key": "x" }));
    expect(messages("tags").join("\n")).toContain(said === "Invalid key in record" ? "a tag key of 1 to 128 letters, digits, spaces or _.:/=+-@" : said);
  });

  test("lifecycle and cross-field rules keep config.ts's wording where it has no values in it", () => {
    expect(configAllowed((c) => (c.archive = { lifecycle: { transitions: [{ days: 10, storageClass: "STANDARD_IA" }] } }))).toBe(
      "at least 30 days for STANDARD_IA (an S3 rule)",
    );
    expect(messages("lifecycle_transitions").join("\n")).toContain("at least 30 days for STANDARD_IA and ONEZONE_IA (an S3 rule)");
    expect(
      configAllowed(
        (c) =>
          (c.archive = {
            lifecycle: {
              transitions: [
                { days: 30, storageClass: "STANDARD_IA" },
                { days: 30, storageClass: "GLACIER" },
              ],
            },
          }),
      ),
    ).toMatch(/transitions are listed in ascending order$/);
    expect(messages("lifecycle_transitions").join("\n")).toContain("transitions are listed in ascending order");
    expect(
      configAllowed(
        (c) =>
          (c.archive = {
            lifecycle: {
              transitions: [
                { days: 30, storageClass: "GLACIER" },
                { days: 200, storageClass: "STANDARD_IA" },
              ],
            },
          }),
      ),
    ).toContain(`in S3's order ${STORAGE_CLASSES.join(" > ")}`);
    expect(messages("lifecycle_transitions").join("\n")).toContain(`in S3's order ${STORAGE_CLASSES.join(" > ")}`);
    expect(configAllowed((c) => (c.alarms.bounceRatePercent = { warning: 5, critical: 5 }))).toBe("a warning level below the critical level (5)");
    expect(messages("bounce_rate_warning_percent").join("\n")).toContain(
      "a warning level below the critical level (bounce_rate_critical_percent = ${var.bounce_rate_critical_percent})",
    );
    expect(
      configAllowed((c) => {
        c.alarms.periodSeconds = 3600;
        c.alarms.evaluationPeriods = 25;
      }),
    ).toBe("at most 24 periods of 3600 s (periodSeconds x evaluationPeriods <= 86400)");
    expect(messages("alarm_evaluation_periods").join("\n")).toContain(
      'at most ${try(floor(86400 / var.alarm_period_seconds), "?")} periods of ${var.alarm_period_seconds} s',
    );
  });
});

describe("RE2 patterns accept and reject what config.ts does", () => {
  // RE2's (?i) is JavaScript's "i" flag; \p{...} needs "u".
  const re = (pattern: string) => new RegExp(pattern.replace(/^\(\?i\)/, ""), `${pattern.startsWith("(?i)") ? "i" : ""}u`);
  // The HCL predicates: length limits plus the pattern.
  const hclEmail = (x: string) => x.length <= 254 && x.split("@")[0].length <= 64 && re(MODULE_PATTERNS.email).test(x);
  const hclDomain = (x: string) => x.length <= 253 && re(MODULE_PATTERNS.domain).test(x);
  const label63 = "a".repeat(63);
  const domains = [
    "example.com",
    "EXAMPLE.COM",
    "mail.example.co.uk",
    "xn--bcher-kva.example",
    "example.xn--p1ai",
    "a.b",
    "-bad.com",
    "bad-.com",
    "exa_mple.com",
    "example",
    "example.c",
    "example.123",
    `${label63}.com`,
    `${label63}a.com`,
    `${[label63, label63, label63].join(".")}.com`,
    `${[label63, label63, label63, "a".repeat(62)].join(".")}.com`,
    "bücher.example",
    "",
  ];
  const emails = [
    "ops@example.com",
    "first.last+tag@example.co.uk",
    "o'brien@example.com",
    "a&b@example.com",
    "weird!#$%&'*+/=?^_`{|}~-@example.com",
    ".dot@example.com",
    "dot.@example.com",
    "do..t@example.com",
    "two@@example.com",
    "a@b@example.com",
    "no-at.example.com",
    "@example.com",
    "ops@",
    "space @example.com",
    `${"a".repeat(64)}@example.com`,
    `${"a".repeat(65)}@example.com`,
    `a@${[label63, label63, label63].join(".")}.com`,
    "üser@example.com",
  ];

  test.each(domains)("domain %j", (d) => expect(hclDomain(d)).toBe(isDomain(d)));
  test.each(emails)("e-mail %j", (e) => expect(hclEmail(e)).toBe(isEmailAddress(e)));

  const names = ["ses-guard", "a", "a1-b2", "Ses", "1ses", "ses_guard", "a".repeat(24), "a".repeat(25), "ses-", "ses--guard", ""];
  test.each(names)("name_prefix %j", (name) => {
    let ok = true;
    try {
      parseConfig({
        name,
        accountId: "123456789012",
        alarms: { emails: ["ops@example.com"] },
        notifications: { enabled: false },
        archive: { bucketName: "fixed-name" },
      });
    } catch {
      ok = false;
    }
    expect(re(MODULE_PATTERNS.namePrefix).test(name) && !name.endsWith("-") && !name.includes("--")).toBe(ok);
  });

  const buckets = [
    "ses-guard-events",
    "ab",
    "abc",
    "a".repeat(63),
    "a".repeat(64),
    "Upper",
    "acme.events",
    "-abc",
    "abc-",
    "xn--abc",
    "sthree-abc",
    "amzn-s3-demo-x",
    "abc-s3alias",
    "abc--ol-s3",
    "abc--x-s3",
    "abc--table-s3",
    "a_b",
  ];
  test.each(buckets)("bucket_name %j", (b) => {
    const hcl =
      b.length >= 3 &&
      b.length <= 63 &&
      re(MODULE_PATTERNS.bucketName).test(b) &&
      !re(MODULE_PATTERNS.bucketReservedPrefix).test(b) &&
      !re(MODULE_PATTERNS.bucketReservedSuffix).test(b);
    expect(hcl).toBe(bucketNameProblem(b) === undefined);
  });

  const tagKeys = ["team", "cost-center", "aws:x", "Ünïcode key", "a/b=c+d@e.f_g", "bad{", 'bad"quote', "", "k".repeat(128), "k".repeat(129)];
  test.each(tagKeys)("tag key %j", (key) => {
    let ok = true;
    try {
      parseConfig({ tags: { [key]: "v" }, accountId: "123456789012", alarms: { emails: ["ops@example.com"] }, notifications: { enabled: false } });
    } catch {
      ok = false;
    }
    expect(re(MODULE_PATTERNS.tagKey).test(key)).toBe(ok);
  });

  // KMS keys: the module's three rules together against config.ts (in us-east-1, the probe region).
  const keys = [
    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:kms:us-east-1:123456789012:alias/mail",
    "arn:aws-us-gov:kms:us-east-1:123456789012:key/abc",
    "arn:aws:kms:us-east-1:123456789012:alias/aws/sns",
    "arn:aws:kms:us-east-1:123456789012:alias/aws/ses",
    "alias/aws/sns",
    "arn:aws:kms:eu-west-1:123456789012:key/abc",
    "arn:aws:kms:us-east-1:12345:key/abc",
    "arn:aws:sns:us-east-1:123456789012:key/abc",
    "arn:aws:kms:us-east-1:123456789012:key/",
    "arn:aws:kms:us-east-1:123456789012:alias/a b",
    "key/abc",
  ];
  test.each(keys)("kms_key_arn %j", (key) => {
    let ok = true;
    try {
      parseConfig({
        accountId: "123456789012",
        alarms: { emails: ["ops@example.com"] },
        notifications: { enabled: false },
        encryption: { kmsKeyArns: { "us-east-1": key } },
      });
    } catch {
      ok = false;
    }
    const hcl = !re(MODULE_PATTERNS.awsManagedKey).test(key) && re(MODULE_PATTERNS.kmsKeyArn).test(key) && key.split(":")[3] === "us-east-1";
    expect(hcl).toBe(ok);
  });

  const prefixes = ["", "ses-archive/", "a/b/c/", "logs!_.*'()/-", "p".repeat(512), "p".repeat(513), "has space/", "ü/", "a\\b"];
  test.each(prefixes)("access_log_prefix %j", (prefix) => {
    let ok = true;
    try {
      parseConfig({
        accountId: "123456789012",
        alarms: { emails: ["ops@example.com"] },
        notifications: { enabled: false },
        archive: { accessLogging: { bucketName: "access-logs", prefix } },
      });
    } catch {
      ok = false;
    }
    expect(re(MODULE_PATTERNS.accessLogPrefix).test(prefix)).toBe(ok);
  });

  const tags = ["campaign", "utm_campaign", "Campaign-Id", "", "t".repeat(256), "t".repeat(257), "has space", "a.b", "ü"];
  test.each(tags)("investigation_campaign_tag %j", (campaignTag) => {
    let ok = true;
    try {
      parseConfig({
        accountId: "123456789012",
        alarms: { emails: ["ops@example.com"] },
        notifications: { enabled: false },
        investigation: { enabled: true, campaignTag },
      });
    } catch {
      ok = false;
    }
    expect(re(MODULE_PATTERNS.campaignTag).test(campaignTag)).toBe(ok);
  });

  test("transition_minimum_object_size takes config.ts's values, read from its schema", () => {
    expect(TRANSITION_MINIMUM_OBJECT_SIZES).toEqual(["all_storage_classes_128K", "varies_by_storage_class"]);
    expect(conditions("transition_minimum_object_size")[0]).toContain(hclLiteral(TRANSITION_MINIMUM_OBJECT_SIZES));
  });

  test("configSays reads config.ts's wording, and refuses a probe config.ts accepts", () => {
    expect(configSays((c) => (c.accountId = "1"))).toBe("a 12-digit AWS account ID, as a string");
    expect(() => configSays(() => undefined)).toThrow(/config\.ts accepted/);
  });

  test("hclString escapes what HCL quoted strings treat specially", () => {
    expect(hclString('a"b\\c${x}%{y}\n')).toBe('"a\\"b\\\\c$${x}%%{y}\\n"');
    expect(hclLiteral({ days: 30, "cost-center": ["a", 1, true, null] })).toBe('{ days = 30, "cost-center" = ["a", 1, true, null] }');
  });
});

describe("README", () => {
  const readme = files["README.md"];
  const table = (heading: string) => {
    const section = readme.split(`\n## ${heading}\n`)[1].split("\n## ")[0];
    return section
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .map((l) =>
        l
          .split(/(?<!\\)\|/)
          .slice(1, -1)
          .map((c) => c.trim()),
      );
  };

  test("the inputs table lists every variable with its type, default and description", () => {
    const rows = table("Inputs");
    expect(rows.map((r) => r[0])).toEqual(Object.keys(variables).map((v) => `\`${v}\``));
    for (const [name, type, def, description] of rows) {
      const v = variables[name.replace(/`/g, "")];
      expect(type).toBe(`\`${v.type}\``);
      expect(def).toBe("default" in v ? `\`${hclLiteral(v.default)}\`` : "required");
      expect(description).toBe(v.description);
    }
  });

  test("the outputs table lists every output", () => {
    expect(table("Outputs")).toEqual(Object.entries(outputs).map(([name, o]) => [`\`${name}\``, o.description]));
  });

  test("it states the requirements, shows a module block and lists every validation rule", () => {
    expect(readme).toContain(`| terraform | \`${TERRAFORM_CONSTRAINT}\``);
    expect(readme).toContain(`| hashicorp/aws | \`${AWS_PROVIDER_CONSTRAINT}\` |`);
    expect(readme).toMatch(/module "ses_guard" \{\n {2}source = /);
    const ruleCount = Object.values(variables).reduce((n, v) => n + (v.validation?.length ?? 0), 0);
    expect(table("Validation")).toHaveLength(ruleCount);
    expect(readme).not.toMatch(/\$\{/);
  });
});

describe("writing the module", () => {
  test("is deterministic: same bytes every time", () => {
    expect(moduleFiles()).toEqual(files);
    const a = writeTerraformModule(path.join(tmp(), "a"));
    const b = writeTerraformModule(path.join(tmp(), "b"));
    // As text: toEqual walks a Buffer byte by byte, seconds for the module's files.
    for (const f of MODULE_FILES) expect(fs.readFileSync(path.join(a, f), "utf8")).toBe(fs.readFileSync(path.join(b, f), "utf8"));
    expect(JSON.stringify(moduleDocuments())).toBe(JSON.stringify(moduleDocuments()));
  });

  test("replaces a generated folder in place and leaves no staging folder", () => {
    const parent = tmp();
    const dir = path.join(parent, "ses-guard");
    writeTerraformModule(dir);
    fs.writeFileSync(path.join(dir, "main.tf.json"), "stale");
    writeTerraformModule(dir);
    expect(fs.readFileSync(path.join(dir, "main.tf.json"), "utf8")).toBe(files["main.tf.json"]);
    expect(fs.readdirSync(parent)).toEqual(["ses-guard"]);
  });

  test("refuses to replace a folder holding anything else, and leaves it untouched", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
    expect(() => writeTerraformModule(dir)).toThrow(/holds files the module does not write \(notes\.txt\)/);
    expect(fs.readdirSync(dir)).toEqual(["notes.txt"]);
    const file = path.join(dir, "notes.txt");
    expect(() => writeTerraformModule(file)).toThrow(/exists and is not a directory/);
  });

  test("module-cli: --out, --help and bad flags", () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const cwd = tmp();
    expect(parseModuleArgs([])).toEqual({ outdir: DEFAULT_MODULE_OUTDIR, help: false });
    expect(parseModuleArgs(["--out=x"]).outdir).toBe("x");
    expect(moduleCli(["--help"], cwd, io)).toBe(0);
    expect(out.pop()).toMatch(/^Usage: node scripts\/module\.js \[--out DIR\]/);
    expect(moduleCli(["--bogus"], cwd, io)).toBe(2);
    expect(err.pop()).toBe('ses-guard: error: unknown argument "--bogus"; allowed: --out DIR, --help');
    expect(moduleCli(["--out"], cwd, io)).toBe(2);
    expect(moduleCli(["-o", "mod"], cwd, io)).toBe(0);
    expect(out.pop()).toBe(
      "ses-guard: wrote Terraform module to mod (outputs: alarm_topic_arn, archive_bucket_name, delivery_stream_name, configuration_set_name, notification_topic_arn, pending_email_confirmations, next_steps, athena_workgroup, glue_database, glue_table, athena_results_bucket_name)",
    );
    expect(fs.readFileSync(path.join(cwd, "mod", "main.tf.json"), "utf8")).toBe(files["main.tf.json"]);
    fs.writeFileSync(path.join(cwd, "mod", "other.tf"), "");
    expect(moduleCli(["--out", "mod"], cwd, io)).toBe(1);
    expect(err.pop()).toMatch(/^ses-guard: error: .*mod: holds files the module does not write \(other\.tf\)/);
  });

  test("`node scripts/module.js --out DIR` (what `npm run module` runs) writes the same files", () => {
    const dir = path.join(tmp(), "ses-guard");
    const res = spawnSync(process.execPath, [path.join(root, "scripts", "module.js"), "--out", dir], { cwd: root, encoding: "utf8" });
    expect(res.stderr).toBe("");
    expect(res.status).toBe(0);
    for (const f of MODULE_FILES) expect([f, fs.readFileSync(path.join(dir, f), "utf8")]).toEqual([f, files[f]]);
  }, 60_000);
});

// ---------------------------------------------------------------- instantiating the module (a small HCL evaluator)

/**
 * The module's JSON is full of expressions (count, for_each, dynamic blocks, conditionals on
 * inputs), so the stack's policy rules and a value-by-value comparison with the stack cannot read
 * it as it is. `instantiate` evaluates it for given input values, the way Terraform would at plan
 * time, into the shape cdktf writes for a stack (cdk.tf.json). It understands the subset of HCL the
 * generator emits; references to resources stay as `${...}` text, as in a stack's JSON.
 */
const UNKNOWN = Symbol("unknown");
type Unknown = { readonly [UNKNOWN]: string };
const unknownOf = (text: string): Unknown => ({ [UNKNOWN]: text });
const isUnknown = (v: unknown): v is Unknown => typeof v === "object" && v !== null && UNKNOWN in v;
const hasUnknown = (v: unknown): boolean =>
  isUnknown(v) || (Array.isArray(v) ? v.some(hasUnknown) : v !== null && typeof v === "object" ? Object.values(v).some(hasUnknown) : false);

type HclNode =
  | { k: "lit"; v: unknown }
  | { k: "tpl"; parts: Array<string | HclNode> }
  | { k: "if"; cond: HclNode; then: HclNode; else: HclNode }
  | { k: "ref"; root: string; path: Array<string | HclNode>; src: string }
  | { k: "list"; items: HclNode[] }
  | { k: "obj"; entries: Array<[HclNode, HclNode]> }
  | { k: "for"; map: boolean; keyVar?: string; valVar: string; coll: HclNode; key?: HclNode; val: HclNode; cond?: HclNode; src: string }
  | { k: "call"; name: string; args: HclNode[]; src: string }
  | { k: "un"; op: string; e: HclNode; src: string }
  | { k: "bin"; op: string; l: HclNode; r: HclNode; src: string }
  | { k: "cond"; c: HclNode; t: HclNode; f: HclNode; src: string };

class HclParser {
  private pos = 0;
  private constructor(private readonly src: string) {}

  /** A Terraform JSON string value: a template whose text is not quoted. */
  static template(body: string): HclNode {
    const p = new HclParser(body);
    return p.templateBody(false);
  }

  private fail(what: string): never {
    throw new Error(`HCL subset: ${what} at ${this.pos} in ${JSON.stringify(this.src)}`);
  }
  private ws(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos++;
  }
  private peek(s: string): boolean {
    this.ws();
    return this.src.startsWith(s, this.pos);
  }
  private eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }
  private expect(s: string): void {
    if (!this.eat(s)) this.fail(`expected ${s}`);
  }
  private ident(): string | undefined {
    this.ws();
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.src.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }
  private keyword(word: string): boolean {
    this.ws();
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.src.slice(this.pos));
    if (m?.[0] !== word) return false;
    this.pos += word.length;
    return true;
  }
  private since(start: number): string {
    return this.src.slice(start, this.pos).trim();
  }

  /** Template text up to the closing quote (quoted) or the end; `%{ if }` directives become nodes. */
  private templateBody(quoted: boolean): HclNode {
    type Item = string | HclNode | { dir: "if"; cond: HclNode } | { dir: "else" | "endif" };
    const items: Item[] = [];
    let text = "";
    const flush = () => {
      if (text) items.push(text);
      text = "";
    };
    for (;;) {
      if (this.pos >= this.src.length) {
        if (quoted) this.fail("unterminated string");
        break;
      }
      const ch = this.src[this.pos];
      if (quoted && ch === '"') {
        this.pos++;
        break;
      }
      if (quoted && ch === "\\") {
        const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };
        const e = escapes[this.src[this.pos + 1]];
        if (e === undefined) this.fail("unknown escape");
        text += e;
        this.pos += 2;
      } else if (this.src.startsWith("$${", this.pos) || this.src.startsWith("%%{", this.pos)) {
        text += this.src.slice(this.pos + 1, this.pos + 3);
        this.pos += 3;
      } else if (this.src.startsWith("${", this.pos)) {
        flush();
        this.pos += 2;
        items.push(this.expr());
        this.expect("}");
      } else if (this.src.startsWith("%{", this.pos)) {
        flush();
        this.pos += 2;
        const word = this.ident();
        if (word === "if") items.push({ dir: "if", cond: this.expr() });
        else if (word === "else" || word === "endif") items.push({ dir: word });
        else this.fail(`unsupported directive ${word}`);
        this.expect("}");
      } else {
        text += ch;
        this.pos++;
      }
    }
    flush();
    // Fold if/else/endif into nodes.
    let i = 0;
    const sequence = (stop: string[]): HclNode => {
      const parts: Array<string | HclNode> = [];
      while (i < items.length) {
        const item = items[i];
        if (typeof item === "object" && "dir" in item) {
          if (stop.includes(item.dir)) return { k: "tpl", parts };
          if (item.dir !== "if") this.fail(`unexpected %{ ${item.dir} }`);
          i++;
          const then = sequence(["else", "endif"]);
          let otherwise: HclNode = { k: "tpl", parts: [] };
          if ((items[i] as { dir: string }).dir === "else") {
            i++;
            otherwise = sequence(["endif"]);
          }
          i++; // endif
          parts.push({ k: "if", cond: item.cond, then, else: otherwise });
        } else {
          parts.push(item as string | HclNode);
          i++;
        }
      }
      if (stop.length) this.fail("missing %{ endif }");
      return { k: "tpl", parts };
    };
    return sequence([]);
  }

  private expr(): HclNode {
    const start = this.pos;
    const c = this.binary(0);
    if (!this.eat("?")) return c;
    const t = this.expr();
    this.expect(":");
    const f = this.expr();
    return { k: "cond", c, t, f, src: this.since(start) };
  }

  private static readonly LEVELS = [["||"], ["&&"], ["==", "!="], ["<=", ">=", "<", ">"], ["+", "-"], ["*", "/", "%"]];
  private binary(level: number): HclNode {
    if (level === HclParser.LEVELS.length) return this.unary();
    const start = this.pos;
    let l = this.binary(level + 1);
    for (;;) {
      // "=>" (a for expression's key) and "%{" are not operators.
      const op = HclParser.LEVELS[level].find((o) => this.peek(o) && !this.peek("=>"));
      if (!op) return l;
      this.pos += op.length;
      const r = this.binary(level + 1);
      l = { k: "bin", op, l, r, src: this.since(start) };
    }
  }

  private unary(): HclNode {
    const start = this.pos;
    if (this.eat("!")) return { k: "un", op: "!", e: this.unary(), src: this.since(start) };
    if (this.peek("-") && !/\d/.test(this.src[this.pos + 1] ?? "")) {
      this.pos++;
      return { k: "un", op: "-", e: this.unary(), src: this.since(start) };
    }
    return this.postfix();
  }

  private postfix(): HclNode {
    const start = this.pos;
    const n = this.primary();
    if (n.k !== "ref") return n;
    for (;;) {
      if (this.peek(".") && /[A-Za-z_*]/.test(this.src[this.pos + 1] ?? "")) {
        this.pos++;
        n.path.push(this.eat("*") ? "*" : this.ident()!);
      } else if (this.peek("[")) {
        this.pos++;
        n.path.push(this.eat("*") ? "*" : this.expr());
        this.expect("]");
      } else break;
    }
    n.src = this.since(start);
    return n;
  }

  private primary(): HclNode {
    this.ws();
    const start = this.pos;
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.src.slice(this.pos));
    if (num) {
      this.pos += num[0].length;
      return { k: "lit", v: Number(num[0]) };
    }
    if (this.eat('"')) return this.templateBody(true);
    if (this.eat("(")) {
      const e = this.expr();
      this.expect(")");
      return e;
    }
    if (this.eat("[")) {
      if (this.keyword("for")) return this.forExpr(false, start);
      const items: HclNode[] = [];
      while (!this.eat("]")) {
        items.push(this.expr());
        this.eat(",");
      }
      return { k: "list", items };
    }
    if (this.eat("{")) {
      if (this.keyword("for")) return this.forExpr(true, start);
      const entries: Array<[HclNode, HclNode]> = [];
      while (!this.eat("}")) {
        const key = this.expr();
        if (!this.eat("=")) this.expect(":");
        entries.push([key, this.expr()]);
        this.eat(",");
      }
      return { k: "obj", entries };
    }
    const name = this.ident();
    if (name === undefined) this.fail("expected an expression");
    if (name === "true" || name === "false") return { k: "lit", v: name === "true" };
    if (name === "null") return { k: "lit", v: null };
    if (this.eat("(")) {
      const args: HclNode[] = [];
      while (!this.eat(")")) {
        args.push(this.expr());
        this.eat(",");
      }
      return { k: "call", name, args, src: this.since(start) };
    }
    return { k: "ref", root: name, path: [], src: name };
  }

  private forExpr(map: boolean, start: number): HclNode {
    const first = this.ident()!;
    const second = this.eat(",") ? this.ident() : undefined;
    if (!this.keyword("in")) this.fail("expected in");
    const coll = this.expr();
    this.expect(":");
    const key = map ? this.expr() : undefined;
    if (map) this.expect("=>");
    const val = this.expr();
    const cond = this.keyword("if") ? this.expr() : undefined;
    this.expect(map ? "}" : "]");
    return {
      k: "for",
      map,
      keyVar: second === undefined ? undefined : first,
      valVar: second ?? first,
      coll,
      key,
      val,
      cond,
      src: this.since(start),
    };
  }
}

interface HclScope {
  readonly vars: Record<string, unknown>;
  readonly local: (name: string) => unknown;
  /** `data.<type>.<name>.<attribute>` values, keyed without the `data.` prefix. */
  readonly data: Record<string, unknown>;
  /** for-expression, each and dynamic block variables. */
  readonly bound: Record<string, unknown>;
}

const HCL_FUNCTIONS: Record<string, (...args: any[]) => unknown> = {
  max: (...xs: number[]) => Math.max(...xs),
  min: (...xs: number[]) => Math.min(...xs),
  element: (xs: unknown[], i: number) => xs[i % xs.length],
  floor: (x: number) => Math.floor(x),
  one: (xs: unknown[]) =>
    xs.length === 0
      ? null
      : xs.length === 1
        ? xs[0]
        : (() => {
            throw new Error("one(): more than one element");
          })(),
  // Terraform's jsonencode escapes <, > and & for HTML safety.
  jsonencode: (x: unknown) => JSON.stringify(x).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026"),
  lower: (s: string) => s.toLowerCase(),
  length: (x: unknown) => (typeof x === "string" ? [...x].length : Array.isArray(x) ? x.length : Object.keys(x as object).length),
  contains: (xs: unknown[], x: unknown) => xs.some((y) => JSON.stringify(y) === JSON.stringify(x)),
  concat: (...xs: unknown[][]) => xs.flat(),
  values: (m: Record<string, unknown>) =>
    Object.keys(m)
      .sort()
      .map((k) => m[k]),
  keys: (m: Record<string, unknown>) => Object.keys(m).sort(),
  distinct: (xs: unknown[]) => xs.filter((x, i) => xs.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === i),
  setproduct: (a: unknown[], b: unknown[]) => a.flatMap((x) => b.map((y) => [x, y])),
  split: (sep: string, s: string) => s.split(sep),
  join: (sep: string, xs: string[]) => xs.join(sep),
  // Terraform's replace with a plain (not /regex/) substring.
  replace: (s: string, from: string, to: string) => s.split(from).join(to),
  sort: (xs: string[]) => [...xs].sort(),
};

function evalHcl(n: HclNode, scope: HclScope): unknown {
  switch (n.k) {
    case "lit":
      return n.v;
    case "tpl": {
      // A template that is one interpolation is that value, of its own type (as in Terraform).
      if (n.parts.length === 1 && typeof n.parts[0] !== "string" && n.parts[0].k !== "if") return evalHcl(n.parts[0], scope);
      return n.parts
        .map((p) => {
          if (typeof p === "string") return p;
          const v = evalHcl(p, scope);
          // Marked, so that materialize can tell a reference from a literal "${" in the text.
          if (isUnknown(v)) return `${REF_START}${v[UNKNOWN]}${REF_END}`;
          if (v === null || typeof v === "object") throw new Error(`template interpolates ${JSON.stringify(v)}`);
          return String(v);
        })
        .join("");
    }
    case "if": {
      const c = evalHcl(n.cond, scope);
      if (typeof c !== "boolean") throw new Error(`%{ if } on ${JSON.stringify(c)}`);
      return evalHcl(c ? n.then : n.else, scope);
    }
    case "ref": {
      let v: unknown;
      const path = [...n.path];
      if (n.root in scope.bound) v = scope.bound[n.root];
      else if (n.root === "var") {
        const name = path.shift() as string;
        if (!(name in scope.vars)) throw new Error(`no input ${name}`);
        v = scope.vars[name];
      } else if (n.root === "local") v = scope.local(path.shift() as string);
      else if (n.root === "data") {
        const key = path.splice(0, 3).join(".");
        if (!(key in scope.data)) return unknownOf(n.src);
        v = scope.data[key];
      } else return unknownOf(n.src);
      for (const step of path) {
        if (isUnknown(v)) return unknownOf(n.src);
        if (step === "*") return unknownOf(n.src);
        const key = typeof step === "string" ? step : evalHcl(step, scope);
        if (hasUnknown(key)) return unknownOf(n.src);
        v = (v as Record<string, unknown>)?.[key as string];
        if (v === undefined) throw new Error(`${n.src}: no ${String(key)}`);
      }
      return v;
    }
    case "list":
      return n.items.map((i) => evalHcl(i, scope));
    case "obj":
      return Object.fromEntries(n.entries.map(([k, v]) => [k.k === "ref" && k.path.length === 0 ? k.root : String(evalHcl(k, scope)), evalHcl(v, scope)]));
    case "for": {
      const coll = evalHcl(n.coll, scope);
      if (hasUnknown(coll)) return unknownOf(n.src);
      const pairs: Array<[unknown, unknown]> = Array.isArray(coll)
        ? coll.map((x, i) => [i, x])
        : Object.keys(coll as object)
            .sort()
            .map((k) => [k, (coll as Record<string, unknown>)[k]]);
      const out: unknown[] = [];
      const map: Record<string, unknown> = {};
      for (const [k, x] of pairs) {
        const inner: HclScope = { ...scope, bound: { ...scope.bound, [n.valVar]: x, ...(n.keyVar ? { [n.keyVar]: k } : {}) } };
        if (n.cond && evalHcl(n.cond, inner) !== true) continue;
        if (n.map) map[String(evalHcl(n.key!, inner))] = evalHcl(n.val, inner);
        else out.push(evalHcl(n.val, inner));
      }
      return n.map ? map : out;
    }
    case "call": {
      const args = n.args.map((a) => evalHcl(a, scope));
      const fn = HCL_FUNCTIONS[n.name];
      if (!fn || args.some(hasUnknown)) return unknownOf(n.src);
      return fn(...args);
    }
    case "un": {
      const e = evalHcl(n.e, scope);
      if (isUnknown(e)) return unknownOf(n.src);
      return n.op === "!" ? !e : -(e as number);
    }
    case "bin": {
      const l = evalHcl(n.l, scope);
      const r = evalHcl(n.r, scope);
      if (hasUnknown(l) || hasUnknown(r)) return unknownOf(n.src);
      const a = l as any;
      const b = r as any;
      switch (n.op) {
        case "||":
          return a || b;
        case "&&":
          return a && b;
        case "==":
          return JSON.stringify(a) === JSON.stringify(b);
        case "!=":
          return JSON.stringify(a) !== JSON.stringify(b);
        case "<":
          return a < b;
        case ">":
          return a > b;
        case "<=":
          return a <= b;
        case ">=":
          return a >= b;
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          return a / b;
        default:
          return a % b;
      }
    }
    case "cond": {
      const c = evalHcl(n.c, scope);
      if (isUnknown(c)) return unknownOf(n.src);
      return evalHcl(c ? n.t : n.f, scope);
    }
  }
}

const REF_START = "\u0001";
const REF_END = "\u0002";

/** A reference as a stack's JSON writes it: a counted resource of one keeps its name here, so `x.y[0].z` and `one(x.y[*].z)` read `x.y.z`. */
const reference = (text: string) => "${" + text.replace(/one\((\w+\.\w+)\[\*\]\.(\w+)\)/g, "$1.$2").replace(/\b(aws_\w+\.\w+)\[0\]/g, "$1") + "}";

/**
 * Values as Terraform JSON writes them, as in a stack's cdk.tf.json: unknown values become
 * `${...}` references again, and a literal `${` or `%{` in text is escaped (`$${`, `%%{`).
 */
function materialize(v: unknown): unknown {
  if (isUnknown(v)) return reference(v[UNKNOWN]);
  if (typeof v === "string") {
    return (
      v
        // A function: in a replacement string "$$" would be one "$".
        .replace(/\$\{/g, () => "$${")
        .replace(/%\{/g, () => "%%{")
        .replace(new RegExp(`${REF_START}([^${REF_END}]*)${REF_END}`, "g"), (_, text: string) => reference(text))
    );
  }
  if (Array.isArray(v)) return v.map(materialize);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, materialize(x)]));
  return v;
}

/** Meta-arguments kept as written: Terraform reads them itself. */
const KEPT_AS_WRITTEN = new Set(["lifecycle", "depends_on", "provider"]);

function resolveValue(v: unknown, scope: HclScope, top = false): unknown {
  if (typeof v === "string")
    return v.includes("${") || v.includes("%{") ? evalHcl(HclParser.template(v), scope) : v.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
  if (Array.isArray(v)) return v.map((x) => resolveValue(x, scope));
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (top && KEPT_AS_WRITTEN.has(k)) out[k] = x;
    else if (k === "dynamic") {
      for (const [block, spec] of Object.entries(x as Record<string, { for_each: unknown; content: unknown }>)) {
        const items = resolveValue(spec.for_each, scope);
        if (hasUnknown(items)) throw new Error(`dynamic ${block}: for_each is unknown`);
        const entries = Array.isArray(items)
          ? items.map((value, key) => ({ key, value }))
          : Object.entries(items as object).map(([key, value]) => ({ key, value }));
        // No instances, no block (as in Terraform).
        if (entries.length) out[block] = entries.map((it) => resolveValue(spec.content, { ...scope, bound: { ...scope.bound, [block]: it } }));
      }
    } else out[k] = resolveValue(x, scope);
  }
  return out;
}

interface TerraformDoc {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  locals?: Record<string, unknown>;
  output?: Record<string, { value: unknown; description?: string }>;
}

/**
 * The module (or a stack's JSON) as Terraform would see it for these inputs: counts and for_each
 * expanded (instances named `name["key"]`), dynamic blocks unrolled, inputs, locals and the given
 * data-source attributes substituted; references to resources stay as `${...}` text.
 */
function instantiate(doc: TerraformDoc, vars: Record<string, unknown>, data: Record<string, unknown>): StackJson {
  const cache = new Map<string, unknown>();
  const scope: HclScope = {
    vars,
    data,
    bound: {},
    local: (name) => {
      if (!cache.has(name)) {
        if (!doc.locals || !(name in doc.locals)) throw new Error(`no local ${name}`);
        cache.set(name, resolveValue(doc.locals[name], scope));
      }
      return cache.get(name);
    },
  };
  const resource: Record<string, Record<string, Record<string, any>>> = {};
  for (const [type, byName] of Object.entries(doc.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const { count, for_each: forEach, ...rest } = body;
      const instances: Array<[string, HclScope]> = [];
      if (forEach !== undefined) {
        const each = resolveValue(forEach, scope);
        if (hasUnknown(each)) throw new Error(`${type}.${name}: for_each is unknown`);
        for (const [key, value] of Object.entries(each as Record<string, unknown>)) {
          instances.push([`${name}[${JSON.stringify(key)}]`, { ...scope, bound: { each: { key, value } } }]);
        }
      } else {
        const n = count === undefined ? 1 : resolveValue(count, scope);
        if (typeof n !== "number") throw new Error(`${type}.${name}: count is ${JSON.stringify(n)}`);
        // A counted resource of one keeps its name: the rules look resources up by name.
        if (n > 1) throw new Error(`${type}.${name}: count ${n}`);
        if (n === 1) instances.push([name, scope]);
      }
      for (const [instance, s] of instances) {
        (resource[type] ??= {})[instance] = materialize(resolveValue(rest, s, true)) as Record<string, any>;
      }
    }
  }
  const output = Object.fromEntries(Object.entries(doc.output ?? {}).map(([name, o]) => [name, { ...o, value: materialize(resolveValue(o.value, scope)) }]));
  return { resource, output };
}

describe("the evaluator means what Terraform means (for the subset the module uses)", () => {
  const scope: HclScope = {
    vars: { n: 1.5, on: true, list: ["b", "a"], none: null, prefix: "mail" },
    local: (name) => ({ l: "x" })[name],
    data: { "aws_region.current.id": "eu-west-1" },
    bound: {},
  };
  const ev = (text: string) => materialize(evalHcl(HclParser.template(text), scope));
  test.each([
    ["${var.n / 100}", 0.015],
    ["reached ${var.n} %", "reached 1.5 %"],
    ['${var.on ? "aws:kms" : "AES256"}', "aws:kms"],
    // A counted resource of one instance keeps its name when instantiated.
    ["${var.none != null ? var.none : one(aws_kms_key.k[*].arn)}", "${aws_kms_key.k.arn}"],
    ["${var.none == null ? 1 : 0}", 1],
    ["${max(var.n, 60)}", 60],
    ['${[for x in var.list : "id/${x}"]}', ["id/b", "id/a"]],
    [
      '${{ for pair in setproduct(var.list, ["T"]) : "${pair[0]}/${pair[1]}" => { identity = pair[0], type = pair[1] } if var.on }}',
      { "a/T": { identity: "a", type: "T" }, "b/T": { identity: "b", type: "T" } },
    ],
    ["${jsonencode(var.list)}", '["b","a"]'],
    ['[%{ if var.on }{"a":1},%{ endif }{"b":2}]', '[{"a":1},{"b":2}]'],
    ['[%{ if !var.on }{"a":1},%{ endif }{"b":2}]', '[{"b":2}]'],
    ['${var.none != null ? var.none : "s3-access/${local.l}/"}', "s3-access/x/"],
    ["arn:${data.aws_region.current.id}:${aws_s3_bucket.b.id}", "arn:eu-west-1:${aws_s3_bucket.b.id}"],
    ["$${literal} %%{ x }", "$${literal} %%{ x }"],
  ])("%s", (text, expected) => expect(ev(text)).toEqual(expected));
});

// ---------------------------------------------------------------- the module, instantiated: parity with the stack, and the policy rules

/** The module inputs that say what a config says, for one region. Every input has its config counterpart. */
function moduleInputs(cfg: SesGuardConfig, region: SesRegion): Record<string, unknown> {
  const lc = cfg.archive.lifecycle;
  return {
    name_prefix: cfg.name,
    account_id: cfg.accountId,
    tags: cfg.tags,
    alarm_emails: cfg.alarms.emails,
    bounce_rate_warning_percent: cfg.alarms.bounceRatePercent.warning,
    bounce_rate_critical_percent: cfg.alarms.bounceRatePercent.critical,
    complaint_rate_warning_percent: cfg.alarms.complaintRatePercent.warning,
    complaint_rate_critical_percent: cfg.alarms.complaintRatePercent.critical,
    alarm_period_seconds: cfg.alarms.periodSeconds,
    alarm_evaluation_periods: cfg.alarms.evaluationPeriods,
    configuration_set_name: cfg.configurationSet.name ?? null,
    require_tls: cfg.configurationSet.requireTls,
    bucket_name: cfg.archive.bucketName ?? null,
    versioning: cfg.archive.versioning,
    noncurrent_version_expiration_days: lc.noncurrentVersionExpirationDays,
    access_log_bucket_name: cfg.archive.accessLogging?.bucketName ?? null,
    access_log_prefix: cfg.archive.accessLogging?.prefix ?? null,
    event_types: cfg.archive.eventTypes,
    buffering_interval_seconds: cfg.archive.bufferingIntervalSeconds,
    buffering_size_mib: cfg.archive.bufferingSizeMiB,
    lifecycle_transitions: lc.transitions.map((t) => ({ days: t.days, storage_class: t.storageClass })),
    expiration_days: lc.expirationDays,
    abort_incomplete_multipart_upload_days: lc.abortIncompleteMultipartUploadDays,
    transition_minimum_object_size: lc.transitionMinimumObjectSize,
    log_retention_days: cfg.archive.logRetentionDays,
    kms_key_arn: cfg.encryption.kmsKeyArns[region] ?? null,
    encrypt_archive: cfg.encryption.archive,
    notifications_enabled: cfg.notifications.enabled && notificationIdentitiesFor(cfg, region).length > 0,
    notification_identities: notificationIdentitiesFor(cfg, region),
    notification_types: cfg.notifications.types,
    notification_emails: cfg.notifications.emails ?? null,
    include_original_headers: cfg.notifications.includeOriginalHeaders,
    investigation_enabled: cfg.investigation.enabled,
    investigation_lookback_days: cfg.investigation.lookbackDays,
    investigation_bytes_scanned_cutoff_per_query_mib: cfg.investigation.bytesScannedCutoffPerQueryMiB,
    investigation_results_expiration_days: cfg.investigation.resultsExpirationDays,
    investigation_results_bucket_name: cfg.investigation.resultsBucketName ?? null,
    investigation_campaign_tag: cfg.investigation.campaignTag,
    suppression_account_level: cfg.suppression.accountLevel,
    suppression_configuration_set: cfg.suppression.configurationSet,
  };
}

interface Scenario {
  readonly name: string;
  readonly config: SesGuardConfig;
  readonly region: SesRegion;
}

function example(file: string, patch: (raw: Record<string, any>) => void = () => undefined): SesGuardConfig {
  const raw = JSON.parse(fs.readFileSync(path.join(root, "examples", file), "utf8"));
  patch(raw);
  return parseConfig(raw, file);
}
const BYO_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const scenarios: Scenario[] = [
  { name: "everything set (examples/full.json)", config: example("full.json"), region: "eu-central-1" },
  { name: "defaults (examples/default.json)", config: example("default.json"), region: "us-east-1" },
  {
    name: "notifications off, the caller's key, archive encrypted, investigation with defaults (examples/notifications-off.json)",
    config: example("notifications-off.json", (c) => {
      c.encryption = { kmsKeyArns: { "eu-west-1": BYO_KEY }, archive: true };
      // A look-back of one day: the saved queries say "1 day", not "1 days".
      c.investigation = { enabled: true, lookbackDays: 1 };
      c.suppression = { accountLevel: ["BOUNCE"] };
    }),
    region: "eu-west-1",
  },
];

/** Computes once per scenario; callers get their own copy (rules' `breaks` mutate it). */
function memo(compute: (s: Scenario) => StackJson): (s: Scenario) => StackJson {
  const cache = new Map<Scenario, StackJson>();
  return (s) => {
    if (!cache.has(s)) cache.set(s, compute(s));
    return structuredClone(cache.get(s)!);
  };
}

const moduleFor = memo((s) => {
  const defaults = Object.fromEntries(
    Object.entries(variables)
      .filter(([, v]) => "default" in v)
      .map(([k, v]) => [k, v.default]),
  );
  const inputs = moduleInputs(s.config, s.region);
  return instantiate(
    { ...main, output: outputs },
    { ...defaults, ...inputs },
    {
      "aws_region.current.id": s.region,
      "aws_partition.current.partition": partitionOf(s.region),
    },
  );
});

const stackFor = memo((s) => {
  const json = JSON.parse(Testing.synth(new SesGuardStack(Testing.app(), "s", { config: s.config, region: s.region })));
  // Expands the stack's own for_each (identity notification topics) the same way.
  return instantiate(json, {}, {});
});

/** The stack's name for a module resource instance: subscriptions are one resource per address there. */
function stackName(name: string): string {
  const m = /^(alarms_topic_subscriptions|notifications_subscriptions)\[(".*")\]$/.exec(name);
  return m ? `${m[1]}_${logicalIdSegment(JSON.parse(m[2]))}` : name;
}

/**
 * What differs by design: tags (on each resource in the module, provider default_tags in the
 * stack), the SES-region precondition (the stack's config schema checks the region instead),
 * and how a reference to a counted resource is written (`[0]`, `one(...[*].x)`).
 */
function comparable(value: unknown, top = true): unknown {
  if (typeof value === "string") {
    return value.replace(/one\((\w+\.\w+)\[\*\]\.(\w+)\)/g, "$1.$2").replace(/(\$\{\w+\.\w+)\[0\]/g, "$1");
  }
  if (typeof value === "number") return Number(value.toPrecision(12));
  // A single nested block: an object in cdk.tf.json, a list of one from a dynamic block; Terraform reads both alike.
  if (Array.isArray(value) && value.length === 1 && value[0] !== null && typeof value[0] === "object" && !Array.isArray(value[0]))
    return comparable(value[0], false);
  if (Array.isArray(value)) return value.map((v) => comparable(v, false));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // A null argument is an unset one, in Terraform.
    if (v === null) continue;
    if (top && k === "tags") continue;
    if (top && k === "lifecycle") {
      const { precondition: _, ...rest } = v as Record<string, unknown>;
      if (Object.keys(rest).length) out[k] = rest;
      continue;
    }
    out[k] = comparable(v, false);
  }
  return out;
}

const INVESTIGATION_OUTPUTS = ["athena_workgroup", "glue_database", "glue_table", "athena_results_bucket_name"];

function addresses(json: StackJson, rename: (name: string) => string = (n) => n): Map<string, Record<string, any>> {
  return new Map(
    Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.entries(byName).map(([name, body]) => [`${type}.${rename(name)}`, body] as const)),
  );
}

describe.each(scenarios.map((s) => [s.name, s] as const))("parity with the stack: %s", (_name, scenario) => {
  const mod = addresses(moduleFor(scenario), stackName);
  const stk = addresses(stackFor(scenario));

  test("the same resources, setting for setting", () => {
    expect([...mod.keys()].sort()).toEqual([...stk.keys()].sort());
    for (const [address, body] of mod) expect([address, comparable(body)]).toEqual([address, comparable(stk.get(address))]);
  });

  test("the same outputs, with the stack's descriptions and next steps", () => {
    const modOut = moduleFor(scenario).output!;
    const stkOut = stackFor(scenario).output as Record<string, { value: unknown; description: string }>;
    // The module always declares every output (null when its resource is off); the stack only those it has.
    const off = [
      ...(scenario.config.notifications.enabled ? [] : ["notification_topic_arn"]),
      ...(scenario.config.investigation.enabled ? [] : INVESTIGATION_OUTPUTS),
    ];
    expect(Object.keys(modOut).filter((o) => !(o in stkOut))).toEqual(Object.keys(outputs).filter((o) => off.includes(o)));
    for (const [o, { description }] of Object.entries(outputs)) {
      const stackWords = stkOut[o]?.description.replace(/\.$/, "").replace("investigation.resultsExpirationDays", "investigation_results_expiration_days");
      if (o in stkOut) expect([o, description.startsWith(stackWords)]).toEqual([o, true]);
    }
    const name = scenario.config.configurationSet.name ?? scenario.config.name;
    expect(String(modOut.next_steps.value).replace("${aws_sesv2_configuration_set.event_publishing_configuration_set.configuration_set_name}", name)).toBe(
      stkOut.next_steps.value,
    );
  });
});

test("every module input has a config counterpart in the parity scenarios", () => {
  expect(Object.keys(moduleInputs(scenarios[0].config, scenarios[0].region)).sort()).toEqual(Object.keys(variables).sort());
});

describe.each(scenarios.map((s) => [s.name, s] as const))("security and data-safety rules on the module: %s", (_name, scenario) => {
  const ctx: RuleContext = { json: moduleFor(scenario), config: scenario.config, region: scenario.region };

  test.each(POLICY_RULES.map((r) => [r.id, r] as const))("%s holds (or says why it does not apply)", (_id, rule) => {
    const why = rule.notApplicable?.(ctx);
    if (why !== undefined) {
      expect(why.length).toBeGreaterThan(10);
      return;
    }
    expect(rule.check(ctx)).toEqual([]);
  });

  test("the properties the module must always have are checked, not skipped", () => {
    const always = [
      "SNS_ENCRYPTED_WITH_CUSTOMER_KEY",
      "S3_PUBLIC_ACCESS_BLOCKED",
      "S3_TLS_ONLY",
      "S3_ABORT_INCOMPLETE_UPLOADS",
      "ARCHIVE_NEVER_DESTROYED_BY_ACCIDENT",
      "ARCHIVE_WATCHED",
      "IAM_NO_WILDCARD_ACTION",
      "IAM_NO_WILDCARD_RESOURCE",
      "IAM_TRUST_SCOPED_TO_SOURCE",
      "SNS_PUBLISHERS_SCOPED",
      ...(scenario.config.encryption.kmsKeyArns[scenario.region] ? [] : ["KMS_ROTATION", "SNS_KEY_LETS_PUBLISHERS_ENCRYPT", "KMS_POLICY_DEFINED_NO_WILDCARD"]),
      ...(scenario.config.encryption.archive ? ["S3_CUSTOMER_MANAGED_KEY", "FIREHOSE_CUSTOMER_MANAGED_KEY"] : []),
      ...(scenario.config.archive.versioning ? ["S3_VERSIONING_WITH_NONCURRENT_EXPIRY"] : []),
      ...(scenario.config.archive.accessLogging ? ["S3_ACCESS_LOGGING"] : []),
    ];
    const skipped = POLICY_RULES.filter((r) => always.includes(r.id) && r.notApplicable?.(ctx) !== undefined).map((r) => r.id);
    expect(skipped).toEqual([]);
    expect(always.filter((id) => !POLICY_RULES.some((r) => r.id === id))).toEqual([]);
  });
});

test.each(POLICY_RULES.map((r) => [r.id, r] as const))("%s can fail on the module: an instance broken on purpose is reported", (id, rule) => {
  const ctx = scenarios
    .map((s): RuleContext => ({ json: moduleFor(s), config: s.config, region: s.region }))
    .find((c) => rule.notApplicable?.(c) === undefined)!;
  expect([id, ctx !== undefined]).toEqual([id, true]);
  const broken: RuleContext = { ...ctx, json: structuredClone(ctx.json) };
  rule.breaks(broken.json);
  expect(rule.check(broken).length).toBeGreaterThan(0);
});
