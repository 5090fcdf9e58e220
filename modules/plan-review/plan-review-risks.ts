/**
 * Risk flags for a Terraform plan of SES, Firehose, S3, IAM and SNS resources.
 * Resources are classified by type and values, never by address, so the checks
 * hold when ses-guard's constructs sit inside a larger stack. The rules an operator
 * reads as plain sentences (pause, chat channels, alarm levels, retention, data-bearing
 * resources) are in plan-review-operator.ts; what both share is in plan-review-common.ts.
 */
import {
  block,
  blocks,
  Change,
  compare,
  hasBeforeAndAfter,
  isDestroyed,
  isGone,
  isUnknown,
  Json,
  JsonObject,
  num,
  Plan,
  str,
  strings,
} from "./plan-review-model";
import { deniesInsecureTransport, policyWidening } from "./plan-review-policy";
import {
  alarmLabel,
  arnName,
  Check,
  code,
  Context,
  destroyedPhrase,
  isWatchedAlarm,
  levelRank,
  nameOf,
  retentionDays,
  reviewLevel,
  risk,
  Risk,
  RiskLevel,
  thresholdPercent,
} from "./plan-review-common";
import { OPERATOR_CHECKS, planRisks, withoutRepeats } from "./plan-review-operator";

/** Risks sorted by level, kind, address and reason: the same plan always lists them in the same order. */
export function findRisks(plan: Plan): Risk[] {
  const context = new Context(plan);
  const perChange = plan.changes.flatMap((c) => (c.kind === "no-op" || c.kind === "forget" ? [] : checksFor(c.type).flatMap((check) => check(c, context))));
  return withoutRepeats([...perChange, ...planRisks(context)]).sort(
    (a, b) => levelRank(b.level) - levelRank(a.level) || compare(a.kind, b.kind) || compare(a.address, b.address) || compare(a.reason, b.reason),
  );
}

const alarmChecks: Check = (c) => {
  const out: Risk[] = [];
  if (isGone(c) && isWatchedAlarm(c.before)) {
    out.push(
      risk(
        "high",
        "alarm-removed",
        c,
        `Alarm ${alarmLabel(c)} on ${code(str(c.before, "metric_name") ?? "metric math")} is deleted: nobody is told when ${
          str(c.before, "namespace") === "AWS/Firehose" ? "the archive stops receiving events" : "the rate rises"
        }.`,
      ),
    );
  }
  const after = c.after;
  if (!after || !isWatchedAlarm(after)) return out;

  const actionsKnown = !isUnknown(c, ["alarm_actions"]);
  const disabled = after.actions_enabled === false;
  const empty = actionsKnown && (strings(after, "alarm_actions") ?? []).length === 0;
  const before = c.before;
  const notifiedBefore = !before || (before.actions_enabled !== false && (strings(before, "alarm_actions") ?? []).length > 0);
  if ((disabled || empty) && notifiedBefore) {
    const what = disabled ? "has its actions disabled (`actions_enabled = false`)" : "has no alarm actions";
    out.push(risk("high", "alarm-actions-emptied", c, `Alarm ${alarmLabel(c)} ${what}: it changes state without notifying anyone.`));
  }

  // AWS reviews the account's rate: a configuration set's own alarm (dimension ses:configuration-set)
  // measures a part of it, at the account's levels, which are flagged on the account's alarm.
  const perSet = str(block(after, "dimensions"), "ses:configuration-set") !== undefined;
  const review = perSet ? undefined : reviewLevel(str(after, "metric_name"));
  const threshold = num(after, "threshold");
  if (review && threshold !== undefined && thresholdPercent(threshold) > review.level.percent) {
    // A new alarm, another metric, or a higher threshold; lowering towards the review level is no new risk.
    const sameMetric = str(before, "metric_name") === str(after, "metric_name");
    const old = sameMetric ? num(before, "threshold") : undefined;
    if (old === undefined || threshold > old) {
      const change =
        old !== undefined ? `raised from ${thresholdPercent(old)} % to ${thresholdPercent(threshold)} %` : `set to ${thresholdPercent(threshold)} %`;
      out.push(
        risk(
          "high",
          "threshold-above-review-level",
          c,
          `Alarm ${alarmLabel(c)} ${change}, above the ${review.level} ${review.metric} at which AWS puts the account under review: it fires only after AWS has acted.`,
        ),
      );
    }
  }
  return out;
};

const bucketChecks: Check = (c, ctx) => {
  if (!isDestroyed(c)) return [];
  const name = str(c.before, "bucket") ?? c.name;
  // Is it the event archive? A Firehose stream in this plan writes to it.
  const streams = ctx.plan.changes
    .filter((s) => s.type === "aws_kinesis_firehose_delivery_stream")
    .filter((s) => [s.before, s.after].some((v) => str(block(v, "extended_s3_configuration"), "bucket_arn")?.endsWith(`:::${name}`)))
    .map((s) => code(nameOf(s) ?? s.address));
  const what =
    streams.length > 0 ? `Event archive bucket ${code(name)} (written by Firehose stream ${[...new Set(streams)].join(", ")})` : `S3 bucket ${code(name)}`;
  const loss =
    c.before?.force_destroy === true
      ? "every object in it is deleted with it (`force_destroy = true`)"
      : "S3 refuses to delete a bucket that holds objects (`force_destroy = false`), so the apply fails part-way unless the bucket is emptied first, and emptying it loses the archive";
  return [risk("high", "bucket-destroyed", c, `${what} is ${destroyedPhrase(c)}: ${loss}.`)];
};

const streamChecks: Check = (c) => {
  const out: Risk[] = [];
  if (isDestroyed(c)) {
    out.push(
      risk(
        "high",
        "delivery-stream-destroyed",
        c,
        `Firehose stream ${code(nameOf(c) ?? c.name)} is ${destroyedPhrase(c)}: records still buffered are lost and SES events published until it exists again are dropped, a gap in the archive.`,
      ),
    );
  }
  if (hasBeforeAndAfter(c)) {
    const sseBefore = block(c.before, "server_side_encryption");
    const sseAfter = block(c.after, "server_side_encryption");
    if (sseBefore?.enabled === true && sseAfter?.enabled !== true && !isUnknown(c, ["server_side_encryption"])) {
      out.push(risk("medium", "encryption-weakened", c, `Firehose stream ${code(nameOf(c) ?? c.name)} no longer encrypts buffered records at rest.`));
    } else if (str(sseBefore, "key_type") === "CUSTOMER_MANAGED_CMK" && str(sseAfter, "key_type") === "AWS_OWNED_CMK") {
      out.push(
        risk("medium", "encryption-weakened", c, `Firehose stream ${code(nameOf(c) ?? c.name)} moves from a customer-managed KMS key to an AWS-owned key.`),
      );
    }
    const kmsBefore = str(block(c.before, "extended_s3_configuration"), "kms_key_arn");
    if (kmsBefore && !str(block(c.after, "extended_s3_configuration"), "kms_key_arn") && !isUnknown(c, ["extended_s3_configuration", 0, "kms_key_arn"])) {
      out.push(
        risk(
          "medium",
          "encryption-weakened",
          c,
          `Firehose stream ${code(nameOf(c) ?? c.name)} stops encrypting delivered objects with KMS key ${code(arnName(kmsBefore))}.`,
        ),
      );
    }
  }
  return out;
};

const configurationSetChecks: Check = (c) => {
  const out: Risk[] = [];
  const name = code(nameOf(c) ?? c.name);
  if (isDestroyed(c)) {
    out.push(
      risk(
        "high",
        "configuration-set-destroyed",
        c,
        `Configuration set ${name} is ${destroyedPhrase(c)}: its event destinations go with it, so events are not archived, and sending with it fails until it exists again.`,
      ),
    );
  }
  if (hasBeforeAndAfter(c)) {
    // SES v2 spells it REQUIRE, v1 Require.
    const tlsBefore = str(block(c.before, "delivery_options"), "tls_policy")?.toUpperCase();
    const tlsAfter = str(block(c.after, "delivery_options"), "tls_policy");
    if (tlsBefore === "REQUIRE" && tlsAfter?.toUpperCase() !== "REQUIRE" && !isUnknown(c, ["delivery_options"])) {
      out.push(
        risk(
          "medium",
          "encryption-weakened",
          c,
          `Configuration set ${name} TLS policy changes from ${code("REQUIRE")} to ${code(tlsAfter ?? "OPTIONAL")}: SES may deliver mail unencrypted.`,
        ),
      );
    }
  }
  return out;
};

interface DestinationValues {
  enabled?: boolean;
  types?: string[];
}

function destinationValues(c: Change, v: JsonObject | null): DestinationValues {
  if (c.type === "aws_ses_event_destination") {
    // SES v1 spells types in lower case ("bounce").
    return { enabled: typeof v?.enabled === "boolean" ? v.enabled : undefined, types: strings(v, "matching_types")?.map((t) => t.toUpperCase()) };
  }
  const ed = block(v, "event_destination");
  return { enabled: typeof ed?.enabled === "boolean" ? ed.enabled : undefined, types: strings(ed, "matching_event_types") };
}

/** Event types without which the archive cannot answer "who bounced or complained". */
const ESSENTIAL_EVENT_TYPES = ["BOUNCE", "COMPLAINT"];

const destinationChecks: Check = (c) => {
  const out: Risk[] = [];
  const name = code(
    str(c.after, "event_destination_name") ?? str(c.before, "event_destination_name") ?? str(c.before, "name") ?? str(c.after, "name") ?? c.name,
  );
  const set = str(c.after, "configuration_set_name") ?? str(c.before, "configuration_set_name");
  const of = set ? ` of configuration set ${code(set)}` : "";
  if (isGone(c)) {
    out.push(risk("high", "event-destination-disabled", c, `Event destination ${name}${of} is deleted: SES stops publishing events to it.`));
    return out;
  }
  const before = destinationValues(c, c.before);
  const after = destinationValues(c, c.after);
  if (c.after && after.enabled === false && before.enabled !== false) {
    out.push(
      risk(
        "high",
        "event-destination-disabled",
        c,
        `Event destination ${name}${of} is ${c.before ? "disabled" : "created disabled"} (\`enabled = false\`): SES publishes nothing to it.`,
      ),
    );
  }
  if (hasBeforeAndAfter(c) && before.types && after.types) {
    const lost = before.types.filter((t) => !after.types!.includes(t)).sort(compare);
    const essential = lost.filter((t) => ESSENTIAL_EVENT_TYPES.includes(t));
    const other = lost.filter((t) => !ESSENTIAL_EVENT_TYPES.includes(t));
    if (essential.length > 0) {
      out.push(
        risk(
          "high",
          "event-types-lost",
          c,
          `Event destination ${name}${of} stops archiving ${essential.map(code).join(" and ")}: the archive can no longer say which recipients bounced or complained.`,
        ),
      );
    }
    if (other.length > 0) {
      out.push(risk("low", "event-types-reduced", c, `Event destination ${name}${of} stops archiving ${other.map(code).join(", ")}.`));
    }
  }
  return out;
};

const lifecycleChecks: Check = (c, ctx) => {
  if (!hasBeforeAndAfter(c) || isUnknown(c, ["rule"])) return [];
  const before = retentionDays(c.before);
  const after = retentionDays(c.after);
  if (after === undefined || (before !== undefined && after >= before)) return [];
  const bucket = ctx.targets(c, ["bucket"])?.[0] ?? str(c.before, "bucket") ?? c.name;
  const was = before === undefined ? "never expired" : `expired after ${before} days`;
  return [
    risk(
      "high",
      "retention-shortened",
      c,
      `Objects in ${code(bucket)} now expire after ${after} days (they ${was}): S3 deletes every archived event older than ${after} days soon after the apply.`,
    ),
  ];
};

const PUBLIC_ACCESS_FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

const publicAccessBlockChecks: Check = (c, ctx) => {
  const where =
    c.type === "aws_s3_account_public_access_block"
      ? "the account"
      : code(ctx.targets(c, ["bucket"], "before")?.[0] ?? ctx.targets(c, ["bucket"])?.[0] ?? c.name);
  const wereOn = PUBLIC_ACCESS_FLAGS.filter((f) => c.before?.[f] === true);
  if (isGone(c) && wereOn.length > 0) {
    return [
      risk("high", "public-access-weakened", c, `The S3 public access block of ${where} is deleted: bucket policies and ACLs may make objects public again.`),
    ];
  }
  if (!hasBeforeAndAfter(c)) return [];
  const turnedOff = wereOn.filter((f) => c.after?.[f] === false);
  if (turnedOff.length === 0) return [];
  return [risk("high", "public-access-weakened", c, `The S3 public access block of ${where} turns off ${turnedOff.map(code).join(", ")}.`)];
};

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GRANTEES = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/;

const bucketAclChecks: Check = (c, ctx) => {
  if (!c.after) return [];
  const publicGrants = (v: JsonObject | null) =>
    (PUBLIC_ACLS.includes(str(v, "acl") ?? "") ? 1 : 0) +
    blocks(block(v, "access_control_policy"), "grant").filter((g) => PUBLIC_GRANTEES.test(str(block(g, "grantee"), "uri") ?? "")).length;
  if (publicGrants(c.after) <= publicGrants(c.before)) return [];
  const bucket = ctx.targets(c, ["bucket"])?.[0] ?? c.name;
  return [
    risk(
      "high",
      "public-access-weakened",
      c,
      `The ACL of bucket ${code(bucket)} grants access to everyone (${code(str(c.after, "acl") ?? "AllUsers grant")}).`,
    ),
  ];
};

const encryptionConfigChecks: Check = (c, ctx) => {
  const bucket = code(ctx.targets(c, ["bucket"], c.after ? "after" : "before")?.[0] ?? c.name);
  const sse = (v: JsonObject | null) => block(blocks(v, "rule")[0] ?? null, "apply_server_side_encryption_by_default");
  if (isGone(c)) {
    return [
      risk(
        "medium",
        "encryption-weakened",
        c,
        `The default encryption configuration of ${bucket} is deleted: new objects fall back to S3's default (SSE-S3, no bucket key, no KMS key).`,
      ),
    ];
  }
  if (!hasBeforeAndAfter(c) || isUnknown(c, ["rule"])) return [];
  const before = sse(c.before);
  const after = sse(c.after);
  const algBefore = str(before, "sse_algorithm") ?? "";
  const algAfter = str(after, "sse_algorithm") ?? "";
  if (algBefore.startsWith("aws:kms") && !algAfter.startsWith("aws:kms")) {
    return [
      risk(
        "medium",
        "encryption-weakened",
        c,
        `Default encryption of ${bucket} changes from ${code(algBefore)} to ${code(algAfter || "none")}: objects are no longer protected by a KMS key.`,
      ),
    ];
  }
  if (str(before, "kms_master_key_id") && !str(after, "kms_master_key_id")) {
    return [risk("medium", "encryption-weakened", c, `Default encryption of ${bucket} no longer names a KMS key; S3 uses the AWS managed key instead.`)];
  }
  return [];
};

const kmsKeyChecks: Check = (c) => {
  const key = code(str(c.before, "description") ?? nameOf(c) ?? c.address);
  if (isDestroyed(c)) {
    const days = num(c.before, "deletion_window_in_days");
    return [
      risk(
        "high",
        "encryption-weakened",
        c,
        `KMS key ${key} is ${destroyedPhrase(c)} and scheduled for deletion${days ? ` in ${days} days` : ""}: what it encrypts becomes unreadable, and topics encrypted with it stop accepting messages.`,
      ),
    ];
  }
  if (hasBeforeAndAfter(c) && c.before?.enable_key_rotation === true && c.after?.enable_key_rotation === false) {
    return [risk("medium", "encryption-weakened", c, `KMS key ${key} stops rotating its key material yearly.`)];
  }
  return [];
};

const topicEncryptionChecks: Check = (c) => {
  if (!hasBeforeAndAfter(c) || isUnknown(c, ["kms_master_key_id"])) return [];
  if (!str(c.before, "kms_master_key_id") || str(c.after, "kms_master_key_id")) return [];
  return [risk("medium", "encryption-weakened", c, `SNS topic ${code(nameOf(c) ?? c.name)} stops encrypting messages at rest.`)];
};

/** Resource policies: a new Allow for any principal makes the resource public. */
const RESOURCE_POLICY_TYPES = new Set(["aws_s3_bucket_policy", "aws_sns_topic_policy", "aws_sns_topic", "aws_sqs_queue_policy", "aws_sqs_queue"]);

/** Attributes holding a policy document, per type. */
const POLICY_ATTRIBUTES: Readonly<Record<string, string>> = {
  aws_iam_role: "assume_role_policy",
  aws_iam_role_policy: "policy",
  aws_iam_user_policy: "policy",
  aws_iam_group_policy: "policy",
  aws_iam_policy: "policy",
  aws_s3_bucket_policy: "policy",
  aws_sns_topic_policy: "policy",
  aws_sns_topic: "policy",
  aws_sqs_queue_policy: "policy",
  aws_sqs_queue: "policy",
};

function policyRisks(c: Change, ctx: Context, label: string, before: Json | undefined, after: Json | undefined): Risk[] {
  const w = policyWidening(before, after);
  if (!w) return [];
  const out: Risk[] = [];
  if (w.wildcardActions.length > 0) {
    const admin = w.wildcardActions.some((a) => a === "*" || a.startsWith("NotAction"));
    out.push(risk(admin ? "high" : "medium", "iam-policy-widened", c, `${label} newly allows wildcard actions ${w.wildcardActions.map(code).join(", ")}.`));
  }
  if (w.wideResources.length > 0) {
    out.push(risk("medium", "iam-policy-widened", c, `${label} newly allows every resource of a kind: ${w.wideResources.map(code).join(", ")}.`));
  }
  if (w.lostConditions.length > 0) {
    out.push(
      risk(
        "medium",
        "iam-policy-widened",
        c,
        `${label} drops the condition ${w.lostConditions.map(code).join(", ")}: the service can then act for other accounts or resources (confused deputy).`,
      ),
    );
  }
  if (w.publicStatements.length > 0) {
    const isResourcePolicy = RESOURCE_POLICY_TYPES.has(c.type);
    out.push(
      risk(
        "high",
        isResourcePolicy ? "public-access-weakened" : "iam-policy-widened",
        c,
        `${label} newly allows any principal (\`*\`) without a condition in ${w.publicStatements.map(code).join(", ")}${isResourcePolicy ? ": the resource becomes public" : ": anyone can assume the role"}.`,
      ),
    );
  }
  if (c.type === "aws_s3_bucket_policy") {
    // The archive bucket's policy denies plain HTTP; losing that is an encryption-in-transit regression.
    const bucket = code(ctx.targets(c, ["bucket"])?.[0] ?? c.name);
    if (deniesInsecureTransport(before) === true && deniesInsecureTransport(after) === false) {
      out.push(risk("medium", "encryption-weakened", c, `The policy of bucket ${bucket} no longer denies requests without TLS (\`aws:SecureTransport\`).`));
    }
  }
  return out;
}

const policyChecks: Check = (c, ctx) => {
  const attr = POLICY_ATTRIBUTES[c.type];
  const out: Risk[] = [];
  const what = c.type === "aws_iam_role" ? `Trust policy of role ${code(nameOf(c) ?? c.name)}` : `Policy ${code(c.address)}`;
  if (c.after && !isUnknown(c, [attr])) out.push(...policyRisks(c, ctx, what, c.before?.[attr], c.after[attr]));
  if (c.type === "aws_s3_bucket_policy" && isGone(c) && deniesInsecureTransport(c.before?.policy) === true) {
    const bucket = code(str(c.before, "bucket") ?? c.name);
    out.push(risk("medium", "encryption-weakened", c, `The policy of bucket ${bucket} is deleted, and with it the denial of requests without TLS.`));
  }
  if (c.type === "aws_iam_role" && c.after && !isUnknown(c, ["inline_policy"])) {
    const old = new Map(blocks(c.before, "inline_policy").map((p) => [str(p, "name") ?? "", p.policy] as const));
    for (const p of blocks(c.after, "inline_policy")) {
      const name = str(p, "name") ?? "";
      out.push(...policyRisks(c, ctx, `Inline policy ${code(name)} of role ${code(nameOf(c) ?? c.name)}`, old.get(name), p.policy));
    }
  }
  return out;
};

/** AWS managed policies that grant far more than a service role needs. */
const BROAD_MANAGED_POLICY = /:policy\/(?:.*\/)?(AdministratorAccess|PowerUserAccess|IAMFullAccess|[A-Za-z0-9]*FullAccess)$/;

const attachmentChecks: Check = (c) => {
  const arn = str(c.after, "policy_arn");
  if (!arn || arn === str(c.before, "policy_arn")) return [];
  const m = BROAD_MANAGED_POLICY.exec(arn);
  if (!m) return [];
  const admin = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"].includes(m[1]);
  const who = str(c.after, "role") ?? str(c.after, "user") ?? str(c.after, "group") ?? c.name;
  return [risk(admin ? "high" : "medium", "iam-policy-widened", c, `Attaches the managed policy ${code(m[1])} to ${code(who)}.`)];
};

const identityNotificationChecks: Check = (c, ctx) => {
  const identity = str(c.before, "identity") ?? str(c.after, "identity") ?? c.name;
  const type = str(c.before, "notification_type") ?? str(c.after, "notification_type") ?? "";
  const topic = ctx.targets(c, ["topic_arn"], "before")?.[0];
  const level: RiskLevel = type === "Delivery" ? "low" : "medium";
  const stopped = isGone(c) || (hasBeforeAndAfter(c) && !!str(c.before, "topic_arn") && !str(c.after, "topic_arn") && !isUnknown(c, ["topic_arn"]));
  if (!stopped) return [];
  return [
    risk(
      level,
      "notifications-removed",
      c,
      `SES stops publishing ${type || "its"} notifications for ${code(identity)}${topic ? ` to SNS topic ${code(topic)}` : ""}: ${
        type === "Delivery" ? "deliveries are no longer reported" : "nobody hears of each bounce or complaint as it happens"
      }.`,
    ),
  ];
};

const NOTIFICATION_NOUN: Readonly<Record<string, string>> = { Bounce: "bounce", Complaint: "complaint", Delivery: "delivery" };

/**
 * SES keeps one SNS topic per identity and notification type: SetIdentityNotificationTopic takes one
 * `SnsTopic` and replaces what was there (Amazon SES API Reference, SetIdentityNotificationTopic,
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_SetIdentityNotificationTopic.html).
 * A create cannot show the topic it replaces (set by hand or another tool, so not in this state);
 * an update moves notifications away from a topic someone may still read. Medium for Bounce and
 * Complaint (whatever handled them, a suppression job say, stops hearing of them), low for Delivery.
 */
const notificationTopicChecks: Check = (c, ctx) => {
  if (!c.after) return [];
  const unknown = isUnknown(c, ["topic_arn"]);
  const after = str(c.after, "topic_arn");
  // A topic cleared is notifications-removed.
  if (!unknown && !after) return [];
  const identity = str(c.after, "identity") ?? c.name;
  const type = str(c.after, "notification_type") ?? "";
  const samePair = str(c.before, "identity") === identity && str(c.before, "notification_type") === type;
  const before = samePair ? str(c.before, "topic_arn") : undefined;
  if (before && !unknown && before === after) return [];
  const noun = NOTIFICATION_NOUN[type] ?? "notification";
  const to = code(ctx.targets(c, ["topic_arn"])?.[0] ?? "(known after apply)");
  const what = `SES keeps one ${type || "notification"} topic per identity`;
  const reason = before
    ? `${what}, so moving ${code(identity)}'s ${type} notifications from SNS topic ${code(arnName(before))} to ${to} cuts that topic's subscribers off from each ${noun}.`
    : `${what}, so sending ${code(identity)}'s ${type} notifications to SNS topic ${to} replaces any topic already set outside this state: whatever subscribed to that one stops hearing of each ${noun}.`;
  return [risk(type === "Delivery" ? "low" : "medium", "notification-topic-overwritten", c, reason)];
};

const dashboardChecks: Check = (c) =>
  isGone(c)
    ? [
        risk(
          "low",
          "dashboard-removed",
          c,
          `CloudWatch dashboard ${code(str(c.before, "dashboard_name") ?? c.name)} is deleted: the rates, levels and alarm states lose their one view.`,
        ),
      ]
    : [];

const CHECKS: Readonly<Record<string, readonly Check[]>> = {
  aws_cloudwatch_dashboard: [dashboardChecks],
  aws_cloudwatch_metric_alarm: [alarmChecks],
  aws_s3_bucket: [bucketChecks],
  aws_kinesis_firehose_delivery_stream: [streamChecks],
  aws_sesv2_configuration_set: [configurationSetChecks],
  aws_ses_configuration_set: [configurationSetChecks],
  aws_sesv2_configuration_set_event_destination: [destinationChecks],
  aws_ses_event_destination: [destinationChecks],
  aws_s3_bucket_lifecycle_configuration: [lifecycleChecks],
  aws_s3_bucket_public_access_block: [publicAccessBlockChecks],
  aws_s3_account_public_access_block: [publicAccessBlockChecks],
  aws_s3_bucket_acl: [bucketAclChecks],
  aws_s3_bucket_server_side_encryption_configuration: [encryptionConfigChecks],
  aws_sns_topic: [topicEncryptionChecks, policyChecks],
  aws_iam_role: [policyChecks],
  aws_iam_role_policy: [policyChecks],
  aws_iam_user_policy: [policyChecks],
  aws_iam_group_policy: [policyChecks],
  aws_iam_policy: [policyChecks],
  aws_s3_bucket_policy: [policyChecks],
  aws_sns_topic_policy: [policyChecks],
  aws_sqs_queue_policy: [policyChecks],
  aws_sqs_queue: [policyChecks],
  aws_iam_role_policy_attachment: [attachmentChecks],
  aws_iam_user_policy_attachment: [attachmentChecks],
  aws_iam_group_policy_attachment: [attachmentChecks],
  aws_iam_policy_attachment: [attachmentChecks],
  aws_ses_identity_notification_topic: [identityNotificationChecks, notificationTopicChecks],
  aws_kms_key: [kmsKeyChecks],
};

const checksFor = (type: string): readonly Check[] => [...(CHECKS[type] ?? []), ...(OPERATOR_CHECKS[type] ?? [])];
