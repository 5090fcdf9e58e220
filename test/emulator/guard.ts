// The two-region guard the emulator suites apply: the lifecycle suite starts its config changes from
// it (only its data-bearing resources applied), the extended tier applies all of it and runs the doctor on it.
import { parseConfig } from "../../modules/app/config";
import { Api } from "../../modules/doctor/aws";
import { CheckResult, CHECKS } from "../../modules/doctor/checks";
import { targetsFor } from "../../modules/doctor/deployed-config";
import { runChecks } from "../../modules/doctor/run";
import { Emulator, FAKE_KEYS } from "../support/emulator";

/** Config JSON, as a user writes it. */
export type Raw = Record<string, any>;

/** The guard applied first (adapted from examples/full.json and multi-region.json): two regions, a bucket each. */
export const PER_REGION: Raw = {
  name: "guard",
  accountId: "123456789012",
  regions: ["us-east-1", "eu-west-1"],
  alarms: { emails: ["ops@example.com"] },
  configurationSet: { name: "guard-mail" },
  archive: { bucketPerRegion: true, lifecycle: { expirationDays: 730 } },
  encryption: { archive: true },
  notifications: { identities: ["example.com"] },
  investigation: { enabled: true },
  chat: { slackChannels: [{ name: "alerts", workspaceId: "T0123ABCDE", channelId: "C0123ABCDEF" }] },
  autoPause: { enabled: true },
};

/**
 * The doctor's checks, all at once as `npm run doctor` runs them (a check whose API call fails
 * fails its own line; the others still run), in this process, with the AWS SDK pointed at the
 * emulator through the environment. Results by check id, every check present.
 */
export async function runDoctor(emulator: Emulator, config: ReturnType<typeof parseConfig>): Promise<Map<string, CheckResult[]>> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_ACCESS_KEY_ID: FAKE_KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_KEYS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  const api = new Api();
  try {
    const results = await runChecks(targetsFor(config, undefined), api, { now: new Date(), maxEventAgeHours: 24 });
    const byCheck = new Map<string, CheckResult[]>(CHECKS.map((c) => [c.id, []]));
    for (const r of results) byCheck.get(r.check)!.push(r);
    return byCheck;
  } finally {
    api.destroy();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
