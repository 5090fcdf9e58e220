// The estimated fixed monthly cost (modules/shared/cost.ts): counted from synthesized stacks of the examples and
// from hand-built values, and printed after each synthesized stack. Expected counts come from the stack JSON or
// from what a config switch adds or removes, never from a number written down here.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, synthesize } from "../../modules/app/cli";
import { parseConfig } from "../../modules/app/config";
import {
  alarmMetrics,
  CostEstimate,
  costItems,
  estimateFixedCost,
  NOT_INCLUDED,
  PRICE_REGION,
  PRICES,
  PRICES_READ_ON,
  stackCostLine,
  stackResources,
  usd,
} from "../../modules/shared/cost";

const root = path.join(__dirname, "..", "..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-cost-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const example = (name: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(root, "examples", `${name}.json`), "utf8"));

let runs = 0;
/** Synthesizes a config into a fresh folder and returns its first stack's cdk.tf.json, parsed, and its path. */
function synthesized(config: Record<string, unknown>): { stack: Record<string, any>; file: string; name: string } {
  const dir = path.join(work, `run-${runs++}`);
  fs.mkdirSync(dir);
  const [stackDir] = synthesize(parseConfig(config, "config.json"), path.join(dir, "cdktf.out"), dir);
  const file = path.join(stackDir, "cdk.tf.json");
  return { stack: JSON.parse(fs.readFileSync(file, "utf8")), file, name: path.basename(stackDir) };
}

const estimateOf = (stack: unknown): CostEstimate => {
  const { resources, uncounted } = stackResources(stack);
  return estimateFixedCost(resources, uncounted);
};
const countOf = (e: CostEstimate, item: keyof typeof PRICES): number => e.lines.find((l) => l.item === item)?.count ?? 0;
const resourcesOfType = (stack: Record<string, any>, type: string): number => Object.keys(stack.resource?.[type] ?? {}).length;

describe("counted from a synthesized stack", () => {
  const base = synthesized(example("default"));
  const estimate = estimateOf(base.stack);

  test("examples/default.json: one alarm metric per alarm, its dashboard and its key, priced and summed in cents", () => {
    const alarms = resourcesOfType(base.stack, "aws_cloudwatch_metric_alarm");
    expect(alarms).toBeGreaterThan(0);
    expect(estimate.lines).toEqual([
      { item: "alarmMetric", count: alarms, usd: (alarms * 10) / 100 },
      { item: "dashboard", count: resourcesOfType(base.stack, "aws_cloudwatch_dashboard"), usd: PRICES.dashboard.usd },
      { item: "kmsKey", count: resourcesOfType(base.stack, "aws_kms_key"), usd: PRICES.kmsKey.usd },
    ]);
    expect(estimate.totalUsd).toBe((alarms * 10 + 300 + 100) / 100);
    expect(estimate.uncounted).toEqual([]);
  });

  test("turning the dashboard off saves its price; the configuration set's own alarms are four alarm metrics", () => {
    const noDashboard = estimateOf(synthesized({ ...example("default"), dashboard: { enabled: false } }).stack);
    expect(Math.round((estimate.totalUsd - noDashboard.totalUsd) * 100)).toBe(PRICES.dashboard.usd * 100);
    const noSetAlarms = estimateOf(synthesized({ ...example("default"), configurationSet: { reputationAlarms: false } }).stack);
    expect(countOf(estimate, "alarmMetric") - countOf(noSetAlarms, "alarmMetric")).toBe(4);
  });

  test("your own key (examples/own-key.json) costs nothing here: no customer-managed key is created", () => {
    expect(countOf(estimateOf(synthesized(example("own-key")).stack), "kmsKey")).toBe(0);
  });

  test("the synth prints one line per stack after the 'synthesized stack' line, with the total, the items and where the prices come from", () => {
    const dir = path.join(work, "cli");
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(root, "examples", "default.json"), path.join(dir, "ses-guard.json"));
    const out: string[] = [];
    const code = main(["--out", "cdktf.out"], {}, dir, { out: (l) => out.push(l), err: () => undefined });
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^ses-guard: synthesized stack ses-guard-us-east-1 /);
    const line = stackCostLine("ses-guard-us-east-1", path.join(dir, "cdktf.out", "stacks", "ses-guard-us-east-1", "cdk.tf.json"));
    expect(out).toEqual([out[0], line]);
    expect(line).toBe(
      `ses-guard: estimated fixed cost of ses-guard-us-east-1: ${usd(estimate.totalUsd)} a month (${costItems(estimate)}), at ${PRICE_REGION} list prices read ${PRICES_READ_ON}; other regions differ; the account's free tier (10 alarm metrics, 3 dashboards) is not deducted; per-GB and per-request charges (Firehose, S3, Athena, SNS e-mail, KMS requests, SES itself) are not included`,
    );
    expect(costItems(estimate)).toMatch(/^\d+ alarm metrics \d+\.\d\d USD, 1 dashboard 3\.00 USD, 1 KMS key 1\.00 USD$/);
  });

  test("no line for a stack folder whose cdk.tf.json cannot be read", () => {
    expect(stackCostLine("gone", path.join(work, "missing", "cdk.tf.json"))).toBeUndefined();
    fs.writeFileSync(path.join(work, "broken.json"), "{");
    expect(stackCostLine("broken", path.join(work, "broken.json"))).toBeUndefined();
  });
});

describe("counting rules", () => {
  test("a metric-math alarm is billed per metric it reads; an expression is not a metric; one with none still counts once", () => {
    const query = (id: string, metric?: Record<string, unknown>) => ({ id, ...(metric ? { metric } : { expression: "m1/m2" }) });
    expect(
      alarmMetrics({ metric_query: [query("m1", { metric_name: "a", period: 300 }), query("m2", { metric_name: "b", period: 300 }), query("e1")] }),
    ).toEqual({
      count: 2,
      highResolution: false,
    });
    // A plan holds nested blocks as lists of one object.
    expect(alarmMetrics({ metric_query: [{ id: "m1", metric: [{ metric_name: "a", period: 300 }] }, query("e1")] })).toEqual({
      count: 1,
      highResolution: false,
    });
    expect(alarmMetrics({ metric_query: [query("q1")] })).toEqual({ count: 1, highResolution: false });
    expect(alarmMetrics({ metric_name: "Reputation.BounceRate", period: 900 })).toEqual({ count: 1, highResolution: false });
  });

  test("a period under 60 seconds is a high-resolution alarm, at its own price", () => {
    expect(alarmMetrics({ metric_name: "x", period: 10 })).toEqual({ count: 1, highResolution: true });
    expect(alarmMetrics({ metric_name: "x", period: 60 })).toEqual({ count: 1, highResolution: false });
    const e = estimateFixedCost([
      { type: "aws_cloudwatch_metric_alarm", values: { metric_name: "x", period: 30 } },
      { type: "aws_cloudwatch_metric_alarm", values: { metric_name: "y", period: 300 } },
    ]);
    expect(e.lines).toEqual([
      { item: "alarmMetric", count: 1, usd: PRICES.alarmMetric.usd },
      { item: "highResolutionAlarmMetric", count: 1, usd: PRICES.highResolutionAlarmMetric.usd },
    ]);
    expect(e.totalUsd).toBe((PRICES.alarmMetric.usd * 100 + PRICES.highResolutionAlarmMetric.usd * 100) / 100);
  });

  test("literal count and for_each multiply a resource; an expression is counted once and named", () => {
    const stack = {
      resource: {
        aws_kms_key: { a: { count: 2 }, b: { count: 0 }, c: { for_each: { x: 1, y: 2, z: 3 } }, d: { for_each: ["p"] }, e: { count: "${var.n}" } },
        aws_cloudwatch_dashboard: { d: { for_each: "${toset(var.regions)}" } },
        aws_sns_topic: { t: {} },
      },
    };
    const { resources, uncounted } = stackResources(stack);
    expect(resources.map((r) => r.type)).toEqual([...Array(2 + 3 + 1 + 1).fill("aws_kms_key"), "aws_cloudwatch_dashboard", "aws_sns_topic"]);
    expect(estimateFixedCost(resources, uncounted).uncounted).toEqual(["aws_cloudwatch_dashboard.d", "aws_kms_key.e"]);
    expect(stackResources(null)).toEqual({ resources: [], uncounted: [] });
  });

  test("nothing priced is nothing; ten alarm metrics make exactly 1.00 USD", () => {
    const none = estimateFixedCost([{ type: "aws_sns_topic", values: {} }]);
    expect(none).toEqual({ lines: [], totalUsd: 0, uncounted: [] });
    expect(costItems(none)).toBe("nothing");
    const ten = estimateFixedCost(Array.from({ length: 10 }, () => ({ type: "aws_cloudwatch_metric_alarm", values: { metric_name: "m" } })));
    expect(usd(ten.totalUsd)).toBe("1.00 USD");
    expect(costItems(ten)).toBe("10 alarm metrics 1.00 USD");
  });

  test("the prices name their source, the charges left out name the five the README names", () => {
    for (const p of Object.values(PRICES)) expect(p.source).toMatch(/^https:\/\/aws\.amazon\.com\/(cloudwatch|kms)\/pricing\/$/);
    for (const words of ["Firehose", "S3 storage", "Athena", "SNS e-mail", "SES itself"]) expect(NOT_INCLUDED.join(", ")).toContain(words);
  });
});
