// Acceptance for the action chain watching itself: every EventBridge target of a whole stack has a
// dead-letter queue and a watcher, and the failed-runbook rule exists wherever a runbook does.
import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { parseConfig, SesGuardConfig } from "../modules/app/config";
import { SesGuardStack, stackName } from "../modules/app/ses-guard-stack";
import { deadLetterQueueOf } from "./support/event-delivery-rules";

type Resources = Record<string, Record<string, any>>;

function stacks(file: string): Array<[string, Resources]> {
  const config: SesGuardConfig = parseConfig(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "examples", file), "utf8")), file);
  return config.regions.map((region) => {
    const stack = new SesGuardStack(Testing.app(), stackName(config, region), { config, region });
    return [`${file} ${region}`, JSON.parse(Testing.synth(stack)).resource] as [string, Resources];
  });
}

// Examples with chat and auto-pause (scope configurationSet, account, and the default).
const STACKS = ["full.json", "own-key.json", "slack.json"].flatMap(stacks);
const of = (r: Resources, type: string): Array<[string, any]> => Object.entries(r[type] ?? {});
/** The topic our SES reputation alarms notify: the alarm topic. */
const alarmTopicOf = (r: Resources): unknown => of(r, "aws_cloudwatch_metric_alarm").find(([, a]) => a.namespace === "AWS/SES")![1].alarm_actions;

test("the examples walked have chat targets, the runbook start and the pause announcement", () => {
  for (const [name, r] of STACKS) {
    const ids = of(r, "aws_cloudwatch_event_target").map(([, t]) => t.target_id);
    expect([name, ids]).toEqual([name, expect.arrayContaining(["chat-topic", "pause-sending", "announce-pause", "report-runbook-failure"])]);
  }
});

test.each(STACKS)("%s: every target has a retry policy and a dead-letter queue an alarm watches, telling the alarm topic", (_name, r) => {
  const queues = Object.fromEntries(of(r, "aws_sqs_queue"));
  for (const [address, target] of of(r, "aws_cloudwatch_event_target")) {
    const queue = queues[deadLetterQueueOf(target) ?? ""];
    expect([address, queue?.sqs_managed_sse_enabled]).toEqual([address, true]);
    expect([address, target.retry_policy]).toEqual([address, { maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 185 }]);
    const watchers = of(r, "aws_cloudwatch_metric_alarm").filter(([, a]) => a.namespace === "AWS/SQS" && a.dimensions?.QueueName === queue.name);
    expect([address, watchers.length]).toEqual([address, 1]);
    expect(watchers[0][1].alarm_actions).toEqual(alarmTopicOf(r));
  }
});

test.each(STACKS)("%s: each dead-letter queue takes messages only from the rules whose targets use it", (_name, r) => {
  const rules = Object.fromEntries(of(r, "aws_cloudwatch_event_rule"));
  for (const [queueAddress, queue] of of(r, "aws_sqs_queue")) {
    const users = of(r, "aws_cloudwatch_event_target").filter(([, t]) => deadLetterQueueOf(t) === queueAddress);
    const ruleNames = users.map(([, t]) => rules[/aws_cloudwatch_event_rule\.(\w+)/.exec(t.rule)![1]].name);
    const policy = of(r, "aws_sqs_queue_policy").find(([, p]) => p.queue_url.includes(`aws_sqs_queue.${queueAddress}.`))![1];
    const sources: string[] = JSON.parse(policy.policy).Statement[0].Condition.ArnEquals["aws:SourceArn"];
    expect([queue.name, sources.map((a) => a.split(":rule/")[1]).sort()]).toEqual([queue.name, [...new Set(ruleNames)].sort()]);
  }
});

test.each(STACKS)("%s: a failed-runbook rule covers every runbook, and tells the alarm topic", (_name, r) => {
  const runbooks = of(r, "aws_ssm_document").filter(([, d]) => d.document_type === "Automation");
  expect(runbooks.map(([, d]) => d.name).sort()).toEqual([expect.stringMatching(/-pause-sending$/), expect.stringMatching(/-resume-sending$/)]);
  const failedRules = of(r, "aws_cloudwatch_event_rule").filter(([, rule]) => {
    const p = JSON.parse(rule.event_pattern);
    return p.source?.[0] === "aws.ssm" && ["Failed", "TimedOut", "Cancelled"].every((s) => p.detail?.Status?.includes(s));
  });
  for (const [, doc] of runbooks) {
    const covering = failedRules.filter(([, rule]) => JSON.parse(rule.event_pattern).detail.Definition.includes(doc.name));
    expect([doc.name, covering.length]).toEqual([doc.name, 1]);
    const [target] = of(r, "aws_cloudwatch_event_target").filter(([, t]) => t.rule.includes(`aws_cloudwatch_event_rule.${covering[0][0]}.`));
    expect([target[1].arn]).toEqual(alarmTopicOf(r));
  }
});

test.each(STACKS)("%s: 'sending paused' is announced only from the pause runbook's Success, never from the alarm", (_name, r) => {
  const rules = Object.fromEntries(of(r, "aws_cloudwatch_event_rule"));
  const [announce] = of(r, "aws_cloudwatch_event_target").filter(([, t]) => t.target_id === "announce-pause");
  const pattern = JSON.parse(rules[/aws_cloudwatch_event_rule\.(\w+)/.exec(announce[1].rule)![1]].event_pattern);
  expect(pattern).toMatchObject({ source: ["aws.ssm"], detail: { Status: ["Success"], Definition: [expect.stringMatching(/-pause-sending$/)] } });
});
