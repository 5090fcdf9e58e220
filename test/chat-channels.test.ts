import { TerraformVariable, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ChatbotSlackChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-slack-channel-configuration";
import { ChatbotTeamsChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-teams-channel-configuration";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { ChatChannels, ChatChannelsProps } from "../modules/chat-channels";
import { expression } from "../modules/shared/expressions";

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
/** The Terraform names of the resources of `type`. */
const namesOf = (json: any, type: { tfResourceType: string }): string[] => Object.keys(json.resource?.[type.tfResourceType] ?? {});
const TEAMS = base.teamsChannels![0];

describe("ChatChannels", () => {
  test("each channel subscribes to both topics, read-only guardrail, errors logged", () => {
    const json = synth();
    const [slack] = of(json, ChatbotSlackChannelConfiguration);
    const [teams] = of(json, ChatbotTeamsChannelConfiguration);
    expect(slack).toMatchObject({ configuration_name: "shop-us-east-1-alerts", slack_team_id: "T0123ABCDE", slack_channel_id: "C0123ABCDEF" });
    expect(teams).toMatchObject({
      configuration_name: "shop-us-east-1-ops",
      tenant_id: TEAMS.tenantId,
      team_id: TEAMS.teamId,
      channel_id: "19%3aabc%40thread.tacv2",
    });
    const [roleName] = namesOf(json, IamRole);
    for (const c of [slack, teams]) {
      // Created after the role they name (built from its name, so known at plan time).
      expect(c.depends_on).toEqual([`aws_iam_role.${roleName}`]);
      expect(c.provider).toBeUndefined();
      expect(c.sns_topic_arns).toEqual(TOPICS);
      expect(c.guardrail_policy_arns).toEqual(["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]);
      expect(c.logging_level).toBe("ERROR");
      expect(c.iam_role_arn).toBe("arn:aws:iam::123456789012:role/shop-chatbot-us-east-1");
    }
  });

  test("the role may only describe our alarms and read metrics for their graphs", () => {
    const json = synth();
    const [policy] = of(json, IamRolePolicy);
    const [roleName] = namesOf(json, IamRole);
    expect(policy).toMatchObject({ name: "read-our-alarms", role: `\${aws_iam_role.${roleName}.id}`, depends_on: [`aws_iam_role.${roleName}`] });
    expect(JSON.parse(policy.policy).Statement).toEqual([
      { Sid: "DescribeOurAlarms", Effect: "Allow", Action: "cloudwatch:DescribeAlarms", Resource: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-*" },
      // The alarm notification's metric graph is fetched with this role; these reads take no resource type.
      {
        Sid: "ReadMetricsForAlarmGraphs",
        Effect: "Allow",
        Action: ["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:GetMetricWidgetImage", "cloudwatch:ListMetrics"],
        Resource: "*",
      },
    ]);
  });

  test("the role is named <prefix>-chatbot-<region>, the name the channels' role ARN gives, and trusts only the chat service", () => {
    const [role] = of(synth(), IamRole);
    expect(role.name).toBe("shop-chatbot-us-east-1");
    expect(role.description).toBe("Amazon Q Developer in chat applications: reads the shop alarms for chat channels");
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Sid: "AllowAmazonQDeveloperInChat", Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    expect(role.count).toBeUndefined();
  });

  test("ARNs take the partition from the region, or the one given", () => {
    for (const [props, partition] of [
      [{ region: "cn-north-1" }, "aws-cn"],
      [{ partition: "aws-us-gov" }, "aws-us-gov"],
    ] as const) {
      const json = synth(props);
      const [slack] = of(json, ChatbotSlackChannelConfiguration);
      expect(slack.iam_role_arn).toMatch(new RegExp(`^arn:${partition}:iam::123456789012:role/shop-chatbot-`));
      expect(slack.guardrail_policy_arns).toEqual([`arn:${partition}:iam::aws:policy/CloudWatchReadOnlyAccess`]);
      expect(JSON.parse(of(json, IamRolePolicy)[0].policy).Statement[0].Resource).toMatch(new RegExp(`^arn:${partition}:cloudwatch:`));
    }
  });

  test("configurationName gives <prefix>-<region>-<channel name>, the name each configuration gets", () => {
    let chat!: ChatChannels;
    Testing.synthScope((s) => {
      chat = new ChatChannels(s, "Chat", base);
    });
    expect(chat.configurationName("alerts")).toBe("shop-us-east-1-alerts");
    expect(chat.slack).toHaveLength(1);
    expect(chat.teams).toHaveLength(1);
  });

  test("one configuration per channel, keyed by its name; none without channels", () => {
    const json = synth({ slackChannels: [...base.slackChannels!, { name: "sales", workspaceId: "T0123ABCDE", channelId: "G0123ABCDEF" }] });
    expect(namesOf(json, ChatbotSlackChannelConfiguration).map((n) => n.replace(/_[0-9A-F]{8}$/, ""))).toEqual(["Chat_Slack_alerts", "Chat_Slack_sales"]);
    expect(namesOf(json, ChatbotTeamsChannelConfiguration).map((n) => n.replace(/_[0-9A-F]{8}$/, ""))).toEqual(["Chat_Teams_ops"]);
    const none = synth({ slackChannels: undefined, teamsChannels: undefined });
    expect(of(none, ChatbotSlackChannelConfiguration)).toEqual([]);
    expect(of(none, ChatbotTeamsChannelConfiguration)).toEqual([]);
    expect(of(none, IamRole)).toHaveLength(1);
  });

  test("the configurations use the provider given (the chat API is in four regions); the role does not need one", () => {
    const json = JSON.parse(
      Testing.synthScope((s) => {
        const provider = new AwsProvider(s, "chat", { region: "us-west-2", alias: "chat" });
        new ChatChannels(s, "Chat", { ...base, provider });
      }),
    );
    for (const c of [...of(json, ChatbotSlackChannelConfiguration), ...of(json, ChatbotTeamsChannelConfiguration)]) expect(c.provider).toBe("aws.chat");
    expect(of(json, IamRole)[0].provider).toBeUndefined();
  });

  test("a condition counts the role and its policy, which then names the one instance's id", () => {
    const json = JSON.parse(
      Testing.synthScope((s) => {
        const on = new TerraformVariable(s, "on", {});
        new ChatChannels(s, "Chat", { ...base, condition: on.booleanValue as never });
      }),
    );
    const [role] = of(json, IamRole);
    const [policy] = of(json, IamRolePolicy);
    expect(role.count).toBe("${var.on ? 1 : 0}");
    expect(policy.count).toBe("${var.on ? 1 : 0}");
    expect(policy.role).toMatch(/^\$\{one\(aws_iam_role\.\w+\[\*\]\.id\)\}$/);
  });

  test("a condition that is an expression is not parenthesized: the conditional binds loosest, as every construct writes it", () => {
    const json = JSON.parse(
      Testing.synthScope((s) => {
        new TerraformVariable(s, "a", {});
        new TerraformVariable(s, "b", {});
        new ChatChannels(s, "Chat", { ...base, condition: expression(s, "var.a && var.b") });
      }),
    );
    expect(of(json, IamRole)[0].count).toBe("${var.a && var.b ? 1 : 0}");
  });

  test("token lists of channels become for_each keyed by name, each field from the channel object", () => {
    let chat!: ChatChannels;
    const json = JSON.parse(
      Testing.synthScope((s) => {
        const slack = new TerraformVariable(s, "slack", {});
        const teams = new TerraformVariable(s, "teams", {});
        chat = new ChatChannels(s, "Chat", { ...base, slackChannels: slack.listValue as never, teamsChannels: teams.listValue as never });
      }),
    );
    // One resource each, `Resource` (left out of the Terraform name), as the plain module has it.
    expect([...chat.slack, ...chat.teams].map((c) => c.node.path)).toEqual(["stack/Chat/Slack/Resource", "stack/Chat/Teams/Resource"]);
    const [slack] = of(json, ChatbotSlackChannelConfiguration);
    const [teams] = of(json, ChatbotTeamsChannelConfiguration);
    expect(slack).toMatchObject({
      for_each: "${{ for c in var.slack : c.name => c }}",
      configuration_name: "shop-us-east-1-${each.value.name}",
      slack_team_id: "${each.value.workspace_id}",
      slack_channel_id: "${each.value.channel_id}",
      sns_topic_arns: TOPICS,
    });
    expect(teams).toMatchObject({
      for_each: "${{ for c in var.teams : c.name => c }}",
      configuration_name: "shop-us-east-1-${each.value.name}",
      tenant_id: "${each.value.tenant_id}",
      team_id: "${each.value.team_id}",
      channel_id: "${each.value.channel_id}",
    });
  });

  test("refuses malformed IDs, naming the field", () => {
    expect(() => synth({ slackChannels: [{ name: "a", workspaceId: "W123", channelId: "C0123ABCDEF" }] })).toThrow(
      'ChatChannels slackChannels[0].workspaceId: got "W123"; allowed: a Slack workspace ID',
    );
    expect(() => synth({ teamsChannels: [{ ...TEAMS, tenantId: "nope" }] })).toThrow(
      'ChatChannels teamsChannels[0].tenantId: got "nope"; allowed: a Microsoft Entra tenant ID (a UUID)',
    );
  });

  test.each([
    ["slackChannels", "name", "Alerts", "1 to 32 lower-case letters"],
    ["slackChannels", "channelId", "D0123ABCDEF", "a Slack channel ID"],
    ["teamsChannels", "name", "-ops", "1 to 32 lower-case letters"],
    ["teamsChannels", "teamId", "team", "a Microsoft Teams team ID"],
    ["teamsChannels", "channelId", "19:abc@thread.tacv2", "a Microsoft Teams channel ID as the channel's link has it, URL-encoded"],
  ] as const)("refuses %s[1].%s %p, naming the channel's index", (list, field, value, allowed) => {
    const valid = base[list]![0];
    expect(() => synth({ [list]: [valid, { ...valid, name: "second", [field]: value }] })).toThrow(
      `ChatChannels ${list}[1].${field}: got ${JSON.stringify(value)}; allowed: ${allowed}`,
    );
  });

  test("accepts the second channel when every field is valid", () => {
    expect(() => synth({ teamsChannels: [TEAMS, { ...TEAMS, name: "ops-2" }] })).not.toThrow();
  });
});
