import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { TopicRef } from "./shared/arn";
import { Fn, Token } from "cdktf";
import { isToken } from "./shared/expressions";
import { archiveAlarmNames } from "./shared/names";

export interface ArchiveAlarmsProps {
  /** Prefix of the alarm names. */
  readonly namePrefix: string;
  /** The delivery stream watched. */
  readonly streamName: string;
  /** The stream's buffering interval: records older than this are late. */
  readonly bufferingIntervalSeconds: number;
  /** Topic notified. */
  readonly topic: TopicRef;
}

/**
 * Alarms on the archive itself, so a broken archive is found the day it
 * breaks, not the day someone needs it.
 */
export class ArchiveAlarms extends Construct {
  public readonly dataFreshness: CloudwatchMetricAlarm;
  public readonly deliverySuccess: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: ArchiveAlarmsProps) {
    super(scope, id);
    const common = {
      namespace: "AWS/Firehose",
      dimensions: { DeliveryStreamName: props.streamName },
      period: 300,
      evaluationPeriods: 3,
      // No traffic means no data points; that is not a broken archive.
      treatMissingData: "notBreaching",
      actionsEnabled: true,
      alarmActions: [props.topic.arn],
      okActions: [props.topic.arn],
    };
    const names = archiveAlarmNames(props.namePrefix);
    this.dataFreshness = new CloudwatchMetricAlarm(this, "DataFreshness", {
      ...common,
      alarmName: names.dataFreshness,
      alarmDescription: `Records in Firehose stream ${props.streamName} are older than its ${props.bufferingIntervalSeconds} s buffering interval: delivery to S3 is failing or falling behind. Check the stream's error log group.`,
      metricName: "DeliveryToS3.DataFreshness",
      statistic: "Maximum",
      // Firehose holds records up to the buffering interval by design; 0 s buffering still takes a moment.
      threshold: isToken(props.bufferingIntervalSeconds)
        ? Token.asNumber(Fn.max([props.bufferingIntervalSeconds, 60]))
        : Math.max(props.bufferingIntervalSeconds, 60),
      comparisonOperator: "GreaterThanThreshold",
    });
    this.deliverySuccess = new CloudwatchMetricAlarm(this, "DeliverySuccess", {
      ...common,
      alarmName: names.deliverySuccess,
      alarmDescription: `Some deliveries from Firehose stream ${props.streamName} to S3 failed (DeliveryToS3.Success below 1). Events may land under the errors/ prefix or be lost after 24 h of retries.`,
      metricName: "DeliveryToS3.Success",
      statistic: "Minimum",
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
    });
  }
}
