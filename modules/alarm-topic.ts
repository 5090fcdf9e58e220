import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { arn, ArnScope, awsManagedKeyProblem } from "./shared/arn";
import { policyDocument, renderPolicy, renderPolicyWithOptionalStatement, topicPublisher } from "./shared/policy-document";
import { Condition, hclOf } from "./shared/expressions";
import { EmailSubscriptions } from "./email-subscriptions";

export interface AlarmTopicProps extends ArnScope {
  /** SNS topic name. */
  readonly topicName: string;
  /** Addresses subscribed to the topic; each must confirm by e-mail. */
  readonly emails: readonly string[];
  /**
   * Alarm names allowed to publish (wildcards allowed).
   * @default - every alarm in the account and region (`*`)
   */
  readonly alarmNamePattern?: string;
  /**
   * Customer-managed KMS key that encrypts the topic; its policy must let cloudwatch.amazonaws.com use it.
   * @default - unencrypted
   */
  readonly kmsKeyArn?: string;
  /**
   * EventBridge rules allowed to publish (the auto-pause announcement), by name pattern.
   * @default - none
   */
  readonly eventRuleNamePattern?: string;
  /**
   * Terraform condition under which those rules may publish (the plain module's switch).
   * @default - always, when `eventRuleNamePattern` is given
   */
  readonly eventRulesEnabled?: Condition;
}

/** The SNS topic alarms notify, with the policy that lets only our alarms publish. */
export class AlarmTopic extends Construct {
  public readonly topic: SnsTopic;
  public readonly subscriptions: EmailSubscriptions;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const problem = props.kmsKeyArn && awsManagedKeyProblem(props.kmsKeyArn);
    if (problem) throw new Error(`AlarmTopic kmsKeyArn: got ${JSON.stringify(props.kmsKeyArn)}; allowed: ${problem}`);
    this.topic = new SnsTopic(this, "Resource", { name: props.topicName, kmsMasterKeyId: props.kmsKeyArn });
    const eventsSid = "AllowOurEventBridgeRules";
    const topicArn = arn(props, "sns", props.topicName);
    const doc = policyDocument(
      ...(props.eventRuleNamePattern
        ? [topicPublisher(eventsSid, "events.amazonaws.com", topicArn, props.accountId, arn(props, "events", `rule/${props.eventRuleNamePattern}`))]
        : []),
      topicPublisher(
        "AllowCloudWatchAlarmsOfThisAccount",
        "cloudwatch.amazonaws.com",
        topicArn,
        props.accountId,
        arn(props, "cloudwatch", `alarm:${props.alarmNamePattern ?? "*"}`),
      ),
    );
    new SnsTopicPolicy(this, "Policy", {
      arn: this.topic.arn,
      policy:
        props.eventRuleNamePattern && props.eventRulesEnabled
          ? renderPolicyWithOptionalStatement(doc, eventsSid, hclOf(this, props.eventRulesEnabled))
          : renderPolicy(doc),
    });
    this.subscriptions = new EmailSubscriptions(this, "Subscriptions", { topic: this.topic, emails: props.emails });
  }
}
