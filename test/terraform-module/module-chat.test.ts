// The plain module's chat inputs: one module call per region, one of them creating the channel
// configurations (a channel has one per account), subscribed to the other calls' topics too.
import { Testing } from "cdktf";
import { SesGuardModule } from "../../modules/terraform-module/terraform-module";

const json = JSON.parse(Testing.synth(new SesGuardModule(Testing.app(), "chat")));
const one = (type: string): any => {
  const all = Object.values(json.resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
};

describe("plain module: chat channel configurations", () => {
  test("the call creates them only while channels are given and chat_create_channel_configurations is true", () => {
    expect(json.locals.chat_channels).toBe(
      "${var.chat_create_channel_configurations && length(var.chat_slack_channels) + length(var.chat_teams_channels) > 0}",
    );
    for (const type of ["aws_chatbot_slack_channel_configuration", "aws_chatbot_teams_channel_configuration"]) {
      expect(one(type).for_each).toMatch(/^\$\{\{ for c in var\.chat_(slack|teams)_channels : c\.name => c if local\.chat_channels \}\}$/);
    }
    expect(Object.values(json.resource.aws_iam_role).find((r: any) => String(r.name).includes("-chatbot-"))).toMatchObject({
      count: "${local.chat_channels ? 1 : 0}",
    });
  });

  test("channels given still relay the region's events in a call that does not create the configurations", () => {
    expect(json.locals.chat_enabled).toBe(
      "${var.chat_enabled != null ? var.chat_enabled : length(var.chat_slack_channels) + length(var.chat_teams_channels) > 0}",
    );
  });

  test("each configuration subscribes to this call's topics and chat_other_topic_arns", () => {
    for (const type of ["aws_chatbot_slack_channel_configuration", "aws_chatbot_teams_channel_configuration"]) {
      expect(one(type).sns_topic_arns).toMatch(/^\$\{concat\(\[.*aws_sns_topic\..*\], var\.chat_other_topic_arns\)\}$/);
    }
  });

  test("the inputs default to a call that creates the configurations, with no other topics", () => {
    expect(json.variable.chat_create_channel_configurations).toMatchObject({ type: "bool", default: true });
    expect(json.variable.chat_other_topic_arns).toMatchObject({ type: "list(string)", default: [] });
  });
});
