import { Testing } from "cdktf";
import { Sesv2AccountSuppressionAttributes } from "@cdktf/provider-aws/lib/sesv2-account-suppression-attributes";
import { Sesv2ConfigurationSet } from "@cdktf/provider-aws/lib/sesv2-configuration-set";
import { SuppressionReason } from "../modules/app/config";
import { EventPublishing, EventPublishingProps } from "../modules/event-publishing";
import { AccountSuppression, checkSuppressionReasons } from "../modules/suppression";

function synthAccount(reasons: readonly SuppressionReason[]): string {
  return Testing.synthScope((scope) => {
    new AccountSuppression(scope, "Suppression", { reasons });
  });
}

function only(synthesized: string, type: { tfResourceType: string }): any {
  const list = Object.values(JSON.parse(synthesized).resource?.[type.tfResourceType] ?? {});
  expect(list).toHaveLength(1);
  return list[0];
}

describe("AccountSuppression", () => {
  test("sets the account-level suppression reasons of the provider's region", () => {
    expect(synthAccount(["BOUNCE", "COMPLAINT"])).toHaveResourceWithProperties(Sesv2AccountSuppressionAttributes, {
      suppressed_reasons: ["BOUNCE", "COMPLAINT"],
    });
  });

  test("one reason, or none (automatic suppression off)", () => {
    expect(only(synthAccount(["COMPLAINT"]), Sesv2AccountSuppressionAttributes).suppressed_reasons).toEqual(["COMPLAINT"]);
    expect(only(synthAccount([]), Sesv2AccountSuppressionAttributes).suppressed_reasons).toEqual([]);
  });

  test.each([
    [["BOUNCES"], 'AccountSuppression reasons: got "BOUNCES"; allowed: BOUNCE, COMPLAINT'],
    [["BOUNCE", "BOUNCE"], 'AccountSuppression reasons: got ["BOUNCE","BOUNCE"]; allowed: each reason once'],
  ])("refuses %j", (reasons, message) => {
    expect(() => synthAccount(reasons as SuppressionReason[])).toThrow(message);
  });

  test("checkSuppressionReasons names the prop", () => {
    expect(() => checkSuppressionReasons("X y", ["complaint"])).toThrow('X y: got "complaint"; allowed: BOUNCE, COMPLAINT');
    expect(() => checkSuppressionReasons("X y", ["BOUNCE", "COMPLAINT"])).not.toThrow();
  });
});

describe("EventPublishing suppressedReasons (the configuration set's suppression options)", () => {
  function synth(overrides: Partial<EventPublishingProps> = {}): string {
    return Testing.synthScope((scope) => {
      new EventPublishing(scope, "Publishing", {
        accountId: "123456789012",
        region: "us-east-1",
        configurationSetName: "shop",
        deliveryStream: { streamName: "shop-events", streamArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/shop-events" },
        ...overrides,
      });
    });
  }

  test("absent by default: the set follows the account level", () => {
    expect(only(synth(), Sesv2ConfigurationSet).suppression_options).toBeUndefined();
  });

  test("sets suppression_options on the configuration set", () => {
    expect(only(synth({ suppressedReasons: ["BOUNCE", "COMPLAINT"] }), Sesv2ConfigurationSet).suppression_options).toEqual({
      suppressed_reasons: ["BOUNCE", "COMPLAINT"],
    });
    expect(only(synth({ suppressedReasons: [] }), Sesv2ConfigurationSet).suppression_options).toEqual({ suppressed_reasons: [] });
  });

  test("refuses bad reasons, and any on a set it does not manage", () => {
    expect(() => synth({ suppressedReasons: ["SPAM" as SuppressionReason] })).toThrow(
      'EventPublishing suppressedReasons: got "SPAM"; allowed: BOUNCE, COMPLAINT',
    );
    expect(() => synth({ suppressedReasons: ["BOUNCE"], existingConfigurationSet: true })).toThrow(
      'EventPublishing suppressedReasons: got ["BOUNCE"]; allowed: nothing with existingConfigurationSet (the set is not managed here)',
    );
  });
});
