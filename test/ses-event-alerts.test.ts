import { Testing, TerraformVariable } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import * as fs from "fs";
import * as path from "path";
import { SesEventAlerts, SesEventAlertsProps } from "../modules/ses-event-alerts";
import { CHAT_EVENT_TYPES } from "../modules/shared/ses-chat-events";
import { matchesPattern, renderTransformer, sesEventOnBus } from "./support/eventbridge";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const base: SesEventAlertsProps = {
  accountId: "123456789012",
  region: "us-east-1",
  namePrefix: "shop",
  configurationSetName: "shop-mail",
  types: ["PERMANENT_BOUNCE", "COMPLAINT"],
  kmsKeyArn: KEY,
  nextSteps: { archiveLocation: "s3://b/events/us-east-1/" },
};
const synth = (props: Partial<SesEventAlertsProps> = {}) => JSON.parse(Testing.synthScope((s) => void new SesEventAlerts(s, "Alerts", { ...base, ...props })));
const of = (json: any, type: { tfResourceType: string }): any[] => Object.values(json.resource?.[type.tfResourceType] ?? {});

describe("SesEventAlerts", () => {
  test("two rules per chosen type on the default bus, named <prefix>-chat-..., each matching only the configuration set's events", () => {
    const rules = of(synth(), CloudwatchEventRule);
    expect(rules.map((r) => r.name).sort()).toEqual([
      "shop-chat-complaint",
      "shop-chat-complaint-no-subject",
      "shop-chat-permanent-bounce",
      "shop-chat-permanent-bounce-no-subject",
    ]);
    for (const r of rules) {
      expect(r.event_bus_name).toBeUndefined();
      expect(JSON.parse(r.event_pattern).detail.mail.tags["ses:configuration-set"]).toEqual(["shop-mail"]);
    }
  });

  test("each target publishes a custom notification to the encrypted topic through an input transformer", () => {
    const json = synth();
    expect(Object.values(json.resource.aws_sns_topic)).toEqual([expect.objectContaining({ name: "shop-ses-events", kms_master_key_id: KEY })]);
    for (const t of of(json, CloudwatchEventTarget)) {
      expect(t.arn).toBe("arn:aws:sns:us-east-1:123456789012:shop-ses-events");
      expect(JSON.parse(t.input_transformer.input_template.replace(/<[a-zA-Z]+>/g, "x"))).toMatchObject({ version: "1.0", source: "custom" });
    }
  });

  test("the topic policy lets EventBridge publish only for this account's chat rules, each named", () => {
    const [policy] = of(synth(), SnsTopicPolicy);
    const [statement] = JSON.parse(policy.policy).Statement;
    expect(statement).toMatchObject({
      Principal: { Service: "events.amazonaws.com" },
      Action: "sns:Publish",
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnLike: {
          "aws:SourceArn": ["permanent-bounce", "permanent-bounce-no-subject", "complaint", "complaint-no-subject"].map(
            (suffix) => `arn:aws:events:us-east-1:123456789012:rule/shop-chat-${suffix}`,
          ),
        },
      },
    });
  });

  test("refuses an AWS-managed key, no types, and an unknown type", () => {
    expect(() => synth({ kmsKeyArn: "alias/aws/sns" })).toThrow(/SesEventAlerts kmsKeyArn: got "alias\/aws\/sns"/);
    expect(() => synth({ types: [] })).toThrow("SesEventAlerts types: got []");
    expect(() => synth({ types: ["BOUNCE" as never] })).toThrow('SesEventAlerts types: got "BOUNCE"');
  });

  test("a token list of types gives every type its rules, each counted on the list holding it", () => {
    const json = JSON.parse(
      Testing.synthScope((s) => {
        const types = new TerraformVariable(s, "types", { type: "list(string)" });
        new SesEventAlerts(s, "Alerts", { ...base, types: types.listValue as never });
      }),
    );
    const rules = of(json, CloudwatchEventRule);
    expect(rules).toHaveLength(14);
    expect(rules.find((r) => r.name === "shop-chat-reject").count).toBe('${contains(var.types, "REJECT") ? 1 : 0}');
  });

  test.each([
    ["bounce.json", "Email Bounced"],
    ["bounce-several-recipients.json", "Email Bounced"],
    ["complaint.json", "Email Complaint Received"],
    ["reject.json", "Email Rejected"],
    ["delivery-delay.json", "Email Delivery Delayed"],
    ["rendering-failure.json", "Email Rendering Failed"],
  ])("as synthesized: exactly one rule matches %s, and its target renders a custom notification", (file, detailType) => {
    const json = synth({ types: CHAT_EVENT_TYPES, configurationSetName: "ConfigSet" });
    const record = JSON.parse(fs.readFileSync(path.join(__dirname, "ses-event-samples", file), "utf8"));
    const event = sesEventOnBus(record, detailType);
    const matched = Object.entries(json.resource.aws_cloudwatch_event_rule as Record<string, any>).filter(([, r]) =>
      matchesPattern(JSON.parse(r.event_pattern), event),
    );
    expect(matched).toHaveLength(1);
    const target = of(json, CloudwatchEventTarget).find((t) => t.rule === `\${aws_cloudwatch_event_rule.${matched[0][0]}.name}`);
    const notification = JSON.parse(
      renderTransformer({ inputPathsMap: target.input_transformer.input_paths, inputTemplate: target.input_transformer.input_template }, event),
    );
    expect(notification).toMatchObject({ version: "1.0", source: "custom", content: { textType: "client-markdown" } });
    expect(notification.content.description).toContain(record.mail.messageId);
  });
});
