import { Testing } from "cdktf";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { AlarmTopic, AlarmTopicProps } from "../modules/alarm-topic";

function props(overrides: Partial<AlarmTopicProps> = {}): AlarmTopicProps {
  return {
    accountId: "123456789012",
    region: "eu-west-1",
    topicName: "shop-alarms",
    emails: ["ops@example.com", "oncall@example.com"],
    alarmNamePattern: "shop-*",
    ...overrides,
  };
}

function synth(overrides: Partial<AlarmTopicProps> = {}): string {
  return Testing.synthScope((scope) => {
    new AlarmTopic(scope, "Topic", props(overrides));
  });
}

function resources(synthesized: string, type: { tfResourceType: string }): Record<string, any> {
  return JSON.parse(synthesized).resource?.[type.tfResourceType] ?? {};
}

function topicReference(synthesized: string): string {
  const ids = Object.keys(resources(synthesized, SnsTopic));
  expect(ids).toHaveLength(1);
  return `\${aws_sns_topic.${ids[0]}.arn}`;
}

/** The single statement of the single topic policy. */
function policyStatement(synthesized: string): any {
  const policies = Object.values(resources(synthesized, SnsTopicPolicy));
  expect(policies).toHaveLength(1);
  const doc = JSON.parse(policies[0].policy);
  expect(doc.Version).toBe("2012-10-17");
  expect(doc.Statement).toHaveLength(1);
  return doc.Statement[0];
}

describe("AlarmTopic topic", () => {
  test("is named topicName", () => {
    expect(synth()).toHaveResourceWithProperties(SnsTopic, { name: "shop-alarms" });
  });
});

describe("AlarmTopic subscriptions", () => {
  test("one e-mail subscription per address, on the topic", () => {
    const out = synth();
    const subscriptions = Object.values(resources(out, SnsTopicSubscription));
    expect(subscriptions).toHaveLength(2);
    expect(subscriptions.map((s) => s.endpoint).sort()).toEqual(["oncall@example.com", "ops@example.com"]);
    for (const s of subscriptions) {
      expect(s.protocol).toBe("email");
      expect(s.topic_arn).toBe(topicReference(out));
    }
  });

  test("none without addresses", () => {
    expect(synth({ emails: [] })).not.toHaveResource(SnsTopicSubscription);
  });

  test("are keyed by address, so removing one keeps the other's logical ID", () => {
    const both = Object.entries(resources(synth(), SnsTopicSubscription));
    const one = Object.entries(resources(synth({ emails: ["oncall@example.com"] }), SnsTopicSubscription));
    const idOf = (entries: [string, any][]) => entries.find(([, s]) => s.endpoint === "oncall@example.com")![0];
    expect(idOf(one)).toBe(idOf(both));
  });

  test("exposed on the construct", () => {
    let construct!: AlarmTopic;
    Testing.synthScope((scope) => {
      construct = new AlarmTopic(scope, "Topic", props());
    });
    expect(construct.subscriptions.subscriptions).toHaveLength(2);
  });
});

describe("AlarmTopic policy", () => {
  test("is attached to the topic", () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(SnsTopicPolicy, { arn: topicReference(out) });
  });

  test("lets only cloudwatch.amazonaws.com publish", () => {
    const statement = policyStatement(synth());
    expect(statement.Effect).toBe("Allow");
    expect(statement.Principal).toEqual({ Service: "cloudwatch.amazonaws.com" });
    expect(statement.Action).toBe("sns:Publish");
  });

  test("applies to the topic's own ARN", () => {
    expect(policyStatement(synth()).Resource).toBe("arn:aws:sns:eu-west-1:123456789012:shop-alarms");
  });

  test("requires this account as aws:SourceAccount", () => {
    expect(policyStatement(synth()).Condition.StringEquals).toEqual({ "aws:SourceAccount": "123456789012" });
  });

  test("requires an aws:SourceArn matching the alarm name pattern", () => {
    expect(policyStatement(synth()).Condition.ArnLike).toEqual({
      "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:shop-*",
    });
  });

  test("without a pattern, allows every alarm of the account and region", () => {
    const statement = policyStatement(synth({ alarmNamePattern: undefined }));
    expect(statement.Condition.ArnLike["aws:SourceArn"]).toBe("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*");
  });

  test("uses the region's partition", () => {
    const statement = policyStatement(synth({ region: "us-gov-west-1" }));
    expect(statement.Resource).toBe("arn:aws-us-gov:sns:us-gov-west-1:123456789012:shop-alarms");
    expect(statement.Condition.ArnLike["aws:SourceArn"]).toBe("arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:shop-*");
  });
});
