// Integration test: a two-region guard applied into an AWS emulator (moto_server on loopback), then
// config changes planned against that state; none may destroy or replace a resource holding data
// (modules/shared/data-bearing.ts). Only the data-bearing resources, and what they refer to, are
// applied and planned: the rest of a guard is applied, and checked by the doctor, in the extended
// tier (apply-examples.integration.test.ts).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, parseConfig } from "../../modules/app/config";
import { synthesize, UserError } from "../../modules/app/cli";
import { stackName } from "../../modules/app/ses-guard-stack";
import { recordPathFor } from "../../modules/app/stack-record";
import { DATA_BEARING, DATA_BEARING_TYPES } from "../../modules/shared/data-bearing";
import {
  Applied,
  applyInEmulator,
  describeEmulator,
  Emulator,
  PlannedStack,
  planAgainstApplied,
  preventDestroyOf,
  startEmulator,
  UNSUPPORTED_IN_EMULATOR,
} from "../support/emulator";
import { PlanJson } from "../support/terraform";
import { PER_REGION, Raw } from "./guard";

jest.setTimeout(240_000);

const OWN_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

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
    applied = await applyInEmulator(emulator, stacks, { only: DATA_BEARING_ADDRESSES });
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
    // No refresh: the state is the apply's of a moment ago, read back from the emulator as each resource was created.
    plan = (await planAgainstApplied(applied, toPlan, { only: DATA_BEARING_ADDRESSES, showDestroys: true })).plan;
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
});

/** As `npm run synth` in dir with dir/ses-guard.json: the stack record beside the config, local state in dir. */
function synthOptions(dir: string, warn: (line: string) => void = () => undefined) {
  return { source: "ses-guard.json", recordFile: recordPathFor(path.join(dir, "ses-guard.json")), warn };
}
