// Acceptance: three regions with a Slack channel, a Teams channel and auto-pause plan offline,
// with exactly one configuration per channel across the stacks (all three planned in one run).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../../modules/app/cli";
import { copyStackToTemp, describeTerraform, resourcesOfType } from "../support/terraform";
import { planStacksTogether } from "../support/combined-root";
import { threeRegions } from "./chat-home-fixture";

jest.setTimeout(300_000);

describeTerraform("three regions, one configuration per chat channel", () => {
  test("plans offline: one Slack and one Teams configuration, in the home stack, subscribed to all six topics", async () => {
    const config = threeRegions();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-chat-"));
    try {
      const dirs = synthesize(config, path.join(work, "cdktf.out"), work);
      const modules = Object.fromEntries(config.regions.map((r, i) => [r.replace(/-/g, "_"), copyStackToTemp(dirs[i])]));
      const combined = await planStacksTogether(modules, { validate: false });
      const all = (type: string) => resourcesOfType(combined.plan, type);
      const slack = all("aws_chatbot_slack_channel_configuration");
      const teams = all("aws_chatbot_teams_channel_configuration");
      expect(slack).toHaveLength(1);
      expect(teams).toHaveLength(1);
      for (const c of [...slack, ...teams]) {
        expect(c.address.startsWith("module.us_east_1.")).toBe(true);
        // The home region's own topics are known after apply; the other regions' by name.
        const known = (c.values.sns_topic_arns as string[] | undefined) ?? [];
        expect(known).toEqual(
          expect.arrayContaining(
            ["eu-west-1", "ap-southeast-1"].flatMap((r) => [`arn:aws:sns:${r}:123456789012:shop-alarms`, `arn:aws:sns:${r}:123456789012:shop-ses-events`]),
          ),
        );
      }
      // Every region keeps its SES-events topic and its auto-pause runbook.
      expect(all("aws_sns_topic").filter((t) => t.values.name === "shop-ses-events")).toHaveLength(3);
      expect(all("aws_ssm_document").filter((d) => d.values.name === "shop-pause-sending")).toHaveLength(3);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
