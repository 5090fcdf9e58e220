// AutoPause's failure handling: the failed-runbook report and the dead-letter queue every target uses.
import { Testing } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { AutoPause, AutoPauseProps } from "../modules/auto-pause";
import { matchesPattern, renderTransformer } from "./support/eventbridge";
import { automationEvent } from "./support/ssm-events";

const ACCOUNT = "123456789012";
const RULE_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:rule/shop-pause-on-critical`;
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:shop-alarms`;
const ALARM_TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:shop-watch`;

type Type = { tfResourceType: string };

function synthWith(overrides: Partial<AutoPauseProps> = {}): { out: string; pause: AutoPause } {
  let pause: AutoPause | undefined;
  const out = Testing.synthScope((scope) => {
    pause = new AutoPause(scope, "Pause", {
      accountId: ACCOUNT,
      region: "us-east-1",
      namePrefix: "shop",
      configurationSetName: "shop",
      alarmArns: [`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:shop-bounce-rate-critical`],
      alarmTopic: { arn: ALARM_TOPIC_ARN },
      ...overrides,
    });
  });
  return { out, pause: pause! };
}
const synth = (overrides: Partial<AutoPauseProps> = {}) => synthWith(overrides).out;
const resources = (out: string, type: Type): Record<string, any> => JSON.parse(out).resource?.[type.tfResourceType] ?? {};
/** The resource of `type` with construct ID `id`, and its Terraform name. */
function byId(out: string, type: Type, id: string): [string, any] {
  const entries = Object.entries(resources(out, type)).filter(([name]) => new RegExp(`_${id}_[0-9A-F]{8}$`).test(name));
  expect(entries).toHaveLength(1);
  return entries[0];
}
const resource = (out: string, type: Type, id: string) => byId(out, type, id)[1];
const statements = (policy: string) => JSON.parse(policy).Statement;
const patternMatches = (pattern: Record<string, unknown>, event: Record<string, any>) => matchesPattern(pattern as never, event as never);
const render = (transformer: { input_paths: Record<string, string>; input_template: string }, event: Record<string, any>): string =>
  renderTransformer({ inputPathsMap: transformer.input_paths, inputTemplate: transformer.input_template }, event);

describe("AutoPause failed-runbook report", () => {
  const pattern = (out: string) => JSON.parse(resource(out, CloudwatchEventRule, "FailedRule").event_pattern);
  const transformer = (out: string) => resource(out, CloudwatchEventTarget, "FailedTarget").input_transformer;

  test("is a rule <namePrefix>-pause-runbook-failed sending to the alarm topic, with or without announceTopic", () => {
    for (const overrides of [{}, { announceTopic: { arn: TOPIC_ARN } }]) {
      const { out, pause } = synthWith(overrides);
      const [ruleName, rule] = byId(out, CloudwatchEventRule, "FailedRule");
      expect(rule.name).toBe("shop-pause-runbook-failed");
      expect(pause.failedRuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/shop-pause-runbook-failed`);
      expect(resource(out, CloudwatchEventTarget, "FailedTarget")).toMatchObject({
        rule: `\${aws_cloudwatch_event_rule.${ruleName}.name}`,
        arn: ALARM_TOPIC_ARN,
        target_id: "report-runbook-failure",
      });
    }
  });

  test("matches the pause and the resume runbook ending Failed, TimedOut or Cancelled, and nothing else", () => {
    const p = pattern(synth());
    for (const runbook of ["shop-pause-sending", "shop-resume-sending"]) {
      for (const status of ["Failed", "TimedOut", "Cancelled"])
        expect([runbook, status, patternMatches(p, automationEvent(runbook, status))]).toEqual([runbook, status, true]);
      for (const status of ["Success", "InProgress"])
        expect([runbook, status, patternMatches(p, automationEvent(runbook, status))]).toEqual([runbook, status, false]);
    }
    expect(patternMatches(p, automationEvent("someone-elses-runbook", "Failed"))).toBe(false);
  });

  test("renders which runbook ended how, what that means for sending, and how to see why", () => {
    const failed = JSON.parse(render(transformer(synth()), automationEvent("shop-pause-sending", "TimedOut")));
    expect(failed).toMatchObject({ version: "1.0", source: "custom" });
    expect(failed.content.title).toBe(":x: ses-guard runbook shop-pause-sending ended TimedOut in us-east-1");
    expect(failed.content.description).toContain("If it is `shop-pause-sending`, sending is NOT paused");
    expect(failed.content.nextSteps[0]).toContain("aws ssm get-automation-execution --automation-execution-id 333ba70b-2333-48db-b17e-a5e69c6f4d1c");
  });
});

describe("AutoPause dead-letter queue", () => {
  const all = (overrides: Partial<AutoPauseProps> = {}) => synth({ announceTopic: { arn: TOPIC_ARN }, ...overrides });

  test("every target sends what it could not deliver to the queue, after an hour of retries", () => {
    const out = all();
    const [queueName] = byId(out, SqsQueue, "DeadLetterQueue");
    const targets = Object.values(resources(out, CloudwatchEventTarget));
    expect(targets.map((t) => t.target_id).sort()).toEqual(["announce-pause", "pause-sending", "report-runbook-failure"]);
    for (const t of targets) {
      expect([t.target_id, t.dead_letter_config, t.retry_policy]).toEqual([
        t.target_id,
        { arn: `\${aws_sqs_queue.${queueName}.arn}` },
        { maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 185 },
      ]);
    }
  });

  test("is named <namePrefix>-pause-dlq, encrypted with SQS-managed keys, and keeps messages 14 days", () => {
    expect(resource(all(), SqsQueue, "DeadLetterQueue")).toMatchObject({
      name: "shop-pause-dlq",
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1209600,
    });
  });

  test("lets only EventBridge send, for our three rules in this account", () => {
    const out = all();
    const [queueName] = byId(out, SqsQueue, "DeadLetterQueue");
    const policy = resource(out, SqsQueuePolicy, "DeadLetterQueue_Policy");
    expect(policy.queue_url).toBe(`\${aws_sqs_queue.${queueName}.url}`);
    expect(statements(policy.policy)).toEqual([
      {
        Sid: "AllowOurEventBridgeRules",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:shop-pause-dlq`,
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnEquals: {
            "aws:SourceArn": [
              RULE_ARN,
              `arn:aws:events:us-east-1:${ACCOUNT}:rule/shop-pause-announce`,
              `arn:aws:events:us-east-1:${ACCOUNT}:rule/shop-pause-runbook-failed`,
            ],
          },
        },
      },
    ]);
  });

  test("without announceTopic the policy names only the rules that exist", () => {
    const { Condition } = statements(resource(synth(), SqsQueuePolicy, "DeadLetterQueue_Policy").policy)[0];
    expect(Condition.ArnEquals["aws:SourceArn"]).toEqual([RULE_ARN, `arn:aws:events:us-east-1:${ACCOUNT}:rule/shop-pause-runbook-failed`]);
  });

  test("an alarm watches the queue and tells the alarm topic when anything is in it", () => {
    expect(resource(all(), CloudwatchMetricAlarm, "DeadLetterQueue_Alarm")).toMatchObject({
      alarm_name: "shop-pause-dlq-not-empty",
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "shop-pause-dlq" },
      statistic: "Maximum",
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      treat_missing_data: "notBreaching",
      actions_enabled: true,
      alarm_actions: [ALARM_TOPIC_ARN],
      ok_actions: [ALARM_TOPIC_ARN],
    });
  });
});
