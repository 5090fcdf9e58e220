import { Testing } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Rate } from "../modules/shared/rate";
import { ReputationAlarms, ReputationAlarmsProps } from "../modules/reputation-alarms";

const EXISTING_TOPIC = "arn:aws:sns:us-east-1:123456789012:existing";

function props(overrides: Partial<ReputationAlarmsProps> = {}): ReputationAlarmsProps {
  return {
    accountId: "123456789012",
    region: "us-east-1",
    namePrefix: "shop",
    bounceRate: { warning: Rate.percent(2), critical: Rate.percent(5) },
    complaintRate: { warning: Rate.percent(0.05), critical: Rate.percent(0.1) },
    emails: ["ops@example.com"],
    ...overrides,
  };
}

function synth(overrides: Partial<ReputationAlarmsProps> = {}): string {
  return Testing.synthScope((scope) => {
    new ReputationAlarms(scope, "Alarms", props(overrides));
  });
}

/** Synthesized resources of one type, keyed by logical ID. */
function resources(synthesized: string, type: { tfResourceType: string }): Record<string, any> {
  return JSON.parse(synthesized).resource?.[type.tfResourceType] ?? {};
}

function alarms(synthesized: string): any[] {
  return Object.values(resources(synthesized, CloudwatchMetricAlarm));
}

function topicReference(synthesized: string): string {
  const ids = Object.keys(resources(synthesized, SnsTopic));
  expect(ids).toHaveLength(1);
  return `\${aws_sns_topic.${ids[0]}.arn}`;
}

describe("ReputationAlarms", () => {
  test("creates exactly four alarms", () => {
    expect(alarms(synth())).toHaveLength(4);
  });

  test.each([
    ["shop-bounce-rate-warning", "Reputation.BounceRate", 0.02],
    ["shop-bounce-rate-critical", "Reputation.BounceRate", 0.05],
    ["shop-complaint-rate-warning", "Reputation.ComplaintRate", 0.0005],
    ["shop-complaint-rate-critical", "Reputation.ComplaintRate", 0.001],
  ])("%s watches AWS/SES %s at the fraction %p", (alarmName, metricName, threshold) => {
    expect(synth()).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: alarmName,
      namespace: "AWS/SES",
      metric_name: metricName,
      threshold,
    });
  });

  test("thresholds are exact fractions, not percent", () => {
    const thresholds = alarms(synth()).map((a) => a.threshold);
    expect(thresholds.sort((a, b) => a - b)).toEqual([0.0005, 0.001, 0.02, 0.05]);
  });

  test("every alarm fires at or above the threshold and ignores missing data", () => {
    for (const alarm of alarms(synth())) {
      expect(alarm.comparison_operator).toBe("GreaterThanOrEqualToThreshold");
      expect(alarm.treat_missing_data).toBe("ignore");
      expect(alarm.statistic).toBe("Maximum");
    }
  });

  test("alarm and OK actions notify the created topic", () => {
    const out = synth();
    const topic = topicReference(out);
    for (const alarm of alarms(out)) {
      expect(alarm.actions_enabled).toBe(true);
      expect(alarm.alarm_actions).toEqual([topic]);
      expect(alarm.ok_actions).toEqual([topic]);
    }
  });

  test("defaults to one 900-second period", () => {
    for (const alarm of alarms(synth())) {
      expect(alarm.period).toBe(900);
      expect(alarm.evaluation_periods).toBe(1);
    }
  });

  test("period and evaluation periods can be overridden", () => {
    for (const alarm of alarms(synth({ periodSeconds: 3600, evaluationPeriods: 3 }))) {
      expect(alarm.period).toBe(3600);
      expect(alarm.evaluation_periods).toBe(3);
    }
  });

  test("the description states the level in percent", () => {
    expect(synth()).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "shop-complaint-rate-critical",
      alarm_description: expect.stringContaining("complaint rate reached 0.1 % (critical)"),
    });
  });

  test("creates the topic <namePrefix>-alarms with the e-mail subscribed", () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(SnsTopic, { name: "shop-alarms" });
    expect(out).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "email", endpoint: "ops@example.com" });
  });

  test("the created topic accepts only this prefix's alarms", () => {
    const [policy] = Object.values(resources(synth(), SnsTopicPolicy));
    const statement = JSON.parse(policy.policy).Statement[0];
    expect(statement.Condition.ArnLike["aws:SourceArn"]).toBe("arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-*");
  });

  test("exposes the created topic", () => {
    let construct!: ReputationAlarms;
    Testing.synthScope((scope) => {
      construct = new ReputationAlarms(scope, "Alarms", props());
    });
    expect(construct.alarmTopic).toBeDefined();
    expect(construct.topic).toBe(construct.alarmTopic!.topic);
  });
});

describe("ReputationAlarms with a topic of its own", () => {
  const out = () => synth({ topic: { arn: EXISTING_TOPIC } });

  test("creates no topic, policy or subscription", () => {
    expect(out()).not.toHaveResource(SnsTopic);
    expect(out()).not.toHaveResource(SnsTopicPolicy);
    expect(out()).not.toHaveResource(SnsTopicSubscription);
  });

  test("alarms notify the given ARN", () => {
    const list = alarms(out());
    expect(list).toHaveLength(4);
    for (const alarm of list) {
      expect(alarm.alarm_actions).toEqual([EXISTING_TOPIC]);
      expect(alarm.ok_actions).toEqual([EXISTING_TOPIC]);
    }
  });

  test("exposes the given topic and no AlarmTopic", () => {
    let construct!: ReputationAlarms;
    Testing.synthScope((scope) => {
      construct = new ReputationAlarms(scope, "Alarms", props({ topic: { arn: EXISTING_TOPIC } }));
    });
    expect(construct.topic.arn).toBe(EXISTING_TOPIC);
    expect(construct.alarmTopic).toBeUndefined();
  });
});

describe("ReputationAlarms validation", () => {
  test("bounce warning equal to critical", () => {
    expect(() => synth({ bounceRate: { warning: Rate.percent(5), critical: Rate.percent(5) } })).toThrow(
      "ReputationAlarms bounceRate.warning: got 5 %; allowed: below bounceRate.critical (5 %)",
    );
  });

  test("complaint warning above critical", () => {
    expect(() => synth({ complaintRate: { warning: Rate.percent(0.2), critical: Rate.percent(0.1) } })).toThrow(
      "ReputationAlarms complaintRate.warning: got 0.2 %; allowed: below complaintRate.critical (0.1 %)",
    );
  });

  test.each([0, 30, 90, 86460, 61.5])("periodSeconds %p", (periodSeconds) => {
    expect(() => synth({ periodSeconds })).toThrow(`ReputationAlarms periodSeconds: got ${periodSeconds}; allowed: a multiple of 60 from 60 to 86400`);
  });

  test("accepts the period limits 60 and 86400", () => {
    expect(() => synth({ periodSeconds: 60 })).not.toThrow();
    expect(() => synth({ periodSeconds: 86400 })).not.toThrow();
  });

  test.each([0, 1.5])("evaluationPeriods %p", (evaluationPeriods) => {
    expect(() => synth({ evaluationPeriods })).toThrow(`ReputationAlarms evaluationPeriods: got ${evaluationPeriods}; allowed: a whole number >= 1`);
  });

  test("periods that together exceed one day", () => {
    expect(() => synth({ periodSeconds: 3600, evaluationPeriods: 25 })).toThrow(
      "ReputationAlarms evaluationPeriods: got 25; allowed: a whole number >= 1 with periodSeconds x evaluationPeriods <= 86400",
    );
    expect(() => synth({ periodSeconds: 3600, evaluationPeriods: 24 })).not.toThrow();
  });
});

describe("ReputationAlarms plausible levels", () => {
  test("refuses a level below the floor, read as a fraction given where percent was meant", () => {
    expect(() => synth({ bounceRate: { warning: Rate.percent(0.02), critical: Rate.percent(5) } })).toThrow(
      "ReputationAlarms bounceRate.warning: got 0.02 %; allowed: at least 0.5 (the levels are percent: 5 means 5 %, not 0.05); 0.02 percent fires on almost any bounce: did you mean 2?",
    );
    expect(() => synth({ complaintRate: { warning: Rate.percent(0.05), critical: Rate.percent(0.001) } })).toThrow(
      "ReputationAlarms complaintRate.critical: got 0.001 %; allowed: at least 0.01",
    );
  });

  test("accepts the floors themselves", () => {
    expect(() =>
      synth({
        bounceRate: { warning: Rate.percent(0.5), critical: Rate.percent(1) },
        complaintRate: { warning: Rate.percent(0.01), critical: Rate.percent(0.02) },
      }),
    ).not.toThrow();
  });
});
