import { Construct } from "constructs";
import { TerraformIterator } from "cdktf";
import { SesIdentityNotificationTopic } from "@cdktf/provider-aws/lib/ses-identity-notification-topic";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { arn, ArnScope, awsManagedKeyProblem, TopicRef } from "./arn";
import { isDomain, isEmailAddress, NOTIFICATION_TYPES, NotificationType } from "./config";
import { EmailSubscriptions } from "./email-subscriptions";
import { policyDocument, renderPolicy } from "./policy-document";

export interface IdentityNotificationsProps extends ArnScope {
  /** SES identities (domains or addresses) whose messages are reported. */
  readonly identities: readonly string[];
  /**
   * Notification types per identity.
   * @default ["Bounce", "Complaint"]
   */
  readonly types?: readonly NotificationType[];
  /**
   * Topic to publish to.
   * @default - a new topic `<topicName>` with a policy for SES and `emails` subscribed
   */
  readonly topic?: TopicRef;
  /**
   * Name of the topic created when `topic` is not given.
   * @default "ses-guard-notifications"
   */
  readonly topicName?: string;
  /**
   * Subscribers of the created topic; a Slack channel's e-mail address reaches Slack.
   * @default - none
   */
  readonly emails?: readonly string[];
  /**
   * Include the original message headers in each notification.
   * @default true
   */
  readonly includeOriginalHeaders?: boolean;
  /**
   * Customer-managed KMS key for the created topic; its policy must let ses.amazonaws.com use it.
   * @default - unencrypted
   */
  readonly kmsKeyArn?: string;
}

/**
 * Per-message bounce and complaint notifications: SES publishes one SNS
 * message per bounce or complaint for each listed identity.
 */
export class IdentityNotifications extends Construct {
  public readonly topic: TopicRef;
  /** Present when this construct created the topic. */
  public readonly snsTopic?: SnsTopic;
  public readonly subscriptions?: EmailSubscriptions;
  /** Present when this construct created the topic. */
  public readonly topicPolicy?: SnsTopicPolicy;
  /** One resource, one instance per identity and type (`for_each`). */
  public readonly notificationTopics: SesIdentityNotificationTopic;
  /** The instance keys, `<identity>/<Type>`, e.g. `example.com/Bounce`. */
  public readonly instanceKeys: readonly string[];

  constructor(scope: Construct, id: string, props: IdentityNotificationsProps) {
    super(scope, id);
    const types = props.types ?? ["Bounce", "Complaint"];
    if (props.identities.length === 0) {
      throw new Error("IdentityNotifications identities: got []; allowed: one or more SES identities (domains or addresses)");
    }
    for (const identity of props.identities) {
      if (!isDomain(identity) && !isEmailAddress(identity)) {
        throw new Error(
          `IdentityNotifications identities: got ${JSON.stringify(identity)}; allowed: a domain such as example.com or an address such as sender@example.com`,
        );
      }
    }
    for (const type of types) {
      if (!(NOTIFICATION_TYPES as readonly string[]).includes(type)) {
        throw new Error(`IdentityNotifications types: got ${JSON.stringify(type)}; allowed: ${NOTIFICATION_TYPES.join(", ")}`);
      }
    }

    if (props.topic) {
      // Not our topic: its policy must already let ses.amazonaws.com publish (see README).
      this.topic = props.topic;
    } else {
      const topicName = props.topicName ?? "ses-guard-notifications";
      const problem = props.kmsKeyArn && awsManagedKeyProblem(props.kmsKeyArn);
      if (problem) throw new Error(`IdentityNotifications kmsKeyArn: got ${JSON.stringify(props.kmsKeyArn)}; allowed: ${problem}`);
      this.snsTopic = new SnsTopic(this, "Topic", { name: topicName, kmsMasterKeyId: props.kmsKeyArn });
      this.topic = this.snsTopic;
      this.topicPolicy = new SnsTopicPolicy(this, "Policy", {
        arn: this.snsTopic.arn,
        policy: renderPolicy(
          policyDocument({
            Sid: "AllowSesForTheseIdentities",
            Effect: "Allow",
            Principal: { Service: "ses.amazonaws.com" },
            Action: "sns:Publish",
            Resource: arn(props, "sns", topicName),
            Condition: {
              StringEquals: { "aws:SourceAccount": props.accountId },
              ArnLike: { "aws:SourceArn": props.identities.map((i) => arn(props, "ses", `identity/${i}`)) },
            },
          }),
        ),
      });
      this.subscriptions = new EmailSubscriptions(this, "Subscriptions", { topic: this.snsTopic, emails: props.emails ?? [] });
    }

    // One resource with for_each over "identity/Type" keys: the JSON stays small and synth time flat
    // however many identities there are, and adding one identity only adds its own instances.
    const instances: Record<string, { identity: string; notification_type: NotificationType }> = {};
    for (const identity of props.identities) {
      for (const type of types) instances[`${identity}/${type}`] = { identity, notification_type: type };
    }
    const each = TerraformIterator.fromMap(instances);
    this.notificationTopics = new SesIdentityNotificationTopic(this, "Identities", {
      forEach: each,
      identity: each.getString("identity"),
      notificationType: each.getString("notification_type"),
      topicArn: this.topic.arn,
      includeOriginalHeaders: props.includeOriginalHeaders ?? true,
      // SES checks that it may publish to the topic when the topic is set, so our policy comes first.
      dependsOn: this.topicPolicy ? [this.topicPolicy] : undefined,
    });
    this.instanceKeys = Object.keys(instances);
  }
}
