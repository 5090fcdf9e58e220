import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { arn, ArnScope, TopicRef } from "./shared/arn";
import { attributeOf, Condition, countWhen } from "./shared/expressions";
import { policyDocument, renderPolicy, renderPolicyWithList } from "./shared/policy-document";

/**
 * How long EventBridge keeps retrying a failed target before the event goes to the dead-letter queue.
 * The default, 24 hours and 185 attempts (EventBridge User Guide, "How EventBridge retries delivering
 * events"), would hold a failure back a whole day before the queue's alarm could see it. One hour
 * rides out a throttled or briefly unavailable target; 185 attempts (the API's maximum, RetryPolicy
 * in the EventBridge API Reference: 0 to 185; age 60 to 86400 s) leave the age as the limit that ends
 * the retries.
 */
export const EVENT_RETRY_POLICY = { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 185 } as const;

/** SQS's longest retention (14 days): a failed event waits long enough to be read after a holiday. */
export const DEAD_LETTER_RETENTION_SECONDS = 1_209_600;

export interface EventDeadLetterQueueProps extends ArnScope {
  /** The queue's name; the alarm is `<queueName>-not-empty`. */
  readonly queueName: string;
  /**
   * ARNs of the rules whose targets may send here (the queue policy's `aws:SourceArn`).
   * A token list is given as `sourceRuleArnsHcl` instead.
   */
  readonly sourceRuleArns: readonly string[];
  /**
   * An HCL list expression of the same ARNs, when Terraform builds them (a token list of chat types).
   * @default - `sourceRuleArns`
   */
  readonly sourceRuleArnsHcl?: string;
  /** Topic the watcher alarm notifies (the alarm topic). */
  readonly alarmTopic: TopicRef;
  /** Says what failed, in the alarm's description ("chat messages", "the auto-pause chain"). */
  readonly what: string;
  /**
   * Terraform condition under which every resource here exists (`count`).
   * @default - always
   */
  readonly condition?: Condition;
}

/**
 * An SQS dead-letter queue for EventBridge targets, with the alarm that says when something is in it.
 *
 * The queue uses SSE-SQS (SQS-owned keys): EventBridge needs no key permission for it. With a
 * customer-managed key, the key policy would also have to let events.amazonaws.com use the key
 * (EventBridge User Guide, "Using dead-letter queues to process undelivered events": granting
 * permissions to the dead-letter queue).
 *
 * Why an alarm on the queue rather than on each rule's FailedInvocations (AWS/Events): every event a
 * target could not take after its retries lands here, for every rule sharing the queue, with one alarm;
 * the message keeps the event and the error (ERROR_CODE, ERROR_MESSAGE attributes) to find the cause.
 * FailedInvocations would need one alarm per rule (a chat config has up to 8) and fires on failures
 * EventBridge still retries. What this misses: an event EventBridge could not write to the queue
 * either (InvocationsFailedToBeSentToDlq), which takes a broken queue policy; the policy suite checks it.
 */
export class EventDeadLetterQueue extends Construct {
  public readonly queue: SqsQueue;
  /** The queue's ARN attribute: a target naming it is created after the queue. */
  public readonly queueArn: string;
  public readonly alarm: CloudwatchMetricAlarm;
  public readonly alarmName: string;

  constructor(scope: Construct, id: string, props: EventDeadLetterQueueProps) {
    super(scope, id);
    const counted = countWhen(this, props.condition);
    this.queue = new SqsQueue(this, "Queue", {
      ...counted,
      name: props.queueName,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    });
    this.queueArn = attributeOf(this.queue, "arn");
    // Stryker disable next-line StringLiteral: equivalent: any placeholder works whose JSON text appears nowhere else in the policy.
    const placeholder = "SOURCE_RULE_ARNS";
    const doc = policyDocument({
      Sid: "AllowOurEventBridgeRules",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: arn(props, "sqs", props.queueName),
      // EventBridge User Guide, "Using dead-letter queues to process undelivered events": the queue
      // policy lets events.amazonaws.com send, with aws:SourceArn the rule's ARN.
      Condition: {
        StringEquals: { "aws:SourceAccount": props.accountId },
        ArnEquals: { "aws:SourceArn": props.sourceRuleArnsHcl ? placeholder : props.sourceRuleArns },
      },
    });
    new SqsQueuePolicy(this, "Policy", {
      ...counted,
      queueUrl: attributeOf(this.queue, "url"),
      policy: props.sourceRuleArnsHcl ? renderPolicyWithList(doc, placeholder, props.sourceRuleArnsHcl) : renderPolicy(doc),
    });

    this.alarmName = `${props.queueName}-not-empty`;
    this.alarm = new CloudwatchMetricAlarm(this, "Alarm", {
      ...counted,
      alarmName: this.alarmName,
      alarmDescription:
        `EventBridge could not deliver ${props.what} after an hour of retries; the events are in SQS queue ${props.queueName} ` +
        "(message attributes ERROR_CODE and ERROR_MESSAGE say why). Fix the cause, then purge the queue.",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: props.queueName },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      // An empty queue that has never been used publishes no data points: nothing failed.
      treatMissingData: "notBreaching",
      actionsEnabled: true,
      alarmActions: [props.alarmTopic.arn],
      okActions: [props.alarmTopic.arn],
    });
  }

  /** The target settings that send a target's failures here after EVENT_RETRY_POLICY. */
  targetSettings(): { deadLetterConfig: { arn: string }; retryPolicy: typeof EVENT_RETRY_POLICY } {
    return { deadLetterConfig: { arn: this.queueArn }, retryPolicy: EVENT_RETRY_POLICY };
  }
}
