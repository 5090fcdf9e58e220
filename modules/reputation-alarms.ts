import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { arn, ArnScope, TopicRef } from "./shared/arn";
import { AlarmTopic } from "./alarm-topic";
import { implausibleLevelProblem, Rate } from "./shared/rate";
import { Op, Token } from "cdktf";
import { Condition, countWhen, isToken } from "./shared/expressions";
import { RULES } from "./shared/rules";
import { reputationAlarmName } from "./shared/names";

/** Two alarm levels for one rate. */
export interface RateLevels {
  /** Early warning, to act before AWS does. */
  readonly warning: Rate;
  /** Usually AWS's review level. */
  readonly critical: Rate;
}

export interface ReputationAlarmsProps extends ArnScope {
  /** Prefix of alarm and topic names. */
  readonly namePrefix: string;
  /** Bounce-rate levels. AWS reviews an account at 5 % and may pause it at 10 %. */
  readonly bounceRate: RateLevels;
  /** Complaint-rate levels. AWS reviews an account at 0.1 % and may pause it at 0.5 %. */
  readonly complaintRate: RateLevels;
  /**
   * Topic the alarms notify (alarm and OK actions).
   * @default - a new topic `<namePrefix>-alarms` with `emails` subscribed
   */
  readonly topic?: TopicRef;
  /**
   * Subscribers of the topic created when `topic` is not given.
   * @default - none
   */
  readonly emails?: readonly string[];
  /**
   * Customer-managed KMS key for the topic created when `topic` is not given.
   * @default - unencrypted
   */
  readonly kmsKeyArn?: string;
  /**
   * Length of one evaluation period.
   * @default 900
   */
  readonly periodSeconds?: number;
  /**
   * Periods that must breach before the alarm fires.
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /**
   * Watch this configuration set's own rates instead of the account's. SES publishes
   * `Reputation.BounceRate` and `Reputation.ComplaintRate` (SES Developer Guide, "Creating reputation
   * monitoring alarms using CloudWatch") for a set too once its reputation metrics are enabled (SES API
   * Reference, UpdateConfigurationSetReputationMetricsEnabled; `ReputationOptions`), under the
   * dimension named after the set's auto-tag, `ses:configuration-set` (SES Developer Guide, "Set up a
   * CloudWatch event destination": auto-tag names are the dimension names).
   * @default - the account-level rates
   */
  readonly configurationSetName?: string;
  /**
   * Terraform condition under which the alarms exist (the plain module's switch).
   * @default - always
   */
  readonly condition?: Condition;
  /**
   * EventBridge rules allowed to publish to the topic created here (the auto-pause announcement), by name pattern.
   * @default - none
   */
  readonly eventRuleNamePattern?: string;
  /**
   * Terraform condition under which those rules may publish.
   * @default - always, with `eventRuleNamePattern`
   */
  readonly eventRulesEnabled?: Condition;
}

type Metric = "BounceRate" | "ComplaintRate";
type Level = keyof RateLevels;

/** Alarms on `AWS/SES` `Reputation.BounceRate` and `Reputation.ComplaintRate`: the account's, or one configuration set's. */
export class ReputationAlarms extends Construct {
  public readonly topic: TopicRef;
  /** Present when this construct created the topic. */
  public readonly alarmTopic?: AlarmTopic;
  public readonly alarms: Readonly<Record<`${Metric}${Capitalize<Level>}`, CloudwatchMetricAlarm>>;
  /** The alarms' ARNs, built from their names (known at plan time, for policies and patterns). */
  public readonly alarmArns: Readonly<Record<`${Metric}${Capitalize<Level>}`, string>>;

  constructor(scope: Construct, id: string, props: ReputationAlarmsProps) {
    super(scope, id);
    const periodSeconds = props.periodSeconds ?? 900;
    const evaluationPeriods = props.evaluationPeriods ?? 1;
    // Tokens (the plain module's variables) are checked by the module's validation blocks instead.
    const literal = !isToken(periodSeconds) && !isToken(evaluationPeriods);
    if (literal && !RULES.alarmPeriodSeconds.holds(periodSeconds)) {
      throw new Error(`ReputationAlarms periodSeconds: got ${periodSeconds}; allowed: ${RULES.alarmPeriodSeconds.allowed}`);
    }
    if (literal && (!RULES.evaluationPeriods.holds(evaluationPeriods) || periodSeconds * evaluationPeriods > 86400)) {
      throw new Error(
        `ReputationAlarms evaluationPeriods: got ${evaluationPeriods}; allowed: ${RULES.evaluationPeriods.allowed} with periodSeconds x evaluationPeriods <= 86400`,
      );
    }
    for (const [name, levels] of [
      ["bounceRate", props.bounceRate],
      ["complaintRate", props.complaintRate],
    ] as const) {
      const kind = name === "bounceRate" ? "bounce" : "complaint";
      if (levels.warning.isToken || levels.critical.isToken) continue;
      for (const level of ["warning", "critical"] as const) {
        const problem = implausibleLevelProblem(kind, levels[level].percent);
        if (problem) throw new Error(`ReputationAlarms ${name}.${level}: got ${levels[level]}; allowed: ${problem}`);
      }
      if (levels.warning.percent >= levels.critical.percent) {
        throw new Error(`ReputationAlarms ${name}.warning: got ${levels.warning}; allowed: below ${name}.critical (${levels.critical})`);
      }
    }

    if (props.topic) {
      this.topic = props.topic;
    } else {
      this.alarmTopic = new AlarmTopic(this, "Topic", {
        accountId: props.accountId,
        region: props.region,
        partition: props.partition,
        topicName: `${props.namePrefix}-alarms`,
        emails: props.emails ?? [],
        alarmNamePattern: `${props.namePrefix}-*`,
        kmsKeyArn: props.kmsKeyArn,
        eventRuleNamePattern: props.eventRuleNamePattern,
        eventRulesEnabled: props.eventRulesEnabled,
      });
      this.topic = this.alarmTopic.topic;
    }

    const set = props.configurationSetName;
    const alarm = (metric: Metric, level: Level, rate: Rate) => {
      return new CloudwatchMetricAlarm(this, `${metric}${level === "warning" ? "Warning" : "Critical"}`, {
        ...countWhen(this, props.condition),
        alarmName: reputationAlarmName(props.namePrefix, metric, level),
        alarmDescription:
          `SES ${set === undefined ? "account" : `configuration set ${set}`} ${metric === "BounceRate" ? "bounce" : "complaint"} rate reached ${rate} (${level}). ` +
          `AWS reviews the account at ${metric === "BounceRate" ? "5 %" : "0.1 %"}. Query the ses-guard event archive to find the recipients.`,
        namespace: "AWS/SES",
        metricName: `Reputation.${metric}`,
        dimensions: set === undefined ? undefined : { "ses:configuration-set": set },
        statistic: "Maximum",
        period: periodSeconds,
        evaluationPeriods,
        // CloudWatch reports the rate as a fraction: 5 % is 0.05.
        threshold: rate.isToken ? Token.asNumber(Op.div(rate.percent, 100)) : rate.fraction,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        // SES publishes no data while there is too little volume to rate; AWS advises ignoring gaps.
        treatMissingData: "ignore",
        actionsEnabled: true,
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
      });
    };
    const alarmArn = (metric: Metric, level: Level) => arn(props, "cloudwatch", `alarm:${reputationAlarmName(props.namePrefix, metric, level)}`);
    this.alarmArns = {
      BounceRateWarning: alarmArn("BounceRate", "warning"),
      BounceRateCritical: alarmArn("BounceRate", "critical"),
      ComplaintRateWarning: alarmArn("ComplaintRate", "warning"),
      ComplaintRateCritical: alarmArn("ComplaintRate", "critical"),
    };
    this.alarms = {
      BounceRateWarning: alarm("BounceRate", "warning", props.bounceRate.warning),
      BounceRateCritical: alarm("BounceRate", "critical", props.bounceRate.critical),
      ComplaintRateWarning: alarm("ComplaintRate", "warning", props.complaintRate.warning),
      ComplaintRateCritical: alarm("ComplaintRate", "critical", props.complaintRate.critical),
    };
  }
}
