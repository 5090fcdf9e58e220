import { Testing, TerraformVariable } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import * as fs from "fs";
import * as path from "path";
import { SesEventAlerts, SesEventAlertsProps } from "../modules/ses-event-alerts";
import { expression } from "../modules/shared/expressions";
import { CHAT_EVENT_TYPES } from "../modules/shared/ses-chat-events";
import { matchesPattern, renderTransformer, sesEventOnBus } from "./support/eventbridge";
import { customNotificationProblems } from "./support/custom-notification";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const base: SesEventAlertsProps = {
  accountId: "123456789012",
  region: "us-east-1",
  namePrefix: "shop",
  configurationSetName: "shop-mail",
  types: ["PERMANENT_BOUNCE", "COMPLAINT"],
  kmsKeyArn: KEY,
  alarmTopic: { arn: "arn:aws:sns:us-east-1:123456789012:shop-alarms" },
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
      // A placeholder standing for a value (after a colon, outside quotes) becomes a list; one inside a string, text.
      const sample = t.input_transformer.input_template.replace(/:<[a-zA-Z]+>/g, ":[]").replace(/<[a-zA-Z]+>/g, "x");
      expect(JSON.parse(sample)).toMatchObject({ version: "1.0", source: "custom" });
    }
  });

  test("the topic policy lets EventBridge publish only for this account's chat rules, each named", () => {
    const [policy] = of(synth(), SnsTopicPolicy);
    const [statement] = JSON.parse(policy.policy).Statement;
    expect(statement).toMatchObject({
      Sid: "AllowOurEventBridgeRules",
      Effect: "Allow",
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
    const all = "PERMANENT_BOUNCE, TRANSIENT_BOUNCE, UNDETERMINED_BOUNCE, COMPLAINT, REJECT, DELIVERY_DELAY, RENDERING_FAILURE";
    expect(() => synth({ kmsKeyArn: "alias/aws/sns" })).toThrow(/SesEventAlerts kmsKeyArn: got "alias\/aws\/sns"; allowed: ./);
    expect(() => synth({ types: [] })).toThrow(`SesEventAlerts types: got []; allowed: one or more of ${all}`);
    expect(() => synth({ types: ["COMPLAINT", "BOUNCE" as never] })).toThrow(`SesEventAlerts types: got "BOUNCE"; allowed: ${all}`);
  });

  test("refuses next steps that would put a stray < or > in a message template, naming the rule", () => {
    expect(() => synth({ nextSteps: { archiveLocation: "s3://b/<events>/" } })).toThrow(
      "SesEventAlerts permanent-bounce: the input transformer has placeholder <events> has no input path",
    );
    expect(() => synth({ nextSteps: { archiveLocation: "s3://b/", investigate: { workgroup: "a>b" } } })).toThrow(
      "SesEventAlerts permanent-bounce: the input transformer has a < or > outside a placeholder (they cannot be escaped)",
    );
    expect(() => synth({ nextSteps: { archiveLocation: "s3://b/<events>/>" } })).toThrow(
      "SesEventAlerts permanent-bounce: the input transformer has a < or > outside a placeholder (they cannot be escaped); placeholder <events> has no input path",
    );
  });

  test("each rule says what it relays, and its target publishes as chat-topic once the topic exists", () => {
    let alerts!: SesEventAlerts;
    const json = JSON.parse(
      Testing.synthScope((s) => {
        alerts = new SesEventAlerts(s, "Alerts", { ...base, types: ["PERMANENT_BOUNCE", "DELIVERY_DELAY"] });
      }),
    );
    expect(alerts.topicName).toBe("shop-ses-events");
    expect(alerts.rules.map((r) => r.node.id)).toEqual([
      "PermanentBounceRule",
      "PermanentBounceNoSubjectRule",
      "DeliveryDelayRule",
      "DeliveryDelayNoSubjectRule",
    ]);
    const rules = json.resource.aws_cloudwatch_event_rule as Record<string, any>;
    const byName = (name: string) => Object.entries(rules).find(([, r]) => r.name === name)!;
    expect(byName("shop-chat-permanent-bounce")[1].description).toBe(
      "ses-guard: permanent bounce events of configuration set shop-mail (with a Subject header) to chat",
    );
    expect(byName("shop-chat-delivery-delay-no-subject")[1].description).toBe(
      "ses-guard: delivery delay events of configuration set shop-mail (without one) to chat",
    );
    const [topicName] = Object.keys(json.resource.aws_sns_topic);
    const targets = Object.entries(json.resource.aws_cloudwatch_event_target as Record<string, any>);
    expect(targets.map(([id]) => id.replace(/_[0-9A-F]{8}$/, "")).sort()).toEqual([
      "Alerts_DeliveryDelayNoSubjectTarget",
      "Alerts_DeliveryDelayTarget",
      "Alerts_PermanentBounceNoSubjectTarget",
      "Alerts_PermanentBounceTarget",
    ]);
    for (const [id, t] of targets) {
      const [ruleId] = byName(
        `shop-chat-${id
          .replace(/^Alerts_|Target_[0-9A-F]{8}$/g, "")
          .replace(/([a-z])([A-Z])/g, "$1-$2")
          .toLowerCase()}`,
      );
      expect(t).toMatchObject({ rule: `\${aws_cloudwatch_event_rule.${ruleId}.name}`, target_id: "chat-topic", depends_on: [`aws_sns_topic.${topicName}`] });
      expect(t.count).toBeUndefined();
    }
    const [policy] = of(json, SnsTopicPolicy);
    expect(policy).toMatchObject({ arn: `\${aws_sns_topic.${topicName}.arn}`, depends_on: [`aws_sns_topic.${topicName}`] });
  });

  test("a condition counts the topic, its policy, every rule and target; the policy then names the one topic's ARN", () => {
    const json = JSON.parse(
      Testing.synthScope((s) => {
        const on = new TerraformVariable(s, "on", {});
        new SesEventAlerts(s, "Alerts", { ...base, condition: on.booleanValue as never });
      }),
    );
    const all = Object.values(json.resource as Record<string, Record<string, any>>).flatMap((byName) => Object.values(byName));
    // Topic, its policy, 4 rules, 4 targets, and the dead-letter queue, its policy and alarm.
    expect(all).toHaveLength(1 + 1 + 4 + 4 + 3);
    for (const r of all) expect(r.count).toBe("${var.on ? 1 : 0}");
    expect(of(json, SnsTopicPolicy)[0].arn).toMatch(/^\$\{one\(aws_sns_topic\.\w+\[\*\]\.arn\)\}$/);
  });

  test("every target sends what it could not deliver, after an hour of retries, to the encrypted queue <prefix>-chat-dlq", () => {
    const json = synth();
    const [[queueName, queue]] = Object.entries(json.resource.aws_sqs_queue as Record<string, any>);
    expect(queue).toMatchObject({ name: "shop-chat-dlq", sqs_managed_sse_enabled: true, message_retention_seconds: 1209600 });
    const targets = of(json, CloudwatchEventTarget);
    expect(targets).toHaveLength(4);
    for (const t of targets) {
      expect(t.dead_letter_config).toEqual({ arn: `\${aws_sqs_queue.${queueName}.arn}` });
      expect(t.retry_policy).toEqual({ maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 185 });
    }
  });

  test("the queue policy lets EventBridge send only for this account's chat rules, each named", () => {
    const [statement] = JSON.parse(of(synth(), SqsQueuePolicy)[0].policy).Statement;
    expect(statement).toEqual({
      Sid: "AllowOurEventBridgeRules",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: "arn:aws:sqs:us-east-1:123456789012:shop-chat-dlq",
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnEquals: {
          "aws:SourceArn": ["permanent-bounce", "permanent-bounce-no-subject", "complaint", "complaint-no-subject"].map(
            (s) => `arn:aws:events:us-east-1:123456789012:rule/shop-chat-${s}`,
          ),
        },
      },
    });
  });

  test("an alarm on the queue tells the alarm topic when a message could not be delivered", () => {
    const [alarm] = of(synth(), CloudwatchMetricAlarm);
    expect(alarm).toMatchObject({
      alarm_name: "shop-chat-dlq-not-empty",
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "shop-chat-dlq" },
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      alarm_actions: ["arn:aws:sns:us-east-1:123456789012:shop-alarms"],
    });
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
    expect(of(json, CloudwatchEventTarget).filter((t) => t.count === '${contains(var.types, "REJECT") ? 1 : 0}')).toHaveLength(2);
    expect(of(json, SnsTopicPolicy)[0].count).toBeUndefined();
  });

  test("with a token list of types, the topic policy names each listed type's two rules, as Terraform builds them", () => {
    const json = JSON.parse(
      Testing.synthScope((s) => {
        const types = new TerraformVariable(s, "types", { type: "list(string)" });
        const on = new TerraformVariable(s, "on", {});
        new SesEventAlerts(s, "Alerts", { ...base, types: types.listValue as never, condition: on.booleanValue as never });
      }),
    );
    const [policy] = of(json, SnsTopicPolicy);
    const listed =
      '"aws:SourceArn":${jsonencode(flatten([for t in var.types : [for suffix in ["", "-no-subject"] : "${"arn:aws:events:us-east-1:123456789012:rule/shop-chat-"}${lower(replace(t, "_", "-"))}${suffix}"]]))}';
    expect(policy.policy).toContain(listed);
    // The dead-letter queue's policy names the same rules, and exists while the relay does.
    const [queuePolicy] = of(json, SqsQueuePolicy);
    expect(queuePolicy.policy).toContain(listed);
    expect([queuePolicy.count, of(json, SqsQueue)[0].count, of(json, CloudwatchMetricAlarm)[0].count]).toEqual(Array(3).fill("${var.on ? 1 : 0}"));
    // The same ARNs the literal list gives: lower(replace(t, "_", "-")) is the rule's suffix.
    for (const t of CHAT_EVENT_TYPES) {
      expect(of(json, CloudwatchEventRule).map((r) => r.name)).toContain(`shop-chat-${t.toLowerCase().replace(/_/g, "-")}`);
    }
    expect(of(json, CloudwatchEventRule).find((r) => r.name === "shop-chat-complaint-no-subject").count).toBe(
      '${var.on && contains(var.types, "COMPLAINT") ? 1 : 0}',
    );
  });

  test("a condition that is an expression is parenthesized before the type's test joins it", () => {
    const json = JSON.parse(
      Testing.synthScope((s) => {
        const types = new TerraformVariable(s, "types", { type: "list(string)" });
        new TerraformVariable(s, "a", {});
        new TerraformVariable(s, "b", {});
        new SesEventAlerts(s, "Alerts", { ...base, types: types.listValue as never, condition: expression(s, "var.a || var.b") });
      }),
    );
    expect(of(json, CloudwatchEventRule).find((r) => r.name === "shop-chat-reject").count).toBe('${(var.a || var.b) && contains(var.types, "REJECT") ? 1 : 0}');
    expect(of(json, SnsTopicPolicy)[0].count).toBe("${(var.a || var.b) ? 1 : 0}");
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
    const sample = JSON.parse(fs.readFileSync(path.join(__dirname, "ses-event-samples", file), "utf8"));
    // Free text with quotes and backslashes, and a recipient with a quoted local part: the message must survive them.
    const from = '"Acme \\"Deals\\"" <news@acme.example>';
    const headers = { ...sample.mail.commonHeaders, subject: 'a "b" \\ c', from: [from] };
    const record = { ...sample, mail: { ...sample.mail, commonHeaders: headers, destination: [...sample.mail.destination, '"x\\"y"@example.com'] } };
    const event = sesEventOnBus(record, detailType);
    const matched = Object.entries(json.resource.aws_cloudwatch_event_rule as Record<string, any>).filter(([, r]) =>
      matchesPattern(JSON.parse(r.event_pattern), event),
    );
    expect(matched).toHaveLength(1);
    const target = of(json, CloudwatchEventTarget).find((t) => t.rule === `\${aws_cloudwatch_event_rule.${matched[0][0]}.name}`);
    const notification = JSON.parse(
      renderTransformer({ inputPathsMap: target.input_transformer.input_paths, inputTemplate: target.input_transformer.input_template }, event),
    );
    expect(customNotificationProblems(notification)).toEqual([]);
    expect(notification.content.description).toContain(record.mail.messageId);
    expect(notification.content.keywords).toEqual(record.mail.destination);
  });
});
