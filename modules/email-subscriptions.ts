import { Construct } from "constructs";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { TopicRef } from "./arn";

export interface EmailSubscriptionsProps {
  /** The topic to subscribe to. */
  readonly topic: TopicRef;
  /** One subscription per address (a Slack channel's e-mail address works too). */
  readonly emails: readonly string[];
}

/**
 * E-mail subscriptions. SNS keeps each one pending until its owner clicks the
 * link in the confirmation mail; a pending subscription cannot be deleted.
 */
export class EmailSubscriptions extends Construct {
  public readonly subscriptions: readonly SnsTopicSubscription[];

  constructor(scope: Construct, id: string, props: EmailSubscriptionsProps) {
    super(scope, id);
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
