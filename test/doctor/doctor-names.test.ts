// What the doctor and the drill look for (modules/doctor/target.ts) is what the stack creates:
// synthesized stacks, compared name by name, so a rename in a construct cannot leave them behind.
import { Testing } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { parseConfig, SesGuardConfig } from "../../modules/app/config";
import { regionTarget } from "../../modules/doctor/target";
import { EVENT_BUS_DESTINATION_NAME, EVENT_DESTINATION_NAME } from "../../modules/doctor/target";
import { automationRoleArn } from "../../modules/doctor/pause-drill";
import { SesGuardStack } from "../../modules/app/ses-guard-stack";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function synth(config: SesGuardConfig, region: string): Resources {
  return JSON.parse(Testing.synth(new SesGuardStack(Testing.app(), `s-${region}`, { config, region: region as never }))).resource as Resources;
}

const values = (resources: Resources, type: string, key: string) => Object.values(resources[type] ?? {}).map((r) => r[key]);

const full = parseConfig(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "examples", "full.json"), "utf8")));
const twoRegions = parseConfig({
  name: "mail",
  accountId: "123456789012",
  regions: ["us-east-1", "eu-west-1"],
  alarms: { emails: ["ops@example.com"] },
  notifications: { identities: { "us-east-1": ["example.com"], "eu-west-1": ["example.eu"] }, emails: ["bounces@example.com"] },
  suppression: { accountLevel: ["BOUNCE"] },
});

test.each([
  ["examples/full.json", full, full.regions[0]],
  ["two regions, home", twoRegions, "us-east-1"],
  ["two regions, second", twoRegions, "eu-west-1"],
])("%s: alarms, configuration set, destination, stream, bucket, topics and identities match", (_name, config, region) => {
  const t = regionTarget(config, region);
  const r = synth(config, region);
  expect(values(r, "aws_cloudwatch_metric_alarm", "alarm_name").sort()).toEqual(
    [...t.reputationAlarms.map((a) => a.name), ...t.archiveAlarms, ...t.deadLetterAlarms].sort(),
  );
  for (const a of t.reputationAlarms) {
    const alarm = Object.values(r.aws_cloudwatch_metric_alarm).find((x) => x.alarm_name === a.name)!;
    expect([a.name, alarm.metric_name, alarm.threshold]).toEqual([a.name, `Reputation.${a.metric}`, a.percent / 100]);
    // The account's alarms have no dimension; the configuration set's own are on its name.
    expect([a.name, alarm.dimensions]).toEqual([a.name, a.configurationSet === undefined ? undefined : { "ses:configuration-set": a.configurationSet }]);
  }
  // configurationSet.reputationAlarms is on by default: the set's own four alarms.
  expect(t.reputationAlarms.filter((a) => a.configurationSet === t.configurationSet).map((a) => a.name)).toEqual(
    ["bounce-rate-warning", "bounce-rate-critical", "complaint-rate-warning", "complaint-rate-critical"].map((n) => `${config.name}-configuration-set-${n}`),
  );
  // The archive's destination (full.json, with chat, also has events-to-eventbridge).
  const destination = Object.values(r.aws_sesv2_configuration_set_event_destination).find((d) => d.event_destination_name === EVENT_DESTINATION_NAME)!;
  expect(destination).toBeDefined();
  expect((destination.event_destination as { matching_event_types: string[] }).matching_event_types).toEqual([...t.eventTypes]);
  expect(values(r, "aws_sesv2_configuration_set", "configuration_set_name")).toEqual([t.configurationSet]);
  const stream = Object.values(r.aws_kinesis_firehose_delivery_stream)[0];
  expect(stream.name).toBe(t.deliveryStream);
  const s3 = stream.extended_s3_configuration as { prefix: string; buffering_interval: number; bucket_arn: string };
  expect(s3.prefix).toBe(`${t.eventsPrefix}!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/`);
  expect(s3.buffering_interval).toBe(t.bufferingIntervalSeconds);
  const buckets = values(r, "aws_s3_bucket", "bucket");
  if (buckets.length) expect(buckets).toContain(t.bucket);
  else expect(s3.bucket_arn).toBe(t.bucketArn);
  // The chat relay's topic (full.json has chat channels) is not one the doctor checks.
  const topics = values(r, "aws_sns_topic", "name")
    .filter((n) => n !== (config.chat.slackChannels.length + config.chat.teamsChannels.length > 0 ? `${config.name}-ses-events` : undefined))
    .sort();
  expect(topics).toEqual(
    [t.alarmTopic, t.notificationTopic]
      .filter((x) => x?.created)
      .map((x) => x!.arn.split(":").pop())
      .sort(),
  );
  // One resource with for_each over "identity/Type" keys (modules/identity-notifications.ts).
  const instances = values(r, "aws_ses_identity_notification_topic", "for_each").flatMap((m) => Object.keys(m as object));
  expect(instances.sort()).toEqual(t.notificationTopic ? t.identities.flatMap((id) => t.notificationTypes.map((type) => `${id}/${type}`)).sort() : []);
  const suppression = values(r, "aws_sesv2_account_suppression_attributes", "suppressed_reasons");
  expect(suppression).toEqual(t.accountSuppression ? [[...t.accountSuppression]] : []);
});

test("examples/full.json: the action chain's names (runbooks, their role, the pause rule, the chat rules' prefix and topic, the event bus destination)", () => {
  const region = full.regions[0];
  const t = regionTarget(full, region);
  const r = synth(full, region);
  expect(t.autoPause).toBeDefined();
  expect(values(r, "aws_ssm_document", "name").sort()).toEqual([t.autoPause!.pauseRunbook, t.autoPause!.resumeRunbook].sort());
  const rules = values(r, "aws_cloudwatch_event_rule", "name") as string[];
  expect(rules).toContain(t.autoPause!.ruleName);
  expect(rules.some((n) => n.startsWith(`${t.namePrefix}-chat-`))).toBe(true);
  // The doctor's rules check lists rules by this prefix: every rule the stack makes has it.
  expect(rules.every((n) => n.startsWith(`${t.namePrefix}-`))).toBe(true);
  expect(values(r, "aws_iam_role", "name")).toContain(automationRoleArn(t).split("/").pop());
  expect(values(r, "aws_sns_topic", "name")).toContain(t.chat!.sesEventsTopicArn.split(":").pop());
  const bus = Object.values(r.aws_sesv2_configuration_set_event_destination).find((d) => d.event_destination_name === EVENT_BUS_DESTINATION_NAME)!;
  expect((bus.event_destination as { matching_event_types: string[] }).matching_event_types).toEqual(expect.arrayContaining([...t.chat!.eventTypes]));
  // The critical alarms the pause rule watches are the ones the drill sets (the set's own, bounce rate first).
  const pattern = JSON.parse(Object.values(r.aws_cloudwatch_event_rule).find((x) => x.name === t.autoPause!.ruleName)!.event_pattern as string);
  expect(pattern.resources.map((a: string) => a.split(":").pop())).toEqual([...t.autoPause!.criticalAlarms]);
});
