import { Construct } from "constructs";
import { TerraformIterator, Token } from "cdktf";
import { SesIdentityNotificationTopic } from "@cdktf/provider-aws/lib/ses-identity-notification-topic";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { arn, ArnScope, awsManagedKeyProblem, TopicRef } from "./shared/arn";
import { NOTIFICATION_TYPES, NotificationType } from "./app/config";
import { RULES } from "./shared/rules";
import { EmailSubscriptions } from "./email-subscriptions";
import { attributeOf, Condition, countWhen, expression, hclOf, isToken } from "./shared/expressions";
import { policyDocument, renderPolicy, renderPolicyWithList, topicPublisher } from "./shared/policy-document";

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
  readonly includeOriginalHeaders?: boolean | Condition;
  /**
   * Customer-managed KMS key for the created topic; its policy must let ses.amazonaws.com use it.
   * @default - unencrypted
   */
  readonly kmsKeyArn?: string;
  /**
   * Terraform condition under which every resource here exists (`count`, or a filter of `for_each`).
   * @default - always
   */
  readonly condition?: Condition;
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
    const IDENTITY_ARNS = "IDENTITY_ARNS";
    const types = props.types ?? ["Bounce", "Complaint"];
    // Tokens (the plain module's variables) are checked by the module's validation blocks instead.
    const listsAreTokens = isToken(props.identities) || isToken(types);
    if (!isToken(props.identities) && props.identities.length === 0) {
      throw new Error("IdentityNotifications identities: got []; allowed: one or more SES identities (domains or addresses)");
    }
    for (const identity of isToken(props.identities) ? [] : props.identities) {
      if (!RULES.identity.holds(identity))
        throw new Error(`IdentityNotifications identities: got ${JSON.stringify(identity)}; allowed: ${RULES.identity.allowed}`);
    }
    for (const type of isToken(types) ? [] : types) {
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
      const counted = countWhen(this, props.condition);
      this.snsTopic = new SnsTopic(this, "Topic", { ...counted, name: topicName, kmsMasterKeyId: props.kmsKeyArn });
      this.topic = { arn: attributeOf(this.snsTopic, "arn") };
      const identityArn = (identity: string) => arn(props, "ses", `identity/${identity}`);
      const policy = policyDocument(
        topicPublisher(
          "AllowSesForTheseIdentities",
          "ses.amazonaws.com",
          arn(props, "sns", topicName),
          props.accountId,
          isToken(props.identities) ? IDENTITY_ARNS : props.identities.map(identityArn),
        ),
      );
      this.topicPolicy = new SnsTopicPolicy(this, "Policy", {
        ...counted,
        arn: this.topic.arn,
        // A token list of identities becomes a list expression inside the policy.
        policy: isToken(props.identities)
          ? renderPolicyWithList(policy, IDENTITY_ARNS, `[for identity in ${hclOf(this, props.identities)} : ${hclOf(this, identityArn("${identity}"))}]`)
          : renderPolicy(policy),
      });
      this.subscriptions = new EmailSubscriptions(this, "Subscriptions", { topic: this.topic, emails: props.emails ?? [], condition: props.condition });
    }

    // One resource with for_each over "identity/Type" keys: the JSON stays small and synth time flat
    // however many identities there are, and adding one identity only adds its own instances.
    const instances: Record<string, { identity: string; notification_type: NotificationType }> = {};
    for (const identity of listsAreTokens ? [] : props.identities) {
      for (const type of types) instances[`${identity}/${type}`] = { identity, notification_type: type };
    }
    const each = listsAreTokens
      ? TerraformIterator.fromMap(
          Token.asAnyMap(
            expression(
              this,
              `{ for pair in setproduct(${hclOf(this, props.identities)}, ${hclOf(this, types)}) : "\${pair[0]}/\${pair[1]}" => { identity = pair[0], notification_type = pair[1] }${
                props.condition ? ` if ${hclOf(this, props.condition)}` : ""
              } }`,
            ),
          ),
        )
      : TerraformIterator.fromMap(instances);
    this.notificationTopics = new SesIdentityNotificationTopic(this, "Identities", {
      forEach: each,
      identity: each.getString("identity"),
      notificationType: each.getString("notification_type"),
      topicArn: this.topic.arn,
      includeOriginalHeaders: props.includeOriginalHeaders ?? true,
      // SES checks that it may publish to the topic when the topic is set, so our policy comes first.
      dependsOn: this.topicPolicy ? [this.topicPolicy] : undefined,
    });
    // With token lists the keys are known only to Terraform.
    this.instanceKeys = Object.keys(instances);
  }
}
