import { TerraformOutput, TerraformVariable, Testing, Token } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Dashboard, DashboardProps } from "../modules/dashboard";
import { AWS_REVIEW_LEVEL, Rate } from "../modules/shared/rate";
import { expression, numberExpression } from "../modules/shared/expressions";

type Json = Record<string, any>;

const ALARMS = [
  "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:shop-bounce-rate-warning",
  "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:shop-complaint-rate-critical",
  "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:shop-archive-delivery-success",
];

const ACCOUNT_RATES = {
  bounceRate: { warning: Rate.percent(2), critical: Rate.percent(5) },
  complaintRate: { warning: Rate.percent(0.05), critical: Rate.percent(0.1) },
};

function props(overrides: Partial<DashboardProps> = {}): DashboardProps {
  return {
    dashboardName: "shop-eu-west-1",
    region: "eu-west-1",
    alarmArns: ALARMS,
    accountRates: ACCOUNT_RATES,
    deliveryStreamName: "shop-events",
    ...overrides,
  };
}

/** The synthesized dashboard resource; props may be built in the scope (for tokens). */
function synthDashboard(build: (scope: Construct) => DashboardProps = () => props()): Json {
  const out = JSON.parse(Testing.synthScope((scope) => new Dashboard(scope, "Dashboard", build(scope))));
  const dashboards = Object.values(out.resource[CloudwatchDashboard.tfResourceType] ?? {}) as Json[];
  expect(dashboards).toHaveLength(1);
  return dashboards[0];
}

const widgets = (overrides: Partial<DashboardProps> = {}): Json[] => JSON.parse(synthDashboard(() => props(overrides)).dashboard_body).widgets;

const metricWidgets = (list: Json[]) => list.filter((w) => w.type === "metric");
const titled = (list: Json[], title: string) => {
  const found = list.filter((w) => w.properties.title === title);
  expect(found).toHaveLength(1);
  return found[0];
};
/** The raw metrics of a widget as [namespace, name, ...dimension pairs], options dropped. */
const rawMetrics = (widget: Json) =>
  widget.properties.metrics.filter((m: unknown[]) => typeof m[0] === "string").map((m: unknown[]) => m.filter((p) => typeof p === "string"));
const annotations = (widget: Json) => widget.properties.annotations.horizontal.map((a: Json) => [a.label, a.value]);

describe("Dashboard", () => {
  test("one dashboard, named as given", () => {
    expect(synthDashboard().dashboard_name).toBe("shop-eu-west-1");
  });

  test("the alarm status widget lists exactly the alarms given, those in ALARM first", () => {
    const alarmWidgets = widgets().filter((w) => w.type === "alarm");
    expect(alarmWidgets).toHaveLength(1);
    expect(alarmWidgets[0].properties).toEqual({ title: "Alarms", alarms: ALARMS, sortBy: "stateUpdatedTimestamp" });
  });

  test.each([
    ["Account bounce rate (%)", "Reputation.BounceRate", "Bounce rate (%)"],
    ["Account complaint rate (%)", "Reputation.ComplaintRate", "Complaint rate (%)"],
  ])("%s: the account's fraction, hidden, drawn times 100", (title, metric, label) => {
    const widget = titled(widgets(), title);
    expect(widget.properties).toMatchObject({ region: "eu-west-1", view: "timeSeries", yAxis: { left: { min: 0 } } });
    expect(widget.properties.metrics).toEqual([
      ["AWS/SES", metric, { id: "m1", visible: false, stat: "Maximum" }],
      [{ expression: "m1*100", label, id: "e1" }],
    ]);
  });

  test("rate graphs carry the warning, critical and AWS review levels, in percent", () => {
    const list = widgets();
    expect(annotations(titled(list, "Account bounce rate (%)"))).toEqual([
      ["warning 2 %", 2],
      ["critical 5 %", 5],
      ["AWS review 5 %", AWS_REVIEW_LEVEL.bounce.percent],
    ]);
    expect(annotations(titled(list, "Account complaint rate (%)"))).toEqual([
      ["warning 0.05 %", 0.05],
      ["critical 0.1 %", 0.1],
      ["AWS review 0.1 %", AWS_REVIEW_LEVEL.complaint.percent],
    ]);
  });

  test("a level given as a fraction is drawn in percent", () => {
    const accountRates = { ...ACCOUNT_RATES, bounceRate: { warning: Rate.fraction(0.03), critical: Rate.fraction(0.07) } };
    expect(annotations(titled(widgets({ accountRates }), "Account bounce rate (%)")).slice(0, 2)).toEqual([
      ["warning 3 %", 3],
      ["critical 7 %", 7],
    ]);
  });

  test("sending volume: sends, deliveries, bounces and complaints, summed per 5 minutes from 0", () => {
    const widget = titled(widgets(), "Sending volume");
    expect(widget.properties).toEqual({
      title: "Sending volume",
      view: "timeSeries",
      region: "eu-west-1",
      period: 300,
      stat: "Sum",
      metrics: ["Send", "Delivery", "Bounce", "Complaint"].map((name) => ["AWS/SES", name, { stat: "Sum" }]),
      yAxis: { left: { min: 0 } },
    });
  });

  test("the archive: the stream's data freshness (Maximum, seconds) and delivery success (Average, 0 to 1 on the right axis)", () => {
    const widget = titled(widgets(), "Event archive: shop-events to S3");
    expect(widget.properties).toEqual({
      title: "Event archive: shop-events to S3",
      view: "timeSeries",
      region: "eu-west-1",
      period: 300,
      metrics: [
        ["AWS/Firehose", "DeliveryToS3.DataFreshness", "DeliveryStreamName", "shop-events", { stat: "Maximum", label: "Oldest record not in S3 (seconds)" }],
        ["AWS/Firehose", "DeliveryToS3.Success", "DeliveryStreamName", "shop-events", { stat: "Average", label: "Delivered (1 = all)", yAxis: "right" }],
      ],
      yAxis: { left: { min: 0, showUnits: false }, right: { min: 0, max: 1, showUnits: false } },
    });
  });

  test("rate graphs take each 15-minute period's maximum", () => {
    for (const title of ["Account bounce rate (%)", "Account complaint rate (%)"]) {
      expect(titled(widgets(), title).properties).toMatchObject({ period: 900, stat: "Maximum" });
    }
  });

  test("without a configuration set: the account's widgets only, none with the set dimension", () => {
    const list = widgets();
    expect(list.map((w) => w.properties.title)).toEqual([
      "Alarms",
      "Account bounce rate (%)",
      "Account complaint rate (%)",
      "Sending volume",
      "Event archive: shop-events to S3",
    ]);
    expect(JSON.stringify(list)).not.toContain("ses:configuration-set");
  });

  test("with a configuration set: its two rate widgets, on its dimension, with the account's levels by default", () => {
    const list = widgets({ configurationSetName: "shop-events" });
    expect(metricWidgets(list)).toHaveLength(6);
    const bounce = titled(list, "Configuration set shop-events: bounce rate (%)");
    const complaint = titled(list, "Configuration set shop-events: complaint rate (%)");
    expect(rawMetrics(bounce)).toEqual([["AWS/SES", "Reputation.BounceRate", "ses:configuration-set", "shop-events"]]);
    expect(rawMetrics(complaint)).toEqual([["AWS/SES", "Reputation.ComplaintRate", "ses:configuration-set", "shop-events"]]);
    expect(annotations(bounce)).toEqual(annotations(titled(list, "Account bounce rate (%)")));
    expect(annotations(complaint)).toEqual(annotations(titled(list, "Account complaint rate (%)")));
    // The account's graphs stay account-wide.
    expect(rawMetrics(titled(list, "Account bounce rate (%)"))).toEqual([["AWS/SES", "Reputation.BounceRate"]]);
  });

  test("the configuration set's own levels, when given, go on its graphs only", () => {
    const configurationSetRates = {
      bounceRate: { warning: Rate.percent(1), critical: Rate.percent(3) },
      complaintRate: { warning: Rate.percent(0.02), critical: Rate.percent(0.08) },
    };
    const list = widgets({ configurationSetName: "shop-events", configurationSetRates });
    expect(annotations(titled(list, "Configuration set shop-events: bounce rate (%)"))).toEqual([
      ["warning 1 %", 1],
      ["critical 3 %", 3],
      ["AWS review 5 %", 5],
    ]);
    expect(annotations(titled(list, "Configuration set shop-events: complaint rate (%)")).slice(0, 2)).toEqual([
      ["warning 0.02 %", 0.02],
      ["critical 0.08 %", 0.08],
    ]);
    expect(annotations(titled(list, "Account bounce rate (%)"))[0]).toEqual(["warning 2 %", 2]);
  });

  test("rows top to bottom, each row's widgets sharing the 24-unit width", () => {
    const place = (w: Json) => [w.properties.title, w.x, w.y, w.width, w.height];
    expect(widgets({ configurationSetName: "shop-events" }).map(place)).toEqual([
      ["Alarms", 0, 0, 24, 4],
      ["Account bounce rate (%)", 0, 4, 12, 6],
      ["Account complaint rate (%)", 12, 4, 12, 6],
      ["Configuration set shop-events: bounce rate (%)", 0, 10, 12, 6],
      ["Configuration set shop-events: complaint rate (%)", 12, 10, 12, 6],
      ["Sending volume", 0, 16, 12, 6],
      ["Event archive: shop-events to S3", 12, 16, 12, 6],
    ]);
  });

  test("widgets sit on the 24-unit grid without overlapping", () => {
    const list = widgets({ configurationSetName: "shop-events" });
    const cells = new Set<string>();
    for (const w of list) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++) {
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  test("exposes the dashboard, its name and its console URL", () => {
    let construct!: Dashboard;
    Testing.synthScope((scope) => {
      construct = new Dashboard(scope, "Dashboard", props());
    });
    expect(construct.dashboard).toBeInstanceOf(CloudwatchDashboard);
    expect(construct.dashboard.node.id).toBe("Resource");
    expect(construct.dashboardName).toBe("shop-eu-west-1");
    expect(construct.consoleUrl).toBe("https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/shop-eu-west-1");
  });

  test.each([
    ["us-gov-west-1", "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#"],
    ["cn-north-1", "https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#"],
  ])("the console URL of %s is its partition's console", (region, start) => {
    let construct!: Dashboard;
    Testing.synthScope((scope) => {
      construct = new Dashboard(scope, "Dashboard", props({ region }));
    });
    expect(construct.consoleUrl.startsWith(start)).toBe(true);
  });

  test.each(["", "shop eu-west-1", "shop/eu-west-1", "shop.eu-west-1", "a".repeat(256)])("rejects the dashboard name %p", (dashboardName) => {
    expect(() => synthDashboard(() => props({ dashboardName }))).toThrow(
      `Dashboard dashboardName: got ${JSON.stringify(dashboardName)}; allowed: 1 to 255 letters, digits, hyphens or underscores`,
    );
  });

  test("accepts a 255-character name of letters, digits, - and _", () => {
    const dashboardName = "Shop_eu-west-1".padEnd(255, "x");
    expect(synthDashboard(() => props({ dashboardName })).dashboard_name).toBe(dashboardName);
  });

  test.each([0, 101])("rejects %p alarm ARNs (an alarm status widget takes 1 to 100)", (count) => {
    const alarmArns = Array.from({ length: count }, (_, i) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a${i}`);
    expect(() => synthDashboard(() => props({ alarmArns }))).toThrow(`Dashboard alarmArns: got ${count} ARNs; allowed: 1 to 100`);
  });

  test.each([1, 100])("accepts %p alarm ARNs", (count) => {
    const alarmArns = Array.from({ length: count }, (_, i) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a${i}`);
    expect(JSON.parse(synthDashboard(() => props({ alarmArns })).dashboard_body).widgets[0].properties.alarms).toEqual(alarmArns);
  });

  test("a condition gives the dashboard a count; without one it has none", () => {
    expect(synthDashboard().count).toBeUndefined();
    const counted = synthDashboard((scope) => {
      new TerraformVariable(scope, "dashboard", {});
      return props({ condition: expression(scope, "var.dashboard") });
    });
    expect(counted.count).toBe("${var.dashboard ? 1 : 0}");
  });
});

describe("Dashboard fed Terraform tokens", () => {
  /** Every prop a variable, as the plain module feeds them; the console URL as an output. */
  function tokenDashboard(): { dashboard: Json; consoleUrl: string } {
    const out = JSON.parse(
      Testing.synthScope((scope) => {
        const v = (name: string) => new TerraformVariable(scope, name, {});
        const rate = (name: string) => Rate.percentToken(Token.asNumber(v(name).value));
        const construct = new Dashboard(
          scope,
          "Dashboard",
          props({
            dashboardName: v("name").stringValue,
            region: v("region").stringValue,
            alarmArns: v("alarm_arns").listValue,
            accountRates: { bounceRate: { warning: rate("bw"), critical: rate("bc") }, complaintRate: { warning: rate("cw"), critical: rate("cc") } },
            configurationSetName: v("set").stringValue,
            configurationSetRates: {
              // An expression token: a nullable level falling back to the account's, as orDefault writes it.
              bounceRate: { warning: Rate.percentToken(numberExpression(scope, "var.set_bw != null ? var.set_bw : var.bw")), critical: rate("set_bc") },
              complaintRate: { warning: rate("set_cw"), critical: rate("set_cc") },
            },
            deliveryStreamName: v("stream").stringValue,
          }),
        );
        new TerraformOutput(scope, "console_url", { value: construct.consoleUrl });
      }),
    );
    return { dashboard: Object.values(out.resource[CloudwatchDashboard.tfResourceType])[0] as Json, consoleUrl: out.output.console_url.value };
  }

  test("the body is Terraform's jsonencode of the widgets, with every token as its reference", () => {
    const body: string = tokenDashboard().dashboard.dashboard_body;
    expect(body.startsWith("${jsonencode({")).toBe(true);
    expect(body).toContain('"region" = var.region');
    expect(body).toContain('"alarms" = var.alarm_arns');
    expect(body).toContain('"ses:configuration-set", var.set');
    expect(body).toContain('"DeliveryStreamName", var.stream');
    expect(body).toContain('"title" = "Configuration set ${var.set}: bounce rate (%)"');
  });

  test.each([
    ["bw", "warning"],
    ["bc", "critical"],
    ["cw", "warning"],
    ["cc", "critical"],
    ["set_bc", "critical"],
  ])("the level var.%s is the annotation's value and is in its label", (name, level) => {
    const body: string = tokenDashboard().dashboard.dashboard_body;
    expect(body).toContain(`{"label" = "${level} \${var.${name}} %", "value" = var.${name}, "color" = `);
  });

  test("an expression token for a level renders as its expression", () => {
    const body: string = tokenDashboard().dashboard.dashboard_body;
    expect(body).toContain('{"label" = "warning ${var.set_bw != null ? var.set_bw : var.bw} %", "value" = var.set_bw != null ? var.set_bw : var.bw, ');
  });

  test("no token ends up as a placeholder number or text", () => {
    const body: string = tokenDashboard().dashboard.dashboard_body;
    // cdktf encodes number tokens as huge doubles (about -1.88e+289) and strings as ${TfToken[...]}.
    expect(body).not.toMatch(/\d[eE][+-]?\d{2,}/);
    expect(body).not.toContain("TfToken");
    // AWS's review levels stay literal numbers.
    expect(body).toContain('{"label" = "AWS review 5 %", "value" = 5, ');
    expect(body).toContain('{"label" = "AWS review 0.1 %", "value" = 0.1, ');
  });

  test("the name is not checked, and the name and console URL reference the variables", () => {
    const { dashboard, consoleUrl } = tokenDashboard();
    expect(dashboard.dashboard_name).toBe("${var.name}");
    expect(consoleUrl).toBe(
      'https://${startswith(var.region, "us-gov-") ? "console.amazonaws-us-gov.com" : startswith(var.region, "cn-") ? "console.amazonaws.cn" : "${var.region}.console.aws.amazon.com"}/cloudwatch/home?region=${var.region}#dashboards/dashboard/${var.name}',
    );
  });

  const levels = (rate: Rate) => ({ warning: rate, critical: Rate.percent(5) });
  test.each<[string, (scope: Construct) => Partial<DashboardProps>]>([
    ["the region", (scope) => ({ region: new TerraformVariable(scope, "x", {}).stringValue })],
    ["the configuration set", (scope) => ({ configurationSetName: new TerraformVariable(scope, "x", {}).stringValue })],
    ["the stream", (scope) => ({ deliveryStreamName: new TerraformVariable(scope, "x", {}).stringValue })],
    ["the alarm list", (scope) => ({ alarmArns: new TerraformVariable(scope, "x", {}).listValue })],
    [
      "an account bounce level",
      (scope) => ({ accountRates: { ...ACCOUNT_RATES, bounceRate: levels(Rate.percentToken(new TerraformVariable(scope, "x", {}).numberValue)) } }),
    ],
    [
      "an account complaint level",
      (scope) => ({ accountRates: { ...ACCOUNT_RATES, complaintRate: levels(Rate.percentToken(new TerraformVariable(scope, "x", {}).numberValue)) } }),
    ],
    [
      "a critical level",
      (scope) => ({
        accountRates: {
          ...ACCOUNT_RATES,
          complaintRate: { warning: Rate.percent(0.05), critical: Rate.percentToken(new TerraformVariable(scope, "x", {}).numberValue) },
        },
      }),
    ],
    [
      "the configuration set's own level",
      (scope) => ({
        configurationSetName: "shop-events",
        configurationSetRates: { ...ACCOUNT_RATES, bounceRate: levels(Rate.percentToken(new TerraformVariable(scope, "x", {}).numberValue)) },
      }),
    ],
  ])("one token, %s, is enough for the body to go through jsonencode", (_name, overrides) => {
    const body: string = synthDashboard((scope) => props(overrides(scope))).dashboard_body;
    expect(body.startsWith("${jsonencode({")).toBe(true);
    expect(body).toContain("var.x");
    expect(body).not.toContain("TfToken");
    expect(body).not.toMatch(/\d[eE][+-]?\d{2,}/);
  });

  test("alarm ARNs that are resource attributes keep the body plain JSON, with the references inside", () => {
    const dashboard = synthDashboard((scope) => {
      const arn = new TerraformVariable(scope, "arn", {}).stringValue;
      return props({ alarmArns: [arn, ALARMS[0]] });
    });
    expect(JSON.parse(dashboard.dashboard_body).widgets.find((w: Json) => w.type === "alarm").properties.alarms).toEqual(["${var.arn}", ALARMS[0]]);
  });
});
