import { Construct } from "constructs";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { TopicRef } from "./shared/arn";
import { Condition, emailIterator, isToken } from "./shared/expressions";

export interface EmailSubscriptionsProps {
  /** The topic to subscribe to. */
  readonly topic: TopicRef;
  /** One subscription per address (a Slack channel's e-mail address works too); a token list becomes `for_each`. */
  readonly emails: readonly string[];
  /**
   * Terraform condition under which the subscriptions exist (with a token `emails` only).
   * @default - always
   */
  readonly condition?: Condition;
}

/**
 * E-mail subscriptions. SNS keeps each one pending until its owner clicks the
 * link in the confirmation mail; a pending subscription cannot be deleted.
 */
export class EmailSubscriptions extends Construct {
  public readonly subscriptions: readonly SnsTopicSubscription[];

  constructor(scope: Construct, id: string, props: EmailSubscriptionsProps) {
    super(scope, id);
    if (isToken(props.emails)) {
      // One resource, one instance per lower-case address: the same keys as the construct IDs below.
      const each = emailIterator(this, props.emails, props.condition);
      this.subscriptions = [new SnsTopicSubscription(this, "Resource", { forEach: each, topicArn: props.topic.arn, protocol: "email", endpoint: each.value })];
      return;
    }
    // Keyed by address, not position, so removing one address leaves the others in place.
    this.subscriptions = props.emails.map(
      (email) =>
        new SnsTopicSubscription(this, email.toLowerCase(), {
          topicArn: props.topic.arn,
          protocol: "email",
          endpoint: email,
        }),
    );
  }
}
