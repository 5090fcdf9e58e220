// A three-region config with chat channels and auto-pause, shared by the unit and the plan tests.
import { parseConfig, SesGuardConfig, SesGuardConfigInput } from "../../modules/app/config";

export const SLACK = { name: "alerts", workspaceId: "T0123ABCDE", channelId: "C0123ABCDEF" };
export const TEAMS = {
  name: "ops",
  tenantId: "8f2c1e4a-3b5d-4c6e-9f7a-1b2c3d4e5f60",
  teamId: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  channelId: "19%3aabc%40thread.tacv2",
};

export function threeRegions(chat: SesGuardConfigInput["chat"] = { slackChannels: [SLACK], teamsChannels: [TEAMS] }): SesGuardConfig {
  return parseConfig({
    name: "shop",
    accountId: "123456789012",
    regions: ["us-east-1", "eu-west-1", "ap-southeast-1"],
    alarms: { emails: ["ops@example.com"] },
    notifications: { enabled: false },
    chat,
    autoPause: { enabled: true },
  });
}
