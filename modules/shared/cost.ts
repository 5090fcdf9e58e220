/**
 * What a stack costs every month whatever the mail volume: its CloudWatch alarms (per alarm
 * metric), dashboards and customer-managed KMS keys. Counted from a synthesized stack
 * (cdk.tf.json) or from a plan's values; shown after each synthesized stack and in the plan review.
 * Charges that grow with volume are named, not estimated (NOT_INCLUDED).
 */
import * as fs from "fs";

/** The day the prices below were read from AWS's pricing pages (stored copies, through the project's search tool). */
export const PRICES_READ_ON = "2026-12-07";
/** The region the prices are for. Other regions differ (each pricing page: "Pricing varies by Region"). */
export const PRICE_REGION = "us-east-1";

export interface Price {
  /** US dollars per unit and month. */
  readonly usd: number;
  /** The unit, as a noun after a count ("10 alarm metrics"). */
  readonly unit: string;
  readonly unitPlural: string;
  /** Where the price is published. */
  readonly source: string;
}

const CLOUDWATCH_PRICING = "https://aws.amazon.com/cloudwatch/pricing/";
const KMS_PRICING = "https://aws.amazon.com/kms/pricing/";

/**
 * us-east-1 list prices, read 2026-12-07.
 *
 * - CloudWatch (https://aws.amazon.com/cloudwatch/pricing/): the stored copy of AWS's page shows the
 *   free tier (10 standard-resolution alarm metrics, 3 dashboards per account) and "Pricing varies by
 *   Region"; its paid-tier tables are tabs the copy does not hold. The paid prices below, 0.10 USD per
 *   standard-resolution alarm metric a month, 0.30 USD per high-resolution one, 3.00 USD per dashboard
 *   a month, are as quoted from that page for us-east-1 by https://cloudburn.io/blog/amazon-cloudwatch-pricing
 *   ("sourced from the official AWS CloudWatch pricing page as of February 2026 for US East (N. Virginia)")
 *   and https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm, both read 2026-12-07.
 *   An alarm on metric math is billed per metric it reads (each one an "alarm metric").
 * - KMS (https://aws.amazon.com/kms/pricing/, stored copy read 2026-12-07): "Each AWS KMS key that you
 *   create in AWS KMS costs $1/month (prorated hourly)"; with automatic rotation, which ses-guard turns
 *   on, "each newly generated backing key costs an additional $1/month"; since 2024 only the first two
 *   rotations add to it (https://cloudburn.io/blog/aws-kms-pricing, "the May 2024 key rotation pricing
 *   update"), so a key costs 1 USD a month in its first year, 2 in its second, 3 after. Counted at 1 USD.
 */
export const PRICES = {
  alarmMetric: { usd: 0.1, unit: "alarm metric", unitPlural: "alarm metrics", source: CLOUDWATCH_PRICING },
  highResolutionAlarmMetric: { usd: 0.3, unit: "high-resolution alarm metric", unitPlural: "high-resolution alarm metrics", source: CLOUDWATCH_PRICING },
  dashboard: { usd: 3, unit: "dashboard", unitPlural: "dashboards", source: CLOUDWATCH_PRICING },
  kmsKey: { usd: 1, unit: "KMS key", unitPlural: "KMS keys", source: KMS_PRICING },
} as const satisfies Record<string, Price>;

export type PricedItem = keyof typeof PRICES;

/**
 * Charges that grow with volume, so no fixed estimate holds them. Firehose bills Direct PUT ingestion
 * per GB "in 5 KB increments" per record (https://aws.amazon.com/firehose/pricing/; the stored copy read
 * 2026-12-07 is the German page, aws.amazon.com/de/kinesis/data-firehose/pricing/), so each SES event of
 * 1 to 2 KB counts as 5 KB.
 */
export const NOT_INCLUDED: readonly string[] = [
  "Firehose ingestion per GB (each record rounded up to 5 KB)",
  "S3 storage per GB-month and S3 requests",
  "Athena per TB scanned",
  "SNS e-mail deliveries",
  "KMS requests",
  // A dead-letter queue costs nothing at rest: only events EventBridge could not deliver are sent to it.
  "SQS requests to the dead-letter queues",
  "SES itself (per message sent)",
];

/** One resource instance: its type and values (cdk.tf.json or a plan's before or after). */
export interface CostResource {
  readonly type: string;
  readonly values: Readonly<Record<string, unknown>>;
}

export interface CostLine {
  readonly item: PricedItem;
  readonly count: number;
  /** count × the item's price, in US dollars. */
  readonly usd: number;
}

export interface CostEstimate {
  /** The items counted, in PRICES order; items with a count of 0 are left out. */
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  /** Resources whose number of instances is an expression (count or for_each), counted once. */
  readonly uncounted: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A nested block as cdk.tf.json (an object) or a plan (a list of one object) holds it. */
const blockOf = (v: unknown): Record<string, unknown> | undefined => (Array.isArray(v) ? (isObject(v[0]) ? v[0] : undefined) : isObject(v) ? v : undefined);

const listOf = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isObject) : isObject(v) ? [v] : []);

const isHighResolution = (period: unknown): boolean => typeof period === "number" && period > 0 && period < 60;

/** The alarm metrics one metric alarm is billed for, and whether they are high resolution (a period under 60 s). */
export function alarmMetrics(values: Readonly<Record<string, unknown>>): { count: number; highResolution: boolean } {
  const queries = listOf(values.metric_query);
  if (queries.length === 0) return { count: 1, highResolution: isHighResolution(values.period) };
  const metrics = queries.map((q) => blockOf(q.metric)).filter((m): m is Record<string, unknown> => m !== undefined);
  // An alarm on one expression over no listed metric (a Metrics Insights query) still counts once.
  return { count: Math.max(1, metrics.length), highResolution: metrics.some((m) => isHighResolution(m.period)) };
}

/** Fixed monthly cost of the resources, at PRICES. */
export function estimateFixedCost(resources: Iterable<CostResource>, uncounted: readonly string[] = []): CostEstimate {
  const counts: Record<PricedItem, number> = { alarmMetric: 0, highResolutionAlarmMetric: 0, dashboard: 0, kmsKey: 0 };
  for (const r of resources) {
    if (r.type === "aws_cloudwatch_metric_alarm") {
      const m = alarmMetrics(r.values);
      counts[m.highResolution ? "highResolutionAlarmMetric" : "alarmMetric"] += m.count;
    } else if (r.type === "aws_cloudwatch_dashboard") counts.dashboard++;
    else if (r.type === "aws_kms_key" || r.type === "aws_kms_replica_key") counts.kmsKey++;
  }
  // In cents, so that ten 0.10 USD alarms make 1.00 USD, not 0.9999999999999999.
  const cents = (item: PricedItem) => counts[item] * Math.round(PRICES[item].usd * 100);
  const items = Object.keys(PRICES) as PricedItem[];
  const lines = items.filter((item) => counts[item] > 0).map((item) => ({ item, count: counts[item], usd: cents(item) / 100 }));
  return { lines, totalUsd: items.reduce((sum, item) => sum + cents(item), 0) / 100, uncounted: [...uncounted].sort() };
}

/** Every resource instance of a synthesized stack (cdk.tf.json), with a literal count or for_each expanded. */
export function stackResources(stack: unknown): { resources: CostResource[]; uncounted: string[] } {
  const resources: CostResource[] = [];
  const uncounted: string[] = [];
  const byType = isObject(stack) && isObject(stack.resource) ? stack.resource : {};
  for (const [type, named] of Object.entries(byType)) {
    for (const [name, values] of Object.entries(isObject(named) ? named : {})) {
      if (!isObject(values)) continue;
      const { count, for_each: forEach } = values;
      let instances = 1;
      if (typeof count === "number") instances = count;
      else if (Array.isArray(forEach)) instances = forEach.length;
      else if (isObject(forEach)) instances = Object.keys(forEach).length;
      else if (count !== undefined || forEach !== undefined) uncounted.push(`${type}.${name}`);
      for (let i = 0; i < instances; i++) resources.push({ type, values });
    }
  }
  return { resources, uncounted };
}

export const usd = (amount: number): string => `${amount.toFixed(2)} USD`;

/** "10 alarm metrics 1.00 USD, 1 dashboard 3.00 USD, 1 KMS key 1.00 USD" (or "nothing" for no line). */
export function costItems(estimate: CostEstimate): string {
  if (estimate.lines.length === 0) return "nothing";
  return estimate.lines.map((l) => `${l.count} ${l.count === 1 ? PRICES[l.item].unit : PRICES[l.item].unitPlural} ${usd(l.usd)}`).join(", ");
}

/** Where the prices come from, in one clause. */
export const PRICE_BASIS = `${PRICE_REGION} list prices read ${PRICES_READ_ON}; other regions differ; the account's free tier (10 alarm metrics, 3 dashboards) is not deducted`;

/** The charges left out, in a few words. */
export const NOT_INCLUDED_SHORT = "per-GB and per-request charges (Firehose, S3, Athena, SNS e-mail, KMS requests, SES itself) are not included";

/**
 * The synth summary's line for one stack folder, or undefined when its cdk.tf.json cannot be read
 * (the synth succeeded either way; the estimate is only information).
 */
export function stackCostLine(stackName: string, cdkTfJsonPath: string): string | undefined {
  let stack: unknown;
  try {
    stack = JSON.parse(fs.readFileSync(cdkTfJsonPath, "utf8"));
  } catch {
    return undefined;
  }
  const { resources, uncounted } = stackResources(stack);
  const estimate = estimateFixedCost(resources, uncounted);
  const approximate = estimate.uncounted.length > 0 ? ` (${estimate.uncounted.join(", ")} counted once: their number is an expression)` : "";
  return `ses-guard: estimated fixed cost of ${stackName}: ${usd(estimate.totalUsd)} a month (${costItems(estimate)})${approximate}, at ${PRICE_BASIS}; ${NOT_INCLUDED_SHORT}`;
}
