// The generated plain Terraform module: structure, validation rules, README and determinism (no terraform needed).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TerraformResource, Testing, Token } from "cdktf";
import {
  ConfigError,
  DEFAULT_EVENT_TYPES,
  LOG_RETENTION_DAYS,
  MINIMUM_STORAGE_DAYS,
  NOTIFICATION_TYPES,
  parseConfig,
  SES_EVENT_TYPES,
  SES_REGIONS,
  STORAGE_CLASSES,
} from "../../modules/app/config";
import { main as moduleCli, parseModuleArgs } from "../../modules/terraform-module/module-cli";
import { SesGuardStack } from "../../modules/app/ses-guard-stack";
import {
  AWS_PROVIDER_CONSTRAINT,
  DEFAULT_MODULE_OUTDIR,
  hclLiteral,
  hclString,
  MODULE_FILES,
  MODULE_OUTPUTS,
  moduleDocuments,
  moduleFiles,
  moduleVariables,
  NEXT_STEPS,
  TERRAFORM_CONSTRAINT,
  TRANSITION_MINIMUM_OBJECT_SIZES,
  writeTerraformModule,
} from "../../modules/terraform-module/terraform-module";
import { SesGuardModule } from "../../modules/terraform-module/terraform-module";
import { sesGuardPropsFromConfig } from "../../modules/ses-guard";
import { Rate } from "../../modules/shared/rate";
import { LITERAL_ONLY_PROPS, literalOnlyFeatures, propLeaves } from "../support/module-inputs";
import { exampleConfigs } from "../support/files";

const root = path.join(__dirname, "..", "..");
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
      "dashboard_url",
      "ses_events_topic_arn",
      "resume_sending_command",
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
      `${NEXT_STEPS.confirm} ${NEXT_STEPS.send(name)}%{ if var.investigation_enabled } ${NEXT_STEPS.investigate("${var.name_prefix}-investigations")}%{ endif }`,
    );
    expect(synthesized.output.next_steps.value.startsWith(`${NEXT_STEPS.confirm} ${NEXT_STEPS.send("acme-transactional")}`)).toBe(true);
  });

  test("it creates the stack's resource types, with the stack's addresses", () => {
    const synthesized = stack();
    expect(Object.keys(main.resource).sort()).toEqual([
      "aws_athena_named_query",
      "aws_athena_workgroup",
      "aws_chatbot_slack_channel_configuration",
      "aws_chatbot_teams_channel_configuration",
      "aws_cloudwatch_dashboard",
      "aws_cloudwatch_event_rule",
      "aws_cloudwatch_event_target",
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
      "aws_sqs_queue",
      "aws_sqs_queue_policy",
      "aws_ssm_document",
    ]);
    expect(Object.keys(synthesized.resource)).toEqual(expect.arrayContaining(Object.keys(main.resource)));
    // The region comes from the caller's provider; the partition is derived from it, as in arn.ts.
    expect(Object.keys(main.data).sort()).toEqual(["aws_region"]);
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
      "configuration_set_alarms_bounce_rate_critical",
      "dashboard",
      "event_publishing_event_bridge_destination",
      "ses_event_alerts_topic",
      "chat_channels_role",
      "auto_pause_rule",
      "auto_pause_pause_runbook",
      "auto_pause_resume_runbook",
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
    // Keyed by lower-case address, as the stack's construct IDs: removing one address leaves the others.
    expect(r.aws_sns_topic_subscription.alarms_topic_subscriptions.for_each).toBe("${{ for email in var.alarm_emails : lower(email) => email }}");
    expect(r.aws_sns_topic_subscription.notifications_subscriptions.for_each).toBe(
      "${{ for email in local.notification_emails : lower(email) => email if local.notifications_enabled }}",
    );
    const identities = r.aws_ses_identity_notification_topic.notifications_identities.for_each;
    expect(identities).toContain("setproduct(var.notification_identities, var.notification_types)");
    expect(identities).toContain('"${pair[0]}/${pair[1]}"');
    expect(identities).toMatch(/ if local\.notifications_enabled \}\}$/);
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
    // The caller's key, or the one the module creates.
    expect(r.aws_sns_topic.alarms_topic.kms_master_key_id).toBe("${var.kms_key_arn != null ? var.kms_key_arn : one(aws_kms_key.encryption_key[*].arn)}");
    const tiering = r.aws_s3_bucket_lifecycle_configuration.archive_bucket_lifecycle.rule[0];
    expect(tiering.dynamic.transition.for_each).toBe("${var.lifecycle_transitions}");
    expect(tiering.dynamic.noncurrent_version_expiration.for_each).toBe("${var.versioning ? [var.noncurrent_version_expiration_days] : []}");
    expect(tiering.transition).toBeUndefined();
    const destination = r.aws_sesv2_configuration_set_event_destination.event_publishing_event_destination.event_destination;
    expect(destination.enabled).toBe(true);
    for (const type of ["aws_cloudwatch_metric_alarm"]) {
      for (const [name, alarm] of Object.entries(r[type]) as [string, { threshold: string }][]) {
        if (name.startsWith("alarms_")) expect(alarm.threshold).toMatch(/^\$\{\(var\.\w+_percent \/ 100\)\}$/);
      }
    }
  });

  test("policies are the stack's policy documents, with expressions inside strings", () => {
    const policy = JSON.parse(main.resource.aws_iam_role.delivery_stream_role.assume_role_policy);
    // Firehose presents the account as external ID, and no source ARN.
    expect(policy.Statement[0].Condition).toEqual({ StringEquals: { "sts:ExternalId": "${var.account_id}" } });
    // The identity list is spliced in as jsonencode(), the rest is plain JSON.
    const topic = main.resource.aws_sns_topic_policy.notifications_policy.policy as string;
    const spliced = /"ArnLike":\{"aws:SourceArn":(\$\{jsonencode\(\[for identity in var\.notification_identities : .*:identity\/\$\{identity\}"\]\)\})\}/.exec(
      topic,
    );
    expect(spliced).not.toBeNull();
    expect(() => JSON.parse(topic.replace(spliced![1], "[]").replace(/\$\{[^}]*\}/g, "x"))).not.toThrow();
    // The KMS statement of the Firehose role is there only with encrypt_archive: a template directive keeps the JSON readable.
    const firehose = main.resource.aws_iam_role_policy.delivery_stream_role_policy.policy as string;
    expect(firehose).toMatch(/,%\{ if var\.encrypt_archive \}\{"Sid":"EncryptObjectsThroughS3",.*\},%\{ endif \}\{"Sid":"LogDeliveryErrors"/);
    for (const on of [true, false]) {
      const rendered = firehose.replace(/%\{ if var\.encrypt_archive \}(.*?)%\{ endif \}/, on ? "$1" : "").replace(/\$\{(?:[^{}]|\{[^{}]*\})*\}/g, "x");
      expect(JSON.parse(rendered).Statement.map((x: { Sid: string }) => x.Sid)).toEqual([
        "WriteObjects",
        "FindBucket",
        ...(on ? ["EncryptObjectsThroughS3"] : []),
        "LogDeliveryErrors",
      ]);
    }
  });

  test("lifecycle meta-arguments are literal: prevent_destroy on the bucket, the stream, the key and the catalog, never force_destroy", () => {
    const guarded = Object.entries(main.resource as Record<string, Record<string, any>>).flatMap(([type, byName]) =>
      Object.entries(byName)
        .filter(([, body]) => body.lifecycle?.prevent_destroy !== undefined)
        .map(([name, body]) => [`${type}.${name}`, body.lifecycle.prevent_destroy]),
    );
    // A switch that counts the key or the catalog down to nothing (kms_key_arn, investigation_enabled)
    // then fails the plan instead of deleting them: a module cannot hold `removed` blocks for them.
    expect(guarded).toEqual([
      ["aws_glue_catalog_database.event_catalog_database", true],
      ["aws_glue_catalog_table.event_catalog_table", true],
      ["aws_kinesis_firehose_delivery_stream.delivery_stream", true],
      ["aws_kms_key.encryption_key", true],
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

describe("validation blocks mirror modules/app/config.ts", () => {
  test("every variable with a config rule has validation blocks", () => {
    const without = Object.entries(variables)
      .filter(([, v]) => !v.validation?.length)
      .map(([k]) => k);
    // Booleans have no rule beyond their type.
    expect(without.sort()).toEqual([
      "auto_pause_enabled",
      "chat_create_channel_configurations",
      "configuration_set_reputation_alarms",
      "dashboard_enabled",
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
    expect(precondition.condition).toContain(JSON.stringify(SES_REGIONS));
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

// Each rule's Terraform condition is checked against its TypeScript check in test/shared/rules.test.ts.
describe("constants and HCL text", () => {
  test("transition_minimum_object_size takes config.ts's values, read from its schema", () => {
    expect(TRANSITION_MINIMUM_OBJECT_SIZES).toEqual(["all_storage_classes_128K", "varies_by_storage_class"]);
    expect(conditions("transition_minimum_object_size")[0]).toContain(hclLiteral(TRANSITION_MINIMUM_OBJECT_SIZES));
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
      "ses-guard: wrote Terraform module to mod (outputs: alarm_topic_arn, archive_bucket_name, delivery_stream_name, configuration_set_name, notification_topic_arn, pending_email_confirmations, next_steps, athena_workgroup, glue_database, glue_table, athena_results_bucket_name, dashboard_url, ses_events_topic_arn, resume_sending_command)",
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

// ---------------------------------------------------------------- parity with the stack

// The module is `SesGuard` fed with variables, so parity is a matter of feeding every feature:
// each props path the stack sets for some example is set by the module too, or is literal-only by
// design. Value by value, test/app/integration.test.ts plans each example both ways and compares.
test("the file that declares the variables creates no AWS resource itself: its resources come from the constructs", () => {
  const source = fs.readFileSync(path.join(root, "modules", "terraform-module", "terraform-module.ts"), "utf8");
  const providerImports = [...source.matchAll(/from "@cdktf\/provider-aws\/lib\/([\w-]+)"/g)].map((m) => m[1]);
  // The region data source only: it reads the caller's provider configuration.
  expect(providerImports).toEqual(["data-aws-region"]);
  const stack = new SesGuardModule(Testing.app(), "own");
  const outsideGuard = stack.node
    .findAll()
    .filter((c) => c instanceof TerraformResource && !c.node.scopes.includes(stack.guard))
    .map((c) => c.node.path);
  expect(outsideGuard).toEqual([]);
  expect(stack.guard.node.findAll().filter((c) => c instanceof TerraformResource).length).toBeGreaterThan(40);
});

describe("parity with the stack", () => {
  const moduleStack = new SesGuardModule(Testing.app(), "parity");
  const fed = propLeaves(moduleStack.guardProps);
  const examples = exampleConfigs(path.join(root, "examples")).map((f) => parseConfig(JSON.parse(fs.readFileSync(path.join(root, "examples", f), "utf8")), f));

  test("every props path the stack sets for an example is fed by the module's variables, or is literal-only", () => {
    const set = new Set(examples.flatMap((cfg) => cfg.regions.flatMap((region) => [...propLeaves(sesGuardPropsFromConfig(cfg, region)).keys()])));
    const literalOnly = (p: string) => LITERAL_ONLY_PROPS.some((l) => p === l || p.startsWith(`${l}.`));
    expect([...set].filter((p) => !fed.has(p) && !literalOnly(p)).sort()).toEqual([]);
    // The check can fail: a path only the stack sets is reported.
    expect([...set, "archive.newFeature"].filter((p) => !fed.has(p) && !literalOnly(p))).toEqual(["archive.newFeature"]);
  });

  test("the module feeds nothing literal-only, and every value it feeds is a variable, a local or a literal it states", () => {
    expect(LITERAL_ONLY_PROPS.filter((p) => fed.has(p))).toEqual([]);
    const literal = [...fed].filter(([, value]) => !Token.isUnresolved(value) && !(value instanceof Rate && value.isToken)).map(([p]) => p);
    // Terraform allows no expressions in lifecycle meta-arguments.
    expect(literal).toEqual(["archive.preventDestroy"]);
  });

  test("the examples cover the literal-only features, so each is known to be left out", () => {
    const reasons = new Set(examples.flatMap((cfg) => cfg.regions.flatMap((region) => literalOnlyFeatures(cfg, region))));
    expect(reasons.size).toBeGreaterThanOrEqual(5);
  });
});
