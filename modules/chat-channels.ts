import { Construct } from "constructs";
import { MapTerraformIterator, TerraformIterator, TerraformProvider, Token } from "cdktf";
import { ChatbotSlackChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-slack-channel-configuration";
import { ChatbotTeamsChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-teams-channel-configuration";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { arn, ArnScope, partitionOf } from "./shared/arn";
import { attributeOf, Condition, expression, hclOf, isToken } from "./shared/expressions";
import { policyDocument, renderPolicy } from "./shared/policy-document";
import { RULES } from "./shared/rules";

/** A Slack channel, in a workspace authorized once in the Amazon Q Developer console. */
export interface SlackChannel {
  /** Short name, unique among the channels: part of the configuration's name. */
  readonly name: string;
  /** Workspace (team) ID, `T` and 8 to 11 more capitals and digits. */
  readonly workspaceId: string;
  /** Channel ID, `C` (or `G` for a private channel) and more capitals and digits. */
  readonly channelId: string;
  /**
   * The channel's existing configuration in this account: a channel has one per account, so
   * ChatChannels creates none for it (subscribe it to `topicArns` yourself).
   * @default - none: ChatChannels creates the channel's configuration
   */
  readonly configurationArn?: string;
}

/** A Microsoft Teams channel, in a team authorized once in the Amazon Q Developer console. */
export interface TeamsChannel {
  readonly name: string;
  /** Microsoft Entra tenant ID (a UUID). */
  readonly tenantId: string;
  /** Team ID (a UUID). */
  readonly teamId: string;
  /** Channel ID, URL-encoded as in the channel's link: `19%3a...%40thread.tacv2`. */
  readonly channelId: string;
  /**
   * The channel's existing configuration in this account, as for Slack.
   * @default - none: ChatChannels creates the channel's configuration
   */
  readonly configurationArn?: string;
}

/** The channels ChatChannels creates a configuration for: those without one of their own (a literal list). */
export function channelsToConfigure<C extends { readonly configurationArn?: string }>(channels: readonly C[]): readonly C[] {
  return isToken(channels) ? channels : channels.filter((c) => !c.configurationArn);
}

export interface ChatChannelsProps extends ArnScope {
  /** Prefix of the role and configuration names. */
  readonly namePrefix: string;
  /**
   * Topics every channel subscribes to, in any region: one configuration takes topics from several
   * (Amazon Q Developer in chat applications Administrator Guide, "Regions and quotas": "You can
   * combine Amazon SNS topics from multiple Regions in a single ... configuration").
   */
  readonly topicArns: readonly string[];
  /**
   * Slack channels; a token list becomes `for_each`, keyed by name.
   * @default - none
   */
  readonly slackChannels?: readonly SlackChannel[];
  /**
   * Microsoft Teams channels; a token list becomes `for_each`, keyed by name.
   * @default - none
   */
  readonly teamsChannels?: readonly TeamsChannel[];
  /**
   * Provider for the channel configurations: the Amazon Q Developer in chat applications API is only
   * in us-east-2, us-west-2, eu-west-1 and ap-southeast-1 (AWS General Reference, "Amazon Q Developer
   * in chat applications endpoints and quotas"); the topics may be in any region.
   * @default - the scope's default provider
   */
  readonly provider?: TerraformProvider;
  /**
   * Terraform condition under which the role and the configurations exist (the plain module's switch).
   * @default - always
   */
  readonly condition?: Condition;
}

/**
 * Amazon Q Developer in chat applications (formerly AWS Chatbot) channel configurations: each channel
 * receives the alarms and the SES events as native messages. Members can read our alarms and nothing
 * else: the role and the guardrail are read-only.
 */
export class ChatChannels extends Construct {
  public readonly role: IamRole;
  public readonly slack: readonly ChatbotSlackChannelConfiguration[];
  public readonly teams: readonly ChatbotTeamsChannelConfiguration[];
  /** Name of each channel's configuration: `<namePrefix>-<region>-<channel name>`. */
  public readonly configurationName: (channelName: string) => string;

  private readonly condition?: Condition;

  constructor(scope: Construct, id: string, props: ChatChannelsProps) {
    super(scope, id);
    this.condition = props.condition;
    const slackChannels = channelsToConfigure(props.slackChannels ?? []);
    const teamsChannels = channelsToConfigure(props.teamsChannels ?? []);
    if (!isToken(slackChannels)) slackChannels.forEach((c, i) => checkSlack(c, i));
    if (!isToken(teamsChannels)) teamsChannels.forEach((c, i) => checkTeams(c, i));
    const partition = props.partition ?? partitionOf(props.region);
    this.configurationName = (channelName) => `${props.namePrefix}-${props.region}-${channelName}`;
    const count = props.condition === undefined ? {} : { count: Token.asNumber(expression(this, `${hclOf(this, props.condition, false)} ? 1 : 0`)) };

    // AWS documents no condition keys for chatbot.amazonaws.com (the Amazon Q Developer Administrator
    // Guide's role examples trust the service alone); the role reads our alarms and nothing more.
    this.role = new IamRole(this, "Role", {
      ...count,
      name: `${props.namePrefix}-chatbot-${props.region}`,
      description: `Amazon Q Developer in chat applications: reads the ${props.namePrefix} alarms for chat channels`,
      assumeRolePolicy: renderPolicy(
        policyDocument({ Sid: "AllowAmazonQDeveloperInChat", Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }),
      ),
    });
    new IamRolePolicy(this, "RolePolicy", {
      ...count,
      name: "read-our-alarms",
      // The role's id, as the stack has it (for a counted role, its one instance's): the same plan from the module.
      role: attributeOf(this.role, "id"),
      policy: renderPolicy(
        policyDocument(
          {
            Sid: "DescribeOurAlarms",
            Effect: "Allow",
            Action: "cloudwatch:DescribeAlarms",
            Resource: arn(props, "cloudwatch", `alarm:${props.namePrefix}-*`),
          },
          {
            // Amazon Q Developer in chat applications Administrator Guide, "IAM resource-level permissions
            // for Amazon Q Developer": for an alarm notification it fetches the metric graph with the
            // channel role; "IAM policies for Amazon Q Developer in chat applications", Notification
            // permissions template: cloudwatch:Describe*, Get*, List*. Of these, the metric reads a graph
            // takes; Service Authorization Reference (Amazon CloudWatch): no resource type, so "*".
            Sid: "ReadMetricsForAlarmGraphs",
            Effect: "Allow",
            Action: ["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:GetMetricWidgetImage", "cloudwatch:ListMetrics"],
            Resource: "*",
          },
        ),
      ),
      dependsOn: [this.role],
    });
    const roleArn = `arn:${partition}:iam::${props.accountId}:role/${props.namePrefix}-chatbot-${props.region}`;
    const common = {
      provider: props.provider,
      iamRoleArn: roleArn,
      snsTopicArns: isToken(props.topicArns) ? (props.topicArns as string[]) : [...props.topicArns],
      // Read-only: members cannot change anything through the channel, whatever their own role allows. Left
      // out, the API applies AdministratorAccess (Amazon Q Developer API Reference, CreateSlackChannelConfiguration, GuardrailPolicyArns).
      guardrailPolicyArns: [`arn:${partition}:iam::aws:policy/CloudWatchReadOnlyAccess`],
      // Messages the service cannot deliver (a malformed notification) are logged, not lost silently.
      loggingLevel: "ERROR",
      dependsOn: [this.role],
    };

    this.slack = this.perChannel(
      "Slack",
      slackChannels,
      (scope, id, forEach, field) =>
        new ChatbotSlackChannelConfiguration(scope, id, {
          ...common,
          forEach,
          configurationName: this.configurationName(field("name", "name")),
          slackTeamId: field("workspaceId", "workspace_id"),
          slackChannelId: field("channelId", "channel_id"),
        }),
    );
    this.teams = this.perChannel(
      "Teams",
      teamsChannels,
      (scope, id, forEach, field) =>
        new ChatbotTeamsChannelConfiguration(scope, id, {
          ...common,
          forEach,
          configurationName: this.configurationName(field("name", "name")),
          tenantId: field("tenantId", "tenant_id"),
          teamId: field("teamId", "team_id"),
          channelId: field("channelId", "channel_id"),
        }),
    );
  }

  /**
   * One configuration per channel, keyed by name: construct IDs for a literal list, `for_each` keys
   * (one resource `Resource`) for a token list, so both give the same addresses.
   */
  private perChannel<C extends { readonly name: string }, R>(
    scopeId: string,
    channels: readonly C[],
    make: (scope: Construct, id: string, forEach: MapTerraformIterator | undefined, field: (key: keyof C & string, variableKey: string) => string) => R,
  ): R[] {
    const scope = new Construct(this, scopeId);
    if (!isToken(channels)) return channels.map((c) => make(scope, c.name, undefined, (key) => String(c[key])));
    const when = this.condition === undefined ? "" : ` if ${hclOf(this, this.condition, false)}`;
    const each = TerraformIterator.fromMap(Token.asAnyMap(expression(this, `{ for c in ${hclOf(this, channels)} : c.name => c${when} }`)));
    return [make(scope, "Resource", each, (_, variableKey) => each.getString(variableKey))];
  }
}

function checkSlack(c: SlackChannel, i: number): void {
  for (const [field, rule] of [
    ["name", RULES.chatChannelName],
    ["workspaceId", RULES.slackWorkspaceId],
    ["channelId", RULES.slackChannelId],
  ] as const) {
    if (!rule.holds(c[field])) throw new Error(`ChatChannels slackChannels[${i}].${field}: got ${JSON.stringify(c[field])}; allowed: ${rule.allowed}`);
  }
}

function checkTeams(c: TeamsChannel, i: number): void {
  for (const [field, rule] of [
    ["name", RULES.chatChannelName],
    ["tenantId", RULES.teamsTenantId],
    ["teamId", RULES.teamsTeamId],
    ["channelId", RULES.teamsChannelId],
  ] as const) {
    if (!rule.holds(c[field])) throw new Error(`ChatChannels teamsChannels[${i}].${field}: got ${JSON.stringify(c[field])}; allowed: ${rule.allowed}`);
  }
}
