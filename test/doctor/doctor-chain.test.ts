// The doctor's checks of the action chain (event bus destination, rules, runbooks, chat channels),
// the set's own metrics, sends that bypass the configuration set, and a failing API call that fails
// only its own check. No AWS: aws-sdk-client-mock, answering like a healthy guard with chat and autoPause.
import { GetMetricDataCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeSlackChannelConfigurationsCommand } from "@aws-sdk/client-chatbot";
import { ListRulesCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { GetConfigurationSetCommand, GetConfigurationSetEventDestinationsCommand } from "@aws-sdk/client-sesv2";
import { DescribeDocumentCommand } from "@aws-sdk/client-ssm";
import { SesGuardConfig } from "../../modules/app/config";
import { dayPrefix } from "../../modules/doctor/archive";
import { Api, scopedApi } from "../../modules/doctor/aws";
import { bypassWindow } from "../../modules/doctor/bypass-check";
import {
  bypassCheck,
  chatChannelsCheck,
  Check,
  CheckResult,
  configurationSetCheck,
  eventBusDestinationCheck,
  rulesCheck,
  runbooksCheck,
  setMetricsCheck,
} from "../../modules/doctor/checks";
import { exitCodeOf } from "../../modules/doctor/report";
import { runChecks } from "../../modules/doctor/run";
import { EVENT_BUS_DESTINATION_NAME, regionTarget } from "../../modules/doctor/target";
import { archiveObject, awsError, body, chainConfig, HEALTHY_SENDS, healthy, mocks, NOW, resetMocks, sendEvent, testConfig } from "./doctor-mocks";

let cfg: SesGuardConfig;
beforeEach(() => {
  resetMocks();
  cfg = chainConfig();
  healthy(cfg);
});

async function run(check: Check, config: SesGuardConfig = cfg): Promise<CheckResult[]> {
  const targets = config.regions.map((r) => regionTarget(config, r));
  return check.run({
    target: targets[0],
    targets,
    api: scopedApi(
      new Api(),
      check.calls.map((c) => c.command),
    ),
    now: NOW,
    maxEventAgeHours: 24,
  });
}

const lines = (results: CheckResult[]) => results.map((r) => `${r.status} ${r.subject}: ${r.detail}`);
const failing = (results: CheckResult[]) => results.filter((r) => r.status !== "pass");

describe("event-bus-destination", () => {
  test("passes: enabled, to the default bus, with the chat events' types", async () => {
    expect(lines(await run(eventBusDestinationCheck))).toEqual([
      `pass event destination ${EVENT_BUS_DESTINATION_NAME}: enabled, BOUNCE, COMPLAINT to the default event bus`,
    ]);
  });

  test("nothing to check without chat", async () => {
    expect(await run(eventBusDestinationCheck, testConfig())).toEqual([]);
  });

  test("fails when it is missing, disabled, on another bus or missing a relayed type", async () => {
    mocks.sesv2
      .on(GetConfigurationSetEventDestinationsCommand)
      .resolves({ EventDestinations: [{ Name: "archive-to-firehose", Enabled: true, MatchingEventTypes: ["SEND"] }] });
    expect(lines(await run(eventBusDestinationCheck))).toEqual([
      `fail event destination ${EVENT_BUS_DESTINATION_NAME}: not on ses-guard (it has: archive-to-firehose): no SES event reaches the chat rules`,
    ]);
    mocks.sesv2.on(GetConfigurationSetEventDestinationsCommand).resolves({
      EventDestinations: [
        {
          Name: EVENT_BUS_DESTINATION_NAME,
          Enabled: false,
          MatchingEventTypes: ["BOUNCE"],
          EventBridgeDestination: { EventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/other" },
        },
      ],
    });
    const [line] = await run(eventBusDestinationCheck);
    expect(line.status).toBe("fail");
    expect(line.detail).toBe(
      "disabled; sends to arn:aws:events:us-east-1:123456789012:event-bus/other, not arn:aws:events:us-east-1:123456789012:event-bus/default; does not match COMPLAINT, which chat.sesEventTypes relays",
    );
    expect(line.fix).toMatch(/^run terraform apply for the stack of us-east-1/);
  });
});

describe("rules", () => {
  test("passes: the chat rule and the pause rule enabled, each with its target", async () => {
    expect(lines(await run(rulesCheck))).toEqual([
      "pass rule ses-guard-chat-permanent-bounce: enabled, 1 target (chat-topic)",
      "pass rule ses-guard-pause-on-critical: enabled, 1 target (pause-sending)",
    ]);
    expect(mocks.events.commandCalls(ListRulesCommand)[0].args[0].input).toMatchObject({ NamePrefix: "ses-guard-" });
  });

  test("every rule of the prefix counts: a disabled one, one without targets; a missing pause rule", async () => {
    mocks.events.on(ListRulesCommand).resolves({
      Rules: [
        { Name: "ses-guard-chat-permanent-bounce", State: "DISABLED" },
        { Name: "ses-guard-pause-runbook-failed", State: "ENABLED" },
      ],
    });
    mocks.events.on(ListTargetsByRuleCommand).resolves({ Targets: [] });
    const results = await run(rulesCheck);
    expect(lines(results)).toEqual([
      "fail rule ses-guard-pause-on-critical: not found in us-east-1: a critical alarm pauses nothing",
      "fail rule ses-guard-chat-permanent-bounce: DISABLED: it acts on nothing",
      "fail rule ses-guard-pause-runbook-failed: enabled, but without targets: it acts on nothing",
    ]);
    expect(results[1].fix).toBe("aws events enable-rule --name ses-guard-chat-permanent-bounce --region us-east-1");
  });

  test("fails when the pause rule starts something else", async () => {
    mocks.events
      .on(ListTargetsByRuleCommand, { Rule: "ses-guard-pause-on-critical" })
      .resolves({ Targets: [{ Id: "x", Arn: "arn:aws:sns:us-east-1:123456789012:t" }] });
    expect(failing(await run(rulesCheck)).map((r) => r.detail)).toEqual(["targets arn:aws:sns:us-east-1:123456789012:t, not runbook ses-guard-pause-sending"]);
  });

  test("nothing to check without chat and autoPause", async () => {
    expect(await run(rulesCheck, testConfig())).toEqual([]);
  });
});

describe("runbooks", () => {
  test("passes: both active Automation documents", async () => {
    expect(lines(await run(runbooksCheck))).toEqual([
      "pass runbook ses-guard-pause-sending: active Automation document (version 1), pauses sending when a critical alarm fires",
      "pass runbook ses-guard-resume-sending: active Automation document (version 1), resumes sending",
    ]);
  });

  test("fails when one is missing (InvalidDocument) or not active", async () => {
    mocks.ssm.on(DescribeDocumentCommand, { Name: "ses-guard-resume-sending" }).rejects(awsError("InvalidDocument", "The specified document does not exist."));
    mocks.ssm
      .on(DescribeDocumentCommand, { Name: "ses-guard-pause-sending" })
      .resolves({ Document: { Name: "ses-guard-pause-sending", DocumentType: "Automation", Status: "Failed", StatusInformation: "bad step" } });
    expect(lines(await run(runbooksCheck))).toEqual([
      "fail runbook ses-guard-pause-sending: type Automation, status Failed (bad step); an active Automation document is needed",
      "fail runbook ses-guard-resume-sending: not found in us-east-1: nothing resumes sending",
    ]);
  });
});

describe("set-metrics", () => {
  test("passes when SES publishes the set's bounce rate under ses:configuration-set", async () => {
    expect(lines(await run(setMetricsCheck))).toEqual([
      "pass metric Reputation.BounceRate ses:configuration-set=ses-guard: published (data in the last two weeks): the set's alarms read it",
    ]);
    expect(mocks.cloudwatch.commandCalls(ListMetricsCommand)[0].args[0].input).toEqual({
      Namespace: "AWS/SES",
      MetricName: "Reputation.BounceRate",
      Dimensions: [{ Name: "ses:configuration-set", Value: "ses-guard" }],
    });
  });

  test("warns when it is not there; nothing to check without the set's own alarms", async () => {
    mocks.cloudwatch.on(ListMetricsCommand).resolves({ Metrics: [] });
    const [line] = await run(setMetricsCheck);
    expect(line.status).toBe("warn");
    expect(line.detail).toMatch(/^no data in the last two weeks: the set's own alarms wait in INSUFFICIENT_DATA/);
    expect(await run(setMetricsCheck, testConfig({ configurationSet: { reputationAlarms: false } }))).toEqual([]);
  });
});

describe("chat-channels", () => {
  test("passes: one configuration per channel, subscribed to every region's alarm and SES-events topics", async () => {
    const two = chainConfig({ regions: ["us-east-1", "eu-west-1"] });
    resetMocks();
    healthy(two);
    const results = await run(chatChannelsCheck, two);
    expect(lines(results)).toEqual([
      "pass Slack channel alerts: ses-guard-us-east-1-alerts in us-east-2, subscribed to all 4 topics (alarms and SES events of every region)",
      "pass Teams channel email-ops: ses-guard-us-east-1-email-ops in us-east-2, subscribed to all 4 topics (alarms and SES events of every region)",
    ]);
    // Asked in every region a stack may have put them: us-east-1's default (us-east-2) and eu-west-1 itself.
    expect(mocks.chatbot.commandCalls(DescribeSlackChannelConfigurationsCommand as never)).toHaveLength(2);
  });

  test("fails for a channel without a configuration, one with two, and one missing a topic", async () => {
    const slack = (name: string, topics: string[]) => ({
      ConfigurationName: name,
      ChatConfigurationArn: `arn:aws:chatbot::123456789012:chat-configuration/slack-channel/${name}`,
      SlackTeamId: "T0123ABCDE",
      SlackChannelId: "C0123ABCDEF",
      SnsTopicArns: topics,
      IamRoleArn: "r",
      SlackTeamName: "t",
      SlackChannelName: "c",
    });
    const topics = regionTarget(cfg, "us-east-1").chatTopicArns;
    mocks.chatbot.on(DescribeSlackChannelConfigurationsCommand as never).resolves({
      SlackChannelConfigurations: [
        slack("ses-guard-us-east-1-alerts", [...topics]),
        slack("ses-guard-eu-west-1-alerts", [...topics]),
        slack("someone-elses", []),
      ],
    } as never);
    const [slackLine] = await run(chatChannelsCheck);
    expect(slackLine).toMatchObject({ status: "fail", detail: expect.stringMatching(/^2 configurations for one channel .*: every message arrives 2 times$/) });
    mocks.chatbot.on(DescribeSlackChannelConfigurationsCommand as never).resolves({
      SlackChannelConfigurations: [slack("ses-guard-us-east-1-alerts", [topics[0]])],
    } as never);
    expect((await run(chatChannelsCheck))[0].detail).toBe(
      "ses-guard-us-east-1-alerts is not subscribed to arn:aws:sns:us-east-1:123456789012:ses-guard-ses-events: their messages never reach the channel",
    );
    mocks.chatbot
      .on(DescribeSlackChannelConfigurationsCommand as never)
      .resolves({ SlackChannelConfigurations: [slack("someone-elses", [...topics])] } as never);
    expect((await run(chatChannelsCheck))[0]).toMatchObject({
      status: "fail",
      detail: "no channel configuration of ses-guard for channel C0123ABCDEF in us-east-2: the channel receives nothing",
    });
  });

  test("a channel with configurationArn: the user's own configuration, found by its ARN", async () => {
    const arn = "arn:aws:chatbot::123456789012:chat-configuration/slack-channel/ours-already";
    const own = chainConfig({
      chat: { slackChannels: [{ name: "alerts", workspaceId: "T0123ABCDE", channelId: "C0123ABCDEF", configurationArn: arn }] },
    } as never);
    resetMocks();
    healthy(own);
    const results = await run(chatChannelsCheck, own);
    expect(results.map((r) => r.status)).toEqual(["pass"]);
    expect(results[0].detail).toMatch(/^ses-guard-us-east-1-alerts in us-east-2/);
  });
});

describe("bypass", () => {
  const window = () => bypassWindow(regionTarget(cfg, "us-east-1"), NOW);

  test("passes when the archive holds a Send event of the set for each of the account's sends", async () => {
    expect(lines(await run(bypassCheck))).toEqual([
      `pass sends without configuration set ses-guard: none: ${HEALTHY_SENDS} sends in us-east-1 from ${window().start.toISOString()} to ${window().end.toISOString()}, ${HEALTHY_SENDS} of them archived as sent with the set`,
    ]);
    // The day ends the buffering interval (900 s) and 10 minutes before now, on a 5-minute boundary.
    expect(window().end.toISOString()).toBe("2025-03-07T11:35:00.000Z");
    const query = mocks.cloudwatch.commandCalls(GetMetricDataCommand).find((c) => c.args[0].input.MetricDataQueries?.[0].Id === "send")!;
    expect(query.args[0].input.MetricDataQueries![0].MetricStat).toEqual({ Metric: { Namespace: "AWS/SES", MetricName: "Send" }, Period: 300, Stat: "Sum" });
  });

  test("warns with the numbers when the account sent more than the set did", async () => {
    mocks.cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "send", Values: [70, 30] }] });
    const [line] = await run(bypassCheck);
    expect(line.status).toBe("warn");
    expect(line.detail).toMatch(
      new RegExp(
        `^${100 - HEALTHY_SENDS} of 100 sends \\(97 %\\) in us-east-1 from .* did not use it \\(the archive holds ${HEALTHY_SENDS}\\): they are not archived`,
      ),
    );
    expect(line.fix).toContain('X-SES-CONFIGURATION-SET: ses-guard"');
  });

  test("only Send events of the day count: not other types, not sends outside the window, not objects written before it", async () => {
    const { start, end } = window();
    mocks.s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) =>
      input.Prefix === dayPrefix("events/us-east-1/", NOW)
        ? {
            Contents: [
              { Key: `${input.Prefix}a`, LastModified: new Date(NOW.getTime() - 3600_000), Size: 100 },
              { Key: `${input.Prefix}old`, LastModified: new Date(start.getTime() - 1000), Size: 100 },
            ],
          }
        : { Contents: [] },
    );
    mocks.s3.on(GetObjectCommand, { Key: `${dayPrefix("events/us-east-1/", NOW)}a` }).resolves({
      Body: body(
        archiveObject([
          sendEvent("in", new Date(end.getTime() - 60_000)),
          sendEvent("too-new", new Date(end.getTime() + 60_000)),
          { ...sendEvent("delivery", new Date(end.getTime() - 60_000)), eventType: "Delivery" },
        ]),
      ),
    });
    mocks.cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "send", Values: [2] }] });
    expect((await run(bypassCheck))[0].detail).toMatch(/^1 of 2 sends \(50 %\)/);
    expect(mocks.s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([`${dayPrefix("events/us-east-1/", NOW)}a`]);
  });

  test("not measured without SEND in the archive, or past the read budget; no sends at all passes without reading", async () => {
    expect((await run(bypassCheck, chainConfig({ archive: { eventTypes: ["BOUNCE", "COMPLAINT"] } } as never)))[0]).toMatchObject({
      status: "warn",
      detail: expect.stringMatching(/^not measured: archive.eventTypes leaves SEND out/),
    });
    mocks.s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: "events/us-east-1/2025/03/07/big", LastModified: NOW, Size: 300 * 1024 * 1024 }] });
    // The same object under yesterday's and today's prefix: two.
    expect((await run(bypassCheck))[0].detail).toMatch(/^not measured: the account sent 3 messages .* 2 objects \(600 MiB\) .*\(300 objects, 256 MiB\)$/);
    mocks.cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "send", Values: [] }] });
    mocks.s3.resetHistory();
    expect((await run(bypassCheck))[0]).toMatchObject({ status: "pass", detail: expect.stringMatching(/^none: the account sent nothing/) });
    expect(mocks.s3.calls()).toHaveLength(0);
  });
});

describe("a paused configuration set with autoPause", () => {
  test("the fix points at the pause runbook's executions and the exact resume command", async () => {
    mocks.sesv2
      .on(GetConfigurationSetCommand)
      .resolves({ ConfigurationSetName: "ses-guard", ReputationOptions: { ReputationMetricsEnabled: true }, SendingOptions: { SendingEnabled: false } });
    const paused = (await run(configurationSetCheck)).find((r) => r.subject === "configuration set ses-guard sending")!;
    expect(paused.status).toBe("fail");
    expect(paused.fix).toContain("aws ssm describe-automation-executions --filters Key=DocumentNamePrefix,Values=ses-guard-pause-sending --region us-east-1");
    expect(paused.fix).toMatch(/then resume: aws ssm start-automation-execution --document-name ses-guard-resume-sending --region us-east-1$/);
  });
});

describe("each API failure fails only its own check", () => {
  test("a rule listing denied and a runbook answer no check expects: those two lines fail, every other check passes; exit 2", async () => {
    mocks.events
      .on(ListRulesCommand)
      .rejects(awsError("AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: events:ListRules on resource: *", 403));
    mocks.ssm.on(DescribeDocumentCommand).rejects(awsError("InternalServerError", "emulator says no", 500));
    const results = await runChecks([regionTarget(cfg, "us-east-1")], new Api({ maxAttempts: 1 }), { now: NOW, maxEventAgeHours: 24 });
    expect(failing(results).map((r) => [r.check, r.cannotCheck, r.detail])).toEqual([
      [
        "rules",
        "access-denied",
        expect.stringMatching(/^could not check: access denied: missing permission events:ListRules on \* \(events ListRules in us-east-1\)/),
      ],
      ["runbooks", "unexpected", "could not check: unexpected answer from ssm DescribeDocument in us-east-1: InternalServerError: emulator says no"],
    ]);
    expect(results.filter((r) => r.status === "pass").map((r) => r.check)).toEqual(
      expect.arrayContaining(["caller", "account", "configuration-set", "event-bus-destination", "bypass", "alarms", "set-metrics", "chat-channels"]),
    );
    expect(exitCodeOf(results)).toBe(2);
  });
});
