/**
 * Validation rules, each stated once: what is allowed (the words every error message gives after
 * "allowed:"), the check in TypeScript, and the same check as a Terraform condition. The config
 * schema (config.ts), the constructs, the plain module's `validation` blocks and the module's
 * README all take them from here, so no message or limit is written twice, or read back from an
 * error text.
 */

export interface Rule<T> {
  /** What is allowed, as the error message words it. */
  readonly allowed: string;
  /** The check in TypeScript. */
  readonly holds: (value: T) => boolean;
  /** The same check as a Terraform condition on the HCL expression `x` (Terraform's regex is RE2). */
  readonly hcl: (x: string) => string;
}

/** A rule on a whole number between two bounds, which the JSON Schema states as well. */
export interface RangeRule extends Rule<number> {
  readonly min: number;
  readonly max?: number;
}

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

/** `can(regex(...))`: true when the RE2 `pattern` matches `x`. */
export const matchesHcl = (pattern: string, x: string): string => `can(regex(${hclString(pattern)}, ${x}))`;

/** True when `x` is a whole number. */
export const isWholeHcl = (x: string): string => `floor(${x}) == ${x}`;

// ---------------------------------------------------------------- rule makers

/** A whole number from `min` to `max` (or at least `min`). */
export function wholeRange(min: number, max?: number, allowed?: string): RangeRule {
  return {
    min,
    max,
    allowed: allowed ?? (max === undefined ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`),
    holds: (v) => Number.isInteger(v) && v >= min && (max === undefined || v <= max),
    hcl: (x) => `${isWholeHcl(x)} && ${x} >= ${min}${max === undefined ? "" : ` && ${x} <= ${max}`}`,
  };
}

/** One of a fixed list of values. */
export function oneOf<T extends string | number>(values: readonly T[]): Rule<T> {
  return {
    allowed: `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
    holds: (v) => values.includes(v),
    hcl: (x) => `contains(${JSON.stringify(values)}, ${x})`,
  };
}

/** A rule that is one pattern: the JSON Schema states it as well. */
export interface PatternRule extends Rule<string> {
  readonly regex: RegExp;
}

/** A JavaScript pattern and its RE2 twin (the same unless JavaScript needs a flag RE2 writes inline). */
function pattern(allowed: string, js: RegExp, re2: string = js.source): PatternRule {
  return { allowed, regex: js, holds: (v) => js.test(v), hcl: (x) => matchesHcl(re2, x) };
}

// ---------------------------------------------------------------- names and addresses

const DOMAIN_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const DOMAIN_BODY = `(?:${DOMAIN_LABEL}\\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})`;
/** Longest domain name. */
const DOMAIN_MAX = 253;
// ASCII only: SES wants internationalised domains in punycode (xn--...).
export const DOMAIN = new RegExp(`^(?=.{1,${DOMAIN_MAX}}$)${DOMAIN_BODY}$`, "i");
// RFC 5322's atext without { and }: addresses go into Terraform, where "${" and "%{" start expressions.
const EMAIL_LOCAL_BODY = "[A-Za-z0-9!#$%&'*+/=?^_`|~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`|~-]+)*";
export const EMAIL_LOCAL = new RegExp(`^${EMAIL_LOCAL_BODY}$`);

export function isDomain(value: string): boolean {
  return DOMAIN.test(value);
}

export function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf("@");
  if (at <= 0 || value.length > 254) return false;
  const local = value.slice(0, at);
  return local.length <= 64 && EMAIL_LOCAL.test(local) && isDomain(value.slice(at + 1));
}

// RE2 has no lookahead: the domain's length becomes a length() check. `(?i)` is RE2's case-insensitive flag.
const domainHcl = (x: string) => `try(length(${x}) <= ${DOMAIN_MAX} && ${matchesHcl(`(?i)^${DOMAIN_BODY}$`, x)}, false)`;
// try(): a null list element must fail the rule, not crash the condition.
const emailHcl = (x: string) =>
  `try(length(${x}) <= 254 && length(split("@", ${x})[0]) <= 64 && ${matchesHcl(`(?i)^${EMAIL_LOCAL_BODY}@${DOMAIN_BODY}$`, x)}, false)`;

/** The RE2 patterns of the module's conditions, for tests that run them through Terraform. */
export const RE2 = {
  domain: `(?i)^${DOMAIN_BODY}$`,
  email: `(?i)^${EMAIL_LOCAL_BODY}@${DOMAIN_BODY}$`,
} as const;

/** AWS partitions, for ARN patterns. */
export const PARTITION = "aws(?:-cn|-us-gov)?";
/** A KMS key ARN; aliases are refused (`RULES.kmsAlias`). */
export const KMS_KEY_ARN = new RegExp(`^arn:${PARTITION}:kms:[a-z0-9-]+:\\d{12}:key/[A-Za-z0-9-]{1,64}$`);

const AWS_MANAGED_KEY = /(^|:)alias\/aws\//;
const KMS_ALIAS = /(^|:)alias\//;

/** S3 bucket naming rules, minus dots (they break TLS for virtual-hosted requests), in the order they are reported. */
export const BUCKET_NAME_RULES: readonly Rule<string>[] = [
  { allowed: "3 to 63 characters", holds: (v) => v.length >= 3 && v.length <= 63, hcl: (x) => `length(${x}) >= 3 && length(${x}) <= 63` },
  pattern(
    "lower-case letters, digits and hyphens, starting and ending with a letter or digit (no dots: they break TLS for virtual-hosted requests)",
    /^[a-z0-9][a-z0-9-]*[a-z0-9]$/,
  ),
  {
    allowed: "a name not starting with a reserved prefix (xn--, sthree-, amzn-s3-demo-)",
    holds: (v) => !/^(xn--|sthree-|amzn-s3-demo-)/.test(v),
    hcl: (x) => `!${matchesHcl("^(xn--|sthree-|amzn-s3-demo-)", x)}`,
  },
  {
    allowed: "a name not ending with a reserved suffix (-s3alias, --ol-s3, --x-s3, --table-s3)",
    holds: (v) => !/(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(v),
    hcl: (x) => `!${matchesHcl("(-s3alias|--ol-s3|--x-s3|--table-s3)$", x)}`,
  },
];

/** Which S3 bucket naming rule `name` breaks first; undefined when it breaks none. */
export function bucketNameProblem(name: string): string | undefined {
  return BUCKET_NAME_RULES.find((r) => !r.holds(name))?.allowed;
}

/** Every bucket naming rule as one HCL condition. */
export const bucketNameHcl = (x: string): string => BUCKET_NAME_RULES.map((r) => `(${r.hcl(x)})`).join(" && ");

/** Athena refuses a per-query scan limit below 10 MB (10,485,760 bytes). */
export const MIN_BYTES_SCANNED_CUTOFF_MIB = 10;
/** 1 PiB, in MiB. */
const MAX_BYTES_SCANNED_CUTOFF_MIB = 1024 * 1024 * 1024;

// ---------------------------------------------------------------- the rules

export const RULES = {
  namePrefix: pattern("1 to 24 lower-case letters, digits or hyphens, starting with a letter", /^[a-z][a-z0-9-]{0,23}$/),
  namePrefixHyphens: {
    allowed: "no trailing or doubled hyphen",
    holds: (v: string) => !v.endsWith("-") && !v.includes("--"),
    hcl: (x: string) => `!endswith(${x}, "-") && !strcontains(${x}, "--")`,
  },
  // SSM reserves these document name prefixes (SSM API Reference, CreateDocument, Name); the runbooks are `<name>-pause-sending`.
  runbookNamePrefix: {
    allowed: "a name that does not start with aws, amazon or amzn while auto-pause is on (SSM reserves those prefixes for runbook names)",
    holds: (v: string) => !/^(aws|amazon|amzn)/i.test(v),
    hcl: (x: string) => `!startswith(lower(${x}), "aws") && !startswith(lower(${x}), "amazon") && !startswith(lower(${x}), "amzn")`,
  },
  accountId: pattern("a 12-digit AWS account ID, as a string", /^\d{12}$/, "^[0-9]{12}$"),
  tagKey: pattern("a tag key of 1 to 128 letters, digits, spaces or _.:/=+-@", /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u),
  tagValue: pattern("a tag value of up to 256 letters, digits, spaces or _.:/=+-@ (AWS's tag rules)", /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u),
  percent: {
    allowed: "a percentage greater than 0 and less than 100 (5 means 5 %)",
    holds: (v: number) => Number.isFinite(v) && v > 0 && v < 100,
    hcl: (x: string) => `${x} > 0 && ${x} < 100`,
  },
  email: {
    allowed: "an e-mail address such as ops@example.com (ASCII, no spaces; punycode for international domains)",
    holds: isEmailAddress,
    hcl: emailHcl,
  },
  identity: {
    allowed: "an SES identity: a domain such as example.com or an address such as sender@example.com (ASCII, punycode for international domains)",
    holds: (v: string) => isDomain(v) || isEmailAddress(v),
    hcl: (x: string) => `${domainHcl(x)} || ${emailHcl(x)}`,
  },
  alarmPeriodSeconds: {
    allowed: "a multiple of 60 from 60 to 86400",
    holds: (v: number) => Number.isInteger(v) && v >= 60 && v % 60 === 0 && v <= 86400,
    hcl: (x: string) => `${isWholeHcl(x)} && ${x} >= 60 && ${x} % 60 == 0 && ${x} <= 86400`,
  },
  evaluationPeriods: wholeRange(1),
  configurationSetName: pattern("1 to 64 letters, digits, hyphens or underscores", /^[A-Za-z0-9_-]{1,64}$/),
  bufferingIntervalSeconds: wholeRange(0, 900),
  bufferingSizeMiB: wholeRange(1, 128),
  expirationDays: wholeRange(1),
  abortIncompleteMultipartUploadDays: wholeRange(1, 365),
  noncurrentVersionExpirationDays: wholeRange(1),
  accessLogPrefix: pattern("an S3 key prefix of letters, digits and !_.*'()/-", /^[A-Za-z0-9!_.*'()/-]{0,512}$/),
  awsManagedKey: {
    allowed:
      "a customer-managed KMS key: AWS-managed keys such as alias/aws/sns cannot let CloudWatch alarms or SES encrypt, so their notifications would silently never arrive (Trivy AWS-0136)",
    holds: (v: string) => !AWS_MANAGED_KEY.test(v),
    hcl: (x: string) => `!${matchesHcl(AWS_MANAGED_KEY.source, x)}`,
  },
  /**
   * A key named by alias cannot stand in an IAM policy's Resource (IAM User Guide, "Resources, actions
   * and condition keys for AWS KMS": key ARNs only; AWS KMS Developer Guide, "Using aliases to control
   * access": an alias ARN in a policy's Resource matches nothing), and ses-guard writes the key into
   * the Firehose role's policy; so every key is given by its key ARN.
   */
  kmsAlias: {
    allowed:
      "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias: IAM policies cannot name a key by alias; `aws kms describe-key --key-id alias/<name>` prints the key's ARN",
    holds: (v: string) => !KMS_ALIAS.test(v),
    hcl: (x: string) => `!${matchesHcl(KMS_ALIAS.source, x)}`,
  },
  kmsKeyArn: pattern(
    "a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    KMS_KEY_ARN,
    `^arn:${PARTITION}:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]{1,64}$`,
  ),
  investigationLookbackDays: wholeRange(1, 3653),
  investigationResultsExpirationDays: wholeRange(1, 3650),
  bytesScannedCutoffMin: wholeRange(
    MIN_BYTES_SCANNED_CUTOFF_MIB,
    undefined,
    `at least ${MIN_BYTES_SCANNED_CUTOFF_MIB} MiB (Athena's smallest per-query limit)`,
  ),
  bytesScannedCutoffMax: {
    min: 0,
    max: MAX_BYTES_SCANNED_CUTOFF_MIB,
    allowed: `at most ${MAX_BYTES_SCANNED_CUTOFF_MIB} MiB (1 PiB)`,
    holds: (v: number) => v <= MAX_BYTES_SCANNED_CUTOFF_MIB,
    hcl: (x: string) => `${x} <= ${MAX_BYTES_SCANNED_CUTOFF_MIB}`,
  },
  campaignTag: pattern("an SES message tag name: 1 to 256 letters, digits, _ or -", /^[A-Za-z0-9_-]{1,256}$/),
  chatChannelName: pattern(
    "1 to 32 lower-case letters, digits or hyphens, starting with a letter (part of the channel configuration's name)",
    /^[a-z][a-z0-9-]{0,31}$/,
  ),
  slackWorkspaceId: pattern(
    "a Slack workspace ID: T and 6 to 20 capitals or digits (Slack: workspace settings, or the console's workspace details)",
    /^T[A-Z0-9]{6,20}$/,
  ),
  slackChannelId: pattern(
    "a Slack channel ID: C (or G, private) and 6 to 20 capitals or digits (the channel's details, at the bottom)",
    /^[CG][A-Z0-9]{6,20}$/,
  ),
  teamsTenantId: pattern("a Microsoft Entra tenant ID (a UUID)", /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/),
  teamsTeamId: pattern("a Microsoft Teams team ID (a UUID, the groupId in the channel's link)", /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/),
  // URL-encoded, as in the channel's link: the API's pattern (Amazon Q Developer in chat applications API
  // Reference, TeamsChannelConfiguration, ChannelId) wants %3a and %40 where the decoded ID has : and @.
  teamsChannelId: pattern(
    "a Microsoft Teams channel ID as the channel's link has it, URL-encoded: 19%3a...%40thread.tacv2",
    /^19%3[aA][A-Za-z0-9_=+/.,-]+%40thread\.[a-z0-9]+$/,
  ),
  // Service Authorization Reference, "Resource types defined by AWS Chatbot": ChatbotConfiguration,
  // arn:${Partition}:chatbot::${Account}:chat-configuration/${ConfigurationType}/${ChatbotConfigurationName}.
  chatConfigurationArn: pattern(
    "a channel configuration's ARN: arn:aws:chatbot::<account>:chat-configuration/<type>/<name> (the console's configuration details)",
    /^arn:aws(-cn|-us-gov)?:chatbot::\d{12}:chat-configuration\/[a-z-]+\/[A-Za-z0-9_-]{1,128}$/,
  ),
} as const;

/** A key in the given region: KMS keys are regional. */
export const kmsKeyRegionText = (region: string): string => `a key in ${region} (KMS keys are regional)`;

/** The Athena results bucket is not the archive or the access-log bucket. */
export const resultsBucketOwnText = (expirationField: string): string =>
  `a bucket of its own: not the archive bucket or the access-log bucket (results expire after ${expirationField})`;

/** AWS-managed keys (`alias/aws/...`) cannot grant CloudWatch or SES access. */
export function awsManagedKeyProblem(keyRef: string): string | undefined {
  return RULES.awsManagedKey.holds(keyRef) ? undefined : RULES.awsManagedKey.allowed;
}

/** A key given by alias cannot stand in an IAM policy (`RULES.kmsAlias`). */
export function kmsAliasProblem(keyRef: string): string | undefined {
  return RULES.kmsAlias.holds(keyRef) ? undefined : RULES.kmsAlias.allowed;
}
