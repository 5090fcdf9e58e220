// The plan-review risk rules, one resource type at a time: the level, the kind and the exact sentence of every
// flag, and the plans where a rule must stay silent. test/plan-review/plan-review.test.ts covers parsing, the Markdown and the CLI.
import { parsePlan } from "../../modules/plan-review/plan-review-model";
import { findRisks } from "../../modules/plan-review/plan-review-risks";
import { arnName, code, nameOf, retentionDays, Risk, thresholdPercent } from "../../modules/plan-review/plan-review-common";
import { deniesInsecureTransport, isWideResource, parsePolicy, policyWidening } from "../../modules/plan-review/plan-review-policy";

type Values = Record<string, unknown> | null;

interface Opts {
  name?: string;
  afterUnknown?: unknown;
  actionReason?: string;
  replacePaths?: unknown[];
  deposed?: string;
  moduleAddress?: string;
}

function rc(type: string, actions: string[], before: Values, after: Values, opts: Opts = {}) {
  const name = opts.name ?? "x";
  return {
    address: `${opts.moduleAddress ? `${opts.moduleAddress}.` : ""}${type}.${name}`,
    ...(opts.moduleAddress ? { module_address: opts.moduleAddress } : {}),
    mode: "managed",
    type,
    name,
    ...(opts.actionReason ? { action_reason: opts.actionReason } : {}),
    ...(opts.deposed ? { deposed: opts.deposed } : {}),
    change: { actions, before, after, after_unknown: opts.afterUnknown ?? {}, ...(opts.replacePaths ? { replace_paths: opts.replacePaths } : {}) },
  };
}
const create = (type: string, after: Values, opts?: Opts) => rc(type, ["create"], null, after, opts);
const update = (type: string, before: Values, after: Values, opts?: Opts) => rc(type, ["update"], before, after, opts);
const destroy = (type: string, before: Values, opts?: Opts) => rc(type, ["delete"], before, null, opts);
const replace = (type: string, before: Values, after: Values, opts?: Opts) => rc(type, ["delete", "create"], before, after, opts);

const planOf = (changes: unknown[], configuration?: unknown) => ({
  format_version: "1.2",
  planned_values: { root_module: {} },
  resource_changes: changes,
  ...(configuration ? { configuration } : {}),
});
const risksOf = (...changes: unknown[]): Risk[] => findRisks(parsePlan(planOf(changes), "plan.json"));
/** Level, kind and sentence of every flag, without the address. */
const flags = (...changes: unknown[]) => risksOf(...changes).map((r) => [r.level, r.kind, r.reason]);

const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-guard-alarms";
const alarm = (over: Record<string, unknown> = {}) => ({
  alarm_name: "bounce-critical",
  namespace: "AWS/SES",
  metric_name: "Reputation.BounceRate",
  threshold: 0.05,
  actions_enabled: true,
  alarm_actions: [TOPIC],
  ...over,
});
const stream = (over: Record<string, unknown> = {}, s3: Record<string, unknown> = {}) => ({
  name: "ses-guard-events",
  server_side_encryption: [{ enabled: true, key_type: "AWS_OWNED_CMK" }],
  extended_s3_configuration: [{ bucket_arn: "arn:aws:s3:::archive", kms_key_arn: null, ...s3 }],
  ...over,
});
const lifecycle = (...rules: Array<{ days?: number | null; status?: string }>) => ({
  bucket: "archive",
  rule: rules.map(({ days = null, status = "Enabled" }, i) => ({ id: `r${i}`, status, expiration: days === null ? [] : [{ days }] })),
});
const pab = (flagsOn: Record<string, boolean>) => ({
  bucket: "archive",
  block_public_acls: false,
  block_public_policy: false,
  ignore_public_acls: false,
  restrict_public_buckets: false,
  ...flagsOn,
});
const ALL_ON = { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true };
const sse = (algorithm: string | null, key: string | null = null) => ({
  bucket: "archive",
  rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: algorithm, kms_master_key_id: key }] }],
});
const v2destination = (enabled: boolean | undefined, types: string[]) => ({
  configuration_set_name: "mail",
  event_destination_name: "archive",
  event_destination: [{ enabled, matching_event_types: types }],
});
const v1destination = (enabled: boolean, types: string[]) => ({ name: "archive", configuration_set_name: "mail", enabled, matching_types: types });
const notification = (type: string, topic: string | null = "arn:aws:sns:us-east-1:123456789012:notes") => ({
  identity: "example.com",
  notification_type: type,
  topic_arn: topic,
});
const tlsDeny = {
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: "arn:aws:s3:::archive/*",
  Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const openStatement = { Sid: "Open", Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:1:q" };
const write = (action: string, resource = "arn:aws:s3:::archive/*") => doc({ Sid: "Write", Effect: "Allow", Action: action, Resource: resource });
const TRUST_GUARDED = doc({
  Sid: "Trust",
  Effect: "Allow",
  Principal: { Service: "firehose.amazonaws.com" },
  Action: "sts:AssumeRole",
  Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
});
const TRUST_OPEN = doc({ Sid: "Trust", Effect: "Allow", Principal: { Service: "firehose.amazonaws.com" }, Action: "sts:AssumeRole" });

// ---------------------------------------------------------------- one flag per resource type

describe("each resource type the rules know: level, kind and exact message", () => {
  test.each([
    [
      "aws_cloudwatch_metric_alarm deleted",
      destroy("aws_cloudwatch_metric_alarm", alarm()),
      ["high", "alarm-removed", "Alarm `bounce-critical` on `Reputation.BounceRate` is deleted: nobody is told when the rate rises."],
    ],
    [
      "aws_cloudwatch_metric_alarm on Firehose deleted",
      destroy("aws_cloudwatch_metric_alarm", { alarm_name: "fresh", namespace: "AWS/Firehose", metric_name: "DeliveryToS3.DataFreshness" }),
      ["high", "alarm-removed", "Alarm `fresh` on `DeliveryToS3.DataFreshness` is deleted: nobody is told when the archive stops receiving events."],
    ],
    [
      "aws_cloudwatch_metric_alarm with metric math deleted",
      destroy("aws_cloudwatch_metric_alarm", { alarm_name: "math", metric_query: [{ metric: [{ namespace: "AWS/Firehose" }] }] }),
      ["high", "alarm-removed", "Alarm `math` on `metric math` is deleted: nobody is told when the rate rises."],
    ],
    [
      "aws_s3_bucket deleted",
      destroy("aws_s3_bucket", { bucket: "logs", force_destroy: false }),
      [
        "high",
        "bucket-destroyed",
        "S3 bucket `logs` is deleted: S3 refuses to delete a bucket that holds objects (`force_destroy = false`), so the apply fails part-way unless the bucket is emptied first, and emptying it loses the archive.",
      ],
    ],
    [
      "aws_s3_bucket with force_destroy deleted",
      destroy("aws_s3_bucket", { bucket: "logs", force_destroy: true }),
      ["high", "bucket-destroyed", "S3 bucket `logs` is deleted: every object in it is deleted with it (`force_destroy = true`)."],
    ],
    [
      "aws_kinesis_firehose_delivery_stream deleted",
      destroy("aws_kinesis_firehose_delivery_stream", stream()),
      [
        "high",
        "delivery-stream-destroyed",
        "Firehose stream `ses-guard-events` is deleted: records still buffered are lost and SES events published until it exists again are dropped, a gap in the archive.",
      ],
    ],
    [
      "aws_sesv2_configuration_set deleted",
      destroy("aws_sesv2_configuration_set", { configuration_set_name: "mail" }),
      [
        "high",
        "configuration-set-destroyed",
        "Configuration set `mail` is deleted: its event destinations go with it, so events are not archived, and sending with it fails until it exists again.",
      ],
    ],
    [
      "aws_ses_configuration_set (SES v1) deleted",
      destroy("aws_ses_configuration_set", { name: "mail-v1" }),
      [
        "high",
        "configuration-set-destroyed",
        "Configuration set `mail-v1` is deleted: its event destinations go with it, so events are not archived, and sending with it fails until it exists again.",
      ],
    ],
    [
      "aws_ses_configuration_set (SES v1) no longer requires TLS",
      update(
        "aws_ses_configuration_set",
        { name: "mail-v1", delivery_options: [{ tls_policy: "Require" }] },
        { name: "mail-v1", delivery_options: [{ tls_policy: "Optional" }] },
      ),
      ["medium", "encryption-weakened", "Configuration set `mail-v1` TLS policy changes from `REQUIRE` to `Optional`: SES may deliver mail unencrypted."],
    ],
    [
      "aws_sesv2_configuration_set loses its delivery options",
      update(
        "aws_sesv2_configuration_set",
        { configuration_set_name: "mail", delivery_options: [{ tls_policy: "REQUIRE" }] },
        { configuration_set_name: "mail" },
      ),
      ["medium", "encryption-weakened", "Configuration set `mail` TLS policy changes from `REQUIRE` to `OPTIONAL`: SES may deliver mail unencrypted."],
    ],
    [
      "aws_sesv2_configuration_set_event_destination deleted",
      destroy("aws_sesv2_configuration_set_event_destination", v2destination(true, ["BOUNCE"])),
      ["high", "event-destination-disabled", "Event destination `archive` of configuration set `mail` is deleted: SES stops publishing events to it."],
    ],
    [
      "aws_sesv2_configuration_set_event_destination disabled",
      update("aws_sesv2_configuration_set_event_destination", v2destination(true, ["BOUNCE"]), v2destination(false, ["BOUNCE"])),
      [
        "high",
        "event-destination-disabled",
        "Event destination `archive` of configuration set `mail` is disabled (`enabled = false`): SES publishes nothing to it.",
      ],
    ],
    [
      "aws_sesv2_configuration_set_event_destination created disabled",
      create("aws_sesv2_configuration_set_event_destination", v2destination(false, ["BOUNCE"])),
      [
        "high",
        "event-destination-disabled",
        "Event destination `archive` of configuration set `mail` is created disabled (`enabled = false`): SES publishes nothing to it.",
      ],
    ],
    [
      "aws_ses_event_destination (SES v1) loses complaints",
      update("aws_ses_event_destination", v1destination(true, ["bounce", "complaint", "send"]), v1destination(true, ["bounce", "send"])),
      [
        "high",
        "event-types-lost",
        "Event destination `archive` of configuration set `mail` stops archiving `COMPLAINT`: the archive can no longer say which recipients bounced or complained.",
      ],
    ],
    [
      "aws_ses_event_destination (SES v1) deleted, no set named",
      destroy("aws_ses_event_destination", { name: "v1-archive" }),
      ["high", "event-destination-disabled", "Event destination `v1-archive` is deleted: SES stops publishing events to it."],
    ],
    [
      "aws_s3_bucket_lifecycle_configuration shortened",
      update("aws_s3_bucket_lifecycle_configuration", lifecycle({ days: 730 }), lifecycle({ days: 90 })),
      [
        "high",
        "retention-shortened",
        "Objects in `archive` now expire after 90 days (they expired after 730 days): S3 deletes every archived event older than 90 days soon after the apply.",
      ],
    ],
    [
      "aws_s3_bucket_public_access_block deleted",
      destroy("aws_s3_bucket_public_access_block", pab(ALL_ON)),
      ["high", "public-access-weakened", "The S3 public access block of `archive` is deleted: bucket policies and ACLs may make objects public again."],
    ],
    [
      "aws_s3_account_public_access_block turns one flag off",
      update("aws_s3_account_public_access_block", pab(ALL_ON), pab({ ...ALL_ON, restrict_public_buckets: false })),
      ["high", "public-access-weakened", "The S3 public access block of the account turns off `restrict_public_buckets`."],
    ],
    [
      "aws_s3_bucket_acl made public",
      update("aws_s3_bucket_acl", { bucket: "archive", acl: "private" }, { bucket: "archive", acl: "authenticated-read" }),
      ["high", "public-access-weakened", "The ACL of bucket `archive` grants access to everyone (`authenticated-read`)."],
    ],
    [
      "aws_s3_bucket_acl grants AllUsers",
      update(
        "aws_s3_bucket_acl",
        { bucket: "archive", access_control_policy: [{ grant: [] }] },
        {
          bucket: "archive",
          access_control_policy: [{ grant: [{ grantee: [{ uri: "http://acs.amazonaws.com/groups/global/AllUsers" }], permission: "READ" }] }],
        },
      ),
      ["high", "public-access-weakened", "The ACL of bucket `archive` grants access to everyone (`AllUsers grant`)."],
    ],
    [
      // Deleting a data-bearing resource is the highest level: the rule that names the loss says it, at high.
      "aws_s3_bucket_server_side_encryption_configuration deleted",
      destroy("aws_s3_bucket_server_side_encryption_configuration", sse("aws:kms", "k")),
      [
        "high",
        "encryption-weakened",
        "The default encryption configuration of `archive` is deleted: new objects fall back to S3's default (SSE-S3, no bucket key, no KMS key).",
      ],
    ],
    [
      "aws_s3_bucket_server_side_encryption_configuration off KMS",
      update("aws_s3_bucket_server_side_encryption_configuration", sse("aws:kms:dsse", "k"), sse(null)),
      ["medium", "encryption-weakened", "Default encryption of `archive` changes from `aws:kms:dsse` to `none`: objects are no longer protected by a KMS key."],
    ],
    [
      "aws_s3_bucket_server_side_encryption_configuration loses its key",
      update("aws_s3_bucket_server_side_encryption_configuration", sse("aws:kms", "arn:aws:kms:us-east-1:1:key/k"), sse("aws:kms")),
      ["medium", "encryption-weakened", "Default encryption of `archive` no longer names a KMS key; S3 uses the AWS managed key instead."],
    ],
    [
      "aws_sns_topic stops encrypting",
      update("aws_sns_topic", { name: "alarms", kms_master_key_id: "alias/k" }, { name: "alarms", kms_master_key_id: "" }),
      ["medium", "encryption-weakened", "SNS topic `alarms` stops encrypting messages at rest."],
    ],
    [
      "aws_sns_topic with an inline policy open to anyone",
      update("aws_sns_topic", { name: "alarms", policy: doc() }, { name: "alarms", policy: doc({ ...openStatement, Action: "sns:Publish" }) }),
      [
        "high",
        "public-access-weakened",
        "Policy `aws_sns_topic.x` newly allows any principal (`*`) without a condition in `Open`: the resource becomes public.",
      ],
    ],
    [
      "aws_iam_role trust opened to anyone",
      update(
        "aws_iam_role",
        { name: "firehose", assume_role_policy: TRUST_OPEN },
        { name: "firehose", assume_role_policy: doc({ Sid: "Any", Effect: "Allow", Principal: { AWS: ["*"] }, Action: "sts:AssumeRole" }) },
      ),
      [
        "high",
        "iam-policy-widened",
        "Trust policy of role `firehose` newly allows any principal (`*`) without a condition in `Any`: anyone can assume the role.",
      ],
    ],
    [
      "aws_iam_role_policy wildcard action",
      update("aws_iam_role_policy", { policy: write("s3:PutObject") }, { policy: write("s3:Put*") }),
      ["medium", "iam-policy-widened", "Policy `aws_iam_role_policy.x` newly allows wildcard actions `s3:Put*`."],
    ],
    [
      "aws_iam_user_policy admin action",
      update("aws_iam_user_policy", { user: "u", policy: write("s3:PutObject") }, { user: "u", policy: write("*") }),
      ["high", "iam-policy-widened", "Policy `aws_iam_user_policy.x` newly allows wildcard actions `*`."],
    ],
    [
      "aws_iam_group_policy NotAction",
      create("aws_iam_group_policy", { group: "g", policy: doc({ Sid: "N", Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::archive/*" }) }),
      ["high", "iam-policy-widened", "Policy `aws_iam_group_policy.x` newly allows wildcard actions `NotAction iam:*`."],
    ],
    [
      "aws_iam_policy every resource",
      update("aws_iam_policy", { policy: write("s3:PutObject") }, { policy: write("s3:PutObject", "arn:aws:s3:::*") }),
      ["medium", "iam-policy-widened", "Policy `aws_iam_policy.x` newly allows every resource of a kind: `arn:aws:s3:::*`."],
    ],
    [
      "aws_s3_bucket_policy loses the TLS denial",
      update("aws_s3_bucket_policy", { bucket: "archive", policy: doc(tlsDeny) }, { bucket: "archive", policy: doc({ ...tlsDeny, Condition: {} }) }),
      ["medium", "encryption-weakened", "The policy of bucket `archive` no longer denies requests without TLS (`aws:SecureTransport`)."],
    ],
    [
      "aws_s3_bucket_policy deleted with its TLS denial",
      destroy("aws_s3_bucket_policy", { bucket: "archive", policy: doc(tlsDeny) }),
      ["high", "encryption-weakened", "The policy of bucket `archive` is deleted, and with it the denial of requests without TLS."],
    ],
    [
      "aws_sns_topic_policy drops the source-account guard",
      update(
        "aws_sns_topic_policy",
        {
          policy: doc({
            Sid: "SES",
            Effect: "Allow",
            Principal: { Service: "ses.amazonaws.com" },
            Action: "sns:Publish",
            Resource: TOPIC,
            Condition: { StringEquals: { "AWS:SourceAccount": "1" } },
          }),
        },
        { policy: doc({ Sid: "SES", Effect: "Allow", Principal: { Service: "ses.amazonaws.com" }, Action: "sns:Publish", Resource: TOPIC }) },
      ),
      [
        "medium",
        "iam-policy-widened",
        "Policy `aws_sns_topic_policy.x` drops the condition `SES: AWS:SourceAccount`: the service can then act for other accounts or resources (confused deputy).",
      ],
    ],
    [
      "aws_sqs_queue_policy open to anyone",
      create("aws_sqs_queue_policy", { policy: doc(openStatement) }),
      [
        "high",
        "public-access-weakened",
        "Policy `aws_sqs_queue_policy.x` newly allows any principal (`*`) without a condition in `Open`: the resource becomes public.",
      ],
    ],
    [
      "aws_sqs_queue with an inline policy open to anyone",
      update("aws_sqs_queue", { name: "q", policy: "" }, { name: "q", policy: doc(openStatement) }),
      [
        "high",
        "public-access-weakened",
        "Policy `aws_sqs_queue.x` newly allows any principal (`*`) without a condition in `Open`: the resource becomes public.",
      ],
    ],
    [
      "aws_iam_role_policy_attachment of AdministratorAccess",
      create("aws_iam_role_policy_attachment", { role: "r", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" }),
      ["high", "iam-policy-widened", "Attaches the managed policy `AdministratorAccess` to `r`."],
    ],
    [
      "aws_iam_user_policy_attachment of IAMFullAccess",
      create("aws_iam_user_policy_attachment", { user: "u", policy_arn: "arn:aws:iam::aws:policy/IAMFullAccess" }),
      ["high", "iam-policy-widened", "Attaches the managed policy `IAMFullAccess` to `u`."],
    ],
    [
      "aws_iam_group_policy_attachment of PowerUserAccess",
      update(
        "aws_iam_group_policy_attachment",
        { group: "g", policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
        { group: "g", policy_arn: "arn:aws:iam::aws:policy/PowerUserAccess" },
      ),
      ["high", "iam-policy-widened", "Attaches the managed policy `PowerUserAccess` to `g`."],
    ],
    [
      "aws_iam_policy_attachment of a service FullAccess policy under a path",
      create("aws_iam_policy_attachment", { policy_arn: "arn:aws:iam::aws:policy/service-role/AmazonSNSFullAccess" }),
      ["medium", "iam-policy-widened", "Attaches the managed policy `AmazonSNSFullAccess` to `x`."],
    ],
    [
      "aws_ses_identity_notification_topic deleted",
      destroy("aws_ses_identity_notification_topic", notification("Complaint")),
      [
        "medium",
        "notifications-removed",
        "SES stops publishing Complaint notifications for `example.com` to SNS topic `notes`: nobody hears of each bounce or complaint as it happens.",
      ],
    ],
    [
      "aws_ses_identity_notification_topic for deliveries loses its topic",
      update("aws_ses_identity_notification_topic", notification("Delivery"), notification("Delivery", null)),
      [
        "low",
        "notifications-removed",
        "SES stops publishing Delivery notifications for `example.com` to SNS topic `notes`: deliveries are no longer reported.",
      ],
    ],
    [
      "aws_kms_key deleted",
      destroy("aws_kms_key", { description: "topics", enable_key_rotation: true, deletion_window_in_days: 7 }),
      [
        "high",
        "encryption-weakened",
        "KMS key `topics` is deleted and scheduled for deletion in 7 days: what it encrypts becomes unreadable, and topics encrypted with it stop accepting messages.",
      ],
    ],
    [
      "aws_kms_key stops rotating",
      update("aws_kms_key", { description: "topics", enable_key_rotation: true }, { description: "topics", enable_key_rotation: false }),
      ["medium", "encryption-weakened", "KMS key `topics` stops rotating its key material yearly."],
    ],
  ])("%s", (_name, change, expected) => {
    const found = risksOf(change);
    expect(found.map((r) => [r.level, r.kind, r.reason])).toEqual([expected]);
    expect(found[0].address).toBe(change.address);
  });
});

// ---------------------------------------------------------------- plans where nothing may be flagged

describe("plans where nothing may be flagged", () => {
  test.each([
    ["a new KMS key with rotation", create("aws_kms_key", { description: "k", enable_key_rotation: true })],
    [
      "a KMS key that starts rotating",
      update("aws_kms_key", { description: "k", enable_key_rotation: false }, { description: "k", enable_key_rotation: true }),
    ],
    [
      "a KMS key whose rotation stays off",
      update("aws_kms_key", { description: "k", enable_key_rotation: false }, { description: "k", enable_key_rotation: false }),
    ],
    ["a public access block whose flags were all off, turned on", update("aws_s3_bucket_public_access_block", pab({}), pab(ALL_ON))],
    ["a public access block that stays on", update("aws_s3_bucket_public_access_block", pab(ALL_ON), pab(ALL_ON))],
    ["a public access block created on", create("aws_s3_bucket_public_access_block", pab(ALL_ON))],
    [
      "an alarm that was already disabled",
      update("aws_cloudwatch_metric_alarm", alarm({ actions_enabled: false }), alarm({ actions_enabled: false, alarm_description: "x" })),
    ],
    ["an alarm that was already without actions", update("aws_cloudwatch_metric_alarm", alarm({ alarm_actions: null }), alarm({ alarm_actions: [] }))],
    [
      "an alarm on another namespace losing its actions",
      update("aws_cloudwatch_metric_alarm", alarm({ namespace: "AWS/EC2" }), alarm({ namespace: "AWS/EC2", alarm_actions: [] })),
    ],
    [
      "an alarm deleted with nothing watched",
      destroy("aws_cloudwatch_metric_alarm", { alarm_name: "cpu", metric_query: [{ metric: [{ namespace: "AWS/EC2" }] }] }),
    ],
    ["an alarm whose threshold is exactly the review level", create("aws_cloudwatch_metric_alarm", alarm({ threshold: 0.05 }))],
    [
      "an alarm whose threshold is only known after apply",
      create("aws_cloudwatch_metric_alarm", alarm({ threshold: undefined }), { afterUnknown: { threshold: true } }),
    ],
    ["an unchanged ACL", update("aws_s3_bucket_acl", { bucket: "archive", acl: "public-read" }, { bucket: "archive", acl: "public-read" })],
    ["a private ACL created", create("aws_s3_bucket_acl", { bucket: "archive", acl: "private" })],
    ["an ACL deleted", destroy("aws_s3_bucket_acl", { bucket: "archive", acl: "public-read" })],
    ["a topic that keeps its key", update("aws_sns_topic", { name: "t", kms_master_key_id: "alias/a" }, { name: "t", kms_master_key_id: "alias/b" })],
    ["a topic that starts encrypting", update("aws_sns_topic", { name: "t", kms_master_key_id: null }, { name: "t", kms_master_key_id: "alias/a" })],
    ["a topic created without a key", create("aws_sns_topic", { name: "t" })],
    ["a topic deleted with its key", destroy("aws_sns_topic", { name: "t", kms_master_key_id: "alias/a" })],
    [
      "a topic whose key is only known after apply",
      update("aws_sns_topic", { name: "t", kms_master_key_id: "alias/a" }, { name: "t" }, { afterUnknown: { kms_master_key_id: true } }),
    ],
    [
      "a stream whose encryption is only known after apply",
      update("aws_kinesis_firehose_delivery_stream", stream(), stream({ server_side_encryption: [] }), { afterUnknown: { server_side_encryption: true } }),
    ],
    [
      "a stream moving from an AWS-owned to a customer key",
      update("aws_kinesis_firehose_delivery_stream", stream(), stream({ server_side_encryption: [{ enabled: true, key_type: "CUSTOMER_MANAGED_CMK" }] })),
    ],
    [
      "a stream whose delivery key is only known after apply",
      update("aws_kinesis_firehose_delivery_stream", stream({}, { kms_key_arn: "arn:aws:kms:us-east-1:1:key/a" }), stream(), {
        afterUnknown: { extended_s3_configuration: [{ kms_key_arn: true }] },
      }),
    ],
    [
      "a stream changing its delivery key",
      update(
        "aws_kinesis_firehose_delivery_stream",
        stream({}, { kms_key_arn: "arn:aws:kms:us-east-1:1:key/a" }),
        stream({}, { kms_key_arn: "arn:aws:kms:us-east-1:1:key/b" }),
      ),
    ],
    ["a stream created", create("aws_kinesis_firehose_delivery_stream", stream())],
    [
      "a configuration set whose TLS policy is only known after apply",
      update(
        "aws_sesv2_configuration_set",
        { configuration_set_name: "s", delivery_options: [{ tls_policy: "REQUIRE" }] },
        { configuration_set_name: "s" },
        { afterUnknown: { delivery_options: true } },
      ),
    ],
    [
      "a configuration set that keeps requiring TLS in another spelling",
      update(
        "aws_ses_configuration_set",
        { name: "s", delivery_options: [{ tls_policy: "REQUIRE" }] },
        { name: "s", delivery_options: [{ tls_policy: "Require" }] },
      ),
    ],
    ["a configuration set created", create("aws_sesv2_configuration_set", { configuration_set_name: "s" })],
    [
      "a destination that was disabled and stays so",
      update("aws_sesv2_configuration_set_event_destination", v2destination(false, ["BOUNCE"]), v2destination(false, ["BOUNCE", "SEND"])),
    ],
    [
      "a destination whose types are not known",
      update("aws_sesv2_configuration_set_event_destination", v2destination(true, ["BOUNCE"]), {
        event_destination_name: "archive",
        event_destination: [{ enabled: true }],
      }),
    ],
    ["a destination created enabled without a flag", create("aws_sesv2_configuration_set_event_destination", v2destination(undefined, ["BOUNCE"]))],
    ["an encryption configuration created", create("aws_s3_bucket_server_side_encryption_configuration", sse("AES256"))],
    [
      "an encryption configuration only known after apply",
      update("aws_s3_bucket_server_side_encryption_configuration", sse("aws:kms", "k"), { bucket: "archive" }, { afterUnknown: { rule: true } }),
    ],
    [
      "an encryption configuration moving between KMS keys",
      update("aws_s3_bucket_server_side_encryption_configuration", sse("aws:kms", "a"), sse("aws:kms:dsse", "b")),
    ],
    [
      "an attachment of a narrow policy",
      create("aws_iam_role_policy_attachment", { role: "r", policy_arn: "arn:aws:iam::aws:policy/AmazonSESReadOnlyAccess" }),
    ],
    [
      "an attachment that stays AdministratorAccess",
      update(
        "aws_iam_role_policy_attachment",
        { role: "r", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" },
        { role: "s", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      ),
    ],
    ["an attachment deleted", destroy("aws_iam_role_policy_attachment", { role: "r", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" })],
    [
      "a role whose trust policy is only known after apply",
      update("aws_iam_role", { name: "r", assume_role_policy: TRUST_GUARDED }, { name: "r" }, { afterUnknown: { assume_role_policy: true } }),
    ],
    ["a role deleted", destroy("aws_iam_role", { name: "r", assume_role_policy: TRUST_OPEN })],
    [
      "a bucket policy keeping its TLS denial",
      update("aws_s3_bucket_policy", { bucket: "archive", policy: doc(tlsDeny) }, { bucket: "archive", policy: doc(tlsDeny) }),
    ],
    ["a queue policy that stays open", update("aws_sqs_queue_policy", { policy: doc(openStatement) }, { policy: doc(openStatement) })],
    ["notifications that keep their topic", update("aws_ses_identity_notification_topic", notification("Bounce"), notification("Bounce"))],
    ["notifications that never had a topic", update("aws_ses_identity_notification_topic", notification("Bounce", null), notification("Bounce", null))],
    ["a lifecycle created with a short expiration", create("aws_s3_bucket_lifecycle_configuration", lifecycle({ days: 1 }))],
    [
      "a lifecycle whose rules are only known after apply",
      update("aws_s3_bucket_lifecycle_configuration", lifecycle({ days: 730 }), { bucket: "archive" }, { afterUnknown: { rule: true } }),
    ],
    ["a no-op on a deleted-looking bucket", rc("aws_s3_bucket", ["no-op"], { bucket: "b" }, { bucket: "b" })],
    ["a resource type no rule knows, deleted", destroy("aws_route53_record", { name: "r" })],
  ])("%s", (_name, change) => {
    expect(flags(change)).toEqual([]);
  });
});

test("a data-bearing guard deleted or a bucket forgotten: the core rules stay silent, only the data-bearing rule speaks", () => {
  // A public access block with every flag off guarded nothing, and a bucket policy without a TLS denial
  // never refused plain HTTP: neither is public-access-weakened nor encryption-weakened. Destroying a
  // data-bearing resource is still the highest level (modules/shared/data-bearing.ts).
  expect(
    flags(
      destroy("aws_s3_bucket_public_access_block", pab({})),
      destroy(
        "aws_s3_bucket_policy",
        { bucket: "archive", policy: doc({ ...tlsDeny, Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject" }) },
        { name: "p" },
      ),
      rc("aws_s3_bucket", ["forget"], { bucket: "b" }, null),
    ),
  ).toEqual([
    ["high", "data-bearing-destroyed", "The policy of bucket `archive` is deleted: its denial of requests without TLS goes with it."],
    ["high", "data-bearing-destroyed", "The public access block of bucket `archive` is deleted: bucket policies and ACLs may make its objects public."],
    [
      "medium",
      "data-bearing-forgotten",
      "S3 bucket `b` is forgotten (a `removed` block with `destroy = false`): it stays in AWS with every object in it, still billed, but Terraform no longer manages it; delete it by hand once it is no longer needed, or import it again.",
    ],
  ]);
});

// ---------------------------------------------------------------- limits of the rules

describe("expiration rules", () => {
  const change = (before: ReturnType<typeof lifecycle>, after: ReturnType<typeof lifecycle>) => update("aws_s3_bucket_lifecycle_configuration", before, after);

  test("retention is the shortest expiration over the enabled rules with days", () => {
    expect(retentionDays(lifecycle({ days: 400 }, { days: 30, status: "Disabled" }, { days: 90 }, { days: 0 }, {}) as never)).toBe(90);
    expect(retentionDays(lifecycle({ days: 30, status: "Disabled" }) as never)).toBeUndefined();
    expect(retentionDays(lifecycle({ days: 0 }) as never)).toBeUndefined();
    expect(retentionDays(null)).toBeUndefined();
  });

  test("a second, shorter rule is flagged against the shortest rule before", () => {
    expect(flags(change(lifecycle({ days: 730 }, { days: 365 }), lifecycle({ days: 730 }, { days: 365 }, { days: 364 })))).toEqual([
      [
        "high",
        "retention-shortened",
        "Objects in `archive` now expire after 364 days (they expired after 365 days): S3 deletes every archived event older than 364 days soon after the apply.",
      ],
    ]);
  });

  test("enabling a disabled rule with a shorter expiration is flagged; objects that never expired say so", () => {
    expect(flags(change(lifecycle({ days: 30, status: "Disabled" }), lifecycle({ days: 30 })))).toEqual([
      [
        "high",
        "retention-shortened",
        "Objects in `archive` now expire after 30 days (they never expired): S3 deletes every archived event older than 30 days soon after the apply.",
      ],
    ]);
  });

  test("one day less is flagged, the same days or more are not, nor removing every expiration", () => {
    expect(risksOf(change(lifecycle({ days: 90 }), lifecycle({ days: 89 }))).map((r) => r.kind)).toEqual(["retention-shortened"]);
    // Longer or no expiration is no risk to the archive; the operator still reads it (retention-changed, low).
    expect(
      flags(
        change(lifecycle({ days: 90 }), lifecycle({ days: 90 })),
        change(lifecycle({ days: 90 }), lifecycle({ days: 91 })),
        change(lifecycle({ days: 90 }), lifecycle({})),
      ).filter(([level]) => level !== "low"),
    ).toEqual([]);
  });

  test("the bucket is named from the bucket the lifecycle points at, even one only known after apply", () => {
    const configuration = {
      root_module: {
        resources: [
          {
            address: "aws_s3_bucket_lifecycle_configuration.x",
            expressions: { bucket: { references: ["aws_s3_bucket.archive.id", "aws_s3_bucket.archive"] } },
          },
        ],
      },
    };
    const target = create("aws_s3_bucket", { bucket: "events-archive" }, { name: "archive" });
    const before = lifecycle({ days: 730 });
    const after = { ...lifecycle({ days: 60 }), bucket: undefined };
    const plan = parsePlan(
      planOf([update("aws_s3_bucket_lifecycle_configuration", before, after, { afterUnknown: { bucket: true } }), target], configuration),
      "p",
    );
    expect(findRisks(plan).map((r) => r.reason)).toEqual([
      "Objects in `events-archive` now expire after 60 days (they expired after 730 days): S3 deletes every archived event older than 60 days soon after the apply.",
    ]);
  });
});

describe("Firehose key removed", () => {
  test("a stream that stops encrypting delivered objects names the key", () => {
    const before = stream({}, { kms_key_arn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd" });
    expect(flags(update("aws_kinesis_firehose_delivery_stream", before, stream()))).toEqual([
      ["medium", "encryption-weakened", "Firehose stream `ses-guard-events` stops encrypting delivered objects with KMS key `1234abcd`."],
    ]);
  });

  test("a stream that stops encrypting buffered records, and one that moves to an AWS-owned key", () => {
    expect(flags(update("aws_kinesis_firehose_delivery_stream", stream(), stream({ server_side_encryption: [] })))).toEqual([
      ["medium", "encryption-weakened", "Firehose stream `ses-guard-events` no longer encrypts buffered records at rest."],
    ]);
    const cmk = stream({ server_side_encryption: [{ enabled: true, key_type: "CUSTOMER_MANAGED_CMK" }] });
    expect(flags(update("aws_kinesis_firehose_delivery_stream", cmk, stream()))).toEqual([
      ["medium", "encryption-weakened", "Firehose stream `ses-guard-events` moves from a customer-managed KMS key to an AWS-owned key."],
    ]);
  });

  test("a replaced stream that also drops its key gets both flags", () => {
    const before = stream({}, { kms_key_arn: "arn:aws:kms:us-east-1:1:key/k" });
    expect(
      risksOf(
        replace("aws_kinesis_firehose_delivery_stream", before, stream(), { actionReason: "replace_because_cannot_update", replacePaths: [["name"]] }),
      ).map((r) => [r.level, r.kind]),
    ).toEqual([
      ["high", "delivery-stream-destroyed"],
      ["medium", "encryption-weakened"],
    ]);
  });
});

describe("buckets: is it the event archive?", () => {
  const streamTo = (bucketArn: string, name = "events") =>
    rc("aws_kinesis_firehose_delivery_stream", ["no-op"], stream({ name }, { bucket_arn: bucketArn }), stream({ name }, { bucket_arn: bucketArn }), { name });

  test("only a bucket a stream in the plan writes to is called the event archive", () => {
    const plan = [
      destroy("aws_s3_bucket", { bucket: "logs" }, { name: "logs" }),
      destroy("aws_s3_bucket", { bucket: "archive" }, { name: "archive" }),
      streamTo("arn:aws:s3:::archive"),
    ];
    expect(risksOf(...plan).map((r) => r.reason.split(" is deleted")[0])).toEqual([
      "Event archive bucket `archive` (written by Firehose stream `events`)",
      "S3 bucket `logs`",
    ]);
  });

  test("a bucket whose name merely ends like the archive's is not it", () => {
    const [r] = risksOf(destroy("aws_s3_bucket", { bucket: "archive" }), streamTo("arn:aws:s3:::old-archive"));
    expect(r.reason.startsWith("S3 bucket `archive` is deleted")).toBe(true);
  });

  test("a stream that writes there before or after the change counts, each stream named once", () => {
    const moving = rc(
      "aws_kinesis_firehose_delivery_stream",
      ["update"],
      stream({ name: "a" }, { bucket_arn: "arn:aws:s3:::archive" }),
      stream({ name: "a" }, { bucket_arn: "arn:aws:s3:::new" }),
      { name: "a" },
    );
    const [r] = risksOf(destroy("aws_s3_bucket", { bucket: "archive" }), moving, streamTo("arn:aws:s3:::archive", "b"));
    expect(r.reason.split(" is deleted")[0]).toBe("Event archive bucket `archive` (written by Firehose stream `a`, `b`)");
  });

  test("a bucket without a planned name is named by its resource name; a replaced one says why", () => {
    expect(risksOf(replace("aws_s3_bucket", { force_destroy: true }, {}, { name: "store", actionReason: "replace_by_request" }))[0].reason).toBe(
      "S3 bucket `store` is replaced (requested with -replace): every object in it is deleted with it (`force_destroy = true`).",
    );
    expect(risksOf(replace("aws_s3_bucket", { bucket: "b" }, { bucket: "b" }, { actionReason: "replace_because_tainted" }))[0].reason).toContain(
      "is replaced (the object is tainted)",
    );
    expect(
      risksOf(replace("aws_s3_bucket", { bucket: "b" }, { bucket: "c" }, { replacePaths: [["bucket"], ["object_lock_enabled"], ["bucket"], [0]] }))[0].reason,
    ).toContain("is replaced (`bucket`, `object_lock_enabled` cannot change in place)");
    expect(risksOf(replace("aws_s3_bucket", { bucket: "b" }, { bucket: "c" }))[0].reason).toContain("is replaced (a setting cannot change in place)");
    expect(risksOf(destroy("aws_s3_bucket", { bucket: "b" }, { deposed: "0001" }))[0].reason).toContain("is deleted (deposed object `0001`)");
  });
});

describe("alarms: limits", () => {
  test("a watched alarm created disabled, or emptied while already notifying, is flagged with what happened", () => {
    expect(flags(create("aws_cloudwatch_metric_alarm", alarm({ actions_enabled: false })))).toEqual([
      [
        "high",
        "alarm-actions-emptied",
        "Alarm `bounce-critical` has its actions disabled (`actions_enabled = false`): it changes state without notifying anyone.",
      ],
    ]);
    expect(flags(update("aws_cloudwatch_metric_alarm", alarm(), alarm({ alarm_actions: [] })))).toEqual([
      ["high", "alarm-actions-emptied", "Alarm `bounce-critical` has no alarm actions: it changes state without notifying anyone."],
    ]);
  });

  test("an alarm in metric math on SES is watched", () => {
    const math = { alarm_name: "m", metric_query: [{ id: "e1" }, { id: "m1", metric: [{ namespace: "AWS/SES" }] }], actions_enabled: true, alarm_actions: [] };
    expect(risksOf(create("aws_cloudwatch_metric_alarm", math)).map((r) => r.kind)).toEqual(["alarm-actions-emptied"]);
  });

  test("a threshold just above the review level is flagged; a metric switch compares against nothing", () => {
    expect(flags(update("aws_cloudwatch_metric_alarm", alarm({ threshold: 0.05 }), alarm({ threshold: 0.0501 })))).toEqual([
      [
        "high",
        "threshold-above-review-level",
        "Alarm `bounce-critical` raised from 5 % to 5.01 %, above the 5 % bounce rate at which AWS puts the account under review: it fires only after AWS has acted.",
      ],
    ]);
    const switched = update("aws_cloudwatch_metric_alarm", alarm({ threshold: 0.5 }), alarm({ metric_name: "Reputation.ComplaintRate", threshold: 0.002 }));
    expect(flags(switched)).toEqual([
      [
        "high",
        "threshold-above-review-level",
        "Alarm `bounce-critical` set to 0.2 %, above the 0.1 % complaint rate at which AWS puts the account under review: it fires only after AWS has acted.",
      ],
    ]);
  });

  test("an alarm without a name is named by its resource name", () => {
    expect(risksOf(destroy("aws_cloudwatch_metric_alarm", { namespace: "AWS/SES" }, { name: "bounce" }))[0].reason).toBe(
      "Alarm `bounce` on `metric math` is deleted: nobody is told when the rate rises.",
    );
  });

  test("percent of a fraction keeps whole and decimal percentages exact", () => {
    expect([thresholdPercent(0.07), thresholdPercent(0.001), thresholdPercent(0.0015)]).toEqual([7, 0.1, 0.15]);
  });
});

describe("event destinations: limits", () => {
  test("losing several essential and other types: one high and one low flag, each naming its types", () => {
    const change = update(
      "aws_sesv2_configuration_set_event_destination",
      v2destination(true, ["SEND", "BOUNCE", "OPEN", "COMPLAINT", "DELIVERY"]),
      v2destination(true, ["SEND"]),
    );
    expect(flags(change)).toEqual([
      [
        "high",
        "event-types-lost",
        "Event destination `archive` of configuration set `mail` stops archiving `BOUNCE` and `COMPLAINT`: the archive can no longer say which recipients bounced or complained.",
      ],
      ["low", "event-types-reduced", "Event destination `archive` of configuration set `mail` stops archiving `DELIVERY`, `OPEN`."],
    ]);
  });

  test("a disabled destination that also loses types gets both flags", () => {
    const change = update("aws_sesv2_configuration_set_event_destination", v2destination(true, ["BOUNCE", "SEND"]), v2destination(false, ["BOUNCE"]));
    expect(risksOf(change).map((r) => r.kind)).toEqual(["event-destination-disabled", "event-types-reduced"]);
  });

  test("a destination named only by its resource name", () => {
    expect(risksOf(destroy("aws_sesv2_configuration_set_event_destination", {}, { name: "dest" }))[0].reason).toBe(
      "Event destination `dest` is deleted: SES stops publishing events to it.",
    );
  });
});

describe("public access and ACLs: limits", () => {
  test("only the flags that were on and are now off are named", () => {
    const before = pab({ block_public_acls: true, ignore_public_acls: true });
    const after = pab({ block_public_acls: false, ignore_public_acls: true, block_public_policy: false });
    expect(flags(update("aws_s3_bucket_public_access_block", before, after))).toEqual([
      ["high", "public-access-weakened", "The S3 public access block of `archive` turns off `block_public_acls`."],
    ]);
  });

  test("a flag only known after apply is not called off", () => {
    const after = { bucket: "archive", block_public_acls: true, ignore_public_acls: true, restrict_public_buckets: true };
    expect(flags(update("aws_s3_bucket_public_access_block", pab(ALL_ON), after, { afterUnknown: { block_public_policy: true } }))).toEqual([]);
  });

  test("the bucket of a deleted block is named from before, of a new one from the plan's references", () => {
    const configuration = {
      root_module: { resources: [{ address: "aws_s3_bucket_acl.x", expressions: { bucket: { references: ["aws_s3_bucket.b.id", "aws_s3_bucket.b"] } } }] },
    };
    const acl = create("aws_s3_bucket_acl", { acl: "public-read-write" }, { afterUnknown: { bucket: true } });
    const plan = parsePlan(planOf([acl, create("aws_s3_bucket", { bucket: "site" }, { name: "b" })], configuration), "p");
    expect(findRisks(plan).map((r) => r.reason)).toEqual(["The ACL of bucket `site` grants access to everyone (`public-read-write`)."]);
  });

  test("a public grant added beside one that was there is flagged; the same grants are not", () => {
    const grant = (group: string) => ({ grantee: [{ uri: `http://acs.amazonaws.com/groups/global/${group}` }] });
    const acl = (...grants: object[]) => ({ bucket: "archive", access_control_policy: [{ grant: grants }] });
    expect(risksOf(update("aws_s3_bucket_acl", acl(grant("AllUsers")), acl(grant("AllUsers"), grant("AuthenticatedUsers")))).map((r) => r.kind)).toEqual([
      "public-access-weakened",
    ]);
    expect(
      flags(update("aws_s3_bucket_acl", acl(grant("AllUsers")), acl(grant("AllUsers"))), update("aws_s3_bucket_acl", acl(), acl(grant("LogDelivery")))),
    ).toEqual([]);
  });
});

describe("KMS keys and topics: limits", () => {
  test("a replaced key without a deletion window, named by its address when it has no description", () => {
    expect(flags(replace("aws_kms_key", { enable_key_rotation: true }, { enable_key_rotation: true }, { replacePaths: [["key_usage"]] }))).toEqual([
      [
        "high",
        "encryption-weakened",
        "KMS key `aws_kms_key.x` is replaced (`key_usage` cannot change in place) and scheduled for deletion: what it encrypts becomes unreadable, and topics encrypted with it stop accepting messages.",
      ],
    ]);
  });

  test("an SNS topic with a new open policy that also drops its key gets both flags", () => {
    const change = update(
      "aws_sns_topic",
      { name: "t", kms_master_key_id: "alias/a", policy: doc() },
      { name: "t", kms_master_key_id: null, policy: doc({ ...openStatement, Action: "sns:Publish" }) },
    );
    expect(risksOf(change).map((r) => [r.level, r.kind])).toEqual([
      ["high", "public-access-weakened"],
      ["medium", "encryption-weakened"],
    ]);
  });
});

describe("IAM: limits", () => {
  test("a role's inline policies are compared by name: a new policy counts from nothing, an unchanged one not at all", () => {
    const role = (...inline: Array<[string, string]>) => ({
      name: "r",
      assume_role_policy: TRUST_OPEN,
      inline_policy: inline.map(([name, policy]) => ({ name, policy })),
    });
    const change = update("aws_iam_role", role(["keep", write("s3:*")]), role(["keep", write("s3:*")], ["new", write("sns:*", TOPIC)]));
    expect(flags(change)).toEqual([["medium", "iam-policy-widened", "Inline policy `new` of role `r` newly allows wildcard actions `sns:*`."]]);
  });

  test("inline policies only known after apply are not judged", () => {
    const change = update(
      "aws_iam_role",
      { name: "r", assume_role_policy: TRUST_OPEN },
      { name: "r", assume_role_policy: TRUST_OPEN },
      { afterUnknown: { inline_policy: true } },
    );
    expect(flags(change)).toEqual([]);
  });

  test("the trust policy dropping a guard names the statement and the key as written", () => {
    expect(
      flags(update("aws_iam_role", { name: "firehose", assume_role_policy: TRUST_GUARDED }, { name: "firehose", assume_role_policy: TRUST_OPEN })),
    ).toEqual([
      [
        "medium",
        "iam-policy-widened",
        "Trust policy of role `firehose` drops the condition `Trust: aws:SourceAccount`: the service can then act for other accounts or resources (confused deputy).",
      ],
    ]);
  });

  test("several widenings of one policy give one flag each, sorted", () => {
    const open = doc({ Sid: "All", Effect: "Allow", Principal: "*", Action: ["s3:*", "*"], Resource: ["*", "arn:aws:s3:::b/*"] });
    expect(flags(create("aws_s3_bucket_policy", { bucket: "b", policy: open }))).toEqual([
      ["high", "iam-policy-widened", "Policy `aws_s3_bucket_policy.x` newly allows wildcard actions `*`, `s3:*`."],
      [
        "high",
        "public-access-weakened",
        "Policy `aws_s3_bucket_policy.x` newly allows any principal (`*`) without a condition in `All`: the resource becomes public.",
      ],
      ["medium", "iam-policy-widened", "Policy `aws_s3_bucket_policy.x` newly allows every resource of a kind: `*`."],
    ]);
  });

  test("a policy attachment whose role is not known is named by its resource name", () => {
    expect(risksOf(create("aws_iam_role_policy_attachment", { policy_arn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }, { name: "attach" }))[0].reason).toBe(
      "Attaches the managed policy `AmazonS3FullAccess` to `attach`.",
    );
  });

  test("an attachment ARN that only looks like a FullAccess policy is not flagged", () => {
    expect(flags(create("aws_iam_role_policy_attachment", { role: "r", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccessX" }))).toEqual([]);
    expect(flags(create("aws_iam_role_policy_attachment", { role: "r", policy_arn: "arn:aws:iam::aws:policy/Foo-FullAccess" }))).toEqual([]);
  });
});

describe("notifications: limits", () => {
  test("a topic only known after apply is not a topic removed", () => {
    const change = update("aws_ses_identity_notification_topic", notification("Bounce"), notification("Bounce", null), { afterUnknown: { topic_arn: true } });
    expect(risksOf(change).map((r) => r.kind)).not.toContain("notifications-removed");
  });

  test("a notification without a type or a known topic still says what stops", () => {
    expect(flags(destroy("aws_ses_identity_notification_topic", { identity: "a@example.com" }))).toEqual([
      [
        "medium",
        "notifications-removed",
        "SES stops publishing its notifications for `a@example.com`: nobody hears of each bounce or complaint as it happens.",
      ],
    ]);
  });

  test("an identity only known from its resource name", () => {
    expect(risksOf(destroy("aws_ses_identity_notification_topic", { notification_type: "Bounce", topic_arn: "" }, { name: "n" }))[0].reason).toBe(
      "SES stops publishing Bounce notifications for `n`: nobody hears of each bounce or complaint as it happens.",
    );
  });
});

describe("ordering", () => {
  test("by level, then kind, then address, then reason", () => {
    const list = risksOf(
      destroy("aws_ses_identity_notification_topic", notification("Delivery"), { name: "a" }),
      destroy("aws_kms_key", { description: "k" }, { name: "z" }),
      destroy("aws_s3_bucket", { bucket: "b" }, { name: "b" }),
      destroy("aws_s3_bucket", { bucket: "a" }, { name: "a" }),
      update("aws_kms_key", { description: "k", enable_key_rotation: true }, { description: "k", enable_key_rotation: false }, { name: "y" }),
      destroy("aws_ses_identity_notification_topic", notification("Bounce"), { name: "b" }),
    );
    expect(list.map((r) => `${r.level} ${r.kind} ${r.address}`)).toEqual([
      "high bucket-destroyed aws_s3_bucket.a",
      "high bucket-destroyed aws_s3_bucket.b",
      "high encryption-weakened aws_kms_key.z",
      "medium encryption-weakened aws_kms_key.y",
      "medium notifications-removed aws_ses_identity_notification_topic.b",
      "low notifications-removed aws_ses_identity_notification_topic.a",
    ]);
  });

  test("two flags of one resource and kind are ordered by their sentence", () => {
    const stream2 = update(
      "aws_kinesis_firehose_delivery_stream",
      stream({}, { kms_key_arn: "arn:aws:kms:us-east-1:1:key/k" }),
      stream({ server_side_encryption: [{ enabled: false }] }),
    );
    expect(risksOf(stream2).map((r) => r.reason)).toEqual([
      "Firehose stream `ses-guard-events` no longer encrypts buffered records at rest.",
      "Firehose stream `ses-guard-events` stops encrypting delivered objects with KMS key `k`.",
    ]);
  });
});

// ---------------------------------------------------------------- naming helpers

describe("naming helpers", () => {
  test("code spans survive backticks", () => {
    expect([code("a"), code("a`b"), code("`a"), code("a``"), code("")]).toEqual(["`a`", "``a`b``", "`` `a ``", "``` a`` ```", "``"]);
  });

  test("arnName takes the short name of an ARN and leaves other text alone", () => {
    expect(
      [
        "arn:aws:sns:us-east-1:1:topic",
        "arn:aws:sns:us-east-1:1:topic:0f6e-sub",
        "arn:aws:s3:::bucket",
        "arn:aws:firehose:us-east-1:1:deliverystream/events",
        "arn:aws:logs:us-east-1:1:log-group:/aws/x",
        "not-an-arn",
        "arn:aws:s3",
        "urn:aws:s3:::b",
      ].map(arnName),
    ).toEqual(["topic", "topic", "bucket", "events", "aws/x", "not-an-arn", "arn:aws:s3", "urn:aws:s3:::b"]);
  });

  test("nameOf prefers after over before, and the first name key present", () => {
    const plan = parsePlan(
      planOf([
        update("aws_sns_topic", { name: "old" }, { name: "new" }, { name: "a" }),
        destroy("aws_sns_topic", { name: "gone", alarm_name: "first" }, { name: "b" }),
        create("aws_sns_topic", { name: "" }, { name: "c" }),
      ]),
      "p",
    );
    expect(plan.changes.map(nameOf)).toEqual(["new", "first", undefined]);
    expect(nameOf(undefined)).toBeUndefined();
  });
});

// ---------------------------------------------------------------- the policy comparison

describe("policy comparison: limits", () => {
  test("a statement keeps its guard when matched by Sid, else by principal", () => {
    const guarded = (sid: string | undefined, principal: object) => ({
      ...(sid ? { Sid: sid } : {}),
      Effect: "Allow",
      Principal: principal,
      Action: "sns:Publish",
      Resource: TOPIC,
      Condition: { ArnLike: { "aws:SourceArn": "arn:x" } },
    });
    const ses = { Service: "ses.amazonaws.com" };
    const open = (sid: string | undefined, principal: object) => ({
      ...(sid ? { Sid: sid } : {}),
      Effect: "Allow",
      Principal: principal,
      Action: "sns:Publish",
      Resource: TOPIC,
    });
    // Same Sid, guard kept, principal spelled differently.
    expect(policyWidening(doc(guarded("A", ses)), doc(guarded("A", { Service: ["ses.amazonaws.com"] })))?.lostConditions).toEqual([]);
    // Same principal, keys in another order, no Sid: matched by principal.
    expect(policyWidening(doc(guarded(undefined, { Service: "s", AWS: "a" })), doc(open(undefined, { AWS: "a", Service: "s" })))?.lostConditions).toEqual([
      "statement 1: aws:SourceArn",
    ]);
    // A Sid that no longer exists falls back to the principal.
    expect(policyWidening(doc(guarded("A", ses)), doc(open("B", ses)))?.lostConditions).toEqual(["A: aws:SourceArn"]);
    // A statement with no counterpart at all loses nothing.
    expect(policyWidening(doc(guarded("A", ses)), doc(open("B", { Service: "sns.amazonaws.com" })))?.lostConditions).toEqual([]);
    // A Deny's guard is not a grant.
    expect(policyWidening(doc({ ...guarded("A", ses), Effect: "Deny" }), doc({ ...open("A", ses), Effect: "Deny" }))?.lostConditions).toEqual([]);
  });

  test("a statement that was public stays unflagged; a NotPrincipal Allow is public; a condition makes it private", () => {
    const pub = { Sid: "P", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" };
    expect(policyWidening(doc(pub), doc(pub))?.publicStatements).toEqual([]);
    expect(policyWidening(doc(), doc({ ...pub, Principal: undefined, NotPrincipal: { AWS: "arn:aws:iam::1:root" } }))?.publicStatements).toEqual(["P"]);
    expect(policyWidening(doc(), doc({ ...pub, Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }))?.publicStatements).toEqual([]);
    expect(policyWidening(doc(), doc({ ...pub, Principal: { AWS: "arn:aws:iam::1:root" } }))?.publicStatements).toEqual([]);
    expect(policyWidening(doc(), doc({ ...pub, Principal: { AWS: ["arn:aws:iam::1:root", "*"] } }))?.publicStatements).toEqual(["P"]);
  });

  test("wildcards already allowed are not new; NotResource is wide; a single statement object counts", () => {
    const one = JSON.stringify({ Statement: { Sid: "S", Effect: "Allow", Action: "s3:Get*", NotResource: "arn:aws:s3:::b/*" } });
    expect(policyWidening(undefined, one)).toEqual({
      wildcardActions: ["s3:Get*"],
      wideResources: ["NotResource arn:aws:s3:::b/*"],
      lostConditions: [],
      publicStatements: [],
    });
    expect(policyWidening(one, one)).toEqual({ wildcardActions: [], wideResources: [], lostConditions: [], publicStatements: [] });
  });

  test("what is not a policy document is not judged", () => {
    for (const text of [undefined, null, 3, "", "  ", "[]", "null", "not json"]) expect(parsePolicy(text as never)).toBeUndefined();
    expect(parsePolicy(JSON.stringify({ Statement: [null, 1, [], { Effect: "Allow", Action: "a" }] }))?.map((s) => s.label)).toEqual(["statement 4"]);
    expect(parsePolicy(JSON.stringify({ Statement: "x" }))).toEqual([]);
    expect(parsePolicy(JSON.stringify({ Statement: [{ Sid: "", Effect: "Allow", Condition: ["x"] }] }))?.[0]).toMatchObject({
      label: "statement 1",
      sid: undefined,
      hasCondition: false,
    });
  });

  test("a statement as read: label, principal in canonical form, lists of strings only, condition keys", () => {
    const [st] = parsePolicy(
      doc({
        Sid: 5,
        Effect: "Allow",
        Principal: { Service: "s", AWS: ["b", "a"] },
        Action: ["s3:Get*", 5],
        Resource: 7,
        Condition: { Bool: "x", Null: null, StringEquals: { "aws:SourceAccount": "1" } },
      }),
    )!;
    expect(st).toEqual({
      label: "statement 1",
      sid: undefined,
      allow: true,
      principalKey: '{"AWS":["a","b"],"Service":"s"}',
      publicPrincipal: false,
      actions: ["s3:Get*"],
      notAction: false,
      resources: [],
      notResource: false,
      hasCondition: true,
      conditionKeys: new Map([["aws:sourceaccount", "aws:SourceAccount"]]),
    });
    const [bare] = parsePolicy(doc({ Effect: "Deny", Principal: null, NotAction: 5, Condition: null }))!;
    expect(bare).toMatchObject({ principalKey: "", publicPrincipal: false, actions: [], notAction: true, hasCondition: false });
    expect(parsePolicy(doc({ Effect: "Allow", Principal: ["*"] }))![0].publicPrincipal).toBe(false);
    expect(parsePolicy(doc({ Effect: "Allow", Condition: { Bool: "x" } }))![0].hasCondition).toBe(false);
    expect(parsePolicy(doc({ Effect: "Allow" }))![0].principalKey).toBe("");
    for (const text of ["3", '"x"', "true"]) expect(parsePolicy(text)).toBeUndefined();
    expect(parsePolicy(["{}"] as never)).toBeUndefined();
  });

  test("a guard is matched by Sid first, even when the principal changed", () => {
    const st = (principal: object, condition?: object) => ({
      Sid: "A",
      Effect: "Allow",
      Principal: principal,
      Action: "sns:Publish",
      Resource: TOPIC,
      ...(condition ? { Condition: condition } : {}),
    });
    const guard = { ArnLike: { "aws:SourceArn": "arn:x" } };
    expect(policyWidening(doc(st({ Service: "ses.amazonaws.com" }, guard)), doc(st({ Service: "sns.amazonaws.com" })))?.lostConditions).toEqual([
      "A: aws:SourceArn",
    ]);
    expect(policyWidening(doc(st({ Service: "ses.amazonaws.com" }, guard)), doc(st({ Service: "sns.amazonaws.com" }, guard)))?.lostConditions).toEqual([]);
  });

  test("what the old policy allowed: only its Allow statements, NotAction included", () => {
    const deny = doc({ Effect: "Deny", Action: "s3:*", Resource: "*" });
    expect(policyWidening(deny, doc({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }))?.wildcardActions).toEqual(["s3:*"]);
    const not = doc({ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b/*" });
    expect(policyWidening(not, not)?.wildcardActions).toEqual([]);
    // A statement that was private and becomes public is new, even under the same label.
    const st = (principal: unknown) => doc({ Sid: "P", Effect: "Allow", Principal: principal, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" });
    expect(policyWidening(st({ Service: "s" }), st("*"))?.publicStatements).toEqual(["P"]);
  });

  test("the TLS denial is a Deny with aws:SecureTransport in any spelling", () => {
    expect(deniesInsecureTransport(doc({ ...tlsDeny, Condition: { Bool: { "AWS:SECURETRANSPORT": "false" } } }))).toBe(true);
    expect(deniesInsecureTransport(doc({ ...tlsDeny, Effect: "Allow" }))).toBe(false);
    expect(deniesInsecureTransport("nope")).toBeUndefined();
  });

  test("wide and narrow resources", () => {
    const wide = ["arn:aws:sqs:us-east-1:1:*", "arn:aws:logs:us-east-1:1:log-group:*", "arn:aws:s3:::*bucket", "bucket*", "arn:aws:s3*", "x:aws:s3:::b/*"];
    const narrow = [
      "arn:aws:s3:::bucket/prefix/*",
      "arn:aws:logs:us-east-1:1:log-group:/x/*",
      "arn:aws:s3:::b/*",
      "plain",
      "arn:aws:sqs:us-east-1:1:queue-*-x",
      "arn:aws:s3",
      "arn:aws:sqs:us-east-1:1:queue/*-old",
    ];
    expect(wide.filter((r) => !isWideResource(r))).toEqual([]);
    expect(narrow.filter(isWideResource)).toEqual([]);
  });
});

test("`*` for actions IAM takes only `*` for (no resource type) is no widening; with any other action in the statement it is", () => {
  const reads = { Effect: "Allow", Action: ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], Resource: "*" };
  expect(policyWidening(undefined, doc(reads))?.wideResources).toEqual([]);
  expect(policyWidening(undefined, doc({ ...reads, Action: [...reads.Action, "cloudwatch:PutMetricAlarm"] }))?.wideResources).toEqual(["*"]);
  expect(policyWidening(undefined, doc({ Effect: "Allow", Action: "ses:PutAccountSendingAttributes", Resource: "*" }))?.wideResources).toEqual([]);
  expect(policyWidening(undefined, doc({ Effect: "Allow", NotAction: "cloudwatch:GetMetricData", Resource: "*" }))?.wideResources).toEqual(["*"]);
});
