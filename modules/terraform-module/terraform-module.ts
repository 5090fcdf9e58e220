/**
 * ses-guard as a plain Terraform module: `SesGuard`, the construct the stack uses, fed with
 * Terraform `variable`s instead of a JSON config (the way aws-cdk-lib feeds constructs with
 * CloudFormation parameters), with no provider or backend inside, so an HCL root module can call it
 * with `module "ses_guard" { source = "..." }`. No resource is declared here: only the variables
 * with their `validation` blocks, the locals that map them onto the construct props, the outputs,
 * the warnings (`check` blocks) and the README. The rules `modules/app/config.ts` enforces become
 * validation blocks with the same wording, so HCL users get the same errors. Lifecycle
 * meta-arguments cannot be expressions in Terraform, so `prevent_destroy` is always on.
 */
import * as fs from "fs";
import * as path from "path";
import { replaceFolder } from "../shared/staged-folder";
import { Construct, Node } from "constructs";
import { App, TerraformElement, TerraformLocal, TerraformOutput, TerraformResource, TerraformStack, TerraformVariable, Token } from "cdktf";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import {
  lifecycleSchema,
  LOG_RETENTION_DAYS,
  MINIMUM_STORAGE_DAYS,
  NOTIFICATION_TYPES,
  parseConfig,
  SES_EVENT_TYPES,
  queryableDaysHcl,
  SesEventType,
  SesGuardConfig,
  NotificationType,
  SuppressionReason,
  STORAGE_CLASSES,
  SUPPRESSION_REASONS,
} from "../app/config";
import { terraformName } from "../shared/logical-id";
import {
  BUCKET_NAME_RULES,
  bucketNameHcl,
  hclString,
  isWholeHcl as isWhole,
  kmsKeyRegionText,
  oneOf,
  resultsBucketOwnText,
  Rule,
  RULES,
} from "../shared/rules";
import { defaultBucketName, defaultResultsBucketName } from "../shared/names";
import { ArchiveLifecycle, LifecycleTransition } from "../archive-bucket";
import { attributeOf, Condition, hclOf, nullable } from "../shared/expressions";
import { SesGuard, SesGuardProps } from "../ses-guard";
import { CHATBOT_API_REGIONS } from "../app/config";
import { PAUSE_SCOPES, PauseScope } from "../shared/runbooks";
import { CHAT_EVENT_TYPES, ChatEventType } from "../shared/ses-chat-events";
import type { SlackChannel, TeamsChannel } from "../chat-channels";
import { AWS_PAUSE_LEVEL, AWS_REVIEW_LEVEL, implausibleLevelText, PLAUSIBLE_FLOOR, Rate } from "../shared/rate";

export { hclString } from "../shared/rules";

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

// ---------------------------------------------------------------- rules

/** A rule from rules.ts as an HCL condition and its words. */
const ruled = (rule: Rule<never>, x: string): ModuleRule => ({ condition: rule.hcl(x), allowed: text(rule.allowed) });
/** The same, for a variable that may be null (null passes: it means "not set"). */
const ruledIfSet = (rule: Rule<never>, x: string): ModuleRule => ({ condition: `${x} == null ? true : (${rule.hcl(x)})`, allowed: text(rule.allowed) });

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
/** An SNS topic ARN, as RE2 (Terraform's regex). */
const SNS_TOPIC_ARN_RE2 = "^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$";
/** Entries of a list variable that fail a per-entry test, for the "got" part of a message. */
const failing = (list: string, test: (x: string) => string) => `[for x in ${list} : x if !(${test("x")})]`;
const every = (list: string, test: (x: string) => string) => `alltrue([for x in ${list} : ${test("x")}])`;
/** Pairs of neighbours in a list: `i` is the later one's index. */
const neighbours = (list: string) => `for i in range(1, max(1, length(${list})))`;
// try(..., true): a null entry is the e-mail or identity rule's to report, not this one's.
const uniqueCaseInsensitive = (list: string) => `try(length(distinct([for x in ${list} : lower(x)])) == length(${list}), true)`;
const duplicates = (list: string) => `[for i, x in ${list} : x if contains([for y in slice(${list}, 0, i) : lower(y)], lower(x))]`;

/** The values lifecycle.transitionMinimumObjectSize accepts, from the schema itself. */
export const TRANSITION_MINIMUM_OBJECT_SIZES: readonly string[] = lifecycleSchema.unwrap().shape.transitionMinimumObjectSize.unwrap().options;
// The two classes S3 refuses to transition to before day 30 (config.ts states the same rule).
const THIRTY_DAY_CLASSES = ["STANDARD_IA", "ONEZONE_IA"] as const;

function emailListRules(name: string, what: string): ModuleRule[] {
  return [
    { condition: every(v(name), RULES.email.hcl), allowed: text(RULES.email.allowed), got: failing(v(name), RULES.email.hcl) },
    {
      condition: uniqueCaseInsensitive(v(name)),
      allowed: text(`each ${what} once (compared without case)`),
      got: duplicates(v(name)),
    },
  ];
}

/** One field of every entry of a list-of-objects variable follows `rule`. */
function channelFieldRule(name: string, field: string, rule: { allowed: string; hcl: (x: string) => string }): ModuleRule {
  return {
    condition: every(v(name), (c) => rule.hcl(`${c}.${field}`)),
    allowed: text(`each ${field}: ${rule.allowed}`),
    got: `[for c in ${v(name)} : c.${field} if !(${rule.hcl(`c.${field}`)})]`,
  };
}

/** A channel list is empty unless the module's region has the Amazon Q Developer in chat applications API. */
function chatApiRegionRule(name: string, hint = ""): ModuleRule {
  return {
    condition: `!${v("chat_create_channel_configurations")} || length(${v(name)}) == 0 || contains(${hclLiteral(CHATBOT_API_REGIONS)}, data.aws_region.current.id)`,
    allowed: `${text("no channels in ")}${expr("jsonencode(data.aws_region.current.id)")}${text(
      `: the Amazon Q Developer in chat applications API is only in ${CHATBOT_API_REGIONS.join(", ")}${hint}`,
    )}`,
    readme: `no channels unless the module's region is one of ${CHATBOT_API_REGIONS.join(", ")} (or chat_create_channel_configurations is false)`,
  };
}

/** A channel ID once in a list: a channel has one configuration per account. */
function uniqueChannelIdRule(name: string): ModuleRule {
  const ids = `[for c in ${v(name)} : c.channel_id]`;
  return {
    condition: `length(distinct(${ids})) == length(${v(name)})`,
    allowed: text("each channel_id once: a channel has one configuration per account, which receives every region"),
    got: `[for i, c in ${v(name)} : c.channel_id if contains(slice(${ids}, 0, i), c.channel_id)]`,
  };
}

function enumListRules(name: string, values: readonly string[], what: string): ModuleRule[] {
  const known = (x: string) => `contains(${hclLiteral(values)}, ${x})`;
  return [
    { condition: `length(${v(name)}) >= 1`, allowed: text("a list of at least 1 item(s)") },
    { condition: every(v(name), known), allowed: text(oneOf(values).allowed), got: failing(v(name), known) },
    { condition: `length(distinct(${v(name)})) == length(${v(name)})`, allowed: text(`each ${what} once`), got: duplicates(v(name)) },
  ];
}

function percentRules(name: string, kind: keyof typeof PLAUSIBLE_FLOOR, below?: string): ModuleRule[] {
  const floor = PLAUSIBLE_FLOOR[kind].percent;
  const [before, between, after] = text(implausibleLevelText(kind, "\u0000", "\u0000")).split("\u0000");
  const rules: ModuleRule[] = [
    ruled(RULES.percent, v(name)),
    {
      // As config.ts: a level below the floor is nearly always a fraction written where percent was meant.
      condition: `!(${v(name)} > 0) || ${v(name)} >= ${floor}`,
      // Rounded to 6 decimal places as rate.ts does: Terraform's exact arithmetic would show 0.02 x 100 as 1.999...
      allowed: `${before}${expr(v(name))}${between}${expr(`floor(${v(name)} * 100000000 + 0.5) / 1000000`)}${after}`,
      readme: `at least ${floor} (the levels are percent; a smaller value is taken for a fraction: "did you mean" its value x 100)`,
    },
  ];
  if (below) {
    rules.push({
      // Only against a plausible critical level: otherwise the critical variable is the one that is wrong, and says so.
      condition: `${v(below)} < ${floor} || ${v(name)} < ${v(below)}`,
      allowed: `${text(`a warning level below the critical level (${below} = `)}${expr(v(below))}${text(")")}`,
      readme: `a warning level below ${below}`,
    });
  }
  return rules;
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
  const defaultResultsBucket = hclTemplate(defaultResultsBucketName("${var.name_prefix}", "${var.account_id}", "${data.aws_region.current.id}"));
  const archiveBucket = `(${v("bucket_name")} != null ? ${v("bucket_name")} : ${defaultBucket})`;
  const lookback = RULES.investigationLookbackDays;
  const resultsExpiration = RULES.investigationResultsExpirationDays;
  const reasonRules = (name: string): ModuleRule[] => {
    const known = (x: string) => `contains(${hclLiteral(SUPPRESSION_REASONS)}, ${x})`;
    return [
      { condition: `${v(name)} == null ? true : ${every(v(name), known)}`, allowed: text(oneOf(SUPPRESSION_REASONS).allowed), got: failing(v(name), known) },
      {
        condition: `${v(name)} == null ? true : length(distinct(${v(name)})) == length(${v(name)})`,
        allowed: text("each reason once"),
        got: duplicates(v(name)),
      },
    ];
  };
  // Each S3 naming rule, for a bucket variable that may be null (a conditional, not ||: HCL evaluates
  // both sides of ||, and length(null) is an error).
  const bucketNameIfSet = (name: string) => BUCKET_NAME_RULES.map((r) => ruledIfSet({ ...r, allowed: `an S3 bucket name: ${r.allowed}` }, v(name)));
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
        ruled(RULES.namePrefix, v("name_prefix")),
        ruled(RULES.namePrefixHyphens, v("name_prefix")),
        {
          condition: `!${v("auto_pause_enabled")} || (${RULES.runbookNamePrefix.hcl(v("name_prefix"))})`,
          allowed: text(RULES.runbookNamePrefix.allowed),
        },
        {
          // Cross-variable (Terraform >= 1.9): the derived bucket name must be valid too.
          // The one-element for binds the derived name once instead of repeating it in every rule.
          condition: `${v("bucket_name")} != null || alltrue([for name in [${defaultBucket}] : ${bucketNameHcl("name")}])`,
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
      rules: [ruled(RULES.accountId, v("account_id"))],
    },
    {
      name: "tags",
      type: "map(string)",
      default: d.tags,
      description: "Tags on every taggable resource the module creates (the provider's default_tags apply as well).",
      rules: [
        {
          condition: `alltrue([for k, x in ${v("tags")} : ${RULES.tagKey.hcl("k")}])`,
          allowed: text(RULES.tagKey.allowed),
          got: `[for k, x in ${v("tags")} : k if !${RULES.tagKey.hcl("k")}]`,
        },
        {
          condition: `alltrue([for k, x in ${v("tags")} : ${RULES.tagValue.hcl("x")}])`,
          allowed: text(RULES.tagValue.allowed),
          got: `[for k, x in ${v("tags")} : k if !${RULES.tagValue.hcl("x")}]`,
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
      rules: percentRules("bounce_rate_warning_percent", "bounce", "bounce_rate_critical_percent"),
    },
    {
      name: "bounce_rate_critical_percent",
      type: "number",
      default: d.alarms.bounceRatePercent.critical,
      description: `Critical bounce-rate alarm level, in percent. AWS reviews the account at ${AWS_REVIEW_LEVEL.bounce} and may pause sending at ${AWS_PAUSE_LEVEL.bounce}.`,
      rules: percentRules("bounce_rate_critical_percent", "bounce"),
    },
    {
      name: "complaint_rate_warning_percent",
      type: "number",
      default: d.alarms.complaintRatePercent.warning,
      description: "Early-warning complaint-rate alarm level, in percent; must be below complaint_rate_critical_percent.",
      rules: percentRules("complaint_rate_warning_percent", "complaint", "complaint_rate_critical_percent"),
    },
    {
      name: "complaint_rate_critical_percent",
      type: "number",
      default: d.alarms.complaintRatePercent.critical,
      description: `Critical complaint-rate alarm level, in percent. AWS reviews the account at ${AWS_REVIEW_LEVEL.complaint} and may pause sending at ${AWS_PAUSE_LEVEL.complaint}.`,
      rules: percentRules("complaint_rate_critical_percent", "complaint"),
    },
    {
      name: "alarm_period_seconds",
      type: "number",
      default: d.alarms.periodSeconds,
      description: "Length of one alarm evaluation period, in seconds: a multiple of 60 from 60 to 86400. Statistic: Maximum.",
      rules: [ruled(RULES.alarmPeriodSeconds, v("alarm_period_seconds"))],
    },
    {
      name: "alarm_evaluation_periods",
      type: "number",
      default: d.alarms.evaluationPeriods,
      description: "Periods that must breach before an alarm fires; alarm_period_seconds x alarm_evaluation_periods is at most 86400.",
      rules: [
        ruled(RULES.evaluationPeriods, v("alarm_evaluation_periods")),
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
      rules: [ruledIfSet(RULES.configurationSetName, v("configuration_set_name"))],
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
      rules: bucketNameIfSet("bucket_name"),
    },
    {
      name: "versioning",
      type: "bool",
      default: d.archive.versioning,
      description:
        "Keep old versions of overwritten or deleted archive objects; they expire after noncurrent_version_expiration_days. Off by default: Firehose writes each object once under a unique key.",
      rules: [],
    },
    {
      name: "noncurrent_version_expiration_days",
      type: "number",
      default: d.archive.lifecycle.noncurrentVersionExpirationDays,
      description: "With versioning: days an overwritten or deleted object's old version is kept.",
      rules: [ruled(RULES.noncurrentVersionExpirationDays, v("noncurrent_version_expiration_days"))],
    },
    {
      name: "access_log_bucket_name",
      type: "string",
      default: null,
      description: "An existing bucket that receives S3 server access logs of the archive bucket. null: no access logging.",
      rules: bucketNameIfSet("access_log_bucket_name"),
    },
    {
      name: "access_log_prefix",
      type: "string",
      default: null,
      description: "Key prefix of the access logs in access_log_bucket_name. null: `s3-access/<archive bucket>/`.",
      rules: [
        ruledIfSet(RULES.accessLogPrefix, v("access_log_prefix")),
        {
          // In the JSON config the prefix lives inside archive.accessLogging, next to its required bucket.
          condition: `${v("access_log_prefix")} == null || ${v("access_log_bucket_name")} != null`,
          allowed: text("null while access_log_bucket_name is null (the prefix only applies to access logging)"),
        },
      ],
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
      rules: [ruled(RULES.bufferingIntervalSeconds, v("buffering_interval_seconds"))],
    },
    {
      name: "buffering_size_mib",
      type: "number",
      default: d.archive.bufferingSizeMiB,
      description: "Firehose writes an object once this many MiB are buffered (1 to 128).",
      rules: [ruled(RULES.bufferingSizeMiB, v("buffering_size_mib"))],
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
        { condition: every(T, knownClass), allowed: text(`a storage_class ${oneOf(STORAGE_CLASSES).allowed}`), got: failing(T, knownClass) },
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
        ruled(RULES.expirationDays, v("expiration_days")),
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
      rules: [ruled(RULES.abortIncompleteMultipartUploadDays, v("abort_incomplete_multipart_upload_days"))],
    },
    {
      name: "transition_minimum_object_size",
      type: "string",
      default: d.archive.lifecycle.transitionMinimumObjectSize,
      description:
        "Which small objects may transition: all_storage_classes_128K (S3's default) keeps objects under 128 KB in STANDARD; varies_by_storage_class lets them go to the Glacier classes.",
      rules: [
        {
          condition: `contains(${hclLiteral(TRANSITION_MINIMUM_OBJECT_SIZES)}, ${v("transition_minimum_object_size")})`,
          allowed: text(oneOf(TRANSITION_MINIMUM_OBJECT_SIZES).allowed),
        },
      ],
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
      name: "kms_key_arn",
      type: "string",
      default: null,
      description:
        "An existing customer-managed KMS key ARN (not an alias: IAM policies cannot name a key by alias), in the provider's region, that encrypts the SNS topics (and, with encrypt_archive, the archive) instead of a key the module creates. Its policy must let cloudwatch.amazonaws.com and ses.amazonaws.com (and events.amazonaws.com, with chat channels or auto_pause_enabled) use kms:Decrypt and kms:GenerateDataKey*. AWS-managed keys (alias/aws/sns) are refused. null: a new key with rotation.",
      rules: [
        ruledIfSet(RULES.awsManagedKey, v("kms_key_arn")),
        {
          // As in config.ts: an alias (not AWS-managed: that rule speaks first) cannot stand in the IAM policy.
          condition: `${v("kms_key_arn")} == null ? true : (!(${RULES.awsManagedKey.hcl(v("kms_key_arn"))}) || ${RULES.kmsAlias.hcl(v("kms_key_arn"))})`,
          allowed: text(RULES.kmsAlias.allowed),
        },
        {
          // As in config.ts, the format is only reported for keys that are not aliases.
          condition: `${v("kms_key_arn")} == null ? true : (!(${RULES.kmsAlias.hcl(v("kms_key_arn"))}) || ${RULES.kmsKeyArn.hcl(v("kms_key_arn"))})`,
          allowed: text(RULES.kmsKeyArn.allowed),
        },
        {
          // Cross-variable (a data source): keys are regional, and the region is the provider's.
          // Conditionals, not ||: HCL evaluates both sides of ||, and a malformed ARN has no fourth field.
          condition: `${v("kms_key_arn")} == null ? true : (!(${RULES.kmsKeyArn.hcl(v("kms_key_arn"))}) ? true : split(":", ${v("kms_key_arn")})[3] == data.aws_region.current.id)`,
          allowed: text(kmsKeyRegionText("\u0000")).replace("\u0000", expr("data.aws_region.current.id")),
          readme: kmsKeyRegionText("the provider's region"),
        },
      ],
    },
    {
      name: "encrypt_archive",
      type: "bool",
      default: d.encryption.archive,
      description:
        "Also encrypt the archive with the key: bucket SSE-KMS (with a bucket key) and Firehose server-side encryption with the key. Off by default: SSE-S3 and an AWS-owned Firehose key.",
      rules: [],
    },
    {
      name: "notifications_enabled",
      type: "bool",
      // Null: on when identities are given, so a call with only the required inputs plans.
      default: null,
      description:
        "Create the notification topic and one SES identity notification topic per identity and type. null: on when notification_identities is not empty.",
      rules: [],
    },
    {
      name: "notification_identities",
      type: "list(string)",
      default: [],
      description:
        "SES identities (domains or addresses, ASCII; punycode for international domains) to notify for, each verified in this module's region: SES accepts a notification topic only for an identity verified in that region. Setting the topic replaces any bounce or complaint topic the identity already had. At least one while notifications_enabled is true.",
      rules: [
        {
          condition: every(v("notification_identities"), RULES.identity.hcl),
          allowed: text(RULES.identity.allowed),
          got: failing(v("notification_identities"), RULES.identity.hcl),
        },
        {
          condition: uniqueCaseInsensitive(v("notification_identities")),
          allowed: text("each identity once (compared without case)"),
          got: duplicates(v("notification_identities")),
        },
        {
          condition: `${v("notifications_enabled")} != true || length(${v("notification_identities")}) > 0`,
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
    {
      name: "investigation_enabled",
      type: "bool",
      default: d.investigation.enabled,
      description:
        "Query the archive with Athena: a Glue database and table over it (partition projection, no crawler), an Athena workgroup with a results bucket of its own, and saved queries.",
      rules: [],
    },
    {
      name: "investigation_lookback_days",
      type: "number",
      default: d.investigation.lookbackDays,
      description: `Days the saved queries look back (the N in "hard bounces in the last N days"), ${lookback.min} to ${lookback.max}.`,
      rules: [
        ruled(lookback, v("investigation_lookback_days")),
        {
          // Cross-variable, as config.ts: Athena skips archived (GLACIER, DEEP_ARCHIVE) and expired days without an error.
          condition: `!${v("investigation_enabled")} || ${v("investigation_lookback_days")} <= (${queryableDaysHcl("var.lifecycle_transitions", "var.expiration_days")})`,
          allowed: `${text("at most ")}${expr(`(${queryableDaysHcl("var.lifecycle_transitions", "var.expiration_days")})`)}${text(
            ": older events are in GLACIER or DEEP_ARCHIVE (lifecycle_transitions), which Athena skips without an error, or deleted (expiration_days); transition later, or to GLACIER_IR, which Athena reads",
          )}`,
          readme: "at most the days Athena can read: before the first lifecycle_transitions entry to GLACIER or DEEP_ARCHIVE, and before expiration_days",
        },
      ],
    },
    {
      name: "investigation_bytes_scanned_cutoff_per_query_mib",
      type: "number",
      default: d.investigation.bytesScannedCutoffPerQueryMiB,
      description: "Athena cancels a query in the workgroup once it has scanned this many MiB (the workgroup's bytes_scanned_cutoff_per_query).",
      rules: [
        { condition: isWhole(v("investigation_bytes_scanned_cutoff_per_query_mib")), allowed: text("a whole number") },
        {
          condition: `${v("investigation_bytes_scanned_cutoff_per_query_mib")} >= ${RULES.bytesScannedCutoffMin.min}`,
          allowed: text(RULES.bytesScannedCutoffMin.allowed),
        },
        ruled(RULES.bytesScannedCutoffMax, v("investigation_bytes_scanned_cutoff_per_query_mib")),
      ],
    },
    {
      name: "investigation_results_expiration_days",
      type: "number",
      default: d.investigation.resultsExpirationDays,
      description: `Days after which Athena query results (they hold recipient addresses) are deleted, ${resultsExpiration.min} to ${resultsExpiration.max}.`,
      rules: [ruled(resultsExpiration, v("investigation_results_expiration_days"))],
    },
    {
      name: "investigation_results_bucket_name",
      type: "string",
      default: null,
      description: "Athena results bucket (created by the module). null: `<name_prefix>-athena-<account_id>-<region>`.",
      rules: [
        ...bucketNameIfSet("investigation_results_bucket_name"),
        {
          condition: `${v("investigation_results_bucket_name")} == null ? true : !contains([${archiveBucket}, ${v("access_log_bucket_name")}], ${v("investigation_results_bucket_name")})`,
          allowed: text(resultsBucketOwnText("investigation_results_expiration_days")),
        },
        {
          // config.ts reports this on the name; here it would make name_prefix's and this variable's
          // rules refer to each other, which Terraform refuses as a cycle.
          condition: `${v("investigation_results_bucket_name")} != null || !${v("investigation_enabled")} || alltrue([for name in [${defaultResultsBucket}] : ${bucketNameHcl("name")}])`,
          allowed: `${text("a bucket name while the default, ")}${expr(`jsonencode(${defaultResultsBucket})`)}${text(
            ", breaks S3's rules (or a name_prefix that makes a valid one)",
          )}`,
          readme: "while investigation_enabled: a bucket name, unless name_prefix makes a valid default (`<name_prefix>-athena-<account_id>-<region>`)",
        },
      ],
    },
    {
      name: "investigation_campaign_tag",
      type: "string",
      default: d.investigation.campaignTag,
      description: "Message tag that names the campaign; the bounce-rate-by-campaign saved query groups by it.",
      rules: [ruled(RULES.campaignTag, v("investigation_campaign_tag"))],
    },
    {
      name: "suppression_account_level",
      type: "list(string)",
      default: null,
      description: `Reasons SES adds an address to the account-level suppression list in the provider's region (${SUPPRESSION_REASONS.join(", ")}); [] turns automatic suppression off. null: leave the account setting alone.`,
      rules: reasonRules("suppression_account_level"),
    },
    {
      name: "suppression_configuration_set",
      type: "list(string)",
      default: null,
      description: "Suppression reasons for messages sent with the configuration set, overriding the account level. null: the set follows the account level.",
      rules: reasonRules("suppression_configuration_set"),
    },
    {
      name: "configuration_set_reputation_alarms",
      type: "bool",
      default: d.configurationSet.reputationAlarms,
      description:
        "Warning and critical alarms on the configuration set's own bounce and complaint rates (dimension ses:configuration-set), at the account alarms' levels.",
      rules: [],
    },
    {
      name: "dashboard_enabled",
      type: "bool",
      default: d.dashboard.enabled,
      description: "A CloudWatch dashboard `<name_prefix>-<region>`: rates with their levels, volume, archive health and alarms (dashboard_url).",
      rules: [],
    },
    {
      name: "auto_pause_enabled",
      type: "bool",
      default: d.autoPause.enabled,
      description:
        "When a critical reputation alarm goes to ALARM, an EventBridge rule starts an SSM Automation runbook that pauses sending, announced on the alarm topic; resume_sending_command resumes it.",
      rules: [],
    },
    {
      name: "auto_pause_scope",
      type: "string",
      default: d.autoPause.scope,
      description: `What auto-pause pauses: ${PAUSE_SCOPES.join(" or ")}. configurationSet acts on the set's own critical alarms (needs configuration_set_reputation_alarms); account on the account's.`,
      rules: [
        ruled(oneOf(PAUSE_SCOPES), v("auto_pause_scope")),
        {
          condition: `${v("auto_pause_scope")} != "configurationSet" || !${v("auto_pause_enabled")} || ${v("configuration_set_reputation_alarms")}`,
          allowed: text('"account", or configuration_set_reputation_alarms true: a configuration set is paused on its own alarms'),
        },
      ],
    },
    {
      name: "chat_enabled",
      type: "bool",
      default: null,
      description:
        "Relay the SES events (chat_ses_event_types) to the ses_events_topic_arn topic, for the channels below or a channel configuration of your own. null: on when channels are given.",
      rules: [
        {
          condition: `${v("chat_enabled")} != false || length(${v("chat_slack_channels")}) + length(${v("chat_teams_channels")}) == 0`,
          allowed: text("true (or null) while channels are listed: they would receive no SES events"),
        },
      ],
    },
    {
      name: "chat_slack_channels",
      type: "list(object({ name = string, workspace_id = string, channel_id = string }))",
      default: d.chat.slackChannels,
      description: `Slack channels that receive the alarms and the SES events through Amazon Q Developer in chat applications (workspace authorized once in its console). Its API is only in ${CHATBOT_API_REGIONS.join(", ")}: the channel configurations use this module's provider, so call the module in one of those regions for channels.`,
      rules: [
        channelFieldRule("chat_slack_channels", "name", RULES.chatChannelName),
        channelFieldRule("chat_slack_channels", "workspace_id", RULES.slackWorkspaceId),
        channelFieldRule("chat_slack_channels", "channel_id", RULES.slackChannelId),
        chatApiRegionRule(
          "chat_slack_channels",
          " (use the cdktf app, which places the channels there, or your own channel configuration subscribed to alarm_topic_arn and ses_events_topic_arn)",
        ),
        uniqueChannelIdRule("chat_slack_channels"),
      ],
    },
    {
      name: "chat_teams_channels",
      type: "list(object({ name = string, tenant_id = string, team_id = string, channel_id = string }))",
      default: d.chat.teamsChannels,
      description: "Microsoft Teams channels, the same way as chat_slack_channels.",
      rules: [
        channelFieldRule("chat_teams_channels", "name", RULES.chatChannelName),
        channelFieldRule("chat_teams_channels", "tenant_id", RULES.teamsTenantId),
        channelFieldRule("chat_teams_channels", "team_id", RULES.teamsTeamId),
        channelFieldRule("chat_teams_channels", "channel_id", RULES.teamsChannelId),
        chatApiRegionRule("chat_teams_channels"),
        uniqueChannelIdRule("chat_teams_channels"),
        {
          condition: `length(distinct(concat([for c in ${v("chat_slack_channels")} : c.name], [for c in ${v("chat_teams_channels")} : c.name]))) == length(${v("chat_slack_channels")}) + length(${v("chat_teams_channels")})`,
          allowed: text("channel names that no other chat channel (Slack or Teams) has"),
        },
      ],
    },
    {
      name: "chat_ses_event_types",
      type: "list(string)",
      default: d.chat.sesEventTypes,
      description: `SES events relayed to the chat channels (an EventBridge rule each): any of ${CHAT_EVENT_TYPES.join(", ")}.`,
      rules: enumListRules("chat_ses_event_types", CHAT_EVENT_TYPES, "event type"),
    },
    {
      name: "chat_create_channel_configurations",
      type: "bool",
      default: true,
      description:
        "Whether this call creates the channels' configurations (and their role). A channel has one configuration per account: with a call per region, give every call the same channels (each relays its own region's events), leave this true in one call, set it false in the others, and list their topics in that call's chat_other_topic_arns.",
      rules: [],
    },
    {
      name: "chat_other_topic_arns",
      type: "list(string)",
      default: [],
      description:
        "More topics the channel configurations subscribe to: the other regions' calls' alarm_topic_arn and ses_events_topic_arn (a configuration takes topics from several regions).",
      rules: [
        {
          condition: every(v("chat_other_topic_arns"), (x) => `can(regex(${hclLiteral(SNS_TOPIC_ARN_RE2)}, ${x}))`),
          allowed: text("SNS topic ARNs, arn:aws:sns:<region>:<account>:<name>"),
          got: failing(v("chat_other_topic_arns"), (x) => `can(regex(${hclLiteral(SNS_TOPIC_ARN_RE2)}, ${x}))`),
        },
        {
          condition: `length(${v("chat_other_topic_arns")}) == 0 || ${v("chat_create_channel_configurations")}`,
          allowed: text("[] while chat_create_channel_configurations is false: this call subscribes no configuration to them"),
        },
      ],
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
  {
    name: "pending_email_confirmations",
    description: "Addresses that have not confirmed their SNS subscription yet: they receive nothing until they click the link in the confirmation mail.",
  },
  { name: "next_steps", description: "What to do after the first apply." },
  {
    name: "athena_workgroup",
    description:
      "Athena workgroup to investigate the archive in: its saved queries answer who bounced or complained, where and since when (null while investigation_enabled is false).",
  },
  { name: "glue_database", description: "Glue database of the event archive's table (null while investigation_enabled is false)." },
  {
    name: "glue_table",
    description: "Glue table over the event archive (partition projection: new days need no crawler). Null while investigation_enabled is false.",
  },
  {
    name: "athena_results_bucket_name",
    description: "S3 bucket holding Athena query results (expired after investigation_results_expiration_days). Null while investigation_enabled is false.",
  },
  {
    name: "dashboard_url",
    description:
      "The region's CloudWatch dashboard: reputation rates with their levels, volume, archive health and alarms (null while dashboard_enabled is false).",
  },
  {
    name: "ses_events_topic_arn",
    description:
      "SNS topic of the SES events relayed to chat, as Amazon Q Developer custom notifications (null while chat is off: chat_enabled false, or null without channels).",
  },
  {
    name: "resume_sending_command",
    description: "Resumes sending after an automatic pause (run it once the cause is fixed). Null while auto_pause_enabled is false.",
  },
];

/** The sentences of the `next_steps` output, as the stack words them (a test compares the two). */
export const NEXT_STEPS = {
  confirm:
    "Every address in pending_email_confirmations must click the link in the AWS Notification - Subscription Confirmation mail; until then it receives no alarm or notification (an unconfirmed subscription cannot be deleted, SNS drops it after a few days).",
  send: (configurationSetName: string) =>
    `Send with ConfigurationSetName=${configurationSetName} (or the X-SES-CONFIGURATION-SET header) so that events are archived.`,
  investigate: (workgroup: string) => `When an alarm fires, open Athena workgroup ${workgroup} and run its saved queries (README: Investigating an alarm).`,
} as const;

// ---------------------------------------------------------------- the module

/** The construct ID of the `SesGuard` inside the module; its resources' addresses derive from the paths below it. */
const GUARD_ID = "Guard";

/**
 * The plain module: `SesGuard` fed with Terraform variables (the same constructs as the stack), plus
 * what only the module has: the variables with their validation, a few locals that map them onto
 * the construct props, the outputs and the warnings (`check` blocks). No provider or backend.
 */
export class SesGuardModule extends TerraformStack {
  /** The inputs, as declared. */
  public readonly variables: readonly ModuleVariable[];
  public readonly outputs: readonly ModuleOutput[] = MODULE_OUTPUTS;
  /** What the variables feed the constructs: every feature of the stack the module has. */
  public readonly guardProps: SesGuardProps;
  public readonly guard: SesGuard;
  private readonly addresses = new Map<string, string>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.variables = moduleVariables();
    // Variables, locals and outputs share names (bucket_name...): separate scopes keep construct IDs unique.
    const variableScope = new Construct(this, "Variables");
    const vars: Record<string, TerraformVariable> = {};
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
      vars[spec.name] = variable;
    }
    // Answered by the provider from its own configuration: it works offline.
    const region = new DataAwsRegion(new Construct(this, "Region"), "current");
    const localScope = new Construct(this, "Locals");
    const local = (name: string, value: string) => new TerraformLocal(localScope, name, expr(value));
    const notificationsEnabled = local(
      "notifications_enabled",
      "var.notifications_enabled != null ? var.notifications_enabled : length(var.notification_identities) > 0",
    );
    const notificationEmails = local("notification_emails", "var.notification_emails != null ? var.notification_emails : var.alarm_emails");
    // Channels given relay the region's events; the configurations exist only in the call that creates them.
    const chatChannels = local(
      "chat_channels",
      "var.chat_create_channel_configurations && length(var.chat_slack_channels) + length(var.chat_teams_channels) > 0",
    );
    const chatEnabled = local(
      "chat_enabled",
      "var.chat_enabled != null ? var.chat_enabled : length(var.chat_slack_channels) + length(var.chat_teams_channels) > 0",
    );

    this.guardProps = propsFromVariables(vars, Token.asString(region.id), notificationsEnabled, notificationEmails, chatEnabled, chatChannels);
    this.guard = new SesGuard(this, GUARD_ID, this.guardProps);
    // Tags on every taggable resource (the caller's provider default_tags apply as well).
    for (const child of this.guard.node.findAll()) {
      if (child instanceof TerraformResource && "tags" in child) (child as unknown as { tags: Record<string, string> }).tags = vars.tags.value;
    }

    // ------------------------------------------------------------ outputs
    const g = this.guard;
    const investigationAttribute = (resource: TerraformResource | undefined, attribute: string) => (resource ? attributeOf(resource, attribute) : "");
    const configurationSet = g.eventPublishing.configurationSet!;
    const outputValues: Record<string, string> = {
      alarm_topic_arn: g.alarmTopic.arn,
      // Resource attributes: callers that use them wait for the resource.
      archive_bucket_name: g.archiveBucket!.bucket.bucket,
      delivery_stream_name: g.deliveryStream.stream.name,
      configuration_set_name: configurationSet.configurationSetName,
      notification_topic_arn: g.notifications!.topic.arn,
      // Read from state after apply: SNS keeps each e-mail subscription pending until its owner confirms.
      pending_email_confirmations: expr(
        `[for s in concat(${[g.alarms.alarmTopic!.subscriptions, g.notifications!.subscriptions!]
          .map((subs) => `values(${subs.subscriptions[0].terraformResourceType}.${subs.subscriptions[0].friendlyUniqueId})`)
          .join(", ")}) : s.endpoint if s.pending_confirmation]`,
      ),
      next_steps: `${NEXT_STEPS.confirm} ${NEXT_STEPS.send(configurationSet.configurationSetName)}%{ if var.investigation_enabled } ${NEXT_STEPS.investigate(
        g.athena!.workgroupName,
      )}%{ endif }`,
      athena_workgroup: investigationAttribute(g.athena?.workgroup, "name"),
      glue_database: investigationAttribute(g.eventCatalog?.database, "name"),
      glue_table: investigationAttribute(g.eventCatalog?.table, "name"),
      athena_results_bucket_name: investigationAttribute(g.athena?.resultsBucket, "bucket"),
      dashboard_url: expr(`var.dashboard_enabled ? ${hclOf(this, g.dashboard!.consoleUrl)} : null`),
      ses_events_topic_arn: attributeOf(g.sesEventAlerts!.topic, "arn"),
      resume_sending_command: expr(`var.auto_pause_enabled ? ${hclOf(this, g.autoPause!.resumeCommand)} : null`),
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
      // As config.ts warns: addresses that hard-bounced or complained keep being mailed.
      suppression_reasons_left_out: {
        assert: [
          {
            // A conditional, not ||: HCL evaluates both sides of ||, and setsubtract refuses null.
            condition: expr(
              `var.suppression_account_level == null ? true : length(setsubtract(${hclLiteral(SUPPRESSION_REASONS)}, var.suppression_account_level)) == 0`,
            ),
            error_message: `suppression_account_level leaves out ${expr(
              `join(" and ", sort(setsubtract(${hclLiteral(SUPPRESSION_REASONS)}, var.suppression_account_level == null ? [] : var.suppression_account_level)))`,
            )}: SES keeps sending to addresses that ${expr(
              `join(" or ", [for r in sort(setsubtract(${hclLiteral(SUPPRESSION_REASONS)}, var.suppression_account_level == null ? [] : var.suppression_account_level)) : r == "BOUNCE" ? "hard-bounced" : "complained"])`,
            )}, in this region, which raises the rates AWS reviews`,
          },
        ],
      },
      notification_identities_unused: {
        assert: [
          {
            condition: expr(`var.notifications_enabled != false || length(var.notification_identities) == 0`),
            error_message: "notification_identities is set but notifications_enabled is false; no notification topics are created",
          },
        ],
      },
    };
    this.addOverride("check", checks);
  }

  /**
   * Readable addresses: a resource's name derives from its construct path below the `SesGuard`
   * (`terraformName`, as in the stack); variables, locals and outputs keep their construct ID.
   */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const ids = node.scopes.map((c) => c.node.id);
    const below = ids.indexOf(GUARD_ID);
    // Below the SesGuard, the stack's own naming (so the two share addresses); above it, the ID.
    const name = below >= 0 ? terraformName(ids.slice(below + 1)) : node.id;
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`SesGuardModule: ${node.path} gives ${JSON.stringify(name)}, not a Terraform name`);
    if (below >= 0 && element instanceof TerraformResource) {
      // Two constructs must not land on one address (cdktf would keep only the last).
      const address = `${element.terraformResourceType}.${name}`;
      const taken = this.addresses.get(address);
      if (taken !== undefined && taken !== node.path) throw new Error(`SesGuardModule: ${node.path} and ${taken} would both be ${address}`);
      this.addresses.set(address, node.path);
    }
    return name;
  }
}

/**
 * The module's variables as `SesGuard` props: tokens where the stack has values. Variables that
 * may be null are marked `nullable`, so the constructs treat null as "not given".
 */
function propsFromVariables(
  vars: Record<string, TerraformVariable>,
  region: string,
  notificationsEnabled: TerraformLocal,
  notificationEmails: TerraformLocal,
  chatEnabled: TerraformLocal,
  chatChannels: TerraformLocal,
): SesGuardProps {
  const str = (name: string) => vars[name].stringValue;
  const num = (name: string) => vars[name].numberValue;
  const list = (name: string) => vars[name].listValue;
  const bool = (name: string) => vars[name].booleanValue;
  const percent = (name: string) => Rate.percentToken(num(name));
  return {
    namePrefix: str("name_prefix"),
    accountId: str("account_id"),
    region,
    alarms: {
      emails: list("alarm_emails"),
      bounceRate: { warning: percent("bounce_rate_warning_percent"), critical: percent("bounce_rate_critical_percent") },
      complaintRate: { warning: percent("complaint_rate_warning_percent"), critical: percent("complaint_rate_critical_percent") },
      periodSeconds: num("alarm_period_seconds"),
      evaluationPeriods: num("alarm_evaluation_periods"),
      configurationSet: bool("configuration_set_reputation_alarms"),
    },
    archive: {
      bucketName: nullable(str("bucket_name")),
      configurationSetName: nullable(str("configuration_set_name")),
      requireTls: bool("require_tls"),
      // Literal: Terraform allows no expressions in lifecycle meta-arguments (the README says how to lift it).
      preventDestroy: true,
      versioning: bool("versioning"),
      accessLogBucketName: nullable(str("access_log_bucket_name")),
      accessLogPrefix: nullable(str("access_log_prefix")),
      eventTypes: list("event_types") as SesEventType[],
      bufferingIntervalSeconds: num("buffering_interval_seconds"),
      bufferingSizeMiB: num("buffering_size_mib"),
      lifecycle: {
        transitions: list("lifecycle_transitions") as unknown as LifecycleTransition[],
        expirationDays: num("expiration_days"),
        abortIncompleteMultipartUploadDays: num("abort_incomplete_multipart_upload_days"),
        noncurrentVersionExpirationDays: num("noncurrent_version_expiration_days"),
        transitionMinimumObjectSize: str("transition_minimum_object_size") as ArchiveLifecycle["transitionMinimumObjectSize"],
      },
      logRetentionDays: num("log_retention_days"),
    },
    encryption: { kmsKeyArn: nullable(str("kms_key_arn")), archive: bool("encrypt_archive") },
    notifications: {
      enabled: notificationsEnabled.expression as Condition,
      identities: list("notification_identities"),
      types: list("notification_types") as NotificationType[],
      emails: notificationEmails.asList,
      includeOriginalHeaders: bool("include_original_headers"),
    },
    investigation: {
      enabled: bool("investigation_enabled"),
      lookbackDays: num("investigation_lookback_days"),
      bytesScannedCutoffPerQueryMiB: num("investigation_bytes_scanned_cutoff_per_query_mib"),
      resultsExpirationDays: num("investigation_results_expiration_days"),
      resultsBucketName: nullable(str("investigation_results_bucket_name")),
      campaignTag: str("investigation_campaign_tag"),
    },
    suppression: {
      accountLevel: nullable(list("suppression_account_level")) as SuppressionReason[],
      configurationSet: nullable(list("suppression_configuration_set")) as SuppressionReason[],
    },
    chat: {
      enabled: chatEnabled.expression as Condition,
      channelsEnabled: chatChannels.expression as Condition,
      slackChannels: vars.chat_slack_channels.value as SlackChannel[],
      teamsChannels: vars.chat_teams_channels.value as TeamsChannel[],
      otherTopicArns: list("chat_other_topic_arns"),
      sesEventTypes: list("chat_ses_event_types") as ChatEventType[],
    },
    autoPause: { enabled: bool("auto_pause_enabled"), scope: str("auto_pause_scope") as PauseScope },
    dashboard: { enabled: bool("dashboard_enabled") },
  };
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
  return Object.fromEntries(
    Object.keys(map)
      .sort()
      .map((k) => [k, map[k]]),
  );
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
  const outputs = Object.fromEntries(stack.outputs.map((o) => [o.name, { description: outputJson[o.name].description, value: outputJson[o.name].value }]));
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

/** The README's words for each `count` the module uses. */
const COUNT_WORDS: Record<string, string> = {
  "${local.notifications_enabled ? 1 : 0}": "one while notifications are on (`notifications_enabled`, or identities given)",
  "${var.kms_key_arn == null ? 1 : 0}": "one unless `kms_key_arn` is set",
  "${var.versioning ? 1 : 0}": "one while `versioning`",
  "${var.access_log_bucket_name != null ? 1 : 0}": "one when `access_log_bucket_name` is set",
  "${var.investigation_enabled ? 1 : 0}": "one while `investigation_enabled`",
  "${var.investigation_enabled && var.access_log_bucket_name != null ? 1 : 0}": "one while `investigation_enabled`, when `access_log_bucket_name` is set",
  "${var.suppression_account_level != null ? 1 : 0}": "one when `suppression_account_level` is set",
  "${var.dashboard_enabled ? 1 : 0}": "one while `dashboard_enabled`",
  "${var.configuration_set_reputation_alarms ? 1 : 0}": "one while `configuration_set_reputation_alarms`",
  "${var.auto_pause_enabled ? 1 : 0}": "one while `auto_pause_enabled`",
  "${local.chat_enabled ? 1 : 0}": "one while chat is on (`chat_enabled`, or channels given)",
  "${local.chat_channels ? 1 : 0}": "one while chat channels are given and `chat_create_channel_configurations`",
  ...Object.fromEntries(
    CHAT_EVENT_TYPES.map((t) => [
      `\${local.chat_enabled && contains(var.chat_ses_event_types, "${t}") ? 1 : 0}`,
      `one while chat is on and \`chat_ses_event_types\` holds ${t}`,
    ]),
  ),
};

function countWords(address: string, count: unknown): string {
  const words = COUNT_WORDS[String(count)];
  if (!words) throw new Error(`${address}: count ${JSON.stringify(count)} has no README words; add them to COUNT_WORDS`);
  return words;
}

/** README text on `prevent_destroy`, naming the resources that really carry it. */
function preventDestroyText(resources: Record<string, Record<string, Json>>): string[] {
  const guarded = Object.entries(resources).flatMap(([type, byName]) =>
    Object.entries(byName)
      .filter(([, body]) => (body.lifecycle as Json | undefined)?.prevent_destroy === true)
      .map(([name]) => `\`${type}.${name}\``),
  );
  if (guarded.length === 0) throw new Error("no resource carries prevent_destroy; the README says otherwise");
  return [
    `${guarded.join(", ")} carry`,
    "`lifecycle { prevent_destroy = true }`: Terraform refuses a plan that would destroy or replace one",
    "of them while the module call stands, so a renamed bucket, or `kms_key_arn` or",
    "`investigation_enabled = false` counting the key or the catalog down to nothing, stops at plan",
    "(`Instance cannot be destroyed`), and `force_destroy` is never set. Unlike the JSON config's",
    "`archive.preventDestroy`, this is not an input: Terraform allows no variables in `lifecycle`",
    "meta-arguments, so the module states it literally. It does not protect them once the module call",
    "itself is gone: prevent_destroy \"doesn't prevent Terraform from destroying the resource if you",
    'remove the resource configuration" (Terraform docs, `lifecycle` meta-argument). To retire the',
    "module but keep the archive, replace the module call with",
    "`removed { from = module.ses_guard  lifecycle { destroy = false } }` (Terraform 1.7+), which forgets",
    "its resources without destroying them. To switch to your own key, or turn investigation off, and",
    "keep the old key or catalog in AWS, forget them first: `terraform state rm",
    "'module.ses_guard.aws_kms_key.encryption_key[0]'`",
    "(or the `aws_glue_catalog_database.event_catalog_database[0]` and",
    "`aws_glue_catalog_table.event_catalog_table[0]`), then apply. To delete the archive on purpose, empty",
    'the bucket, set each `"prevent_destroy": true` to `false` in your copy of `main.tf.json`, apply or',
    "destroy, and regenerate the module afterwards.",
  ];
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
      const instances = body.for_each ? "one per key of `for_each`" : body.count !== undefined ? countWords(`${type}.${name}`, body.count) : "one";
      return `| \`${type}.${name}\` | ${instances} |`;
    }),
  );
  const lines = [
    "# ses-guard Terraform module",
    "",
    "Generated by `npm run module` from ses-guard's TypeScript sources (`modules/terraform-module/terraform-module.ts`).",
    "Do not edit these files: regenerate them.",
    "",
    "Keeps an Amazon SES sending account healthy: CloudWatch alarms on the account's bounce and",
    "complaint rates, an archive of every SES event (configuration set, Firehose, private S3 bucket",
    "with lifecycle rules), optional per-message bounce and complaint notifications by e-mail, and, on",
    "request, Athena over the archive (Glue table, workgroup, saved queries) and SES suppression settings.",
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
    "send with the `configuration_set_name` output, or nothing is archived: `terraform output next_steps`",
    "says so, and `terraform output pending_email_confirmations` lists the addresses still pending.",
    "",
    "## Security and data safety",
    "",
    "- **Encryption.** Every SNS topic is encrypted with a customer-managed KMS key: the module creates",
    "  one (`aws_kms_key.encryption_key`, rotation on, alias `alias/<name_prefix>`) whose policy lets",
    "  `cloudwatch.amazonaws.com` and `ses.amazonaws.com` (and `events.amazonaws.com` with chat or auto-pause) use `kms:Decrypt` and `kms:GenerateDataKey*`,",
    "  unless `kms_key_arn` names your own key, whose policy must allow the same. AWS-managed keys",
    "  (`alias/aws/sns`) are refused: CloudWatch and SES cannot use them, so alarms would silently never",
    "  arrive. `encrypt_archive = true` also encrypts the bucket (SSE-KMS, with a bucket key) and the",
    "  Firehose stream with the key, and lets the Firehose role use it through S3 only.",
    "- **The bucket** blocks all public access, disables ACLs, denies requests without TLS, aborts",
    "  incomplete multipart uploads, and optionally keeps old versions (`versioning`, expired after",
    "  `noncurrent_version_expiration_days`) and writes access logs (`access_log_bucket_name`).",
    "- **The archive watches itself**: `<name_prefix>-archive-data-freshness` (records older than the",
    "  buffering interval) and `<name_prefix>-archive-delivery-success` (failed deliveries to S3) notify",
    "  the alarm topic.",
    "- **IAM**: each role may do only what delivery needs, on named resources, and trusts its service only",
    "  for this account and this stream or configuration set (`aws:SourceAccount`, `aws:SourceArn`).",
    "- **Investigation** (`investigation_enabled`): the Athena workgroup enforces its settings (results",
    "  location and encryption, with the key under `encrypt_archive`), caps each query's scan and writes",
    "  results to a bucket of their own with the same baseline, expired after",
    "  `investigation_results_expiration_days`. The results bucket is disposable query output: it has",
    "  `force_destroy` and no `prevent_destroy`.",
    "- **Chat** (`chat_slack_channels`, `chat_teams_channels`): the channels' role may only describe this",
    "  module's alarms, and the guardrail is `CloudWatchReadOnlyAccess`. EventBridge may publish to the",
    "  `<name_prefix>-ses-events` topic only for this account's `<name_prefix>-chat-*` rules. The Amazon Q",
    "  Developer in chat applications API is only in us-east-2, us-west-2, eu-west-1 and ap-southeast-1, and",
    "  the channel configurations use this module's provider: elsewhere, leave the channel lists empty, set",
    "  `chat_enabled = true` and subscribe your own channel configuration to `alarm_topic_arn` and `ses_events_topic_arn`.",
    "- **Auto-pause** (`auto_pause_enabled`): the EventBridge role may only start the pause runbook and pass",
    "  its role to SSM; the runbook's role may only make the one SES call that pauses (or resumes) sending.",
    "  The configuration set ignores changes to `sending_options`, so the next apply does not resume sending.",
    "",
    "### prevent_destroy",
    "",
    ...preventDestroyText(resources),
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
  replaceFolder(target, (staging) => {
    fs.mkdirSync(staging);
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(staging, name), content);
  });
  return target;
}
