/**
 * ses-guard as a plain Terraform module: the same resources as `SesGuardStack`,
 * but driven by Terraform `variable`s instead of a JSON config, with no
 * provider or backend inside, so an HCL root module can call it with
 * `module "ses_guard" { source = "..." }`.
 *
 * Inputs are Terraform expressions, not TypeScript values, so everything that
 * depends on them is an expression here: lists become `for_each`, the
 * notifications switch becomes `count`, the lifecycle transitions a `dynamic`
 * block. The rules `modules/config.ts` enforces become `validation` blocks
 * with the same wording, so HCL users get the same errors.
 */
import * as fs from "fs";
import * as path from "path";
import { Construct, Node } from "constructs";
import { App, TerraformElement, TerraformIterator, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogStream } from "@cdktf/provider-aws/lib/cloudwatch-log-stream";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KinesisFirehoseDeliveryStream } from "@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { SesIdentityNotificationTopic } from "@cdktf/provider-aws/lib/ses-identity-notification-topic";
import { Sesv2ConfigurationSet } from "@cdktf/provider-aws/lib/sesv2-configuration-set";
import { Sesv2ConfigurationSetEventDestination } from "@cdktf/provider-aws/lib/sesv2-configuration-set-event-destination";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import {
  bucketNameProblem,
  LOG_RETENTION_DAYS,
  MINIMUM_STORAGE_DAYS,
  NOTIFICATION_TYPES,
  parseConfig,
  SES_EVENT_TYPES,
  SES_REGIONS,
  SesGuardConfig,
  STORAGE_CLASSES,
} from "./config";
import { defaultBucketName, regionNames } from "./names";
import { policyDocument, renderPolicy, serviceTrustPolicy } from "./policy-document";
import { AWS_PAUSE_LEVEL, AWS_REVIEW_LEVEL } from "./rate";

/**
 * Versions of hashicorp/aws the module admits. 5.100 is the version every
 * test plans against; 6.x changed nothing the module uses (it reads
 * `data.aws_region.current.id`, not the `name` that 6.0 deprecated), and 7.0
 * is a future major that may remove arguments, so it is excluded until tested.
 */
export const AWS_PROVIDER_CONSTRAINT = ">= 5.100, < 7.0";
/** Validation conditions that refer to other variables need Terraform 1.9. */
export const TERRAFORM_CONSTRAINT = ">= 1.9";
/** Where `npm run module` writes the module by default, relative to the project. */
export const DEFAULT_MODULE_OUTDIR = path.join("dist", "terraform-module", "ses-guard");
/** Every file `writeTerraformModule` writes; nothing else may be in the folder it replaces. */
export const MODULE_FILES = ["README.md", "main.tf.json", "outputs.tf.json", "variables.tf.json"] as const;

// ---------------------------------------------------------------- HCL text

/** An HCL quoted string literal (HCL quoted strings are templates: `${` and `%{` are escaped). */
export function hclString(value: string): string {
  const body = value
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\$\{/g, () => "$${")
    .replace(/%\{/g, () => "%%{");
  return `"${body}"`;
}

/** An HCL literal for a JSON-like constant (list, object, string, number, bool). */
export function hclLiteral(value: unknown): string {
  if (typeof value === "string") return hclString(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(hclLiteral).join(", ")}]`;
  if (typeof value === "object") {
    const key = (k: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !["true", "false", "null"].includes(k) ? k : hclString(k));
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${key(k)} = ${hclLiteral(v)}`)
      .join(", ")} }`;
  }
  throw new Error(`hclLiteral: cannot render ${typeof value}`);
}

/** Literal text inside a template (an error message): only `${` and `%{` are special. */
function text(value: string): string {
  return value.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** A quoted HCL template that may interpolate (unlike `hclString`, `${` is kept). */
function hclTemplate(template: string): string {
  return `"${template.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A whole-string interpolation: Terraform JSON evaluates it to the expression's own type. */
function expr(hcl: string): string {
  return "${" + hcl + "}";
}

// ---------------------------------------------------------------- patterns

const DOMAIN_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
// RE2 has no lookahead: the 253-character limit of a domain is a separate length() check.
const DOMAIN = `(?:${DOMAIN_LABEL}\\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})`;
const EMAIL_LOCAL = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*";

/**
 * RE2 patterns (Terraform's `regex`) for the rules config.ts writes as
 * JavaScript regular expressions or functions. `(?i)` is RE2's
 * case-insensitive flag. Unit tests check them against config.ts's own
 * `isDomain`, `isEmailAddress` and the schema on the same samples.
 */
export const MODULE_PATTERNS = {
  namePrefix: "^[a-z][a-z0-9-]{0,23}$",
  accountId: "^[0-9]{12}$",
  domain: `(?i)^${DOMAIN}$`,
  email: `(?i)^${EMAIL_LOCAL}@${DOMAIN}$`,
  tagKey: "^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{1,128}$",
  configurationSetName: "^[A-Za-z0-9_-]{1,64}$",
  bucketName: "^[a-z0-9][a-z0-9-]*[a-z0-9]$",
  bucketReservedPrefix: "^(xn--|sthree-|amzn-s3-demo-)",
  bucketReservedSuffix: "(-s3alias|--ol-s3|--x-s3|--table-s3)$",
} as const;

const matches = (pattern: string, x: string) => `can(regex(${hclString(pattern)}, ${x}))`;
// try(): a null list element must fail the rule, not crash the condition.
const isEmail = (x: string) =>
  `try(length(${x}) <= 254 && length(split("@", ${x})[0]) <= 64 && ${matches(MODULE_PATTERNS.email, x)}, false)`;
const isDomain = (x: string) => `try(length(${x}) <= 253 && ${matches(MODULE_PATTERNS.domain, x)}, false)`;
const isWhole = (x: string) => `floor(${x}) == ${x}`;

/** Each S3 bucket-name rule as an HCL test, worded by config.ts's own `bucketNameProblem`. */
function bucketNameRules(): { test: (x: string) => string; problem: string }[] {
  // Probe names that break exactly one rule each, so the wording is config.ts's, not a copy.
  const problem = (probe: string) => {
    const found = bucketNameProblem(probe);
    if (!found) throw new Error(`bucketNameProblem(${JSON.stringify(probe)}) no longer reports a problem; update terraform-module.ts`);
    return found;
  };
  return [
    { test: (x) => `length(${x}) >= 3 && length(${x}) <= 63`, problem: problem("ab") },
    { test: (x) => matches(MODULE_PATTERNS.bucketName, x), problem: problem("a.b") },
    { test: (x) => `!${matches(MODULE_PATTERNS.bucketReservedPrefix, x)}`, problem: problem("sthree-abc") },
    { test: (x) => `!${matches(MODULE_PATTERNS.bucketReservedSuffix, x)}`, problem: problem("abc-s3alias") },
  ];
}

// ---------------------------------------------------------------- variables

/** One `validation` block: the condition, and what the message says is allowed. */
export interface ModuleRule {
  /** HCL boolean expression; true when the value is acceptable. */
  readonly condition: string;
  /** What is allowed, as template text (may interpolate other values). */
  readonly allowed: string;
  /** HCL expression for the value shown after "got" (default: the whole variable). */
  readonly got?: string;
  /** The rule for the README, where `allowed` interpolates values. */
  readonly readme?: string;
}

/** A module input: everything the variable block and the README need. */
export interface ModuleVariable {
  readonly name: string;
  /** Terraform type constraint. */
  readonly type: string;
  readonly description: string;
  /** The default; absent for a required variable. `null` means "derived" (see the description). */
  readonly default?: unknown;
  readonly rules: readonly ModuleRule[];
}

/** A module output. */
export interface ModuleOutput {
  readonly name: string;
  readonly description: string;
}

/** Defaults come from the config schema itself, so the module and the config cannot disagree. */
function configDefaults(): SesGuardConfig {
  return parseConfig(
    { accountId: "000000000000", alarms: { emails: ["ops@example.com"] }, notifications: { identities: ["example.com"] } },
    "ses-guard defaults",
  );
}

const v = (name: string) => `var.${name}`;
/** Entries of a list variable that fail a per-entry test, for the "got" part of a message. */
const failing = (list: string, test: (x: string) => string) => `[for x in ${list} : x if !(${test("x")})]`;
const every = (list: string, test: (x: string) => string) => `alltrue([for x in ${list} : ${test("x")}])`;
/** Pairs of neighbours in a list: `i` is the later one's index. */
const neighbours = (list: string) => `for i in range(1, max(1, length(${list})))`;
// try(..., true): a null entry is the e-mail or identity rule's to report, not this one's.
const uniqueCaseInsensitive = (list: string) => `try(length(distinct([for x in ${list} : lower(x)])) == length(${list}), true)`;
const duplicates = (list: string) => `[for i, x in ${list} : x if contains([for y in slice(${list}, 0, i) : lower(y)], lower(x))]`;

const PERCENT = "a percentage greater than 0 and less than 100 (5 means 5 %)";
const EMAIL_TEXT = "an e-mail address such as ops@example.com (ASCII, no spaces; punycode for international domains)";
const IDENTITY_TEXT =
  "an SES identity: a domain such as example.com or an address such as sender@example.com (ASCII, punycode for international domains)";
// The two classes S3 refuses to transition to before day 30 (config.ts states the same rule).
const THIRTY_DAY_CLASSES = ["STANDARD_IA", "ONEZONE_IA"] as const;

function oneOf(values: readonly (string | number)[]): string {
  return `one of ${values.map((x) => JSON.stringify(x)).join(", ")}`;
}

function emailListRules(name: string, what: string): ModuleRule[] {
  return [
    { condition: every(v(name), isEmail), allowed: text(EMAIL_TEXT), got: failing(v(name), isEmail) },
    {
      condition: uniqueCaseInsensitive(v(name)),
      allowed: text(`each ${what} once (compared without case)`),
      got: duplicates(v(name)),
    },
  ];
}

function enumListRules(name: string, values: readonly string[], what: string): ModuleRule[] {
  const known = (x: string) => `contains(${hclLiteral(values)}, ${x})`;
  return [
    { condition: `length(${v(name)}) >= 1`, allowed: text("a list of at least 1 item(s)") },
    { condition: every(v(name), known), allowed: text(oneOf(values)), got: failing(v(name), known) },
    { condition: `length(distinct(${v(name)})) == length(${v(name)})`, allowed: text(`each ${what} once`), got: duplicates(v(name)) },
  ];
}

function percentRules(name: string, below?: string): ModuleRule[] {
  const rules: ModuleRule[] = [{ condition: `${v(name)} > 0 && ${v(name)} < 100`, allowed: text(PERCENT) }];
  if (below) {
    rules.push({
      condition: `${v(name)} < ${v(below)}`,
      allowed: `${text(`a warning level below the critical level (${below} = `)}${expr(v(below))}${text(")")}`,
      readme: `a warning level below ${below}`,
    });
  }
  return rules;
}

function wholeRange(name: string, min: number, max: number): ModuleRule {
  return { condition: `${isWhole(v(name))} && ${v(name)} >= ${min} && ${v(name)} <= ${max}`, allowed: text(`a whole number from ${min} to ${max}`) };
}

/** The inputs, in the order the README lists them. */
export function moduleVariables(): ModuleVariable[] {
  const d = configDefaults();
  const storageOrder = hclLiteral(Object.fromEntries(STORAGE_CLASSES.map((c, i) => [c, i])));
  const minimumDays = hclLiteral(MINIMUM_STORAGE_DAYS);
  const T = v("lifecycle_transitions");
  const ascending = `${T}[i].days > ${T}[i - 1].days`;
  const classOrder = `lookup(${storageOrder}, ${T}[i].storage_class, -1) > lookup(${storageOrder}, ${T}[i - 1].storage_class, -1)`;
  const storedLongEnough = `${T}[i].days - ${T}[i - 1].days >= lookup(${minimumDays}, ${T}[i - 1].storage_class, 0)`;
  const last = `${T}[length(${T}) - 1]`;
  const earliestExpiry = `${last}.days + max(1, lookup(${minimumDays}, ${last}.storage_class, 0))`;
  // Inline, not local.default_bucket_name: a validation may not use a local that depends on its own variable.
  const defaultBucket = hclTemplate(defaultBucketName("${var.name_prefix}", "${var.account_id}", "${data.aws_region.current.id}"));
  const bucketRules = bucketNameRules();
  const bucketOk = (x: string) => bucketRules.map((r) => `(${r.test(x)})`).join(" && ");
  const knownClass = (x: string) => `contains(${hclLiteral(STORAGE_CLASSES)}, ${x}.storage_class)`;
  const thirtyDays = (x: string) => `!contains(${hclLiteral(THIRTY_DAY_CLASSES)}, ${x}.storage_class) || ${x}.days >= 30`;

  return [
    {
      name: "name_prefix",
      type: "string",
      default: d.name,
      description:
        "Prefix of every resource name (alarms, topics, stream, roles, and the default bucket and configuration set names): 1 to 24 lower-case letters, digits or hyphens, starting with a letter.",
      rules: [
        { condition: matches(MODULE_PATTERNS.namePrefix, v("name_prefix")), allowed: text("1 to 24 lower-case letters, digits or hyphens, starting with a letter") },
        {
          condition: `!endswith(${v("name_prefix")}, "-") && !strcontains(${v("name_prefix")}, "--")`,
          allowed: text("no trailing or doubled hyphen"),
        },
        {
          // Cross-variable (Terraform >= 1.9): the derived bucket name must be valid too.
          // The one-element for binds the derived name once instead of repeating it in every rule.
          condition: `${v("bucket_name")} != null || alltrue([for name in [${defaultBucket}] : ${bucketOk("name")}])`,
          allowed: `${text("a name that makes a valid default bucket name, but ")}${expr(`jsonencode(${defaultBucket})`)}${text(
            " breaks S3's rules; change name_prefix or set bucket_name",
          )}`,
          readme: "while bucket_name is null: a name that makes a valid default bucket name (`<name_prefix>-events-<account_id>-<region>`)",
        },
      ],
    },
    {
      name: "account_id",
      type: "string",
      description:
        "The 12-digit AWS account that sends with SES, as a string. Trust and topic policies are scoped to it; it is given rather than looked up (aws_caller_identity) so that policies are known at plan time.",
      rules: [{ condition: matches(MODULE_PATTERNS.accountId, v("account_id")), allowed: text("a 12-digit AWS account ID, as a string") }],
    },
    {
      name: "tags",
      type: "map(string)",
      default: d.tags,
      description: "Tags on every taggable resource the module creates (the provider's default_tags apply as well).",
      rules: [
        {
          condition: `alltrue([for k, x in ${v("tags")} : ${matches(MODULE_PATTERNS.tagKey, "k")}])`,
          allowed: text("a tag key of 1 to 128 letters, digits, spaces or _.:/=+-@"),
          got: `[for k, x in ${v("tags")} : k if !${matches(MODULE_PATTERNS.tagKey, "k")}]`,
        },
        {
          condition: `alltrue([for k, x in ${v("tags")} : length(x) <= 256])`,
          allowed: text("tag values of at most 256 characters"),
          got: `[for k, x in ${v("tags")} : k if length(x) > 256]`,
        },
      ],
    },
    {
      name: "alarm_emails",
      type: "list(string)",
      description: "Addresses e-mailed when a reputation alarm changes state (at least one; each must confirm its SNS subscription).",
      rules: [{ condition: `length(${v("alarm_emails")}) >= 1`, allowed: text("a list of at least 1 item(s)") }, ...emailListRules("alarm_emails", "address")],
    },
    {
      name: "bounce_rate_warning_percent",
      type: "number",
      default: d.alarms.bounceRatePercent.warning,
      description: "Early-warning bounce-rate alarm level, in percent (2 means 2 %); must be below bounce_rate_critical_percent.",
      rules: percentRules("bounce_rate_warning_percent", "bounce_rate_critical_percent"),
    },
    {
      name: "bounce_rate_critical_percent",
      type: "number",
      default: d.alarms.bounceRatePercent.critical,
      description: `Critical bounce-rate alarm level, in percent. AWS reviews the account at ${AWS_REVIEW_LEVEL.bounce} and may pause sending at ${AWS_PAUSE_LEVEL.bounce}.`,
      rules: percentRules("bounce_rate_critical_percent"),
    },
    {
      name: "complaint_rate_warning_percent",
      type: "number",
      default: d.alarms.complaintRatePercent.warning,
      description: "Early-warning complaint-rate alarm level, in percent; must be below complaint_rate_critical_percent.",
      rules: percentRules("complaint_rate_warning_percent", "complaint_rate_critical_percent"),
    },
    {
      name: "complaint_rate_critical_percent",
      type: "number",
      default: d.alarms.complaintRatePercent.critical,
      description: `Critical complaint-rate alarm level, in percent. AWS reviews the account at ${AWS_REVIEW_LEVEL.complaint} and may pause sending at ${AWS_PAUSE_LEVEL.complaint}.`,
      rules: percentRules("complaint_rate_critical_percent"),
    },
    {
      name: "alarm_period_seconds",
      type: "number",
      default: d.alarms.periodSeconds,
      description: "Length of one alarm evaluation period, in seconds: a multiple of 60 from 60 to 86400. Statistic: Maximum.",
      rules: [
        {
          condition: `${isWhole(v("alarm_period_seconds"))} && ${v("alarm_period_seconds")} >= 60 && ${v("alarm_period_seconds")} % 60 == 0 && ${v("alarm_period_seconds")} <= 86400`,
          allowed: text("a multiple of 60 from 60 to 86400"),
        },
      ],
    },
    {
      name: "alarm_evaluation_periods",
      type: "number",
      default: d.alarms.evaluationPeriods,
      description: "Periods that must breach before an alarm fires; alarm_period_seconds x alarm_evaluation_periods is at most 86400.",
      rules: [
        { condition: `${isWhole(v("alarm_evaluation_periods"))} && ${v("alarm_evaluation_periods")} >= 1`, allowed: text("a whole number >= 1") },
        {
          // CloudWatch evaluates at most one day of data.
          condition: `${v("alarm_period_seconds")} * ${v("alarm_evaluation_periods")} <= 86400`,
          allowed: `${text("at most ")}${expr(`try(floor(86400 / ${v("alarm_period_seconds")}), "?")`)}${text(" periods of ")}${expr(v("alarm_period_seconds"))}${text(
            " s (alarm_period_seconds x alarm_evaluation_periods <= 86400)",
          )}`,
          readme: "alarm_period_seconds x alarm_evaluation_periods <= 86400",
        },
      ],
    },
    {
      name: "configuration_set_name",
      type: "string",
      default: null,
      description: "SES configuration set name; senders pass it with each message (ConfigurationSetName). null: name_prefix.",
      rules: [
        {
          condition: `${v("configuration_set_name")} == null || ${matches(MODULE_PATTERNS.configurationSetName, v("configuration_set_name"))}`,
          allowed: text("1 to 64 letters, digits, hyphens or underscores"),
        },
      ],
    },
    {
      name: "require_tls",
      type: "bool",
      default: d.configurationSet.requireTls,
      description: "Configuration set TLS policy REQUIRE: SES delivers only over TLS. false sets OPTIONAL.",
      rules: [],
    },
    {
      name: "bucket_name",
      type: "string",
      default: null,
      description:
        "Archive bucket name (S3 naming rules; no dots, since they break TLS for virtual-hosted requests). null: `<name_prefix>-events-<account_id>-<region>`.",
      rules: bucketRules.map((r) => ({
        // A conditional, not ||: HCL evaluates both sides of ||, and length(null) is an error.
        condition: `${v("bucket_name")} == null ? true : (${r.test(v("bucket_name"))})`,
        allowed: text(`an S3 bucket name: ${r.problem}`),
      })),
    },
    {
      name: "event_types",
      type: "list(string)",
      default: d.archive.eventTypes,
      description: `SES event types written to the archive: any of ${SES_EVENT_TYPES.join(", ")}.`,
      rules: enumListRules("event_types", SES_EVENT_TYPES, "event type"),
    },
    {
      name: "buffering_interval_seconds",
      type: "number",
      default: d.archive.bufferingIntervalSeconds,
      description: "Firehose writes an object at least this often, in seconds (0 to 900). Longer means fewer, larger objects.",
      rules: [wholeRange("buffering_interval_seconds", 0, 900)],
    },
    {
      name: "buffering_size_mib",
      type: "number",
      default: d.archive.bufferingSizeMiB,
      description: "Firehose writes an object once this many MiB are buffered (1 to 128).",
      rules: [wholeRange("buffering_size_mib", 1, 128)],
    },
    {
      name: "lifecycle_transitions",
      type: "list(object({ days = number, storage_class = string }))",
      default: d.archive.lifecycle.transitions.map((t) => ({ days: t.days, storage_class: t.storageClass })),
      description: `Archive lifecycle transitions, days ascending, each to a class further down ${STORAGE_CLASSES.join(
        " > ",
      )}, after the previous class's minimum storage days; at least 30 days for STANDARD_IA and ONEZONE_IA.`,
      rules: [
        {
          condition: every(T, (x) => `${x}.days >= 0 && ${isWhole(`${x}.days`)}`),
          allowed: text("a whole number of days >= 0 in each transition"),
          got: failing(T, (x) => `${x}.days >= 0 && ${isWhole(`${x}.days`)}`),
        },
        { condition: every(T, knownClass), allowed: text(`a storage_class ${oneOf(STORAGE_CLASSES)}`), got: failing(T, knownClass) },
        {
          condition: every(T, thirtyDays),
          allowed: text(`at least 30 days for ${THIRTY_DAY_CLASSES.join(" and ")} (an S3 rule)`),
          got: failing(T, thirtyDays),
        },
        {
          condition: `alltrue([${neighbours(T)} : ${ascending}])`,
          allowed: text("more days than the transition before it; transitions are listed in ascending order"),
          got: `[${neighbours(T)} : ${T}[i] if !(${ascending})]`,
        },
        {
          // Like config.ts, only reported for transitions already in ascending order.
          condition: `alltrue([${neighbours(T)} : !(${ascending}) || ${classOrder}])`,
          allowed: text(`a class after the previous transition's in S3's order ${STORAGE_CLASSES.join(" > ")}`),
          got: `[${neighbours(T)} : ${T}[i] if ${ascending} && !(${classOrder})]`,
        },
        {
          condition: `alltrue([${neighbours(T)} : !(${ascending} && ${classOrder}) || ${storedLongEnough}])`,
          allowed: text(
            `at least the previous class's minimum storage days after the previous transition (${STORAGE_CLASSES.map(
              (c) => `${c} ${MINIMUM_STORAGE_DAYS[c]}`,
            ).join(", ")})`,
          ),
          got: `[${neighbours(T)} : ${T}[i] if ${ascending} && ${classOrder} && !(${storedLongEnough})]`,
        },
      ],
    },
    {
      name: "expiration_days",
      type: "number",
      default: d.archive.lifecycle.expirationDays,
      description:
        "Days after which archived events are deleted: at least the last transition plus that class's minimum storage days (30 IA, 90 Glacier IR / Glacier, 180 Deep Archive), which S3 bills anyway.",
      rules: [
        { condition: `${isWhole(v("expiration_days"))} && ${v("expiration_days")} >= 1`, allowed: text("a whole number >= 1") },
        {
          // A conditional guards last(): with no transitions the index would be -1.
          condition: `length(${T}) == 0 ? true : ${v("expiration_days")} >= ${earliestExpiry}`,
          // try(): with no transitions the message is still evaluated, and there is no last transition.
          allowed: `${text("at least ")}${expr(`try(${earliestExpiry}, "?")`)}${text(" days: after the last transition (")}${expr(`try(${last}.days, "?")`)}${text(
            " days to ",
          )}${expr(`try(${last}.storage_class, "?")`)}${text(") plus its minimum storage, which S3 bills anyway")}`,
          readme: "at least the last transition's days plus that class's minimum storage days (and at least 1 more)",
        },
      ],
    },
    {
      name: "abort_incomplete_multipart_upload_days",
      type: "number",
      default: d.archive.lifecycle.abortIncompleteMultipartUploadDays,
      description: "Days after which incomplete multipart uploads are aborted, bucket-wide (1 to 365).",
      rules: [wholeRange("abort_incomplete_multipart_upload_days", 1, 365)],
    },
    {
      name: "log_retention_days",
      type: "number",
      default: d.archive.logRetentionDays,
      description: "Retention of the Firehose error log group, in days (a value CloudWatch Logs accepts).",
      rules: [
        {
          condition: `contains(${hclLiteral(LOG_RETENTION_DAYS)}, ${v("log_retention_days")})`,
          allowed: text(`one of ${LOG_RETENTION_DAYS.join(", ")}`),
        },
      ],
    },
    {
      name: "notifications_enabled",
      type: "bool",
      default: d.notifications.enabled,
      description: "Create the notification topic and one SES identity notification topic per identity and type.",
      rules: [],
    },
    {
      name: "notification_identities",
      type: "list(string)",
      default: [],
      description: "SES identities (domains or addresses, ASCII; punycode for international domains) to notify for; at least one while notifications_enabled.",
      rules: [
        {
          condition: every(v("notification_identities"), (x) => `${isDomain(x)} || ${isEmail(x)}`),
          allowed: text(IDENTITY_TEXT),
          got: failing(v("notification_identities"), (x) => `${isDomain(x)} || ${isEmail(x)}`),
        },
        {
          condition: uniqueCaseInsensitive(v("notification_identities")),
          allowed: text("each identity once (compared without case)"),
          got: duplicates(v("notification_identities")),
        },
        {
          condition: `!${v("notifications_enabled")} || length(${v("notification_identities")}) > 0`,
          allowed: text("at least one SES identity while notifications are enabled (or set notifications_enabled to false)"),
        },
      ],
    },
    {
      name: "notification_types",
      type: "list(string)",
      default: d.notifications.types,
      description: `Notification types published per identity: any of ${NOTIFICATION_TYPES.join(", ")}.`,
      rules: enumListRules("notification_types", NOTIFICATION_TYPES, "notification type"),
    },
    {
      name: "notification_emails",
      type: "list(string)",
      default: null,
      description: "Subscribers of the notification topic, e.g. a Slack channel's e-mail address. null: alarm_emails.",
      rules: emailListRules("notification_emails", "address").map((r) => ({
        ...r,
        condition: `${v("notification_emails")} == null ? true : (${r.condition})`,
      })),
    },
    {
      name: "include_original_headers",
      type: "bool",
      default: d.notifications.includeOriginalHeaders,
      description: "Include the original message headers in each notification.",
      rules: [],
    },
  ];
}

/** The outputs, in the order the README lists them. Descriptions match `SesGuardStack`'s. */
export const MODULE_OUTPUTS: readonly ModuleOutput[] = [
  { name: "alarm_topic_arn", description: "SNS topic the reputation alarms notify." },
  { name: "archive_bucket_name", description: "S3 bucket holding the SES event archive." },
  { name: "delivery_stream_name", description: "Firehose stream SES publishes events to." },
  { name: "configuration_set_name", description: "SES configuration set to send with (ConfigurationSetName) so events are archived." },
  {
    name: "notification_topic_arn",
    description: "SNS topic receiving per-message bounce and complaint notifications (null while notifications_enabled is false).",
  },
];

// ---------------------------------------------------------------- the module

/**
 * Names come from names.ts, the stack's own naming, given expressions instead
 * of values: `regionNames("${var.name_prefix}", ...)` yields templates.
 */
const NAMES = regionNames("${var.name_prefix}", "${local.region}", expr("var.configuration_set_name != null ? var.configuration_set_name : var.name_prefix"));

/** Locals: names and ARNs built from inputs, so policies are known at plan time (as in the stack). */
const LOCALS = {
  region: expr("data.aws_region.current.id"),
  partition: expr("data.aws_partition.current.partition"),
  default_bucket_name: defaultBucketName("${var.name_prefix}", "${var.account_id}", "${local.region}"),
  bucket_name: expr("var.bucket_name != null ? var.bucket_name : local.default_bucket_name"),
  bucket_arn: "arn:${local.partition}:s3:::${local.bucket_name}",
  stream_name: NAMES.deliveryStream,
  stream_arn: "arn:${local.partition}:firehose:${local.region}:${var.account_id}:deliverystream/${local.stream_name}",
  log_group_name: NAMES.logGroup,
  configuration_set_name: NAMES.configurationSet,
  configuration_set_arn: "arn:${local.partition}:ses:${local.region}:${var.account_id}:configuration-set/${local.configuration_set_name}",
  alarm_topic_name: NAMES.alarmTopic,
  notification_topic_name: NAMES.notificationTopic,
  // IAM names are global: the region in them keeps two regions' modules apart.
  firehose_role_name: NAMES.firehoseRole,
  ses_role_name: NAMES.sesRole,
  notification_emails: expr("var.notification_emails != null ? var.notification_emails : var.alarm_emails"),
  // Keyed by lower-case address, like the stack's construct IDs: removing one address leaves the others in place.
  alarm_subscriptions: expr("{ for email in var.alarm_emails : lower(email) => email }"),
  notification_subscriptions: expr("{ for email in local.notification_emails : lower(email) => email if var.notifications_enabled }"),
  // One topic per identity and type, keyed "<identity>/<Type>" as the stack keys them.
  identity_notification_topics: expr(
    '{ for pair in setproduct(var.notification_identities, var.notification_types) : "${pair[0]}/${pair[1]}" => { identity = pair[0], type = pair[1] } if var.notifications_enabled }',
  ),
  identity_arns: expr('[for identity in var.notification_identities : "arn:${local.partition}:ses:${local.region}:${var.account_id}:identity/${identity}"]'),
} as const;
type LocalName = keyof typeof LOCALS;
const local = (name: LocalName) => "${local." + name + "}";

/** A policy rendered like the stack's (`renderPolicy`), with one JSON value spliced in as an expression. */
function policyWithList(doc: Parameters<typeof renderPolicy>[0], placeholder: string, hclListExpr: string): string {
  const json = renderPolicy(doc);
  const quoted = JSON.stringify(placeholder);
  if (!json.includes(quoted)) throw new Error(`policy placeholder ${placeholder} not found`);
  // jsonencode() renders a list of strings as JSON.stringify does (except that it escapes <, > and &).
  return json.replace(quoted, () => expr(`jsonencode(${hclListExpr})`));
}

/**
 * The Terraform module as a cdktf stack: variables, data sources, locals,
 * resources and outputs, with addresses that read like the stack's
 * (`aws_s3_bucket.archive_bucket`). Synthesize with `moduleFiles()` or
 * `writeTerraformModule()`; the stack itself carries no provider or backend.
 */
export class SesGuardModule extends TerraformStack {
  /** The inputs, as declared. */
  public readonly variables: readonly ModuleVariable[];
  public readonly outputs: readonly ModuleOutput[] = MODULE_OUTPUTS;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.variables = moduleVariables();
    // Variables, locals and outputs share names (bucket_name...): separate scopes keep construct IDs unique.
    const variableScope = new Construct(this, "Variables");
    for (const spec of this.variables) {
      const variable = new TerraformVariable(variableScope, spec.name, {
        description: spec.description,
        type: spec.type,
        // Variables with a real default are not nullable: passing null means "use the default".
        nullable: spec.default === null,
        default: spec.default === null ? undefined : spec.default,
        validation: spec.rules.map((r) => ({
          condition: expr(r.condition),
          // Terraform evaluates messages even for values that pass, so a custom "got" falls back to the whole value.
          errorMessage: `${spec.name}: got ${expr(`jsonencode(${r.got ? `try(${r.got}, ${v(spec.name)})` : v(spec.name)})`)}; allowed: ${r.allowed}`,
        })),
      });
      // cdktf cannot synthesize `default: null` itself (keysToSnakeCase fails on null).
      if (spec.default === null) variable.addOverride("default", null);
    }

    // Both are answered by the provider from its own configuration: they work offline.
    new DataAwsRegion(new Construct(this, "Region"), "current");
    new DataAwsPartition(new Construct(this, "Partition"), "current");
    const localScope = new Construct(this, "Locals");
    for (const [name, value] of Object.entries(LOCALS)) new TerraformLocal(localScope, name, value);

    const tags = Token.asStringMap(expr("var.tags"));
    const num = (hcl: string) => Token.asNumber(expr(hcl));
    const bool = (hcl: string) => Token.asAny(expr(hcl));

    // ------------------------------------------------------------ alarms
    const alarmTopic = new SnsTopic(this, "alarms_topic", { name: local("alarm_topic_name"), tags });
    new SnsTopicPolicy(this, "alarms_topic_policy", {
      arn: alarmTopic.arn,
      policy: renderPolicy(
        policyDocument({
          Sid: "AllowCloudWatchAlarmsOfThisAccount",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: `arn:${local("partition")}:sns:${local("region")}:\${var.account_id}:${local("alarm_topic_name")}`,
          Condition: {
            StringEquals: { "aws:SourceAccount": "${var.account_id}" },
            ArnLike: { "aws:SourceArn": `arn:${local("partition")}:cloudwatch:${local("region")}:\${var.account_id}:alarm:${NAMES.alarmPrefix}*` },
          },
        }),
      ),
    });
    const alarmSubscriptions = TerraformIterator.fromMap(Token.asAnyMap(local("alarm_subscriptions")));
    new SnsTopicSubscription(this, "alarms_topic_subscriptions", {
      forEach: alarmSubscriptions,
      topicArn: alarmTopic.arn,
      protocol: "email",
      endpoint: alarmSubscriptions.value,
    });

    const alarm = (id: string, metric: "BounceRate" | "ComplaintRate", level: "warning" | "critical") => {
      const kind = metric === "BounceRate" ? "bounce" : "complaint";
      const percent = `var.${kind}_rate_${level}_percent`;
      new CloudwatchMetricAlarm(this, id, {
        alarmName: `\${var.name_prefix}-${kind}-rate-${level}`,
        alarmDescription:
          `SES account ${kind} rate reached \${${percent}} % (${level}). ` +
          `AWS reviews the account at ${AWS_REVIEW_LEVEL[kind]}. Query the ses-guard event archive to find the recipients.`,
        namespace: "AWS/SES",
        metricName: `Reputation.${metric}`,
        statistic: "Maximum",
        period: num("var.alarm_period_seconds"),
        evaluationPeriods: num("var.alarm_evaluation_periods"),
        // CloudWatch reports the rate as a fraction: 5 % is 0.05.
        threshold: num(`${percent} / 100`),
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        // SES publishes no data while there is too little volume to rate; AWS advises ignoring gaps.
        treatMissingData: "ignore",
        actionsEnabled: true,
        alarmActions: [alarmTopic.arn],
        okActions: [alarmTopic.arn],
        tags,
      });
    };
    alarm("alarms_bounce_rate_warning", "BounceRate", "warning");
    alarm("alarms_bounce_rate_critical", "BounceRate", "critical");
    alarm("alarms_complaint_rate_warning", "ComplaintRate", "warning");
    alarm("alarms_complaint_rate_critical", "ComplaintRate", "critical");

    // ------------------------------------------------------------ archive bucket
    // force_destroy stays false: deleting the archive must never empty it as a side effect.
    const bucket = new S3Bucket(this, "archive_bucket", { bucket: local("bucket_name"), forceDestroy: false, tags });
    new S3BucketPublicAccessBlock(this, "archive_bucket_public_access_block", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "archive_bucket_ownership_controls", {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "archive_bucket_encryption", {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    });
    new S3BucketPolicy(this, "archive_bucket_policy", {
      bucket: bucket.id,
      policy: renderPolicy(
        policyDocument({
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [local("bucket_arn"), `${local("bucket_arn")}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      ),
    });
    const lifecycle = new S3BucketLifecycleConfiguration(this, "archive_bucket_lifecycle", {
      bucket: bucket.id,
      // S3's own default, stated so the plan shows it: objects under 128 KB never transition.
      transitionDefaultMinimumObjectSize: "all_storage_classes_128K",
      // Filled in by the override below.
      rule: [],
    });
    // cdktf resolves a dynamic block only directly on a resource, not inside a list block
    // (rule[].transition), so the rules are written as Terraform JSON here.
    lifecycle.addOverride("rule", [
      {
        id: "archive-tiering-and-expiration",
        status: "Enabled",
        filter: [{ prefix: "" }],
        dynamic: {
          transition: {
            for_each: expr("var.lifecycle_transitions"),
            content: { days: expr("transition.value.days"), storage_class: expr("transition.value.storage_class") },
          },
        },
        expiration: [{ days: expr("var.expiration_days") }],
      },
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: [{ prefix: "" }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: expr("var.abort_incomplete_multipart_upload_days") }],
      },
    ]);

    // ------------------------------------------------------------ delivery stream
    const logGroup = new CloudwatchLogGroup(this, "delivery_stream_log_group", {
      name: local("log_group_name"),
      retentionInDays: num("var.log_retention_days"),
      tags,
    });
    const logStream = new CloudwatchLogStream(this, "delivery_stream_log_stream", { name: "DestinationDelivery", logGroupName: logGroup.name });
    const firehoseRole = new IamRole(this, "delivery_stream_role", {
      name: local("firehose_role_name"),
      description: `Lets Firehose stream ${local("stream_name")} write SES events to s3://${local("bucket_name")}`,
      assumeRolePolicy: renderPolicy(serviceTrustPolicy("firehose.amazonaws.com", "${var.account_id}", local("stream_arn"))),
      tags,
    });
    const firehosePolicy = new IamRolePolicy(this, "delivery_stream_role_policy", {
      name: "deliver-to-s3",
      role: firehoseRole.id,
      policy: renderPolicy(
        policyDocument(
          {
            Sid: "WriteObjects",
            Effect: "Allow",
            Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            Resource: `${local("bucket_arn")}/*`,
          },
          {
            Sid: "FindBucket",
            Effect: "Allow",
            Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
            Resource: local("bucket_arn"),
          },
          {
            Sid: "LogDeliveryErrors",
            Effect: "Allow",
            Action: "logs:PutLogEvents",
            Resource: `arn:${local("partition")}:logs:${local("region")}:\${var.account_id}:log-group:${local("log_group_name")}:log-stream:DestinationDelivery`,
          },
        ),
      ),
    });
    const stream = new KinesisFirehoseDeliveryStream(this, "delivery_stream", {
      name: local("stream_name"),
      destination: "extended_s3",
      serverSideEncryption: { enabled: true, keyType: "AWS_OWNED_CMK" },
      extendedS3Configuration: {
        roleArn: firehoseRole.arn,
        bucketArn: bucket.arn,
        // Region in the key, as in the stack: a bucket shared by several regions keeps their events apart.
        prefix: `events/${local("region")}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/`,
        // Firehose requires an error prefix once the prefix has expressions.
        errorOutputPrefix: `errors/${local("region")}/!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/`,
        bufferingInterval: num("var.buffering_interval_seconds"),
        bufferingSize: num("var.buffering_size_mib"),
        compressionFormat: "GZIP",
        cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: logStream.name },
      },
      // Firehose checks its access on create: the policy must exist first.
      dependsOn: [firehosePolicy],
      tags,
    });

    // ------------------------------------------------------------ event publishing
    const configurationSet = new Sesv2ConfigurationSet(this, "event_publishing_configuration_set", {
      configurationSetName: local("configuration_set_name"),
      // Per-set Reputation.* metrics, next to the account-level ones the alarms watch.
      reputationOptions: { reputationMetricsEnabled: true },
      deliveryOptions: { tlsPolicy: expr('var.require_tls ? "REQUIRE" : "OPTIONAL"') },
      tags,
      lifecycle: {
        // The config schema only accepts SES regions; here the region comes from the provider.
        precondition: [
          {
            condition: expr(`contains(${hclLiteral(SES_REGIONS)}, local.region)`),
            errorMessage: `the provider's region: got ${expr("jsonencode(local.region)")}; allowed: ${text(`a region with SES: ${SES_REGIONS.join(", ")}`)}`,
          },
        ],
      },
    });
    const sesRole = new IamRole(this, "event_publishing_role", {
      name: local("ses_role_name"),
      description: `Lets SES configuration set ${local("configuration_set_name")} publish events to Firehose stream ${local("stream_name")}`,
      assumeRolePolicy: renderPolicy(serviceTrustPolicy("ses.amazonaws.com", "${var.account_id}", local("configuration_set_arn"))),
      tags,
    });
    const sesPolicy = new IamRolePolicy(this, "event_publishing_role_policy", {
      name: "publish-to-firehose",
      role: sesRole.id,
      policy: renderPolicy(
        policyDocument({ Sid: "PutEventRecords", Effect: "Allow", Action: "firehose:PutRecordBatch", Resource: local("stream_arn") }),
      ),
    });
    new Sesv2ConfigurationSetEventDestination(this, "event_publishing_event_destination", {
      configurationSetName: configurationSet.configurationSetName,
      eventDestinationName: "archive-to-firehose",
      eventDestination: {
        // The provider defaults this to false: an archive that silently receives nothing.
        enabled: true,
        matchingEventTypes: Token.asList(expr("var.event_types")),
        kinesisFirehoseDestination: { deliveryStreamArn: stream.arn, iamRoleArn: sesRole.arn },
      },
      // SES tests the role when the destination is created.
      dependsOn: [sesPolicy],
    });

    // ------------------------------------------------------------ notifications
    const notificationTopic = new SnsTopic(this, "notifications_topic", {
      count: num("var.notifications_enabled ? 1 : 0"),
      name: local("notification_topic_name"),
      tags,
    });
    // cdktf renders attributes of a counted resource without the index, so [0] is written out.
    const notificationTopicArn = expr(`${notificationTopic.terraformResourceType}.${notificationTopic.friendlyUniqueId}[0].arn`);
    new SnsTopicPolicy(this, "notifications_policy", {
      count: num("var.notifications_enabled ? 1 : 0"),
      arn: notificationTopicArn,
      policy: policyWithList(
        policyDocument({
          Sid: "AllowSesForTheseIdentities",
          Effect: "Allow",
          Principal: { Service: "ses.amazonaws.com" },
          Action: "sns:Publish",
          Resource: `arn:${local("partition")}:sns:${local("region")}:\${var.account_id}:${local("notification_topic_name")}`,
          Condition: {
            StringEquals: { "aws:SourceAccount": "${var.account_id}" },
            ArnLike: { "aws:SourceArn": "IDENTITY_ARNS" },
          },
        }),
        "IDENTITY_ARNS",
        "local.identity_arns",
      ),
    });
    const notificationSubscriptions = TerraformIterator.fromMap(Token.asAnyMap(local("notification_subscriptions")));
    new SnsTopicSubscription(this, "notifications_subscriptions", {
      forEach: notificationSubscriptions,
      topicArn: notificationTopicArn,
      protocol: "email",
      endpoint: notificationSubscriptions.value,
    });
    const identityTopics = TerraformIterator.fromMap(Token.asAnyMap(local("identity_notification_topics")));
    new SesIdentityNotificationTopic(this, "notifications_identities", {
      forEach: identityTopics,
      identity: identityTopics.getString("identity"),
      notificationType: identityTopics.getString("type"),
      topicArn: notificationTopicArn,
      includeOriginalHeaders: bool("var.include_original_headers"),
    });

    // ------------------------------------------------------------ outputs
    const outputValues: Record<string, string> = {
      alarm_topic_arn: alarmTopic.arn,
      // Resource attributes rather than the locals: callers that use them wait for the resource.
      archive_bucket_name: bucket.bucket,
      delivery_stream_name: stream.name,
      configuration_set_name: configurationSet.configurationSetName,
      notification_topic_arn: expr(`one(${notificationTopic.terraformResourceType}.${notificationTopic.friendlyUniqueId}[*].arn)`),
    };
    const outputScope = new Construct(this, "Outputs");
    for (const output of this.outputs) {
      new TerraformOutput(outputScope, output.name, { value: outputValues[output.name], description: output.description });
    }

    // ------------------------------------------------------------ warnings
    // config.ts warns at synth time; a check block is Terraform's warning: the plan goes on.
    const checks: Record<string, { assert: { condition: string; error_message: string }[] }> = {
      alarm_levels: {
        assert: (["bounce", "complaint"] as const).flatMap((kind) =>
          (["warning", "critical"] as const).map((level) => {
            const name = `${kind}_rate_${level}_percent`;
            const review = AWS_REVIEW_LEVEL[kind].percent;
            return {
              condition: expr(`${v(name)} <= ${review}`),
              error_message: `${name} is ${expr(v(name))} %, above the ${review} % at which AWS puts the account under review; the alarm may fire too late`,
            };
          }),
        ),
      },
      notification_identities_unused: {
        assert: [
          {
            condition: expr(`var.notifications_enabled || length(var.notification_identities) == 0`),
            error_message: "notification_identities is set but notifications_enabled is false; no notification topics are created",
          },
        ],
      },
    };
    this.addOverride("check", checks);
  }

  /**
   * Readable addresses: the construct ID is the Terraform name, with no path
   * or hash (`aws_sns_topic.alarms_topic`). IDs are written as Terraform
   * names, so renaming one moves a resource.
   */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    if (!/^[a-z][a-z0-9_]*$/.test(node.id)) throw new Error(`SesGuardModule: construct ID ${JSON.stringify(node.id)} is not a Terraform name`);
    return node.id;
  }
}

// ---------------------------------------------------------------- files

type Json = Record<string, unknown>;

/** Drops cdktf's "//" metadata at every level (Terraform ignores it; readers need not see it). */
function stripComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripComments);
  if (value === null || typeof value !== "object") return value;
  const out: Json = {};
  for (const [k, x] of Object.entries(value as Json)) if (k !== "//") out[k] = stripComments(x);
  return out;
}

function sortedByKey(value: unknown): Json {
  const map = (value ?? {}) as Json;
  return Object.fromEntries(Object.keys(map).sort().map((k) => [k, map[k]]));
}

/** The synthesized module as Terraform JSON documents, one per file. */
export interface ModuleDocuments {
  readonly main: Json;
  readonly variables: Json;
  readonly outputs: Json;
}

/** Builds the module in memory and returns its Terraform JSON, without provider or backend. */
export function moduleDocuments(stack: SesGuardModule = new SesGuardModule(new App({ skipValidation: true }), "ses-guard-module")): ModuleDocuments {
  // Never synthesized to disk: toTerraform() is all we need, and it adds no backend.
  const tf = stripComments(stack.toTerraform()) as Json;
  const variableJson = (tf.variable ?? {}) as Record<string, Json>;
  const variables: Json = {};
  for (const spec of stack.variables) {
    const body = variableJson[spec.name];
    // Fixed key order, so the file reads like hand-written Terraform.
    variables[spec.name] = {
      description: body.description,
      type: body.type,
      ...("default" in body ? { default: body.default } : {}),
      nullable: body.nullable,
      ...(Array.isArray(body.validation) && body.validation.length ? { validation: body.validation } : {}),
    };
  }
  const outputJson = (tf.output ?? {}) as Record<string, Json>;
  const outputs = Object.fromEntries(
    stack.outputs.map((o) => [o.name, { description: outputJson[o.name].description, value: outputJson[o.name].value }]),
  );
  const resources = sortedByKey(tf.resource);
  for (const type of Object.keys(resources)) resources[type] = sortedByKey(resources[type]);
  const main: Json = {
    // Set here, not taken from cdktf: a module declares what it needs and leaves provider and backend to the caller.
    terraform: {
      required_version: TERRAFORM_CONSTRAINT,
      required_providers: { aws: { source: "hashicorp/aws", version: AWS_PROVIDER_CONSTRAINT } },
    },
    data: tf.data,
    locals: tf.locals,
    resource: resources,
    check: tf.check,
  };
  return { main, variables: { variable: variables }, outputs: { output: outputs } };
}

function markdownCell(value: string): string {
  return value.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function defaultCell(spec: ModuleVariable): string {
  if (!("default" in spec)) return "required";
  return `\`${markdownCell(hclLiteral(spec.default))}\``;
}

/** What a rule allows, in words, for the README. */
function ruleText(name: string, rule: ModuleRule): string {
  const words = rule.readme ?? rule.allowed;
  if (/[$%]\{/.test(words)) throw new Error(`${name}: a rule whose message interpolates values needs a readme text`);
  return words;
}

/** The module's README: usage, requirements, inputs, outputs, validation rules, resources. */
export function moduleReadme(variables: readonly ModuleVariable[], outputs: readonly ModuleOutput[], documents: ModuleDocuments): string {
  const resources = documents.main.resource as Record<string, Record<string, Json>>;
  const resourceRows = Object.entries(resources).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => {
      const instances = body.for_each ? "one per key of `for_each`" : body.count ? "one while `notifications_enabled`" : "one";
      return `| \`${type}.${name}\` | ${instances} |`;
    }),
  );
  const lines = [
    "# ses-guard Terraform module",
    "",
    "Generated by `npm run module` from ses-guard's TypeScript sources (`modules/terraform-module.ts`).",
    "Do not edit these files: regenerate them.",
    "",
    "Keeps an Amazon SES sending account healthy: CloudWatch alarms on the account's bounce and",
    "complaint rates, an archive of every SES event (configuration set, Firehose, private S3 bucket",
    "with lifecycle rules) and optional per-message bounce and complaint notifications by e-mail.",
    "The module has no `provider` or `backend` block: the caller's `aws` provider decides the account",
    "and region.",
    "",
    "## Usage",
    "",
    "```hcl",
    'module "ses_guard" {',
    '  source = "./ses-guard"',
    "",
    '  account_id              = "123456789012"',
    '  alarm_emails            = ["ops@example.com"]',
    '  notification_identities = ["example.com"]',
    "}",
    "```",
    "",
    "One module per SES region: pass another provider with `providers = { aws = aws.eu_west_1 }`.",
    "After the first apply every e-mail subscriber must confirm the SNS subscription, and senders must",
    "send with the `configuration_set_name` output, or nothing is archived.",
    "",
    "## Requirements",
    "",
    "| name | version |",
    "| --- | --- |",
    `| terraform | \`${TERRAFORM_CONSTRAINT}\` (validation conditions refer to other variables) |`,
    `| hashicorp/aws | \`${AWS_PROVIDER_CONSTRAINT}\` |`,
    "",
    "## Inputs",
    "",
    "| name | type | default | description |",
    "| --- | --- | --- | --- |",
    ...variables.map((s) => `| \`${s.name}\` | \`${markdownCell(s.type)}\` | ${defaultCell(s)} | ${markdownCell(s.description)} |`),
    "",
    "## Outputs",
    "",
    "| name | description |",
    "| --- | --- |",
    ...outputs.map((o) => `| \`${o.name}\` | ${markdownCell(o.description)} |`),
    "",
    "## Validation",
    "",
    "`terraform plan` stops with `<variable>: got <value>; allowed: <rule>` when an input breaks one of",
    "these rules (the rules of ses-guard's JSON config, worded as the config words them):",
    "",
    "| variable | allowed |",
    "| --- | --- |",
    ...variables.flatMap((s) => s.rules.map((r) => `| \`${s.name}\` | ${markdownCell(ruleText(s.name, r))} |`)),
    "",
    "Levels above AWS's review level, and identities listed while notifications are off, are",
    "warnings (`check` blocks), not errors.",
    "",
    "## Resources",
    "",
    "| address | instances |",
    "| --- | --- |",
    ...resourceRows,
    "",
  ];
  return lines.join("\n");
}

/** File name to content, for every file in `MODULE_FILES`. Deterministic: same sources, same bytes. */
export function moduleFiles(): Record<(typeof MODULE_FILES)[number], string> {
  const stack = new SesGuardModule(new App({ skipValidation: true }), "ses-guard-module");
  const documents = moduleDocuments(stack);
  const json = (doc: Json) => `${JSON.stringify(doc, null, 2)}\n`;
  return {
    "README.md": moduleReadme(stack.variables, stack.outputs, documents),
    "main.tf.json": json(documents.main),
    "outputs.tf.json": json(documents.outputs),
    "variables.tf.json": json(documents.variables),
  };
}

/**
 * Writes the module folder: into a sibling staging folder first, then swapped
 * in by rename, so a failure never leaves a half-written module. Refuses to
 * replace a folder holding anything but the module's own files.
 * @returns the absolute path of the module folder
 */
export function writeTerraformModule(outdir: string): string {
  const target = path.resolve(outdir);
  if (fs.existsSync(target)) {
    if (!fs.statSync(target).isDirectory()) throw new Error(`${outdir}: exists and is not a directory; allowed: a module folder`);
    const foreign = fs.readdirSync(target).filter((f) => !(MODULE_FILES as readonly string[]).includes(f));
    if (foreign.length) {
      throw new Error(
        `${outdir}: holds files the module does not write (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", ..." : ""}); allowed: an empty or generated module folder`,
      );
    }
  }
  const files = moduleFiles();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = `${target}.staging-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    fs.mkdirSync(staging);
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(staging, name), content);
    if (fs.existsSync(target)) fs.renameSync(target, old);
    fs.renameSync(staging, target);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(old, { recursive: true, force: true });
  }
  return target;
}
