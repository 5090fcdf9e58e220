import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Fn, Token } from "cdktf";
import { RateLevels } from "./reputation-alarms";
import { AWS_REVIEW_LEVEL, Rate } from "./shared/rate";
import { Condition, countWhen, hclOf, isToken, stringExpression } from "./shared/expressions";
import { partitionOf } from "./shared/arn";

/** Bounce- and complaint-rate levels drawn on a dashboard's rate graphs. */
export interface DashboardRateLevels {
  readonly bounceRate: RateLevels;
  readonly complaintRate: RateLevels;
}

export interface DashboardProps {
  /** Dashboard name. Names are per account, not per region: pass `<prefix>-<region>`. */
  readonly dashboardName: string;
  /** Region whose metrics the graphs show. */
  readonly region: string;
  /** ARNs of the alarms in the alarm status widget (1 to 100). */
  readonly alarmArns: readonly string[];
  /** The account's levels, drawn on its rate graphs. */
  readonly accountRates: DashboardRateLevels;
  /**
   * A configuration set whose own reputation rates are graphed too. SES publishes them (dimension
   * `ses:configuration-set`) only while the set has reputation metrics enabled.
   * @default - the account's rates only
   */
  readonly configurationSetName?: string;
  /**
   * Levels drawn on the configuration set's rate graphs.
   * @default - accountRates
   */
  readonly configurationSetRates?: DashboardRateLevels;
  /** The Firehose stream of the event archive. */
  readonly deliveryStreamName: string;
  /**
   * Terraform condition under which the dashboard exists (`count`).
   * @default - always
   */
  readonly condition?: Condition;
}

// CloudWatch API Reference, PutDashboard: DashboardName.
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;
// CloudWatch API Reference, Dashboard Body Structure and Syntax: an alarm status widget takes 1 to 100 ARNs.
const MAX_ALARMS = 100;
const GRID_WIDTH = 24;
const COLORS = { warning: "#ff7f0e", critical: "#d62728", review: "#9467bd" } as const;

type Kind = keyof typeof AWS_REVIEW_LEVEL;

/** A widget before placement; `x` and `y` come from its row. */
interface Widget {
  readonly type: "metric" | "alarm";
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

/**
 * A CloudWatch dashboard for one region: alarm states, the reputation rates in percent with the
 * alarm levels and AWS's review level drawn in, sending volume, and the event archive's delivery.
 */
export class Dashboard extends Construct {
  public readonly dashboard: CloudwatchDashboard;
  /** The name given: an input, so it stays usable when `condition` leaves the dashboard out. */
  public readonly dashboardName: string;
  /** The dashboard in the CloudWatch console. */
  public readonly consoleUrl: string;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const { dashboardName, region, alarmArns, accountRates, configurationSetName, deliveryStreamName } = props;
    if (!isToken(dashboardName) && !DASHBOARD_NAME.test(dashboardName)) {
      throw new Error(`Dashboard dashboardName: got ${JSON.stringify(dashboardName)}; allowed: 1 to 255 letters, digits, hyphens or underscores`);
    }
    if (!isToken(alarmArns) && (alarmArns.length < 1 || alarmArns.length > MAX_ALARMS)) {
      throw new Error(`Dashboard alarmArns: got ${alarmArns.length} ARNs; allowed: 1 to ${MAX_ALARMS}`);
    }
    const setRates = props.configurationSetRates ?? accountRates;

    const rows: Widget[][] = [
      // Alarms in ALARM first, then INSUFFICIENT_DATA, then OK.
      [{ type: "alarm", height: 4, properties: { title: "Alarms", alarms: alarmArns, sortBy: "stateUpdatedTimestamp" } }],
      rateWidgets("Account", accountRates, [], region),
      ...(configurationSetName === undefined
        ? []
        : [rateWidgets(`Configuration set ${configurationSetName}:`, setRates, ["ses:configuration-set", configurationSetName], region)]),
      [volumeWidget(region), archiveWidget(deliveryStreamName, region)],
    ];
    const body = { widgets: layOut(rows) };

    // Tokens (the plain module's variables) go through Terraform's jsonencode: JSON.stringify would write
    // a number token as its huge placeholder number and a list token as one odd string, and would not
    // escape what a variable holds. Token ARNs in a literal list (resource attributes) stay in
    // JSON.stringify: AWS-formed ARNs hold no quotes or backslashes, and the body stays readable.
    const rates = [accountRates, setRates].flatMap((l) => [l.bounceRate, l.complaintRate]).flatMap((l) => [l.warning, l.critical]);
    const tokens = [region, configurationSetName, deliveryStreamName, alarmArns].some(isToken) || rates.some((r) => r.isToken);

    this.dashboardName = dashboardName;
    this.dashboard = new CloudwatchDashboard(this, "Resource", {
      ...countWhen(this, props.condition),
      dashboardName,
      dashboardBody: tokens ? Fn.jsonencode(body) : JSON.stringify(body),
    });
    this.consoleUrl = `https://${consoleHost(this, region)}/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName}`;
  }
}

/** The console of the region's partition: GovCloud and China have consoles of their own. */
function consoleHost(scope: Construct, region: string): string {
  const host = (r: string, partition: string) =>
    partition === "aws-us-gov" ? "console.amazonaws-us-gov.com" : partition === "aws-cn" ? "console.amazonaws.cn" : `${r}.console.aws.amazon.com`;
  if (!isToken(region)) return host(region, partitionOf(region));
  const r = hclOf(scope, region);
  return stringExpression(
    scope,
    `startswith(${r}, "us-gov-") ? "console.amazonaws-us-gov.com" : startswith(${r}, "cn-") ? "console.amazonaws.cn" : "\${${r}}.console.aws.amazon.com"`,
  );
}

/** Rows top to bottom, each row's widgets sharing the grid's width. */
function layOut(rows: readonly Widget[][]) {
  let y = 0;
  return rows.flatMap((row) => {
    const width = GRID_WIDTH / row.length;
    const placed = row.map((w, i) => ({ type: w.type, x: i * width, y, width, height: w.height, properties: w.properties }));
    // Stryker disable next-line MethodExpression: equivalent today: the widgets of each row have one height.
    y += Math.max(...row.map((w) => w.height));
    return placed;
  });
}

/** Bounce and complaint rate for the account, or for a configuration set (its dimension given). */
function rateWidgets(titlePrefix: string, levels: DashboardRateLevels, dimension: readonly string[], region: string): Widget[] {
  return [
    rateWidget("bounce", levels.bounceRate, titlePrefix, dimension, region),
    rateWidget("complaint", levels.complaintRate, titlePrefix, dimension, region),
  ];
}

/** A rate in percent: SES reports a fraction, so the raw metric is hidden and drawn times 100 (metric math). */
function rateWidget(kind: Kind, levels: RateLevels, titlePrefix: string, dimension: readonly string[], region: string): Widget {
  const metric = kind === "bounce" ? "Reputation.BounceRate" : "Reputation.ComplaintRate";
  const label = kind === "bounce" ? "Bounce rate (%)" : "Complaint rate (%)";
  return {
    type: "metric",
    height: 6,
    properties: {
      title: `${titlePrefix} ${kind} rate (%)`,
      view: "timeSeries",
      region,
      period: 900,
      stat: "Maximum",
      metrics: [["AWS/SES", metric, ...dimension, { id: "m1", visible: false, stat: "Maximum" }], [{ expression: "m1*100", label, id: "e1" }]],
      annotations: {
        horizontal: [
          annotation("warning", levels.warning, COLORS.warning),
          annotation("critical", levels.critical, COLORS.critical),
          annotation("AWS review", AWS_REVIEW_LEVEL[kind], COLORS.review),
        ],
      },
      yAxis: { left: { min: 0 } },
    },
  };
}

/** A horizontal line at a rate, in percent as the graph is. */
function annotation(name: string, rate: Rate, color: string) {
  // A number token in a template literal gives its placeholder number's digits, which Fn.jsonencode
  // then writes as text; as a string token it renders as the Terraform reference.
  const percent = rate.isToken ? Token.asString(rate.percent) : String(rate.percent);
  return { label: `${name} ${percent} %`, value: rate.percent, color };
}

function volumeWidget(region: string): Widget {
  return {
    type: "metric",
    height: 6,
    properties: {
      title: "Sending volume",
      view: "timeSeries",
      region,
      period: 300,
      stat: "Sum",
      metrics: ["Send", "Delivery", "Bounce", "Complaint"].map((name) => ["AWS/SES", name, { stat: "Sum" }]),
      yAxis: { left: { min: 0 } },
    },
  };
}

/** Firehose's view of the archive: the age of the oldest record not yet in S3, and the share delivered. */
function archiveWidget(streamName: string, region: string): Widget {
  const stream = ["DeliveryStreamName", streamName];
  return {
    type: "metric",
    height: 6,
    properties: {
      title: `Event archive: ${streamName} to S3`,
      view: "timeSeries",
      region,
      period: 300,
      metrics: [
        ["AWS/Firehose", "DeliveryToS3.DataFreshness", ...stream, { stat: "Maximum", label: "Oldest record not in S3 (seconds)" }],
        ["AWS/Firehose", "DeliveryToS3.Success", ...stream, { stat: "Average", label: "Delivered (1 = all)", yAxis: "right" }],
      ],
      yAxis: { left: { min: 0, showUnits: false }, right: { min: 0, max: 1, showUnits: false } },
    },
  };
}
