/**
 * The doctor's checks of the metrics SES publishes: the latest reputation rates against the alarm
 * levels, and whether the configuration set's own rates exist under the dimension its alarms use.
 */
import type { GetMetricDataCommandOutput, ListMetricsCommandOutput } from "@aws-sdk/client-cloudwatch";
import { GetMetricDataCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { ANY, Check, result } from "./check-kit";
import { RateMetric } from "./target";

// ---------------------------------------------------------------- reputation

export const reputationCheck: Check = {
  id: "reputation",
  scope: "region",
  summary: "the latest Reputation.BounceRate and Reputation.ComplaintRate against the alarm levels (cloudwatch GetMetricData, last 24 h)",
  calls: [{ command: GetMetricDataCommand, resources: ANY }],
  async run(ctx) {
    const t = ctx.target;
    const metrics: RateMetric[] = ["BounceRate", "ComplaintRate"];
    const out = await ctx.api.send<GetMetricDataCommandOutput>(
      t.region,
      new GetMetricDataCommand({
        StartTime: new Date(ctx.now.getTime() - 24 * 3_600_000),
        EndTime: ctx.now,
        ScanBy: "TimestampDescending",
        MetricDataQueries: metrics.map((m) => ({
          Id: m.toLowerCase(),
          // The alarms read the same statistic (modules/reputation-alarms.ts).
          MetricStat: { Metric: { Namespace: "AWS/SES", MetricName: `Reputation.${m}` }, Period: 3600, Stat: "Maximum" },
          ReturnData: true,
        })),
      }),
    );
    return metrics.map((m) => {
      const label = m === "BounceRate" ? "bounce rate" : "complaint rate";
      const levels = Object.fromEntries(t.reputationAlarms.filter((a) => a.metric === m).map((a) => [a.level, a.percent])) as Record<
        "warning" | "critical",
        number
      >;
      const against = `warning at ${levels.warning} %, critical at ${levels.critical} %`;
      const series = out.MetricDataResults?.find((r) => r.Id === m.toLowerCase());
      const latest = series?.Values?.[0];
      if (latest === undefined) {
        return result(
          ctx,
          "reputation",
          "warn",
          label,
          `no data in the last 24 h (${against}): SES rates an account only once it sends enough mail, so the alarms wait in INSUFFICIENT_DATA`,
          "nothing to do until mail flows",
        );
      }
      const percent = +(latest * 100).toPrecision(3);
      const at = series?.Timestamps?.[0] ? ` at ${new Date(series.Timestamps[0]).toISOString()}` : "";
      if (percent >= levels.critical)
        return result(ctx, "reputation", "fail", label, `${percent} %${at}, at or above critical (${against})`, `README, "Investigating an alarm"`);
      if (percent >= levels.warning)
        return result(ctx, "reputation", "warn", label, `${percent} %${at}, at or above warning (${against})`, `README, "Investigating an alarm"`);
      return result(ctx, "reputation", "pass", label, `${percent} %${at} (${against})`);
    });
  },
};

// ---------------------------------------------------------------- the set's own metrics

/** The dimension the configuration set's alarms use (modules/reputation-alarms.ts). */
export const SET_DIMENSION = "ses:configuration-set";

export const setMetricsCheck: Check = {
  id: "set-metrics",
  scope: "region",
  summary: `with configurationSet.reputationAlarms: SES publishes Reputation.BounceRate for the set under dimension ${SET_DIMENSION}, the one its alarms read (cloudwatch ListMetrics)`,
  calls: [{ command: ListMetricsCommand, resources: (t) => (t.reputationAlarms.some((a) => a.configurationSet) ? ["*"] : []) }],
  async run(ctx) {
    const t = ctx.target;
    if (!t.reputationAlarms.some((a) => a.configurationSet)) return [];
    const subject = `metric Reputation.BounceRate ${SET_DIMENSION}=${t.configurationSet}`;
    // CloudWatch API Reference, ListMetrics: lists metrics with data points in the last two weeks.
    const out: ListMetricsCommandOutput = await ctx.api.send(
      t.region,
      new ListMetricsCommand({
        Namespace: "AWS/SES",
        MetricName: "Reputation.BounceRate",
        Dimensions: [{ Name: SET_DIMENSION, Value: t.configurationSet }],
      }),
    );
    const found = (out.Metrics ?? []).some((m) => m.Dimensions?.some((d) => d.Name === SET_DIMENSION && d.Value === t.configurationSet));
    return [
      found
        ? result(ctx, "set-metrics", "pass", subject, "published (data in the last two weeks): the set's alarms read it")
        : result(
            ctx,
            "set-metrics",
            "warn",
            subject,
            "no data in the last two weeks: the set's own alarms wait in INSUFFICIENT_DATA. SES publishes it only with the set's reputation metrics on, and only once mail sent with the set has been rated (SES Developer Guide, \"Creating reputation monitoring alarms using CloudWatch\")",
            "if the configuration-set check shows reputation metrics on, send with the configuration set (the archive and bypass checks show whether senders do)",
          ),
    ];
  },
};
