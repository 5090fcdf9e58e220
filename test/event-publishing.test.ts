import { Testing } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Sesv2ConfigurationSet } from "@cdktf/provider-aws/lib/sesv2-configuration-set";
import { Sesv2ConfigurationSetEventDestination } from "@cdktf/provider-aws/lib/sesv2-configuration-set-event-destination";
import { SesEventType } from "../modules/app/config";
import { EventPublishing, EventPublishingProps } from "../modules/event-publishing";

const STREAM_ARN = "arn:aws:firehose:us-east-1:123456789012:deliverystream/shop-events";
const CONFIGURATION_SET_ARN = "arn:aws:ses:us-east-1:123456789012:configuration-set/shop";

function props(overrides: Partial<EventPublishingProps> = {}): EventPublishingProps {
  return {
    accountId: "123456789012",
    region: "us-east-1",
    configurationSetName: "shop",
    deliveryStream: { streamName: "shop-events", streamArn: STREAM_ARN },
    ...overrides,
  };
}

function synth(overrides: Partial<EventPublishingProps> = {}): string {
  return Testing.synthScope((scope) => {
    new EventPublishing(scope, "Publishing", props(overrides));
  });
}

function resources(synthesized: string, type: { tfResourceType: string }): Record<string, any> {
  return JSON.parse(synthesized).resource?.[type.tfResourceType] ?? {};
}

function onlyEntry(synthesized: string, type: { tfResourceType: string }): [string, any] {
  const entries = Object.entries(resources(synthesized, type));
  expect(entries).toHaveLength(1);
  return entries[0];
}

function only(synthesized: string, type: { tfResourceType: string }): any {
  return onlyEntry(synthesized, type)[1];
}

function destination(synthesized: string): any {
  return only(synthesized, Sesv2ConfigurationSetEventDestination).event_destination;
}

describe("EventPublishing configuration set", () => {
  test("is named configurationSetName", () => {
    expect(only(synth(), Sesv2ConfigurationSet).configuration_set_name).toBe("shop");
  });

  test("enables reputation metrics", () => {
    expect(only(synth(), Sesv2ConfigurationSet).reputation_options).toEqual({ reputation_metrics_enabled: true });
  });

  test("requires TLS by default", () => {
    expect(only(synth(), Sesv2ConfigurationSet).delivery_options).toEqual({ tls_policy: "REQUIRE" });
  });

  test("requires TLS when requireTls is true", () => {
    expect(only(synth({ requireTls: true }), Sesv2ConfigurationSet).delivery_options).toEqual({ tls_policy: "REQUIRE" });
  });

  test("makes TLS optional when requireTls is false", () => {
    expect(only(synth({ requireTls: false }), Sesv2ConfigurationSet).delivery_options).toEqual({ tls_policy: "OPTIONAL" });
  });
});

describe("EventPublishing event destination", () => {
  test("belongs to the configuration set (by reference, so it is created after it)", () => {
    const out = synth();
    const [setId] = onlyEntry(out, Sesv2ConfigurationSet);
    expect(out).toHaveResourceWithProperties(Sesv2ConfigurationSetEventDestination, {
      configuration_set_name: `\${aws_sesv2_configuration_set.${setId}.configuration_set_name}`,
      event_destination_name: "archive-to-firehose",
    });
  });

  test("is explicitly enabled (the provider defaults to false)", () => {
    expect(destination(synth()).enabled).toBe(true);
  });

  test("matches the seven default event types", () => {
    expect(destination(synth()).matching_event_types).toEqual(["SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY", "RENDERING_FAILURE"]);
  });

  test("matches the given event types", () => {
    expect(destination(synth({ eventTypes: ["BOUNCE", "COMPLAINT", "OPEN"] })).matching_event_types).toEqual(["BOUNCE", "COMPLAINT", "OPEN"]);
  });

  test("publishes to the stream's ARN through the role", () => {
    const out = synth();
    const [roleId] = onlyEntry(out, IamRole);
    expect(destination(out).kinesis_firehose_destination).toEqual({
      delivery_stream_arn: STREAM_ARN,
      iam_role_arn: `\${aws_iam_role.${roleId}.arn}`,
    });
  });

  test("prefers the stream's ARN attribute, which orders creation after the stream", () => {
    const attribute = "${aws_kinesis_firehose_delivery_stream.events.arn}";
    const out = synth({ deliveryStream: { streamName: "shop-events", streamArn: STREAM_ARN, arnAttribute: attribute } });
    expect(destination(out).kinesis_firehose_destination.delivery_stream_arn).toBe(attribute);
  });

  test("is created after the role policy, which SES checks on create", () => {
    const out = synth();
    const [policyId] = onlyEntry(out, IamRolePolicy);
    expect(only(out, Sesv2ConfigurationSetEventDestination).depends_on).toEqual([`aws_iam_role_policy.${policyId}`]);
  });
});

describe("EventPublishing role", () => {
  function trust(out: string): any {
    const doc = JSON.parse(only(out, IamRole).assume_role_policy);
    expect(doc.Statement).toHaveLength(1);
    return doc.Statement[0];
  }

  test("is named <configurationSetName>-ses-events-<region> by default", () => {
    expect(only(synth(), IamRole).name).toBe("shop-ses-events-us-east-1");
  });

  test("takes a role name", () => {
    expect(only(synth({ roleName: "publisher" }), IamRole).name).toBe("publisher");
  });

  test("trusts ses.amazonaws.com only", () => {
    const statement = trust(synth());
    expect(statement.Effect).toBe("Allow");
    expect(statement.Principal).toEqual({ Service: "ses.amazonaws.com" });
    expect(statement.Action).toBe("sts:AssumeRole");
  });

  test("trusts it only for this account and this configuration set", () => {
    expect(trust(synth()).Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "123456789012" },
      ArnLike: { "aws:SourceArn": CONFIGURATION_SET_ARN },
    });
  });

  test("its policy is attached to the role", () => {
    const out = synth();
    const [roleId] = onlyEntry(out, IamRole);
    expect(only(out, IamRolePolicy).role).toBe(`\${aws_iam_role.${roleId}.id}`);
  });

  test("its policy allows only firehose:PutRecordBatch on the stream", () => {
    expect(JSON.parse(only(synth(), IamRolePolicy).policy).Statement).toEqual([
      { Sid: "PutEventRecords", Effect: "Allow", Action: "firehose:PutRecordBatch", Resource: STREAM_ARN },
    ]);
  });

  test("its policy names the ARN built from the name, even when an ARN attribute is given", () => {
    const out = synth({
      deliveryStream: { streamName: "shop-events", streamArn: STREAM_ARN, arnAttribute: "${aws_kinesis_firehose_delivery_stream.events.arn}" },
    });
    expect(JSON.parse(only(out, IamRolePolicy).policy).Statement[0].Resource).toBe(STREAM_ARN);
  });
});

describe("EventPublishing validation", () => {
  test("an empty eventTypes list", () => {
    expect(() => synth({ eventTypes: [] })).toThrow("EventPublishing eventTypes: got []; allowed: one or more of SEND, REJECT, BOUNCE");
  });

  test("an unknown event type", () => {
    expect(() => synth({ eventTypes: ["SEND", "OPENED" as SesEventType] })).toThrow(
      'EventPublishing eventTypes: got "OPENED"; allowed: SEND, REJECT, BOUNCE, COMPLAINT, DELIVERY, OPEN, CLICK, RENDERING_FAILURE, DELIVERY_DELAY, SUBSCRIPTION',
    );
  });
});
