/**
 * The chat channels the config lists: each has exactly one channel configuration of this guard in
 * the account, subscribed to every checked region's alarm topic and SES-events topic. The
 * configurations live in the Amazon Q Developer in chat applications API's regions (us-east-2,
 * us-west-2, eu-west-1, ap-southeast-1: AWS General Reference, "Amazon Q Developer in chat
 * applications endpoints and quotas"), so every region a stack may have used is asked.
 */
import type { DescribeSlackChannelConfigurationsCommandOutput, ListMicrosoftTeamsChannelConfigurationsCommandOutput } from "@aws-sdk/client-chatbot";
import { DescribeSlackChannelConfigurationsCommand, ListMicrosoftTeamsChannelConfigurationsCommand } from "@aws-sdk/client-chatbot";
import { ScopedApi } from "./aws";
import { allPages, Check, CheckResult } from "./check-kit";
import { ChatChannelTarget, RegionTarget } from "./target";

/** One channel configuration as either API describes it. */
interface Configuration {
  readonly apiRegion: string;
  readonly arn: string;
  readonly kind: "slack" | "teams";
  readonly name: string;
  readonly teamId: string;
  readonly channelId: string;
  readonly topics: readonly string[];
  readonly state?: string;
  readonly stateReason?: string;
}

async function configurations(api: ScopedApi, apiRegion: string, kinds: ReadonlySet<string>): Promise<Configuration[]> {
  const out: Configuration[] = [];
  if (kinds.has("slack")) {
    const slack = await allPages(
      (token) => api.send<DescribeSlackChannelConfigurationsCommandOutput>(apiRegion, new DescribeSlackChannelConfigurationsCommand({ NextToken: token })),
      (page) => page.SlackChannelConfigurations,
    );
    for (const c of slack) {
      out.push({
        apiRegion,
        kind: "slack",
        arn: c.ChatConfigurationArn ?? "",
        name: c.ConfigurationName ?? "",
        teamId: c.SlackTeamId ?? "",
        channelId: c.SlackChannelId ?? "",
        topics: c.SnsTopicArns ?? [],
        state: c.State,
        stateReason: c.StateReason,
      });
    }
  }
  if (kinds.has("teams")) {
    const teams = await allPages(
      (token) =>
        api.send<ListMicrosoftTeamsChannelConfigurationsCommandOutput>(apiRegion, new ListMicrosoftTeamsChannelConfigurationsCommand({ NextToken: token })),
      (page) => page.TeamChannelConfigurations,
    );
    for (const c of teams) {
      out.push({
        apiRegion,
        kind: "teams",
        arn: c.ChatConfigurationArn ?? "",
        name: c.ConfigurationName ?? "",
        teamId: c.TeamId ?? "",
        channelId: c.ChannelId ?? "",
        topics: c.SnsTopicArns ?? [],
        state: c.State,
        stateReason: c.StateReason,
      });
    }
  }
  return out;
}

/**
 * The channel's configuration: the user's own by its ARN (chat.*Channels[].configurationArn), else
 * this guard's: same channel, and a name `<name>-...-<channel name>` (ChatChannels).
 */
function isOurs(c: Configuration, channel: ChatChannelTarget, prefix: string): boolean {
  if (channel.configurationArn) return c.arn === channel.configurationArn;
  return (
    c.kind === channel.kind &&
    c.teamId === channel.teamId &&
    decodeURIComponent(c.channelId) === decodeURIComponent(channel.channelId) &&
    c.name.startsWith(`${prefix}-`) &&
    c.name.endsWith(`-${channel.name}`)
  );
}

const APPLY_FIRST = (t: RegionTarget) => `run terraform apply for the stack of ${t.region} (the first region's stack holds the channel configurations)`;

export const chatChannelsCheck: Check = {
  id: "chat-channels",
  scope: "global",
  summary:
    "each chat channel in the config has one channel configuration of this guard in the account, subscribed to every region's alarm and SES-events topics (chatbot DescribeSlackChannelConfigurations, ListMicrosoftTeamsChannelConfigurations)",
  calls: [
    { command: DescribeSlackChannelConfigurationsCommand, resources: (t) => (t.chatChannels.some((c) => c.kind === "slack") ? ["*"] : []) },
    { command: ListMicrosoftTeamsChannelConfigurationsCommand, resources: (t) => (t.chatChannels.some((c) => c.kind === "teams") ? ["*"] : []) },
  ],
  async run(ctx) {
    const first = ctx.target;
    if (!first.chatChannels.length) return [];
    const kinds = new Set(first.chatChannels.map((c) => c.kind));
    const found = (await Promise.all(first.chatApiRegions.map((r) => configurations(ctx.api, r, kinds)))).flat();
    // Every configured region's alarm and SES-events topics (config.ts, chatTopicArns), not only those checked now.
    const wanted = first.chatTopicArns;
    return first.chatChannels.map((channel): CheckResult => {
      const subject = `${channel.kind === "slack" ? "Slack" : "Teams"} channel ${channel.name}`;
      const line = (status: CheckResult["status"], region: string, detail: string, fix?: string): CheckResult => ({
        check: "chat-channels",
        region,
        status,
        subject,
        detail,
        ...(fix && status !== "pass" ? { fix } : {}),
      });
      const ours = found.filter((c) => isOurs(c, channel, first.namePrefix));
      if (!ours.length) {
        return line(
          "fail",
          first.chatApiRegions.join(", "),
          `no channel configuration of ${first.namePrefix} for channel ${channel.channelId} in ${first.chatApiRegions.join(", ")}: the channel receives nothing`,
          `authorize the ${channel.kind === "slack" ? "Slack workspace" : "Microsoft Teams team"} once in the Amazon Q Developer console, then ${APPLY_FIRST(first)}`,
        );
      }
      if (ours.length > 1) {
        return line(
          "fail",
          [...new Set(ours.map((c) => c.apiRegion))].join(", "),
          `${ours.length} configurations for one channel (${ours.map((c) => `${c.name} in ${c.apiRegion}`).join(", ")}): every message arrives ${ours.length} times`,
          "run terraform apply for every region's stack: one configuration per channel is kept in the first region's stack",
        );
      }
      const [c] = ours;
      if (c.state === "DISABLED") {
        return line(
          "fail",
          c.apiRegion,
          `${c.name} is DISABLED${c.stateReason ? ` (${c.stateReason})` : ""}`,
          "see the Amazon Q Developer console; an organization policy may deny the chat client",
        );
      }
      const missing = wanted.filter((arn) => !c.topics.includes(arn));
      if (missing.length) {
        return line(
          "fail",
          c.apiRegion,
          `${c.name} is not subscribed to ${missing.join(", ")}: their messages never reach the channel`,
          channel.configurationArn
            ? `add them to your configuration ${channel.configurationArn} (Amazon Q Developer console, or the chat_topic_arns output)`
            : APPLY_FIRST(first),
        );
      }
      return line("pass", c.apiRegion, `${c.name} in ${c.apiRegion}, subscribed to all ${wanted.length} topics (alarms and SES events of every region)`);
    });
  },
};
