import { Testing } from "cdktf";
import { ChatbotSlackChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-slack-channel-configuration";
import { ChatbotTeamsChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-teams-channel-configuration";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { ChatChannels, ChatChannelsProps } from "../modules/chat-channels";

const TOPICS = ["arn:aws:sns:us-east-1:123456789012:shop-alarms", "arn:aws:sns:us-east-1:123456789012:shop-ses-events"];
const base: ChatChannelsProps = {
  accountId: "123456789012",
  region: "us-east-1",
  namePrefix: "shop",
  topicArns: TOPICS,
  slackChannels: [{ name: "alerts", workspaceId: "T0123ABCDE", channelId: "C0123ABCDEF" }],
  teamsChannels: [
    { name: "ops", tenantId: "8f2c1e4a-3b5d-4c6e-9f7a-1b2c3d4e5f60", teamId: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", channelId: "19%3aabc%40thread.tacv2" },
  ],
};
const synth = (props: Partial<ChatChannelsProps> = {}) => JSON.parse(Testing.synthScope((s) => void new ChatChannels(s, "Chat", { ...base, ...props })));
const of = (json: any, type: { tfResourceType: string }): any[] => Object.values(json.resource?.[type.tfResourceType] ?? {});

describe("ChatChannels", () => {
  test("each channel subscribes to both topics, read-only guardrail, errors logged", () => {
    const json = synth();
    const [slack] = of(json, ChatbotSlackChannelConfiguration);
    const [teams] = of(json, ChatbotTeamsChannelConfiguration);
    expect(slack).toMatchObject({ configuration_name: "shop-us-east-1-alerts", slack_team_id: "T0123ABCDE", slack_channel_id: "C0123ABCDEF" });
    expect(teams).toMatchObject({ configuration_name: "shop-us-east-1-ops", channel_id: "19%3aabc%40thread.tacv2" });
    for (const c of [slack, teams]) {
      expect(c.sns_topic_arns).toEqual(TOPICS);
      expect(c.guardrail_policy_arns).toEqual(["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]);
      expect(c.logging_level).toBe("ERROR");
      expect(c.iam_role_arn).toBe("arn:aws:iam::123456789012:role/shop-chatbot-us-east-1");
    }
  });

  test("the role may only describe our alarms", () => {
    const [policy] = of(synth(), IamRolePolicy);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      expect.objectContaining({ Action: "cloudwatch:DescribeAlarms", Resource: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-*" }),
    ]);
  });

  test("refuses malformed IDs, naming the field", () => {
    expect(() => synth({ slackChannels: [{ name: "a", workspaceId: "W123", channelId: "C0123ABCDEF" }] })).toThrow(
      'ChatChannels slackChannels[0].workspaceId: got "W123"; allowed: a Slack workspace ID',
    );
    expect(() => synth({ teamsChannels: [{ ...base.teamsChannels![0], tenantId: "nope" }] })).toThrow("ChatChannels teamsChannels[0].tenantId");
  });
});
