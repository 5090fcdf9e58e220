import { Testing } from "cdktf";
import { SesIdentityNotificationTopic } from "@cdktf/provider-aws/lib/ses-identity-notification-topic";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { NotificationType } from "../modules/app/config";
import { IdentityNotifications, IdentityNotificationsProps } from "../modules/identity-notifications";

const EXISTING_TOPIC = "arn:aws:sns:us-east-1:123456789012:existing";

function props(overrides: Partial<IdentityNotificationsProps> = {}): IdentityNotificationsProps {
  return {
    accountId: "123456789012",
    region: "us-east-1",
    identities: ["example.com", "sender@example.org"],
    topicName: "shop-notifications",
    emails: ["alerts@example.com"],
    ...overrides,
  };
}

function synth(overrides: Partial<IdentityNotificationsProps> = {}): string {
  return Testing.synthScope((scope) => {
    new IdentityNotifications(scope, "Notifications", props(overrides));
  });
}

function resources(synthesized: string, type: { tfResourceType: string }): Record<string, any> {
  return JSON.parse(synthesized).resource?.[type.tfResourceType] ?? {};
}

/** The instances of the one for_each notification-topic resource, each with the resource's shared arguments. */
function notificationTopics(synthesized: string): any[] {
  const all = Object.values(resources(synthesized, SesIdentityNotificationTopic));
  expect(all.length).toBeLessThanOrEqual(1);
  return all.flatMap((r: any) => Object.values(r.for_each).map((instance: any) => ({ ...r, ...instance })));
}

/** "identity/type" pairs, sorted. */
function pairs(synthesized: string): string[] {
  return notificationTopics(synthesized)
    .map((t) => `${t.identity}/${t.notification_type}`)
    .sort();
}

function topicReference(synthesized: string): string {
  const ids = Object.keys(resources(synthesized, SnsTopic));
  expect(ids).toHaveLength(1);
  return `\${aws_sns_topic.${ids[0]}.arn}`;
}

function policyStatement(synthesized: string): any {
  const policies = Object.values(resources(synthesized, SnsTopicPolicy));
  expect(policies).toHaveLength(1);
  const doc = JSON.parse(policies[0].policy);
  expect(doc.Statement).toHaveLength(1);
  return doc.Statement[0];
}

describe("IdentityNotifications notification topics", () => {
  test("one per identity for Bounce and Complaint by default, no Delivery", () => {
    expect(pairs(synth())).toEqual(["example.com/Bounce", "example.com/Complaint", "sender@example.org/Bounce", "sender@example.org/Complaint"]);
  });

  test("one per identity and type when Delivery is asked for", () => {
    expect(pairs(synth({ types: ["Bounce", "Complaint", "Delivery"] }))).toEqual([
      "example.com/Bounce",
      "example.com/Complaint",
      "example.com/Delivery",
      "sender@example.org/Bounce",
      "sender@example.org/Complaint",
      "sender@example.org/Delivery",
    ]);
  });

  test("only the given types", () => {
    expect(pairs(synth({ types: ["Complaint"] }))).toEqual(["example.com/Complaint", "sender@example.org/Complaint"]);
  });

  test("include original headers by default", () => {
    for (const t of notificationTopics(synth())) expect(t.include_original_headers).toBe(true);
  });

  test("leave out original headers when asked", () => {
    const topics = notificationTopics(synth({ includeOriginalHeaders: false }));
    expect(topics).toHaveLength(4);
    for (const t of topics) expect(t.include_original_headers).toBe(false);
  });

  test("publish to the created topic", () => {
    const out = synth();
    for (const t of notificationTopics(out)) expect(t.topic_arn).toBe(topicReference(out));
  });
});

describe("IdentityNotifications topic", () => {
  test("is named topicName", () => {
    expect(synth()).toHaveResourceWithProperties(SnsTopic, { name: "shop-notifications" });
  });

  test("is named ses-guard-notifications by default", () => {
    expect(synth({ topicName: undefined })).toHaveResourceWithProperties(SnsTopic, { name: "ses-guard-notifications" });
  });

  test("has its policy attached", () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(SnsTopicPolicy, { arn: topicReference(out) });
  });

  test("policy lets only ses.amazonaws.com publish to this topic", () => {
    const statement = policyStatement(synth());
    expect(statement.Effect).toBe("Allow");
    expect(statement.Principal).toEqual({ Service: "ses.amazonaws.com" });
    expect(statement.Action).toBe("sns:Publish");
    expect(statement.Resource).toBe("arn:aws:sns:us-east-1:123456789012:shop-notifications");
  });

  test("policy requires this account and one of the identities as source", () => {
    expect(policyStatement(synth()).Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "123456789012" },
      ArnLike: {
        "aws:SourceArn": ["arn:aws:ses:us-east-1:123456789012:identity/example.com", "arn:aws:ses:us-east-1:123456789012:identity/sender@example.org"],
      },
    });
  });

  test("one e-mail subscription per address", () => {
    const out = synth({ emails: ["alerts@example.com", "bounces@example.slack.com"] });
    const subscriptions = Object.values(resources(out, SnsTopicSubscription));
    expect(subscriptions.map((s) => s.endpoint).sort()).toEqual(["alerts@example.com", "bounces@example.slack.com"]);
    for (const s of subscriptions) {
      expect(s.protocol).toBe("email");
      expect(s.topic_arn).toBe(topicReference(out));
    }
  });

  test("no subscriptions without addresses", () => {
    expect(synth({ emails: undefined })).not.toHaveResource(SnsTopicSubscription);
  });
});

describe("IdentityNotifications with a topic of its own", () => {
  const out = () => synth({ topic: { arn: EXISTING_TOPIC } });

  test("creates no topic, policy or subscription", () => {
    expect(out()).not.toHaveResource(SnsTopic);
    expect(out()).not.toHaveResource(SnsTopicPolicy);
    expect(out()).not.toHaveResource(SnsTopicSubscription);
  });

  test("notification topics publish to the given ARN", () => {
    const topics = notificationTopics(out());
    expect(topics).toHaveLength(4);
    for (const t of topics) expect(t.topic_arn).toBe(EXISTING_TOPIC);
  });

  test("exposes the given topic and no SnsTopic", () => {
    let construct!: IdentityNotifications;
    Testing.synthScope((scope) => {
      construct = new IdentityNotifications(scope, "Notifications", props({ topic: { arn: EXISTING_TOPIC } }));
    });
    expect(construct.topic.arn).toBe(EXISTING_TOPIC);
    expect(construct.snsTopic).toBeUndefined();
    expect(construct.subscriptions).toBeUndefined();
    expect(construct.instanceKeys).toHaveLength(4);
  });
});

describe("IdentityNotifications validation", () => {
  test("no identities", () => {
    expect(() => synth({ identities: [] })).toThrow("IdentityNotifications identities: got []; allowed: one or more SES identities (domains or addresses)");
  });

  test.each(["not an identity", "ops@", "exämple.com"])("identity %p", (identity) => {
    expect(() => synth({ identities: ["example.com", identity] })).toThrow(
      `IdentityNotifications identities: got ${JSON.stringify(identity)}; allowed: an SES identity: a domain such as example.com or an address such as sender@example.com`,
    );
  });

  test("an unknown notification type", () => {
    expect(() => synth({ types: ["Bounce", "Open" as NotificationType] })).toThrow(
      'IdentityNotifications types: got "Open"; allowed: Bounce, Complaint, Delivery',
    );
  });
});

test("one resource with for_each keyed <identity>/<Type>, arguments taken from each.value", () => {
  const all = resources(synth(), SesIdentityNotificationTopic);
  expect(Object.keys(all)).toHaveLength(1);
  const [topic] = Object.values(all) as any[];
  expect(Object.keys(topic.for_each).sort()).toEqual([
    "example.com/Bounce",
    "example.com/Complaint",
    "sender@example.org/Bounce",
    "sender@example.org/Complaint",
  ]);
  expect(topic.identity).toBe("${each.value.identity}");
  expect(topic.notification_type).toBe("${each.value.notification_type}");
});

test("identities differing only in hyphen versus dot get distinct instances", () => {
  const out = synth({ identities: ["a-b.example", "a.b.example"], types: ["Bounce"] });
  expect(
    notificationTopics(out)
      .map((t) => t.identity)
      .sort(),
  ).toEqual(["a-b.example", "a.b.example"]);
});

describe("IdentityNotifications ordering", () => {
  test("sets the identities' topics only after the topic policy that lets SES publish exists (SES checks it then)", () => {
    const out = synth();
    const [policyName] = Object.keys(resources(out, SnsTopicPolicy));
    const [topics] = Object.values(resources(out, SesIdentityNotificationTopic)) as any[];
    expect(topics.depends_on).toEqual([`aws_sns_topic_policy.${policyName}`]);
  });

  test("with the user's topic there is no policy of ours to wait for", () => {
    const [topics] = Object.values(resources(synth({ topic: { arn: EXISTING_TOPIC } }), SesIdentityNotificationTopic)) as any[];
    expect(topics.depends_on).toBeUndefined();
  });
});
