// Integration test: a two-region guard applied into an AWS emulator (moto_server on loopback), then
// config changes planned against that state; none may destroy or replace a resource holding data
// (modules/shared/data-bearing.ts). The doctor then checks the applied guard in the emulator.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, parseConfig } from "../../modules/app/config";
import { synthesize, UserError } from "../../modules/app/cli";
import { stackName } from "../../modules/app/ses-guard-stack";
import { recordPathFor } from "../../modules/app/stack-record";
import { DATA_BEARING, DATA_BEARING_TYPES } from "../../modules/shared/data-bearing";
import { Api } from "../../modules/doctor/aws";
import { CheckResult, CHECKS } from "../../modules/doctor/checks";
import { targetsFor } from "../../modules/doctor/deployed-config";
import { CannotCheckError } from "../../modules/doctor/errors";
import { runChecks } from "../../modules/doctor/run";
import {
  Applied,
  applyInEmulator,
  createPrerequisites,
  describeEmulator,
  Emulator,
  FAKE_KEYS,
  PlannedStack,
  planAgainstApplied,
  preventDestroyOf,
  startEmulator,
  UNSUPPORTED_IN_EMULATOR,
} from "../support/emulator";
import { PlanJson } from "../support/terraform";

jest.setTimeout(240_000);

/** Config JSON, edited per transition. */
type Raw = Record<string, any>;

const OWN_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** The guard applied first (adapted from examples/full.json and multi-region.json): two regions, a bucket each. */
const PER_REGION: Raw = {
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
 * Another guard of the account, with one shared bucket: where the changes back to per-region
 * buckets start. A shared bucket serving several regions cannot use the archive key (config
 * rule), so encryption.archive is off.
 */
const SHARED: Raw = { ...PER_REGION, name: "guard-shared", archive: { ...PER_REGION.archive, bucketPerRegion: false }, encryption: { archive: false } };

const BASES: Record<string, Raw> = { base: PER_REGION, shared: SHARED };

interface Transition {
  readonly name: string;
  readonly from: keyof typeof BASES;
  /** The change, in words, for the table. */
  readonly says: string;
  readonly change: (c: Raw) => Raw;
}

// A shared or named bucket serves several regions, so encryption.archive goes off with it (config rule).
const TRANSITIONS: readonly Transition[] = [
  {
    name: "shared_bucket",
    from: "base",
    says: "archive.bucketPerRegion false (and encryption.archive off)",
    change: (c) => ({ ...c, archive: { ...c.archive, bucketPerRegion: false }, encryption: { archive: false } }),
  },
  {
    name: "named_bucket",
    from: "base",
    says: "archive.bucketName set, so one shared bucket (and encryption.archive off)",
    change: (c) => ({ ...c, archive: { lifecycle: c.archive.lifecycle, bucketName: "guard-archive-123456789012" }, encryption: { archive: false } }),
  },
  {
    name: "retention_shorter",
    from: "base",
    says: "archive.lifecycle.expirationDays 730 -> 365",
    change: (c) => ({ ...c, archive: { ...c.archive, lifecycle: { expirationDays: 365 } } }),
  },
  {
    name: "retention_longer",
    from: "base",
    says: "archive.lifecycle.expirationDays 730 -> 1095",
    change: (c) => ({ ...c, archive: { ...c.archive, lifecycle: { expirationDays: 1095 } } }),
  },
  { name: "encryption_off", from: "base", says: "encryption.archive off", change: (c) => ({ ...c, encryption: { archive: false } }) },
  {
    name: "own_key_eu",
    from: "base",
    says: "encryption.kmsKeyArns names an own key for eu-west-1 (the created key leaves that stack)",
    change: (c) => ({ ...c, encryption: { archive: true, kmsKeyArns: { "eu-west-1": OWN_KEY } } }),
  },
  { name: "region_added", from: "base", says: "ap-southeast-2 added", change: (c) => ({ ...c, regions: [...c.regions, "ap-southeast-2"] }) },
  { name: "region_dropped", from: "base", says: "eu-west-1 dropped", change: (c) => ({ ...c, regions: ["us-east-1"] }) },
  {
    name: "config_set_renamed",
    from: "base",
    says: "configurationSet.name guard-mail -> guard-mail-2",
    change: (c) => ({ ...c, configurationSet: { name: "guard-mail-2" } }),
  },
  {
    name: "chat_pause_off",
    from: "base",
    says: "chat removed, autoPause.enabled false",
    change: ({ chat: _chat, ...c }) => ({ ...c, autoPause: { enabled: false } }),
  },
  {
    name: "per_region_buckets",
    from: "shared",
    says: "from the shared-bucket guard: archive.bucketPerRegion true",
    change: (c) => ({ ...c, archive: { ...c.archive, bucketPerRegion: true } }),
  },
  {
    name: "per_region_encrypted",
    from: "shared",
    says: "from the shared-bucket guard: archive.bucketPerRegion true and encryption.archive on",
    change: (c) => ({ ...c, archive: { ...c.archive, bucketPerRegion: true }, encryption: { archive: true } }),
  },
];

const moduleName = (prefix: string, region: string) => `${prefix}_${region.replace(/-/g, "_")}`;
const DATA_BEARING_ADDRESSES = Object.values(DATA_BEARING).flatMap((g) => g.addresses);

/** What a plan does to one address: terraform's actions, named. */
function actionName(actions: readonly string[]): string {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  return actions.join("+");
}

interface Row {
  readonly transition: string;
  readonly stack: string;
  readonly address: string;
  readonly action: string;
}

describeEmulator("config changes planned against a guard applied in an AWS emulator (integration)", () => {
  let emulator: Emulator;
  let applied: Applied;
  let plan: PlanJson;
  let work: string;
  const refused = new Map<string, string>();
  const warnings: string[] = [];
  /** Module name -> its transition, region and the base module it starts from. */
  const planned = new Map<string, { transition: string; region: string; from?: string }>();
  let doctor: Map<string, CheckResult[] | string>;
  const rows: Row[] = [];

  beforeAll(async () => {
    const t0 = Date.now();
    const seconds = () => ((Date.now() - t0) / 1000).toFixed(1);
    const timings: string[] = [];
    const started = startEmulator();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-lifecycle-"));
    const stacks: Record<string, { dir: string; accountId: string }> = {};
    for (const [base, raw] of Object.entries(BASES)) {
      const config = parseConfig(raw, base);
      const dirs = synthesize(config, path.join(work, base, "cdktf.out"), path.join(work, base), synthOptions(path.join(work, base)));
      config.regions.forEach((region, i) => (stacks[moduleName(base, region)] = { dir: dirs[i], accountId: config.accountId }));
    }
    emulator = await started;
    timings.push(`bases synthesized ${seconds()} s`);
    // The doctor looks up the identities, which their owner verified before ses-guard came.
    await createPrerequisites(emulator, PER_REGION.accountId, {
      identities: PER_REGION.regions.map((region: string) => ({ region, identity: "example.com" })),
    });
    applied = await applyInEmulator(emulator, stacks);
    timings.push(`applied ${seconds()} s (terraform apply ${applied.applySeconds.toFixed(1)} s)`);

    // Each base's folder now holds what a user's would: the synth output and each stack's local state.
    for (const [base, raw] of Object.entries(BASES)) {
      for (const region of raw.regions as string[]) {
        const state = { ...applied.state, serial: 1, outputs: {}, resources: applied.stackResources(moduleName(base, region)) };
        fs.writeFileSync(path.join(work, base, `terraform.${stackName(raw as never, region)}.tfstate`), JSON.stringify(state));
      }
    }
    const toPlan: Record<string, PlannedStack> = {};
    for (const t of TRANSITIONS) {
      const dir = path.join(work, t.name);
      fs.cpSync(path.join(work, t.from), dir, { recursive: true });
      const config = parseConfig(t.change(BASES[t.from]), t.name);
      let dirs: string[];
      try {
        dirs = synthesize(
          config,
          path.join(dir, "cdktf.out"),
          dir,
          synthOptions(dir, (w) => warnings.push(`${t.name}: ${w}`)),
        );
      } catch (e) {
        if (!(e instanceof UserError || e instanceof ConfigError)) throw e;
        refused.set(t.name, e.message);
        continue;
      }
      config.regions.forEach((region, i) => {
        const from = (BASES[t.from].regions as string[]).includes(region) ? moduleName(t.from, region) : undefined;
        toPlan[moduleName(t.name, region)] = { dir: dirs[i], accountId: config.accountId, from };
        planned.set(moduleName(t.name, region), { transition: t.name, region, from });
      });
    }
    timings.push(`transitions synthesized ${seconds()} s`);
    // The doctor (in this process) runs while terraform plans.
    [plan, doctor] = await Promise.all([
      planAgainstApplied(applied, toPlan, { only: DATA_BEARING_ADDRESSES, showDestroys: true, refresh: true }).then((p) => p.plan),
      runDoctor(emulator, parseConfig(PER_REGION, "base")),
    ]);
    timings.push(`planned ${seconds()} s`);
    console.log(`lifecycle: ${timings.join(", ")}`);
    const preventDestroy = new Map(Object.entries(toPlan).map(([module, s]) => [module, preventDestroyOf(s.dir)]));
    for (const [module, { transition, region }] of planned) {
      for (const change of plan.resource_changes ?? []) {
        const address = change.address.slice(`module.${module}.`.length);
        if (!change.address.startsWith(`module.${module}.`) || !DATA_BEARING_TYPES.includes(change.type)) continue;
        if (applied.excluded.has(`module.${moduleName(TRANSITIONS.find((t) => t.name === transition)!.from, region)}.${address}`)) continue;
        const guarded = preventDestroy.get(module)!.includes(address) && /delete|replace/.test(actionName(change.change.actions));
        rows.push({
          transition,
          stack: region,
          address,
          action: `${actionName(change.change.actions)}${guarded ? " (prevent_destroy would stop the plan)" : ""}`,
        });
      }
    }
  });

  afterAll(async () => {
    await emulator?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("the applied base holds each region's data-bearing resources (those the emulator supports)", () => {
    for (const region of PER_REGION.regions as string[]) {
      const module = moduleName("base", region);
      const declared = Object.entries(
        JSON.parse(fs.readFileSync(path.join(applied.stacks[module].dir, "cdk.tf.json"), "utf8")).resource as Record<string, object>,
      ).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
      const expected = DATA_BEARING_ADDRESSES.filter((a) => declared.includes(a) && !UNSUPPORTED_IN_EMULATOR[a.split(".")[0]]);
      const held = applied.stackResources(module).map((r) => `${r.type}.${r.name}`);
      expect(expected).toEqual(expect.arrayContaining(["aws_s3_bucket.archive_bucket", "aws_kms_key.encryption_key"]));
      expect({ region, held: expected.filter((a) => held.includes(a)) }).toEqual({ region, held: expected });
    }
  });

  test("no change destroys or replaces a data-bearing resource", () => {
    const notApplied = [...new Set(DATA_BEARING_TYPES.filter((t) => UNSUPPORTED_IN_EMULATOR[t]))];
    const table = [
      ...TRANSITIONS.map((t) => `${t.name}: ${t.says}`),
      "",
      "| transition | stack | data-bearing address | action |",
      "| --- | --- | --- | --- |",
      ...TRANSITIONS.flatMap((t) =>
        refused.has(t.name)
          ? [`| ${t.name} | (all) | - | refused at synth: ${refused.get(t.name)!.replace(/\|/g, "\\|")} |`]
          : rows.filter((r) => r.transition === t.name).map((r) => `| ${r.transition} | ${r.stack} | ${r.address} | ${r.action} |`),
      ),
      `Not in the applied state (unsupported in the emulator), so not in the table: ${notApplied.join(", ")}.`,
      ...warnings.map((w) => `synth warning, ${w}`),
    ].join("\n");
    console.log(table);
    expect(rows.filter((r) => /^(delete|replace)/.test(r.action))).toEqual([]);
  });

  test("the plans are real: a new region creates its resources, a bucket a change adds is created", () => {
    if (!refused.has("region_added")) {
      const added = rows.filter((r) => r.transition === "region_added" && r.stack === "ap-southeast-2");
      expect(added.length).toBeGreaterThan(0);
      expect(new Set(added.map((r) => r.action))).toEqual(new Set(["create"]));
    }
    if (!refused.has("per_region_buckets")) {
      expect(rows.find((r) => r.transition === "per_region_buckets" && r.stack === "eu-west-1" && r.address === "aws_s3_bucket.archive_bucket")?.action).toBe(
        "create",
      );
    }
    // A change that touches no data leaves every data-bearing resource where it is.
    const renamed = rows.filter((r) => r.transition === "config_set_renamed");
    expect(renamed.length).toBeGreaterThan(0);
    expect(renamed.filter((r) => !["no-op", "update"].includes(r.action))).toEqual([]);
  });

  test("a dropped region's stack is not planned (the synth refuses it while its state holds resources, or plans the rest)", () => {
    if (refused.has("region_dropped")) {
      expect(refused.get("region_dropped")).toMatch(/guard-eu-west-1/);
      return;
    }
    const regions = [...planned.values()].filter((p) => p.transition === "region_dropped").map((p) => p.region);
    expect(regions).toEqual(["us-east-1"]);
  });

  test("the doctor's checks pass where the emulator holds what they check", () => {
    // The failures, each explained by what the emulator lacks (UNSUPPORTED_IN_EMULATOR or a moto API).
    const gaps: Record<string, RegExp[]> = {
      // moto's SESv2 has no GetAccount (404).
      account: [/^could not check: .*sesv2 GetAccount\b/],
      // No aws_sesv2_configuration_set was applied, and moto's SESv2 has no event destinations API (404).
      "configuration-set": [/^could not check: .*sesv2 GetConfigurationSetEventDestinations\b/],
      identities: [
        // moto's GetEmailIdentity never reports VerifiedForSendingStatus true.
        /^identity example\.com: not verified for sending \(verification SUCCESS\)/,
        // No aws_ses_identity_notification_topic was applied.
        /^identity example\.com notifications: Bounce topic not set, Complaint topic not set/,
      ],
    };
    const outcome = Object.fromEntries(
      [...doctor].map(([id, r]) => [id, typeof r === "string" ? [r] : r.filter((l) => l.status === "fail").map((l) => `${l.subject}: ${l.detail}`)]),
    );
    const warnings = [...doctor.values()].flatMap((r) => (typeof r === "string" ? [] : r.filter((l) => l.status === "warn")));
    console.log(
      [
        ...Object.entries(outcome).map(([id, o]) => `doctor ${id}: ${o.length ? o.join("; ") : "pass"}`),
        ...warnings.map((w) => `doctor ${w.check} warns: ${w.subject}: ${w.detail}`),
      ].join("\n"),
    );
    expect(Object.keys(outcome).sort()).toEqual(CHECKS.map((c) => c.id).sort());
    for (const [id, lines] of Object.entries(outcome)) {
      const explained = gaps[id] ?? [];
      // A check that could not check stops at once; a failing line comes once per region.
      const times = (re: RegExp) => (re.source.startsWith("^could not check") ? 1 : PER_REGION.regions.length);
      expect({
        id,
        unexplained: lines.filter((l) => !explained.some((re) => re.test(l))),
        counts: explained.map((re) => lines.filter((l) => re.test(l)).length),
      }).toEqual({
        id,
        unexplained: [],
        counts: explained.map(times),
      });
    }
  });
});

/** As `npm run synth` in dir with dir/ses-guard.json: the stack record beside the config, local state in dir. */
function synthOptions(dir: string, warn: (line: string) => void = () => undefined) {
  return { source: "ses-guard.json", recordFile: recordPathFor(path.join(dir, "ses-guard.json")), warn };
}

/**
 * Each doctor check on its own (one that cannot check does not stop the others), in this process,
 * with the AWS SDK pointed at the emulator through the environment, as `npm run doctor` would be.
 */
async function runDoctor(emulator: Emulator, config: ReturnType<typeof parseConfig>): Promise<Map<string, CheckResult[] | string>> {
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
    const targets = targetsFor(config, undefined);
    const results = await Promise.all(
      CHECKS.map((check) =>
        runChecks(targets, api, { now: new Date(), maxEventAgeHours: 24, checks: [check] }).then(
          (r): [string, CheckResult[] | string] => [check.id, r],
          (e: unknown): [string, CheckResult[] | string] => [check.id, e instanceof CannotCheckError ? `could not check: ${e.message}` : `error: ${String(e)}`],
        ),
      ),
    );
    return new Map(results);
  } finally {
    api.destroy();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
