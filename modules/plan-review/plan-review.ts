/**
 * Plan review: `terraform show -json <planfile>` in, a pull-request comment out.
 *
 * The Markdown lists risk flags first, then the settings that matter (alarm
 * thresholds with their units, subscribers, archived event types, lifecycle,
 * Firehose buffering, identity notifications) before and after, then every
 * resource by action, then the estimated fixed monthly cost before and after
 * (modules/shared/cost.ts). It is GitHub-flavoured, and deterministic: every list is
 * sorted in code-unit order and nothing depends on the clock or the locale, so
 * the same plan always gives the same bytes. Pure: no I/O.
 */
import { block, blocks, Change, compare, isChanged, JsonObject, num, parsePlanText, Plan, str, strings } from "./plan-review-model";
import { regionNames } from "../shared/names";
import { AWS_REVIEW_LEVEL } from "../shared/rate";
import { findRisks } from "./plan-review-risks";
import { code, Context, isWatchedAlarm, replaceCause, reviewLevel, Risk, RISK_KINDS, RiskLevel, thresholdPercent } from "./plan-review-common";
import { costItems, CostResource, estimateFixedCost, NOT_INCLUDED, PRICE_BASIS, usd } from "../shared/cost";

export { parsePlan, parsePlanText, PlanInputError, PLAN_ALLOWED } from "./plan-review-model";
export type { Plan } from "./plan-review-model";
export { findRisks } from "./plan-review-risks";
export { levelRank, RISK_KINDS, RISK_LEVELS } from "./plan-review-common";
export type { Risk, RiskKind, RiskLevel } from "./plan-review-common";

/** Tables longer than this are folded into a `<details>` block. */
export const DETAILS_THRESHOLD = 10;

/** Counted per resource instance; an import that also updates counts as both. */
export interface ChangeCounts {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
  readonly import: number;
  /** Left alone. */
  readonly unchanged: number;
  /** Any other action (`forget`, ...), by name. */
  readonly other: Readonly<Record<string, number>>;
}

export interface PlanReview {
  /** The pull-request comment, ending in a newline. */
  readonly markdown: string;
  /** Sorted by level (high first), kind and address. */
  readonly risks: readonly Risk[];
  readonly counts: ChangeCounts;
}

export interface ReviewOptions {
  /**
   * Shown in the heading, e.g. the stack name, so one comment can hold several stacks.
   * @default - the ses-guard stacks found in the plan (see {@link stackNames}), else none
   */
  readonly title?: string;
}

/** Reviews plan JSON text; throws {@link PlanInputError} for anything that is not a supported plan. */
export function reviewPlanText(text: string, source: string, options: ReviewOptions = {}): PlanReview {
  return reviewPlan(parsePlanText(text, source), options);
}

export function reviewPlan(plan: Plan, options: ReviewOptions = {}): PlanReview {
  const risks = findRisks(plan);
  const counts = countChanges(plan.changes);
  return { markdown: renderMarkdown(plan, risks, counts, options), risks, counts };
}

export function countChanges(changes: readonly Change[]): ChangeCounts {
  const counts = { create: 0, update: 0, replace: 0, delete: 0, import: 0, unchanged: 0 };
  const other: Record<string, number> = {};
  for (const c of changes) {
    if (c.importing) counts.import++;
    if (c.kind === "create" || c.kind === "update" || c.kind === "replace" || c.kind === "delete") counts[c.kind]++;
    else if (c.kind === "no-op") {
      if (!c.importing) counts.unchanged++;
    } else other[c.kind] = (other[c.kind] ?? 0) + 1;
  }
  return { ...counts, other };
}

// ---------------------------------------------------------------- Markdown helpers

const LEVEL_BADGE: Readonly<Record<RiskLevel, string>> = { high: "🔴 high", medium: "🟠 medium", low: "🟡 low" };

/** A table cell: pipes escaped (GitHub honours `\|` inside code spans too), no line breaks. */
const cell = (text: string): string => text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");

/** Text for HTML context (`<summary>`). */
const html = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

/** A titled table, folded when long. Rows are sorted, so order never depends on the plan's. */
function section(title: string, header: readonly string[], rows: (readonly string[])[]): string[] {
  if (rows.length === 0) return [];
  const sorted = [...rows].sort((a, b) => compare(a.join("\u0000"), b.join("\u0000")));
  const lines = table(header, sorted);
  if (rows.length > DETAILS_THRESHOLD) {
    // The blank lines let GitHub render the Markdown table inside the HTML block.
    return ["<details>", `<summary>${html(title)} (${rows.length})</summary>`, "", ...lines, "", "</details>", ""];
  }
  return [`**${title}**`, "", ...lines, ""];
}

const ACTION_ORDER = ["create", "update", "replace", "delete", "import"];

/** "create", "replace", "import, update": what the Change column says. */
function actionLabel(c: Change): string {
  const parts = c.kind === "no-op" ? [] : [c.kind];
  if (c.importing) parts.unshift("import");
  if (parts.length === 0 && c.previousAddress) parts.push("move");
  return parts.join(", ") || "no change";
}

function actionRank(c: Change): number {
  const kind = c.kind === "no-op" && c.importing ? "import" : c.kind;
  const i = ACTION_ORDER.indexOf(kind);
  return i === -1 ? ACTION_ORDER.length : i;
}

const NONE = "none";

/** "before → after" for an update, one side otherwise. */
function diff(c: Change, render: (values: JsonObject) => string | undefined): string {
  const b = c.before ? (render(c.before) ?? NONE) : undefined;
  const a = c.after ? (render(c.after) ?? NONE) : undefined;
  if (b === undefined) return a ?? NONE;
  if (a === undefined) return b;
  return a === b ? a : `${b} → ${a}`;
}

/** "a → b" from two optional renderings, for sub-objects matched by key. */
function diffValues(c: Change, b: string | undefined, a: string | undefined): string {
  if (!c.before) return a ?? NONE;
  if (!c.after) return b ?? NONE;
  return (a ?? NONE) === (b ?? NONE) ? (a ?? NONE) : `${b ?? NONE} → ${a ?? NONE}`;
}

const codes = (values: readonly string[]): string => (values.length === 0 ? NONE : values.map(code).join(", "));

// ---------------------------------------------------------------- settings

/** CloudWatch's `unit` values, as printed after a threshold. */
const UNIT_SUFFIX: Readonly<Record<string, string>> = {
  Seconds: "s",
  Milliseconds: "ms",
  Microseconds: "µs",
  Percent: "%",
  Bytes: "bytes",
  Kilobytes: "KB",
  Megabytes: "MB",
  Gigabytes: "GB",
  "Bytes/Second": "bytes/s",
  "Count/Second": "per second",
};

/**
 * A threshold with its unit. Reputation rates and Firehose's `*.Success` (successful S3 puts over
 * all puts) are fractions, shown in percent; `*.DataFreshness` is the age of the oldest record
 * not yet delivered, in seconds (Amazon Data Firehose Developer Guide, "Data delivery metrics").
 * SES's other metrics count events, so a Sum is per period.
 */
function thresholdText(v: JsonObject, threshold: number): string {
  const metric = str(v, "metric_name") ?? "";
  const firehose = str(v, "namespace") === "AWS/Firehose";
  if (reviewLevel(metric) || (firehose && metric.endsWith(".Success"))) return `${thresholdPercent(threshold)} %`;
  if (firehose && metric.endsWith(".DataFreshness")) return `${threshold} s`;
  const unit = str(v, "unit");
  if (unit && UNIT_SUFFIX[unit]) return `${threshold} ${UNIT_SUFFIX[unit]}`;
  const counts = unit === "Count" || (str(v, "namespace") === "AWS/SES" && metric !== "");
  const period = num(v, "period");
  if (counts && str(v, "statistic") === "Sum" && period !== undefined) return `${threshold} per ${period} s`;
  return String(threshold);
}

function alarmRows(ctx: Context, changes: readonly Change[]): string[][] {
  return changes
    .filter((c) => c.type === "aws_cloudwatch_metric_alarm" && (isWatchedAlarm(c.before) || isWatchedAlarm(c.after)))
    .map((c) => {
      const threshold = (v: JsonObject) => {
        const t = num(v, "threshold");
        return t === undefined ? undefined : thresholdText(v, t);
      };
      const notifies = (side: "before" | "after") => (v: JsonObject) => {
        if (v.actions_enabled === false) return "nobody (actions disabled)";
        const topics = ctx.targets(c, ["alarm_actions"], side) ?? [];
        return topics.length === 0 ? "nobody" : codes(topics);
      };
      const metric = (v: JsonObject) => reviewLevel(str(v, "metric_name"))?.metric ?? code(str(v, "metric_name") ?? "metric math");
      return [
        actionLabel(c),
        diff(c, (v) => code(str(v, "alarm_name") ?? c.name)),
        diff(c, metric),
        diff(c, threshold),
        diffValues(c, c.before ? notifies("before")(c.before) : undefined, c.after ? notifies("after")(c.after) : undefined),
      ];
    });
}

function subscriptionRows(ctx: Context, changes: readonly Change[]): string[][] {
  return changes
    .filter((c) => c.type === "aws_sns_topic_subscription")
    .map((c) => [
      actionLabel(c),
      diff(c, (v) => code(str(v, "endpoint") ?? "(known after apply)")),
      diff(c, (v) => str(v, "protocol")),
      diffValues(c, ctx.targets(c, ["topic_arn"], "before")?.map(code).join(", "), ctx.targets(c, ["topic_arn"], "after")?.map(code).join(", ")),
    ]);
}

const DESTINATION_KINDS: ReadonlyArray<[string, string]> = [
  ["kinesis_firehose_destination", "Firehose"],
  ["cloud_watch_destination", "CloudWatch"],
  ["sns_destination", "SNS"],
  ["event_bridge_destination", "EventBridge"],
  ["pinpoint_destination", "Pinpoint"],
];

function destinationRows(ctx: Context, changes: readonly Change[]): string[][] {
  return changes
    .filter((c) => c.type === "aws_sesv2_configuration_set_event_destination" || c.type === "aws_ses_event_destination")
    .map((c) => {
      const v1 = c.type === "aws_ses_event_destination";
      const ed = (v: JsonObject | null) => (v1 ? v : (block(v, "event_destination") ?? null));
      const types = (v: JsonObject | null) => (v1 ? strings(v, "matching_types")?.map((t) => t.toUpperCase()) : strings(ed(v), "matching_event_types"));
      const before = types(c.before);
      const after = types(c.after);
      let typesCell: string;
      if (c.before && c.after && before && after) {
        const removed = before.filter((t) => !after.includes(t)).sort(compare);
        const added = after.filter((t) => !before.includes(t)).sort(compare);
        const notes = [removed.length ? `removed: ${codes(removed)}` : "", added.length ? `added: ${codes(added)}` : ""].filter(Boolean);
        typesCell = codes([...after].sort(compare)) + (notes.length ? ` (${notes.join("; ")})` : "");
      } else {
        const list = c.after ? after : before;
        typesCell = list ? codes([...list].sort(compare)) : "(known after apply)";
      }
      const enabled = (v: JsonObject) => {
        const e = ed(v)?.enabled;
        return e === true ? "yes" : e === false ? "**no**" : NONE;
      };
      const sendsTo = (side: "before" | "after") => {
        const values = side === "before" ? c.before : c.after;
        if (!values) return undefined;
        if (v1) {
          const kind = ["kinesis_destination", "cloudwatch_destination", "sns_destination"].find((k) => blocks(values, k).length > 0);
          return kind ? kind.replace(/_destination$/, "") : NONE;
        }
        const found = DESTINATION_KINDS.find(([k]) => blocks(ed(values), k).length > 0);
        if (!found) return NONE;
        if (found[0] !== "kinesis_firehose_destination") return found[1];
        const stream = ctx.targets(c, ["event_destination", 0, "kinesis_firehose_destination", 0, "delivery_stream_arn"], side);
        return `Firehose ${stream?.length ? codes(stream) : "(known after apply)"}`;
      };
      return [
        actionLabel(c),
        diff(c, (v) => code(str(v, "configuration_set_name") ?? NONE)),
        diff(c, (v) => code(str(v, "event_destination_name") ?? str(v, "name") ?? c.name)),
        diff(c, enabled),
        typesCell,
        diffValues(c, sendsTo("before"), sendsTo("after")),
      ];
    });
}

function lifecycleRows(ctx: Context, changes: readonly Change[]): string[][] {
  const rows: string[][] = [];
  for (const c of changes.filter((x) => x.type === "aws_s3_bucket_lifecycle_configuration")) {
    const bucket = diffValues(c, ctx.targets(c, ["bucket"], "before")?.map(code).join(", "), ctx.targets(c, ["bucket"], "after")?.map(code).join(", "));
    const rulesOf = (v: JsonObject | null) => new Map(blocks(v, "rule").map((r, i) => [str(r, "id") ?? `rule ${i + 1}`, r] as const));
    const before = rulesOf(c.before);
    const after = rulesOf(c.after);
    const ids = [...new Set([...before.keys(), ...after.keys()])].sort(compare);
    const transitions = (r: JsonObject | undefined) => {
      if (!r) return undefined;
      const list = blocks(r, "transition")
        .map((t) => ({ days: num(t, "days"), date: str(t, "date"), cls: str(t, "storage_class") ?? "?" }))
        .sort((a, b) => (a.days ?? 0) - (b.days ?? 0));
      return list.length === 0 ? NONE : list.map((t) => `${t.days !== undefined ? `${t.days} d` : (t.date ?? "?")} ${code(t.cls)}`).join(", ");
    };
    const expiration = (r: JsonObject | undefined) => {
      if (!r) return undefined;
      const e = block(r, "expiration");
      const days = num(e, "days");
      if (days !== undefined && days > 0) return `${days} d`;
      if (str(e, "date")) return `on ${str(e, "date")}`;
      return "—";
    };
    const abort = (r: JsonObject | undefined) => {
      if (!r) return undefined;
      const d = num(block(r, "abort_incomplete_multipart_upload"), "days_after_initiation");
      return d === undefined ? "—" : `abort after ${d} d`;
    };
    const status = (r: JsonObject | undefined) =>
      r ? (str(r, "status") === "Enabled" ? "enabled" : `**${(str(r, "status") ?? "disabled").toLowerCase()}**`) : "absent";
    for (const id of ids) {
      const b = before.get(id);
      const a = after.get(id);
      rows.push([
        actionLabel(c),
        bucket,
        `${code(id)} ${diffValues(c, c.before ? status(b) : undefined, c.after ? status(a) : undefined)}`,
        diffValues(c, transitions(b), transitions(a)),
        diffValues(c, expiration(b), expiration(a)),
        diffValues(c, abort(b), abort(a)),
      ]);
    }
  }
  return rows;
}

function streamRows(ctx: Context, changes: readonly Change[]): string[][] {
  return changes
    .filter((c) => c.type === "aws_kinesis_firehose_delivery_stream")
    .map((c) => {
      const s3 = (v: JsonObject) => block(v, "extended_s3_configuration");
      const buffering = (v: JsonObject) => {
        const cfg = s3(v);
        if (!cfg) return undefined;
        return `${num(cfg, "buffering_interval") ?? "?"} s or ${num(cfg, "buffering_size") ?? "?"} MiB`;
      };
      const bucket = (side: "before" | "after") => ctx.targets(c, ["extended_s3_configuration", 0, "bucket_arn"], side)?.map(code).join(", ");
      return [
        actionLabel(c),
        diff(c, (v) => code(str(v, "name") ?? c.name)),
        diff(c, buffering),
        diff(c, (v) => str(s3(v), "compression_format")),
        diffValues(c, bucket("before"), bucket("after")),
      ];
    });
}

function notificationRows(ctx: Context, changes: readonly Change[]): string[][] {
  return changes
    .filter((c) => c.type === "aws_ses_identity_notification_topic")
    .map((c) => [
      actionLabel(c),
      diff(c, (v) => code(str(v, "identity") ?? NONE)),
      diff(c, (v) => str(v, "notification_type")),
      diffValues(
        c,
        ctx.targets(c, ["topic_arn"], "before")?.map(code).join(", ") || (c.before ? NONE : undefined),
        ctx.targets(c, ["topic_arn"], "after")?.map(code).join(", ") || (c.after ? NONE : undefined),
      ),
      diff(c, (v) => (v.include_original_headers === true ? "yes" : v.include_original_headers === false ? "no" : undefined)),
    ]);
}

function resourceRows(changes: readonly Change[]): string[][] {
  return changes
    .filter((c) => isChanged(c) || c.importing || c.previousAddress)
    .sort((a, b) => actionRank(a) - actionRank(b) || compare(a.address, b.address))
    .map((c) => {
      const notes: string[] = [];
      if (c.kind === "replace") notes.push(replaceCause(c));
      if (c.importing) notes.push(c.importId !== undefined ? `import ID ${code(c.importId)}` : "imported");
      if (c.previousAddress) notes.push(`moved from ${code(c.previousAddress)}`);
      if (c.deposed) notes.push(`deposed object ${code(c.deposed)}`);
      return [actionLabel(c), code(c.address), notes.join("; ") || "—"];
    });
}

// ---------------------------------------------------------------- fixed cost

/** The resource instances before or after the plan: what AWS bills every month either side. */
function costResources(plan: Plan, side: "before" | "after"): CostResource[] {
  return plan.changes
    .filter((c) => !c.deposed && (side === "before" ? c.kind !== "create" : c.kind !== "delete" && !c.actions.includes("forget")))
    .flatMap((c) => {
      const values = side === "before" ? c.before : c.after;
      return values ? [{ type: c.type, values }] : [];
    });
}

/** The estimated fixed monthly cost before → after (modules/shared/cost.ts); nothing for a plan without priced resources. */
function costSection(plan: Plan): string[] {
  const before = estimateFixedCost(costResources(plan, "before"));
  const after = estimateFixedCost(costResources(plan, "after"));
  if (before.totalUsd === 0 && after.totalUsd === 0) return [];
  const total = before.totalUsd === after.totalUsd ? `${usd(after.totalUsd)} a month, unchanged` : `${usd(before.totalUsd)} → ${usd(after.totalUsd)} a month`;
  return [
    "#### Estimated fixed cost",
    "",
    `${total}: ${costItems(after)}.`,
    "",
    `<sub>At ${PRICE_BASIS}. Not included, as they grow with volume: ${NOT_INCLUDED.join(", ")}.</sub>`,
    "",
  ];
}

// ---------------------------------------------------------------- document

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * The ses-guard stacks (`<name>-<region>`) a plan touches, found by the names every stack gives
 * its resources (modules/shared/names.ts): an SES publisher role `<name>-ses-publisher-<region>` and,
 * in the same module, a Firehose stream `<name>-events`. Sorted; empty for other plans.
 */
export function stackNames(plan: Plan): string[] {
  const found = new Set<string>();
  const valuesOf = (type: string, module: string) =>
    plan.changes.filter((c) => c.type === type && c.moduleAddress === module).flatMap((c) => [str(c.after, "name"), str(c.before, "name")]);
  for (const module of new Set(plan.changes.map((c) => c.moduleAddress))) {
    const streams = new Set(valuesOf("aws_kinesis_firehose_delivery_stream", module));
    for (const role of new Set(valuesOf("aws_iam_role", module))) {
      const m = role ? /^(.+)-ses-publisher-([a-z0-9-]+)$/.exec(role) : null;
      if (!m || !REGION.test(m[2])) continue;
      const names = regionNames(m[1], m[2]);
      if (names.sesRole === role && streams.has(names.deliveryStream)) found.add(names.stack);
    }
  }
  return [...found].sort(compare);
}

function countLine(counts: ChangeCounts): string {
  const parts = ACTION_ORDER.map((a) => `${counts[a as keyof Omit<ChangeCounts, "other" | "unchanged">]} to ${a}`);
  for (const k of Object.keys(counts.other).sort(compare)) parts.push(`${counts.other[k]} to ${k}`);
  return `**Plan:** ${parts.join(", ")}; ${counts.unchanged} unchanged.`;
}

export function renderMarkdown(plan: Plan, risks: readonly Risk[], counts: ChangeCounts, options: ReviewOptions = {}): string {
  const ctx = new Context(plan);
  const title = options.title?.replace(/\s+/g, " ").trim();
  const named = title ? [title] : stackNames(plan);
  const lines: string[] = [`### ses-guard plan review${named.length > 0 ? `: ${named.map(code).join(", ")}` : ""}`, "", countLine(counts), ""];
  if (plan.errored) {
    lines.push("> **Warning:** Terraform reported errors while planning; this plan may be incomplete.", "");
  }

  lines.push(`#### Risks (${risks.length})`, "");
  if (risks.length === 0) {
    lines.push("No risks found.", "");
  } else {
    lines.push(
      ...table(
        ["Level", "Risk", "Resource", "Why"],
        risks.map((r) => [LEVEL_BADGE[r.level], RISK_KINDS[r.kind], code(r.address), r.reason]),
      ),
      "",
    );
  }

  // Only resources that change; unchanged ones are in the state, not in this review.
  const changed = plan.changes.filter((c) => isChanged(c) || c.importing);
  const settings = [
    ...section("Alarms", ["Change", "Alarm", "Metric", "Threshold", "Notifies"], alarmRows(ctx, changed)),
    ...section("E-mail subscriptions", ["Change", "Address", "Protocol", "Topic"], subscriptionRows(ctx, changed)),
    ...section("Archived event types", ["Change", "Configuration set", "Destination", "Enabled", "Event types", "Sends to"], destinationRows(ctx, changed)),
    ...section("Archive lifecycle", ["Change", "Bucket", "Rule", "Transitions", "Expiration", "Incomplete uploads"], lifecycleRows(ctx, changed)),
    ...section("Firehose buffering", ["Change", "Stream", "Buffering (first reached)", "Compression", "Bucket"], streamRows(ctx, changed)),
    ...section("Identity notifications", ["Change", "Identity", "Type", "Topic", "Original headers"], notificationRows(ctx, changed)),
  ];
  if (settings.length > 0) lines.push("#### Settings that change", "", ...settings);

  const resources = resourceRows(plan.changes);
  if (resources.length === 0) {
    lines.push("#### Resources", "", "No changes.", "");
  } else {
    lines.push("#### Resources by action", "");
    const rows = table(["Action", "Resource", "Note"], resources);
    if (resources.length > DETAILS_THRESHOLD) {
      lines.push("<details>", `<summary>${resources.length} resources</summary>`, "", ...rows, "", "</details>", "");
    } else {
      lines.push(...rows, "");
    }
  }
  lines.push(...costSection(plan));
  lines.push(
    `<sub>Terraform ${html(plan.terraformVersion)}, plan format ${html(plan.formatVersion)}. Thresholds in percent of the rate CloudWatch reports as a fraction; AWS reviews an account at a ${AWS_REVIEW_LEVEL.bounce} bounce or ${AWS_REVIEW_LEVEL.complaint} complaint rate.</sub>`,
  );
  return `${lines.join("\n")}\n`;
}
