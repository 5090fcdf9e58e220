/**
 * What every plan-review rule shares: the risk levels and kinds, the Risk record, and the
 * helpers that name resources in a sentence (code spans, ARNs, alarm thresholds in percent).
 * plan-review-risks.ts and plan-review-operator.ts hold the rules themselves.
 */
import { block, blocks, Change, compare, isUnknown, Json, JsonObject, num, Plan, referencedAddresses, str } from "./plan-review-model";
import { AWS_REVIEW_LEVEL, Rate } from "../shared/rate";

/** Highest first. `--fail-on=LEVEL` fails on that level or any above it. */
export const RISK_LEVELS = ["high", "medium", "low"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/**
 * Every kind of flag, with its heading. Levels: high loses archived data, stops
 * the archive or the alarms, or exposes data; medium weakens security or cuts someone
 * off from bounce and complaint notifications; low is worth a look.
 */
export const RISK_KINDS = {
  "bucket-destroyed": "S3 bucket deleted or replaced",
  "delivery-stream-destroyed": "Firehose stream deleted or replaced",
  "configuration-set-destroyed": "Configuration set deleted or replaced",
  "event-destination-disabled": "Event destination disabled or deleted",
  "event-types-lost": "Bounces or complaints no longer archived",
  "event-types-reduced": "Fewer event types archived",
  "retention-shortened": "Archive retention shortened",
  "alarm-removed": "Alarm removed",
  "alarm-actions-emptied": "Alarm notifies nobody",
  "threshold-above-review-level": "Alarm threshold above the AWS review level",
  "public-access-weakened": "Public access weakened",
  "encryption-weakened": "Encryption weakened",
  "iam-policy-widened": "IAM policy widened",
  "notifications-removed": "Per-message notifications removed",
  "notification-topic-overwritten": "Identity notification topic overwritten",
  "auto-pause-removed": "Automatic pause turned off",
  "chat-channel-removed": "Chat channel removed",
  "dashboard-removed": "Dashboard removed",
  "auto-pause-added": "Automatic pause turned on",
  "auto-pause-scope-changed": "Automatic pause scope changed",
  "chat-channel-added": "Chat channel added",
  "alarm-level-changed": "Alarm level changed",
  "retention-changed": "Archive retention changed",
  "data-bearing-destroyed": "Data-bearing resource destroyed",
  "data-bearing-forgotten": "Data-bearing resource forgotten",
} as const;
export type RiskKind = keyof typeof RISK_KINDS;

export interface Risk {
  readonly level: RiskLevel;
  readonly kind: RiskKind;
  /** The resource instance (`aws_s3_bucket.archive_bucket`). */
  readonly address: string;
  /** One sentence: what changes and why it matters. Markdown (names in code spans). */
  readonly reason: string;
}

export const levelRank = (level: RiskLevel): number => RISK_LEVELS.length - RISK_LEVELS.indexOf(level);

// ---------------------------------------------------------------- naming

/** Markdown code span that survives backticks in the value. */
export function code(value: string): string {
  const runs = value.match(/`+/g) ?? [];
  const fence = "`".repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = value.startsWith("`") || value.endsWith("`") ? " " : "";
  return `${fence}${pad}${value}${pad}${fence}`;
}

/** The short name in an ARN: topic, bucket, stream or role name. */
export function arnName(arn: string): string {
  const parts = arn.split(":");
  if (parts[0] !== "arn" || parts.length < 6) return arn;
  const resource = parts.slice(5).join(":");
  // SNS subscription ARNs are topic:uuid; everything else ends in type/name or is the name.
  if (parts[2] === "sns") return parts[5];
  return resource.slice(resource.indexOf("/") + 1);
}

const NAME_KEYS = ["alarm_name", "bucket", "configuration_set_name", "event_destination_name", "name", "identity", "endpoint"];

/** A resource's own name from its values, e.g. the bucket name for aws_s3_bucket. */
export function nameOf(c: Change | undefined): string | undefined {
  for (const values of [c?.after, c?.before]) {
    for (const key of NAME_KEYS) {
      const v = str(values, key);
      if (v) return v;
    }
  }
  return undefined;
}

/** Lookups shared by the checks and the Markdown. */
export class Context {
  private readonly byAddress = new Map<string, Change>();

  constructor(public readonly plan: Plan) {
    for (const c of plan.changes) if (!c.deposed) this.byAddress.set(c.address, c);
  }

  change(address: string): Change | undefined {
    return this.byAddress.get(address);
  }

  /**
   * Names of the resources an ARN-valued attribute points at: from the ARN when
   * known, else from the configuration's references (a topic created in the same
   * plan has no ARN yet). `side` picks before or after values.
   */
  targets(c: Change, path: readonly (string | number)[], side: "before" | "after" = "after"): string[] | undefined {
    const values = side === "after" ? c.after : c.before;
    if (!values) return undefined;
    if (side === "after" && isUnknown(c, path)) {
      const names = referencedAddresses(this.plan, c, path).map((a) => nameOf(this.change(a)) ?? a);
      return names.length > 0 ? names : ["(known after apply)"];
    }
    let node: Json | undefined = values;
    for (const step of path) {
      if (Array.isArray(node) && typeof step === "number") node = node[step];
      else if (node !== null && typeof node === "object" && !Array.isArray(node) && typeof step === "string") node = node[step];
      else return undefined;
    }
    if (typeof node === "string") return node === "" ? [] : [arnName(node)];
    if (node === null || node === undefined) return [];
    if (Array.isArray(node)) {
      return node
        .map((v, i) => {
          if (typeof v === "string") return arnName(v);
          // An element only known after apply inside a known list.
          const refs = side === "after" && isUnknown(c, [...path, i]) ? referencedAddresses(this.plan, c, path) : [];
          return refs.map((a) => nameOf(this.change(a)) ?? a).join(", ") || "(known after apply)";
        })
        .sort(compare);
    }
    return undefined;
  }
}

/** "deleted" or "replaced (because `bucket` changed)". */
export function destroyedPhrase(c: Change): string {
  if (c.kind === "delete") return c.deposed ? `deleted (deposed object ${code(c.deposed)})` : "deleted";
  return `replaced (${replaceCause(c)})`;
}

/** Why Terraform replaces rather than updates. */
export function replaceCause(c: Change): string {
  if (c.actionReason === "replace_by_request") return "requested with -replace";
  if (c.actionReason === "replace_because_tainted") return "the object is tainted";
  const paths = c.replacePaths.map((p) => p.filter((s) => typeof s === "string").join(".")).filter((p) => p !== "");
  const unique = [...new Set(paths)].sort(compare);
  if (unique.length > 0) return `${unique.map(code).join(", ")} cannot change in place`;
  return "a setting cannot change in place";
}

// ---------------------------------------------------------------- shared by the rules

/** A rule for one resource change. */
export type Check = (c: Change, ctx: Context) => Risk[];

export const risk = (level: RiskLevel, kind: RiskKind, c: Change, reason: string): Risk => ({ level, kind, address: c.address, reason });

/** The percent a CloudWatch rate threshold stands for; toPrecision keeps 0.07 at 7, not 7.000000000000001. */
export const thresholdPercent = (fraction: number): number => Number((fraction * 100).toPrecision(12));

/** Namespaces of the alarms this review guards: SES reputation, and the archive's Firehose delivery. */
const WATCHED_NAMESPACES = ["AWS/SES", "AWS/Firehose"];

/** An alarm on SES or the archive's delivery stream (also inside metric math). */
export function isWatchedAlarm(v: JsonObject | null): boolean {
  if (!v) return false;
  if (WATCHED_NAMESPACES.includes(str(v, "namespace") ?? "")) return true;
  return blocks(v, "metric_query").some((q) => WATCHED_NAMESPACES.includes(str(block(q, "metric"), "namespace") ?? ""));
}

/** The AWS review level for a reputation metric, or undefined for any other metric. */
export function reviewLevel(metricName: string | undefined): { metric: string; level: Rate } | undefined {
  if (metricName === "Reputation.BounceRate") return { metric: "bounce rate", level: AWS_REVIEW_LEVEL.bounce };
  if (metricName === "Reputation.ComplaintRate") return { metric: "complaint rate", level: AWS_REVIEW_LEVEL.complaint };
  return undefined;
}

export const alarmLabel = (c: Change): string => code(str(c.after, "alarm_name") ?? str(c.before, "alarm_name") ?? c.name);

/** Shortest expiration in days over enabled rules; undefined when objects never expire. */
export function retentionDays(v: JsonObject | null): number | undefined {
  const days = blocks(v, "rule")
    .filter((r) => str(r, "status") === "Enabled")
    .map((r) => num(block(r, "expiration"), "days"))
    .filter((d): d is number => d !== undefined && d > 0);
  return days.length > 0 ? Math.min(...days) : undefined;
}
