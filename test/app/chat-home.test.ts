// One channel configuration per chat channel per account: the home region's stack creates it,
// subscribed to every region's topics; the other stacks relay their events to their own topics.
import * as os from "os";
import * as path from "path";
import { Testing } from "cdktf";
import { buildApp } from "../../modules/app/cli";
import { chatTopicArns, configWarnings, parseConfig, SesGuardConfig } from "../../modules/app/config";
import { SesGuardStack } from "../../modules/app/ses-guard-stack";
import { SLACK, TEAMS, threeRegions } from "./chat-home-fixture";

const EXISTING = "arn:aws:chatbot::123456789012:chat-configuration/slack-channel/team-alerts";

type Json = { resource?: Record<string, Record<string, any>>; output?: Record<string, { value: unknown }> };
/** Every stack of the app, synthesized, by region. */
function synthAll(config: SesGuardConfig): Map<string, Json> {
  const app = buildApp(config, path.join(os.tmpdir(), "unused"));
  const stacks = app.node.children.filter((c): c is SesGuardStack => c instanceof SesGuardStack);
  return new Map(stacks.map((s) => [s.region, JSON.parse(Testing.synth(s)) as Json]));
}
const of = (json: Json, type: string): any[] => Object.values(json.resource?.[type] ?? {});
const SLACK_TYPE = "aws_chatbot_slack_channel_configuration";
const TEAMS_TYPE = "aws_chatbot_teams_channel_configuration";

describe("chat channels across regions", () => {
  const config = threeRegions();
  const stacks = synthAll(config);
  const home = stacks.get("us-east-1")!;

  test("exactly one configuration per channel across all stacks, in the home (first) region's stack", () => {
    const count = (type: string) => [...stacks.values()].reduce((n, json) => n + of(json, type).length, 0);
    expect(count(SLACK_TYPE)).toBe(1);
    expect(count(TEAMS_TYPE)).toBe(1);
    expect(of(home, SLACK_TYPE)).toHaveLength(1);
    expect(of(home, TEAMS_TYPE)).toHaveLength(1);
  });

  test("each configuration subscribes to every region's alarm and SES-events topic, named as the other stacks create them", () => {
    const otherTopics = ["eu-west-1", "ap-southeast-1"].flatMap((region) => {
      const topics = of(stacks.get(region)!, "aws_sns_topic").map((t) => t.name as string);
      expect(topics).toEqual(expect.arrayContaining(["shop-alarms", "shop-ses-events"]));
      return ["shop-alarms", "shop-ses-events"].map((name) => `arn:aws:sns:${region}:123456789012:${name}`);
    });
    for (const c of [...of(home, SLACK_TYPE), ...of(home, TEAMS_TYPE)]) {
      const [ownAlarms, ownEvents, ...others] = c.sns_topic_arns as string[];
      // The home region's own topics by attribute: the configuration comes after them.
      expect(ownAlarms).toMatch(/^\$\{aws_sns_topic\.\w+\.arn\}$/);
      expect(ownEvents).toMatch(/^\$\{aws_sns_topic\.\w+\.arn\}$/);
      expect(others).toEqual(otherTopics);
    }
  });

  test("the other stacks create no configuration and no chat role, but keep their SES-events topic, its policy and the relay rules", () => {
    for (const region of ["eu-west-1", "ap-southeast-1"]) {
      const json = stacks.get(region)!;
      expect(of(json, "aws_iam_role").map((r) => r.name)).not.toContain(`shop-chatbot-${region}`);
      const policies = of(json, "aws_sns_topic_policy").map((p) => JSON.parse(p.policy));
      expect(policies.some((p) => p.Statement.some((s: any) => s.Resource === `arn:aws:sns:${region}:123456789012:shop-ses-events`))).toBe(true);
      expect(of(json, "aws_cloudwatch_event_rule").map((r) => r.name)).toEqual(expect.arrayContaining(["shop-chat-permanent-bounce", "shop-chat-complaint"]));
    }
  });

  test("the home stack's configurations keep the addresses and names a one-region config gives them", () => {
    const single = synthAll(parseConfig({ ...threeRegions(), regions: ["us-east-1"] })).get("us-east-1")!;
    for (const type of [SLACK_TYPE, TEAMS_TYPE, "aws_iam_role"]) {
      expect(Object.keys(home.resource![type])).toEqual(Object.keys(single.resource![type]));
    }
    expect(of(home, SLACK_TYPE)[0].configuration_name).toBe("shop-us-east-1-alerts");
  });

  test("cdktf deploy applies the other regions before the home stack (its configurations subscribe to their topics)", () => {
    const app = buildApp(config, path.join(os.tmpdir(), "unused"));
    const [homeStack, ...others] = app.node.children.filter((c): c is SesGuardStack => c instanceof SesGuardStack);
    expect(homeStack.dependencies).toEqual(others);
  });
});

describe("chat config rules", () => {
  test.each([
    ["slackChannels", SLACK.channelId, { slackChannels: [SLACK, { ...SLACK, name: "alerts-2" }] }],
    ["teamsChannels", TEAMS.channelId, { teamsChannels: [TEAMS, { ...TEAMS, name: "ops-2" }] }],
  ])("a %s channel ID listed twice is refused, naming the second", (list, id, chat) => {
    expect(() => threeRegions(chat)).toThrow(
      `chat.${list}[1].channelId: got "${id}"; allowed: a channel ID listed once: a channel has one configuration per account, which receives every region`,
    );
  });

  test("two channels with different IDs are accepted", () => {
    expect(() => threeRegions({ slackChannels: [SLACK, { ...SLACK, name: "other", channelId: "C0999ABCDEF" }] })).not.toThrow();
  });

  test("an existing configuration must be an ARN of the config's account", () => {
    expect(() => threeRegions({ slackChannels: [{ ...SLACK, configurationArn: "arn:aws:sns:us-east-1:123456789012:x" }] })).toThrow(
      'chat.slackChannels[0].configurationArn: got "arn:aws:sns:us-east-1:123456789012:x"; allowed: a channel configuration\'s ARN',
    );
    expect(() => threeRegions({ slackChannels: [{ ...SLACK, configurationArn: EXISTING.replace("123456789012", "999999999999") }] })).toThrow(
      "chat.slackChannels[0].configurationArn: got",
    );
  });
});

describe("a channel with an existing configuration", () => {
  const config = threeRegions({ slackChannels: [{ ...SLACK, configurationArn: EXISTING }], teamsChannels: [TEAMS] });
  const stacks = synthAll(config);
  const every = chatTopicArns(config);

  test("gets no configuration from ses-guard; the other channel still does", () => {
    expect([...stacks.values()].flatMap((json) => of(json, SLACK_TYPE))).toEqual([]);
    expect(of(stacks.get("us-east-1")!, TEAMS_TYPE)).toHaveLength(1);
  });

  test("the topics to add are every region's alarm and SES-events topics", () => {
    expect(every).toEqual(
      ["us-east-1", "eu-west-1", "ap-southeast-1"].flatMap((r) => [
        `arn:aws:sns:${r}:123456789012:shop-alarms`,
        `arn:aws:sns:${r}:123456789012:shop-ses-events`,
      ]),
    );
  });

  test("synth warns, naming the configuration and the topics", () => {
    const warning = configWarnings(config).find((w) => w.startsWith("chat:"));
    expect(warning).toBe(
      `chat: ses-guard creates no configuration for ${EXISTING}; subscribe it to ${every.join(", ")} (also the chat_topic_arns output of stack shop-us-east-1)`,
    );
  });

  test("the home stack outputs the topics; the other stacks do not", () => {
    expect(stacks.get("us-east-1")!.output!.chat_topic_arns.value).toEqual(every);
    for (const region of ["eu-west-1", "ap-southeast-1"]) expect(stacks.get(region)!.output?.chat_topic_arns).toBeUndefined();
  });

  test("with every channel configured already, the home stack creates no chat role either", () => {
    const all = synthAll(threeRegions({ slackChannels: [{ ...SLACK, configurationArn: EXISTING }] }));
    expect([...all.values()].flatMap((json) => of(json, "aws_iam_role")).map((r) => r.name)).not.toContain("shop-chatbot-us-east-1");
    expect(all.get("us-east-1")!.output!.chat_topic_arns).toBeDefined();
  });

  test("an existing alarm topic of a region (existing.alarmTopicArns) is the one to subscribe", () => {
    const own = "arn:aws:sns:eu-west-1:123456789012:team-alarms";
    const cfg = parseConfig({ ...config, existing: { ...config.existing, alarmTopicArns: { "eu-west-1": own } } });
    expect(chatTopicArns(cfg)).toContain(own);
    expect(chatTopicArns(cfg)).not.toContain("arn:aws:sns:eu-west-1:123456789012:shop-alarms");
  });
});
