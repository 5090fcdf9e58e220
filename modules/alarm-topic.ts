import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { arn, ArnScope, awsManagedKeyProblem } from "./shared/arn";
import { policyDocument, renderPolicy } from "./shared/policy-document";
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
    new SnsTopicPolicy(this, "Policy", {
      arn: this.topic.arn,
      policy: renderPolicy(
        policyDocument({
          Sid: "AllowCloudWatchAlarmsOfThisAccount",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: arn(props, "sns", props.topicName),
          Condition: {
            StringEquals: { "aws:SourceAccount": props.accountId },
            ArnLike: { "aws:SourceArn": arn(props, "cloudwatch", `alarm:${props.alarmNamePattern ?? "*"}`) },
          },
        }),
      ),
    });
    this.subscriptions = new EmailSubscriptions(this, "Subscriptions", { topic: this.topic, emails: props.emails });
  }
}
