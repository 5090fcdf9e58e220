/**
 * The security and data-safety rules ses-guard's output must meet, as data.
 * Each carries the public scanner check IDs it stands for (Checkov CKV_*,
 * Trivy AWS-*, KICS query names), so a user can map our tests to their scanner.
 * Adding a rule is one entry here; test/policy-suite.test.ts runs every rule on
 * every example's stacks, and proves each rule can fail with its `breaks` mutation.
 */
import type { SesGuardConfig, SesRegion } from "../../modules/app/config";
import { EVENT_DELIVERY_RULES } from "./event-delivery-rules";
import { ACTIONS_WITHOUT_RESOURCE_TYPE, METRIC_READ_ACTIONS } from "../../modules/shared/policy-document";

/** A synthesized stack's Terraform JSON (cdk.tf.json), parsed. */
export interface StackJson {
  resource?: Record<string, Record<string, Record<string, any>>>;
  output?: Record<string, { value: unknown }>;
  terraform?: Record<string, any>;
}

export interface RuleContext {
  readonly json: StackJson;
  readonly config: SesGuardConfig;
  readonly region: SesRegion;
}

export interface PolicyRule {
  /** Stable name, listed in the README's security table. */
  readonly id: string;
  /** Public check IDs this rule stands for. */
  readonly checkIds: readonly string[];
  readonly title: string;
  /** `undefined` when the rule applies; otherwise why it does not, in this stack. */
  readonly notApplicable?: (ctx: RuleContext) => string | undefined;
  /** Violations, each naming the resource; empty means the rule holds. */
  readonly check: (ctx: RuleContext) => string[];
  /** Mutates a stack's JSON so that the rule must report a violation (proves the rule can fail). */
  readonly breaks: (json: StackJson) => void;
}

type Resources = Record<string, Record<string, any>>;

const METRIC_READS: readonly string[] = METRIC_READ_ACTIONS;

/** The chat role's only permissions: cloudwatch:DescribeAlarms on our alarms, and metric reads for alarm graphs. */
function readsOnlyOurAlarms(json: StackJson, roleName: string): boolean {
  const policies = Object.values(resources(json, "aws_iam_role_policy")).filter(
    (p) => JSON.stringify(p.role ?? "").includes(roleName) || String(p.role).includes("chatbot"),
  );
  const all = policies.flatMap((p) => statements(p.policy));
  const describes = all.filter((s) => list(s.Action).every((a) => a === "cloudwatch:DescribeAlarms"));
  const reads = all.filter((s) => list(s.Action).every((a) => METRIC_READS.includes(a)));
  return (
    policies.length > 0 &&
    describes.length > 0 &&
    describes.length + reads.length === all.length &&
    describes.flatMap((s) => list(s.Resource)).every((r) => /:alarm:.+-\*$/.test(r))
  );
}

export function resources(json: StackJson, type: string): Resources {
  return json.resource?.[type] ?? {};
}

function first(json: StackJson, type: string): Record<string, any> {
  const all = Object.values(resources(json, type));
  if (!all.length) throw new Error(`no ${type} to break`);
  return all[0];
}

/** The resources of `type` that reference `address` (e.g. the bucket's public access block). */
function attachedTo(json: StackJson, type: string, address: string): Array<Record<string, any>> {
  return Object.values(resources(json, type)).filter((r) => JSON.stringify(r).includes(`\${${address}.`));
}

interface Statement {
  Effect: string;
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}
const statements = (policy: unknown): Statement[] => (typeof policy === "string" ? JSON.parse(policy).Statement : []);
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function isWildcardPrincipal(p: unknown): boolean {
  if (p === "*") return true;
  if (p && typeof p === "object") return Object.values(p).some((v) => list(v as string | string[]).includes("*"));
  return false;
}

const noBucket = ({ json }: RuleContext) =>
  Object.keys(resources(json, "aws_s3_bucket")).length ? undefined : "this stack creates no bucket (it writes to the home region's or an existing one)";

/** For each bucket, the violations `perBucket` finds. */
function eachBucket(json: StackJson, perBucket: (address: string, name: string) => string | undefined): string[] {
  return Object.keys(resources(json, "aws_s3_bucket"))
    .map((name) => perBucket(`aws_s3_bucket.${name}`, name))
    .filter((v): v is string => v !== undefined);
}

const everyTopic = (json: StackJson) => Object.entries(resources(json, "aws_sns_topic"));

/**
 * The archive bucket's Terraform name. Rules about keeping events (versioning, prevent_destroy)
 * are about it alone: the Athena results bucket holds disposable query output that expires.
 */
const ARCHIVE_BUCKET = "archive_bucket";
const noArchiveBucket = ({ json }: RuleContext) =>
  resources(json, "aws_s3_bucket")[ARCHIVE_BUCKET] ? undefined : "this stack creates no archive bucket (it writes to the home region's or an existing one)";

const workgroups = (json: StackJson) => Object.entries(resources(json, "aws_athena_workgroup"));
const noWorkgroup = ({ json }: RuleContext) =>
  workgroups(json).length
    ? undefined
    : "no Athena workgroup here (investigation is off, or this stack writes to the home region's bucket, whose stack holds the catalog)";
/** cdk.tf.json writes a single nested block as an object; Terraform's JSON also accepts a one-element list. */
const block = (v: unknown): Record<string, any> | undefined => (Array.isArray(v) ? v[0] : (v as Record<string, any> | undefined));

export const POLICY_RULES: readonly PolicyRule[] = [
  ...EVENT_DELIVERY_RULES,
  {
    id: "S3_PUBLIC_ACCESS_BLOCKED",
    checkIds: ["CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
    title: "S3 public access block with all four flags",
    notApplicable: noBucket,
    check: ({ json }) =>
      eachBucket(json, (address) => {
        const blocks = attachedTo(json, "aws_s3_bucket_public_access_block", address);
        const flags = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
        return blocks.some((b) => flags.every((f) => b[f] === true)) ? undefined : `${address}: no public access block with all four flags true`;
      }),
    breaks: (json) => (first(json, "aws_s3_bucket_public_access_block").restrict_public_buckets = false),
  },
  {
    id: "S3_ENCRYPTED_AT_REST",
    checkIds: ["CKV_AWS_19"],
    title: "S3 default encryption",
    notApplicable: noBucket,
    check: ({ json }) =>
      eachBucket(json, (address) => {
        const sse = attachedTo(json, "aws_s3_bucket_server_side_encryption_configuration", address);
        const algorithm = sse[0]?.rule?.[0]?.apply_server_side_encryption_by_default?.sse_algorithm;
        return ["AES256", "aws:kms", "aws:kms:dsse"].includes(algorithm) ? undefined : `${address}: no default encryption`;
      }),
    breaks: (json) => delete json.resource!.aws_s3_bucket_server_side_encryption_configuration,
  },
  {
    id: "S3_CUSTOMER_MANAGED_KEY",
    checkIds: ["CKV_AWS_145"],
    title: "S3 encrypted with a customer-managed KMS key, when asked for",
    notApplicable: (ctx) =>
      noBucket(ctx) ?? (ctx.config.encryption.archive ? undefined : "encryption.archive is off: SSE-S3 by default (deliberate, see README exceptions)"),
    check: ({ json }) =>
      eachBucket(json, (address) => {
        const byDefault = attachedTo(json, "aws_s3_bucket_server_side_encryption_configuration", address)[0]?.rule?.[0]
          ?.apply_server_side_encryption_by_default;
        return byDefault?.sse_algorithm === "aws:kms" && byDefault.kms_master_key_id ? undefined : `${address}: not SSE-KMS with a key`;
      }),
    breaks: (json) => {
      const rule = first(json, "aws_s3_bucket_server_side_encryption_configuration").rule[0];
      rule.apply_server_side_encryption_by_default = { sse_algorithm: "AES256" };
    },
  },
  {
    id: "S3_ACLS_DISABLED",
    checkIds: ["CKV2_AWS_65"],
    title: "S3 ACLs disabled (bucket owner enforced)",
    notApplicable: noBucket,
    check: ({ json }) =>
      eachBucket(json, (address) =>
        attachedTo(json, "aws_s3_bucket_ownership_controls", address).some((o) => o.rule?.object_ownership === "BucketOwnerEnforced")
          ? undefined
          : `${address}: ownership controls are not BucketOwnerEnforced`,
      ),
    breaks: (json) => (first(json, "aws_s3_bucket_ownership_controls").rule.object_ownership = "ObjectWriter"),
  },
  {
    id: "S3_LIFECYCLE_CONFIGURED",
    checkIds: ["CKV2_AWS_61"],
    title: "S3 lifecycle configuration present",
    notApplicable: noBucket,
    check: ({ json }) =>
      eachBucket(json, (address) =>
        attachedTo(json, "aws_s3_bucket_lifecycle_configuration", address).some((l) => list(l.rule).some((r: any) => r.status === "Enabled"))
          ? undefined
          : `${address}: no enabled lifecycle rule`,
      ),
    breaks: (json) => delete json.resource!.aws_s3_bucket_lifecycle_configuration,
  },
  {
    id: "S3_ABORT_INCOMPLETE_UPLOADS",
    checkIds: ["CKV_AWS_300"],
    title: "S3 lifecycle aborts incomplete multipart uploads bucket-wide",
    notApplicable: noBucket,
    check: ({ json }) =>
      eachBucket(json, (address) => {
        const rules = attachedTo(json, "aws_s3_bucket_lifecycle_configuration", address).flatMap((l) => list(l.rule));
        const wholeBucket = (r: any) => list(r.filter).every((f: any) => !f.prefix && !f.and && !f.tag);
        return rules.some((r: any) => r.status === "Enabled" && list(r.abort_incomplete_multipart_upload).length && wholeBucket(r))
          ? undefined
          : `${address}: no enabled, bucket-wide abort_incomplete_multipart_upload rule`;
      }),
    breaks: (json) => {
      for (const r of list(first(json, "aws_s3_bucket_lifecycle_configuration").rule) as any[]) r.filter = [{ prefix: "tmp/" }];
    },
  },
  {
    id: "S3_TLS_ONLY",
    checkIds: ["KICS: Policy Accepts HTTP Requests"],
    title: "S3 bucket policy denies requests without TLS",
    notApplicable: noBucket,
    check: ({ json }) =>
      eachBucket(json, (address, name) => {
        const bucketName = resources(json, "aws_s3_bucket")[name].bucket;
        const denies = attachedTo(json, "aws_s3_bucket_policy", address).flatMap((p) => statements(p.policy));
        const ok = denies.some(
          (s) =>
            s.Effect === "Deny" &&
            s.Condition?.Bool?.["aws:SecureTransport"] === "false" &&
            list(s.Resource).some((r) => r.endsWith(`:::${bucketName}`)) &&
            list(s.Resource).some((r) => r.endsWith(`:::${bucketName}/*`)),
        );
        return ok ? undefined : `${address}: no Deny on aws:SecureTransport=false covering the bucket and its objects`;
      }),
    breaks: (json) => {
      const p = first(json, "aws_s3_bucket_policy");
      p.policy = p.policy.replace('"Effect":"Deny"', '"Effect":"Allow"');
    },
  },
  {
    id: "S3_VERSIONING_WITH_NONCURRENT_EXPIRY",
    checkIds: ["CKV_AWS_21"],
    title: "S3 versioning, with old versions expired, when asked for",
    // archive.versioning asks for the archive's versions; query results are never versioned (README exceptions).
    notApplicable: (ctx) =>
      noArchiveBucket(ctx) ??
      (ctx.config.archive.versioning
        ? undefined
        : "archive.versioning is off: Firehose writes each object once under a unique key (deliberate, see README exceptions)"),
    check: ({ json }) => {
      const address = `aws_s3_bucket.${ARCHIVE_BUCKET}`;
      const on = attachedTo(json, "aws_s3_bucket_versioning", address).some((v) => v.versioning_configuration?.status === "Enabled");
      const expires = attachedTo(json, "aws_s3_bucket_lifecycle_configuration", address)
        .flatMap((l) => list(l.rule))
        .some((r: any) => list(r.noncurrent_version_expiration).length > 0);
      return on && expires ? [] : [`${address}: versioning ${on ? "on" : "off"}, noncurrent expiration ${expires ? "set" : "missing"}`];
    },
    breaks: (json) => delete json.resource!.aws_s3_bucket_versioning,
  },
  {
    id: "S3_ACCESS_LOGGING",
    checkIds: ["CKV_AWS_18"],
    title: "S3 server access logging to the user's log bucket, when asked for",
    notApplicable: (ctx) =>
      noBucket(ctx) ?? (ctx.config.archive.accessLogging ? undefined : "archive.accessLogging is not set: off by default (deliberate, see README exceptions)"),
    check: ({ json, config }) =>
      eachBucket(json, (address) =>
        attachedTo(json, "aws_s3_bucket_logging", address).some((l) => l.target_bucket === config.archive.accessLogging?.bucketName)
          ? undefined
          : `${address}: no access logging to ${config.archive.accessLogging?.bucketName}`,
      ),
    breaks: (json) => delete json.resource!.aws_s3_bucket_logging,
  },
  {
    id: "ARCHIVE_NEVER_DESTROYED_BY_ACCIDENT",
    checkIds: ["ses-guard (data loss)"],
    title: "Archive bucket and delivery stream: prevent_destroy, never force_destroy",
    notApplicable: ({ config }) => (config.archive.preventDestroy ? undefined : "archive.preventDestroy is false (the user opted out)"),
    check: ({ json }) => {
      // The archive bucket by name, not every bucket: the Athena results bucket holds query output
      // that expires anyway and can be re-created by running the query again, so it is meant to go
      // with the workgroup (force_destroy, no prevent_destroy).
      const guarded = [
        ...Object.entries(resources(json, "aws_s3_bucket"))
          .filter(([n]) => n === ARCHIVE_BUCKET)
          .map(([n, r]) => [`aws_s3_bucket.${n}`, r] as const),
        ...Object.entries(resources(json, "aws_kinesis_firehose_delivery_stream")).map(([n, r]) => [`aws_kinesis_firehose_delivery_stream.${n}`, r] as const),
      ];
      return guarded.flatMap(([address, r]) => [
        ...(r.lifecycle?.prevent_destroy === true ? [] : [`${address}: lifecycle.prevent_destroy is not true`]),
        ...(r.force_destroy === true ? [`${address}: force_destroy is true`] : []),
      ]);
    },
    breaks: (json) => delete first(json, "aws_kinesis_firehose_delivery_stream").lifecycle,
  },
  {
    id: "FIREHOSE_ENCRYPTED",
    checkIds: ["CKV_AWS_240"],
    title: "Firehose server-side encryption enabled",
    check: ({ json }) =>
      Object.entries(resources(json, "aws_kinesis_firehose_delivery_stream"))
        .filter(([, s]) => s.server_side_encryption?.enabled !== true)
        .map(([n]) => `aws_kinesis_firehose_delivery_stream.${n}: server_side_encryption not enabled`),
    breaks: (json) => (first(json, "aws_kinesis_firehose_delivery_stream").server_side_encryption.enabled = false),
  },
  {
    id: "FIREHOSE_CUSTOMER_MANAGED_KEY",
    checkIds: ["CKV_AWS_241"],
    title: "Firehose encrypted with a customer-managed key, when asked for",
    notApplicable: ({ config }) =>
      config.encryption.archive ? undefined : "encryption.archive is off: an AWS-owned key by default (deliberate, see README exceptions)",
    check: ({ json }) =>
      Object.entries(resources(json, "aws_kinesis_firehose_delivery_stream"))
        .filter(([, s]) => s.server_side_encryption?.key_type !== "CUSTOMER_MANAGED_CMK" || !s.server_side_encryption?.key_arn)
        .map(([n]) => `aws_kinesis_firehose_delivery_stream.${n}: not CUSTOMER_MANAGED_CMK with a key`),
    breaks: (json) => (first(json, "aws_kinesis_firehose_delivery_stream").server_side_encryption = { enabled: true, key_type: "AWS_OWNED_CMK" }),
  },
  {
    id: "SNS_ENCRYPTED_WITH_CUSTOMER_KEY",
    checkIds: ["CKV_AWS_26", "Trivy AWS-0095", "Trivy AWS-0136"],
    title: "SNS topics encrypted with a customer-managed key (not alias/aws/sns)",
    notApplicable: ({ json }) => (everyTopic(json).length ? undefined : "this stack creates no topic (both are brought by the user)"),
    check: ({ json }) =>
      everyTopic(json)
        .filter(([, t]) => typeof t.kms_master_key_id !== "string" || /alias\/aws\//.test(t.kms_master_key_id))
        .map(([n, t]) => `aws_sns_topic.${n}: kms_master_key_id is ${JSON.stringify(t.kms_master_key_id)}`),
    breaks: (json) => (first(json, "aws_sns_topic").kms_master_key_id = "alias/aws/sns"),
  },
  {
    id: "SNS_KEY_LETS_PUBLISHERS_ENCRYPT",
    checkIds: ["Trivy AWS-0136 (delivery)", "ses-guard (silent alarm loss)"],
    title: "The topics' KMS key policy lets cloudwatch.amazonaws.com and ses.amazonaws.com use it",
    notApplicable: ({ json }) =>
      Object.keys(resources(json, "aws_kms_key")).length
        ? undefined
        : "no key created here (encryption.kmsKeyArns names the user's key, whose policy is theirs; or no topic is created)",
    check: ({ json }) =>
      Object.entries(resources(json, "aws_kms_key")).flatMap(([n, k]) =>
        ["cloudwatch.amazonaws.com", "ses.amazonaws.com"]
          .filter(
            (service) =>
              !statements(k.policy).some(
                (s) =>
                  s.Effect === "Allow" &&
                  (s.Principal as any)?.Service === service &&
                  list(s.Action).includes("kms:Decrypt") &&
                  list(s.Action).some((a) => a.startsWith("kms:GenerateDataKey")),
              ),
          )
          .map((service) => `aws_kms_key.${n}: policy does not let ${service} encrypt`),
      ),
    breaks: (json) => {
      const key = first(json, "aws_kms_key");
      key.policy = key.policy.replace("cloudwatch.amazonaws.com", "example.amazonaws.com");
    },
  },
  {
    id: "SNS_NO_WILDCARD_PRINCIPAL",
    checkIds: ["CKV_AWS_169"],
    title: "SNS topic policies name no `*` principal",
    notApplicable: ({ json }) =>
      Object.keys(resources(json, "aws_sns_topic_policy")).length ? undefined : "this stack sets no topic policy (topics are the user's)",
    check: ({ json }) =>
      Object.entries(resources(json, "aws_sns_topic_policy"))
        .filter(([, p]) => statements(p.policy).some((s) => s.Effect === "Allow" && isWildcardPrincipal(s.Principal)))
        .map(([n]) => `aws_sns_topic_policy.${n}: allows principal *`),
    breaks: (json) => {
      const p = first(json, "aws_sns_topic_policy");
      p.policy = p.policy.replace(/"Principal":\{[^}]*\}/, '"Principal":"*"');
    },
  },
  {
    id: "SNS_PUBLISHERS_SCOPED",
    checkIds: ["ses-guard (confused deputy)", "AWS SNS best practice: aws:SourceAccount/aws:SourceArn"],
    title: "Topic policies limit publishers by aws:SourceAccount and aws:SourceArn",
    notApplicable: ({ json }) =>
      Object.keys(resources(json, "aws_sns_topic_policy")).length ? undefined : "this stack sets no topic policy (topics are the user's)",
    check: ({ json }) =>
      Object.entries(resources(json, "aws_sns_topic_policy")).flatMap(([n, p]) =>
        statements(p.policy)
          .filter((s) => s.Effect === "Allow" && !(s.Condition?.StringEquals?.["aws:SourceAccount"] && s.Condition?.ArnLike?.["aws:SourceArn"]))
          .map(() => `aws_sns_topic_policy.${n}: an Allow without aws:SourceAccount and aws:SourceArn`),
      ),
    breaks: (json) => {
      const p = first(json, "aws_sns_topic_policy");
      p.policy = p.policy.replace(/,"Condition":\{.*\}\}\]\}$/, "}]}");
    },
  },
  {
    id: "KMS_ROTATION",
    checkIds: ["CKV_AWS_7"],
    title: "KMS key rotation on",
    notApplicable: ({ json }) => (Object.keys(resources(json, "aws_kms_key")).length ? undefined : "no key created here"),
    check: ({ json }) =>
      Object.entries(resources(json, "aws_kms_key"))
        .filter(([, k]) => k.enable_key_rotation !== true)
        .map(([n]) => `aws_kms_key.${n}: rotation off`),
    breaks: (json) => (first(json, "aws_kms_key").enable_key_rotation = false),
  },
  {
    id: "KMS_POLICY_DEFINED_NO_WILDCARD",
    checkIds: ["CKV2_AWS_64", "CKV_AWS_33"],
    title: "KMS key policy defined, with no `*` principal",
    notApplicable: ({ json }) => (Object.keys(resources(json, "aws_kms_key")).length ? undefined : "no key created here"),
    check: ({ json }) =>
      Object.entries(resources(json, "aws_kms_key")).flatMap(([n, k]) => {
        if (typeof k.policy !== "string") return [`aws_kms_key.${n}: no key policy`];
        return statements(k.policy).some((s) => isWildcardPrincipal(s.Principal)) ? [`aws_kms_key.${n}: principal *`] : [];
      }),
    breaks: (json) => delete first(json, "aws_kms_key").policy,
  },
  {
    id: "IAM_NO_WILDCARD_ACTION",
    checkIds: ["CKV_AWS_63"],
    title: "IAM policies allow no `*` or `service:*` action",
    check: ({ json }) =>
      Object.entries(resources(json, "aws_iam_role_policy")).flatMap(([n, p]) =>
        statements(p.policy)
          .flatMap((s) => list(s.Action))
          .filter((a) => a === "*" || a.endsWith(":*"))
          .map((a) => `aws_iam_role_policy.${n}: action ${a}`),
      ),
    breaks: (json) => {
      const p = first(json, "aws_iam_role_policy");
      p.policy = p.policy.replace(/"Action":("[^"]*"|\[[^\]]*\])/, '"Action":"s3:*"');
    },
  },
  {
    id: "IAM_NO_WILDCARD_RESOURCE",
    checkIds: ["CKV_AWS_355"],
    title: "IAM policies scope every action to named resources (`*` only for an action with no resource type: ses:PutAccountSendingAttributes)",
    check: ({ json }) =>
      Object.entries(resources(json, "aws_iam_role_policy")).flatMap(([n, p]) =>
        statements(p.policy)
          .filter((s) => list(s.Resource).some((r) => r === "*"))
          .filter((s) => !list(s.Action).every((a) => ACTIONS_WITHOUT_RESOURCE_TYPE.includes(a)))
          .map(() => `aws_iam_role_policy.${n}: resource *`),
      ),
    breaks: (json) => {
      const p = first(json, "aws_iam_role_policy");
      p.policy = p.policy.replace(/"Resource":("[^"]*"|\[[^\]]*\])/, '"Resource":"*"');
    },
  },
  {
    id: "IAM_TRUST_SCOPED_TO_SOURCE",
    checkIds: ["CKV_AWS_60", "CKV_AWS_61", "ses-guard (confused deputy)"],
    title:
      "Service trust policies: no `*` principal, conditioned on aws:SourceAccount and aws:SourceArn, or for Firehose (which presents no source ARN) on sts:ExternalId = the account, or for Amazon Q Developer in chat (which documents no condition keys) a role that may only describe our alarms and read metrics for their graphs",
    check: ({ json }) =>
      Object.entries(resources(json, "aws_iam_role")).flatMap(([n, r]) =>
        statements(r.assume_role_policy)
          .filter((s) => s.Effect === "Allow")
          .flatMap((s) => [
            ...(isWildcardPrincipal(s.Principal) ? [`aws_iam_role.${n}: trusts *`] : []),
            ...((
              (s.Principal as { Service?: string } | undefined)?.Service === "firehose.amazonaws.com"
                ? /^(\d{12}|\$\{var\.account_id\})$/.test(String(s.Condition?.StringEquals?.["sts:ExternalId"] ?? ""))
                : (s.Principal as { Service?: string } | undefined)?.Service === "chatbot.amazonaws.com"
                  ? // AWS documents no condition keys for Amazon Q Developer in chat applications; its role may only describe our alarms and read metrics.
                    readsOnlyOurAlarms(json, n)
                  : s.Condition?.StringEquals?.["aws:SourceAccount"] && s.Condition?.ArnLike?.["aws:SourceArn"]
            )
              ? []
              : [`aws_iam_role.${n}: trust lacks aws:SourceAccount and aws:SourceArn (sts:ExternalId for Firehose)`]),
          ]),
      ),
    breaks: (json) => {
      const r = first(json, "aws_iam_role");
      const doc = JSON.parse(r.assume_role_policy);
      delete doc.Statement[0].Condition;
      r.assume_role_policy = JSON.stringify(doc);
    },
  },
  {
    id: "IAM_PASSROLE_SCOPED",
    checkIds: ["CKV_AWS_286", "ses-guard (auto-pause)"],
    title: "iam:PassRole names one role ARN and the one service it may be passed to (iam:PassedToService)",
    notApplicable: ({ json }) =>
      Object.values(resources(json, "aws_iam_role_policy")).some((p) => statements(p.policy).some((s) => list(s.Action).includes("iam:PassRole")))
        ? undefined
        : "no policy passes a role (auto-pause is off)",
    check: ({ json }) =>
      Object.entries(resources(json, "aws_iam_role_policy")).flatMap(([n, p]) =>
        statements(p.policy)
          .filter((s) => list(s.Action).includes("iam:PassRole"))
          .filter((s) => list(s.Resource).some((r) => !/:role\/[^*]+$/.test(r)) || !s.Condition?.StringEquals?.["iam:PassedToService"])
          .map(() => `aws_iam_role_policy.${n}: iam:PassRole without one named role and iam:PassedToService`),
      ),
    breaks: (json) => {
      const [, p] = Object.entries(resources(json, "aws_iam_role_policy")).find(([, q]) => String(q.policy).includes("iam:PassRole"))!;
      p.policy = p.policy.replace(/"iam:PassedToService"/, '"iam:AssociatedResourceArn"');
    },
  },
  {
    id: "ALARM_ACTIONS_ENABLED",
    checkIds: ["CKV_AWS_319"],
    title: "CloudWatch alarms have actions enabled and notify an SNS topic",
    check: ({ json }) =>
      Object.entries(resources(json, "aws_cloudwatch_metric_alarm")).flatMap(([n, a]) =>
        a.actions_enabled === true && list(a.alarm_actions).length > 0 && list(a.alarm_actions).every((x: string) => /aws_sns_topic\.|:sns:/.test(x))
          ? []
          : [`aws_cloudwatch_metric_alarm.${n}: actions disabled or not an SNS topic`],
      ),
    breaks: (json) => (first(json, "aws_cloudwatch_metric_alarm").actions_enabled = false),
  },
  {
    id: "SES_TLS_REQUIRED",
    checkIds: ["CKV_AWS_365"],
    title: "SES configuration set requires TLS for delivery",
    notApplicable: ({ config }) =>
      config.existing.configurationSetName
        ? "the configuration set is the user's (existing.configurationSetName)"
        : config.configurationSet.requireTls
          ? undefined
          : "configurationSet.requireTls is false (the user opted out)",
    check: ({ json }) =>
      Object.entries(resources(json, "aws_sesv2_configuration_set"))
        .filter(([, c]) => c.delivery_options?.tls_policy !== "REQUIRE")
        .map(([n]) => `aws_sesv2_configuration_set.${n}: tls_policy is not REQUIRE`),
    breaks: (json) => (first(json, "aws_sesv2_configuration_set").delivery_options.tls_policy = "OPTIONAL"),
  },
  {
    id: "ARCHIVE_DESTINATION_ENABLED",
    checkIds: ["ses-guard (silent archive)"],
    title: "The SES event destination is explicitly enabled and archives bounces and complaints when asked",
    check: ({ json, config }) =>
      Object.entries(resources(json, "aws_sesv2_configuration_set_event_destination")).flatMap(([n, d]) => {
        const dest = d.event_destination;
        const missing = ["BOUNCE", "COMPLAINT"].filter((t) => config.archive.eventTypes.includes(t as never) && !list(dest.matching_event_types).includes(t));
        return [
          ...(dest.enabled === true ? [] : [`aws_sesv2_configuration_set_event_destination.${n}: enabled is not true`]),
          ...missing.map((t) => `aws_sesv2_configuration_set_event_destination.${n}: ${t} not archived`),
        ];
      }),
    breaks: (json) => delete first(json, "aws_sesv2_configuration_set_event_destination").event_destination.enabled,
  },
  {
    id: "ARCHIVE_WATCHED",
    checkIds: ["ses-guard (data loss)"],
    title: "Firehose DataFreshness and Success alarms on every delivery stream",
    check: ({ json }) =>
      Object.values(resources(json, "aws_kinesis_firehose_delivery_stream")).flatMap((s) => {
        const alarms = Object.values(resources(json, "aws_cloudwatch_metric_alarm")).filter((a) => a.dimensions?.DeliveryStreamName === s.name);
        return ["DeliveryToS3.DataFreshness", "DeliveryToS3.Success"]
          .filter((m) => !alarms.some((a) => a.metric_name === m))
          .map((m) => `stream ${s.name}: no ${m} alarm`);
      }),
    breaks: (json) => {
      const alarms = resources(json, "aws_cloudwatch_metric_alarm");
      for (const [n, a] of Object.entries(alarms)) if (a.metric_name === "DeliveryToS3.Success") delete alarms[n];
    },
  },
  {
    id: "LOG_GROUP_RETENTION_SET",
    checkIds: ["CKV_AWS_66"],
    title: "CloudWatch log groups have a retention period",
    check: ({ json }) =>
      Object.entries(resources(json, "aws_cloudwatch_log_group"))
        .filter(([, g]) => !(g.retention_in_days > 0))
        .map(([n]) => `aws_cloudwatch_log_group.${n}: no retention`),
    breaks: (json) => delete first(json, "aws_cloudwatch_log_group").retention_in_days,
  },
  {
    id: "ATHENA_WORKGROUP_ENFORCED",
    checkIds: ["CKV_AWS_82", "Trivy AWS-0007"],
    title: "Athena workgroups enforce their configuration (clients cannot change the result location or turn encryption off)",
    notApplicable: noWorkgroup,
    check: ({ json }) =>
      workgroups(json)
        .filter(([, w]) => block(w.configuration)?.enforce_workgroup_configuration !== true)
        .map(([n]) => `aws_athena_workgroup.${n}: enforce_workgroup_configuration is not true`),
    breaks: (json) => (block(first(json, "aws_athena_workgroup").configuration)!.enforce_workgroup_configuration = false),
  },
  {
    id: "ATHENA_RESULTS_ENCRYPTED",
    checkIds: ["CKV_AWS_159", "Trivy AWS-0006"],
    title: "Athena query results encrypted, with the archive's KMS key when the archive has one",
    notApplicable: noWorkgroup,
    check: ({ json, config }) =>
      workgroups(json).flatMap(([n, w]) => {
        const enc = block(block(block(w.configuration)?.result_configuration)?.encryption_configuration);
        if (!["SSE_S3", "SSE_KMS", "CSE_KMS"].includes(enc?.encryption_option)) return [`aws_athena_workgroup.${n}: results not encrypted`];
        if (config.encryption.archive && !(enc?.encryption_option === "SSE_KMS" && enc.kms_key_arn))
          return [`aws_athena_workgroup.${n}: not SSE_KMS with the archive's key`];
        return [];
      }),
    breaks: (json) => delete block(block(first(json, "aws_athena_workgroup").configuration)!.result_configuration)!.encryption_configuration,
  },
  {
    id: "ATHENA_SCAN_CAPPED",
    checkIds: ["ses-guard (runaway query cost)"],
    title: "Athena workgroups cap the bytes one query may scan",
    notApplicable: noWorkgroup,
    check: ({ json, config }) =>
      workgroups(json)
        .filter(([, w]) => block(w.configuration)?.bytes_scanned_cutoff_per_query !== config.investigation.bytesScannedCutoffPerQueryMiB * 1024 * 1024)
        .map(([n]) => `aws_athena_workgroup.${n}: bytes_scanned_cutoff_per_query is not investigation.bytesScannedCutoffPerQueryMiB`),
    breaks: (json) => delete block(first(json, "aws_athena_workgroup").configuration)!.bytes_scanned_cutoff_per_query,
  },
  {
    id: "CATALOG_NEEDS_NO_CRAWLER",
    checkIds: ["ses-guard (no servers)"],
    title: "The event table uses partition projection over the bucket ses-guard writes, for every region writing there",
    notApplicable: ({ json }) =>
      Object.keys(resources(json, "aws_glue_catalog_table")).length
        ? undefined
        : "no Glue table here (investigation is off, or the home region's stack holds it)",
    check: ({ json, config, region }) =>
      Object.entries(resources(json, "aws_glue_catalog_table")).flatMap(([n, t]) => {
        const p = t.parameters ?? {};
        const bucket = config.existing.bucketName ?? resources(json, "aws_s3_bucket")[ARCHIVE_BUCKET]?.bucket;
        const regions = config.archive.bucketPerRegion && !config.existing.bucketName ? [region] : config.regions;
        return [
          ...(p["projection.enabled"] === "true" ? [] : [`aws_glue_catalog_table.${n}: projection.enabled is not "true"`]),
          ...(p["projection.region.values"] === regions.join(",") ? [] : [`aws_glue_catalog_table.${n}: region values are not ${regions.join(",")}`]),
          ...(p["projection.dt.range"]?.endsWith(",NOW") ? [] : [`aws_glue_catalog_table.${n}: dt range does not reach NOW`]),
          // $$ in Terraform JSON is a literal $.
          ...(p["storage.location.template"] === `s3://${bucket}/events/$\${region}/$\${dt}/`
            ? []
            : [`aws_glue_catalog_table.${n}: location template is not s3://${bucket}/events/\${region}/\${dt}/`]),
        ];
      }),
    breaks: (json) => (first(json, "aws_glue_catalog_table").parameters["projection.enabled"] = "false"),
  },
];

/**
 * Scanner checks ses-guard deliberately does not meet by default, with the
 * reason; the README lists them. Each is asserted to really be unmet, so the
 * list stays true.
 */
export const DELIBERATE_EXCEPTIONS: ReadonlyArray<{ checkIds: readonly string[]; reason: string; holds: (json: StackJson) => boolean }> = [
  {
    checkIds: ["CKV_AWS_338"],
    reason: "Firehose error log groups keep 30 days by default, not a year: they hold delivery errors, not the archive (archive.logRetentionDays raises it).",
    holds: (json) => Object.values(resources(json, "aws_cloudwatch_log_group")).some((g) => g.retention_in_days < 365),
  },
  {
    checkIds: ["CKV_AWS_158"],
    reason: "The Firehose error log group uses CloudWatch Logs' own encryption, not a KMS key: it holds error messages, not events.",
    holds: (json) => Object.values(resources(json, "aws_cloudwatch_log_group")).some((g) => !g.kms_key_id),
  },
  {
    checkIds: ["CKV_AWS_144"],
    reason: "No cross-region replication of the archive: it is a forensic copy of SES events, re-creatable going forward; replication doubles its cost.",
    holds: (json) => !json.resource?.aws_s3_bucket_replication_configuration,
  },
  {
    checkIds: ["CKV2_AWS_62"],
    reason: "No S3 event notifications on the archive bucket: nothing consumes object-created events.",
    holds: (json) => !json.resource?.aws_s3_bucket_notification,
  },
  {
    checkIds: ["CKV_AWS_94"],
    reason:
      "Glue Data Catalog encryption is one setting per account and region that covers every database in it; ses-guard does not take it over. The table holds only the schema and the bucket's location, not events.",
    holds: (json) => Boolean(json.resource?.aws_glue_catalog_table) && !json.resource?.aws_glue_data_catalog_encryption_settings,
  },
  {
    checkIds: ["CKV_AWS_21"],
    reason:
      "The Athena results bucket is never versioned, even with archive.versioning: query results expire after investigation.resultsExpirationDays and are re-created by running the query again.",
    holds: (json) =>
      Boolean(resources(json, "aws_s3_bucket").athena_results_bucket) &&
      attachedTo(json, "aws_s3_bucket_versioning", "aws_s3_bucket.athena_results_bucket").length === 0,
  },
];
