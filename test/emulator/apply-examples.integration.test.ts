// Integration test: every example's stacks applied for real (terraform apply) into an AWS emulator
// (moto_server on loopback) through every provider block, then checked in the state and in the
// emulator. adopt.json is left out: its import blocks read resources that must exist before the apply.
// Beside them, the lifecycle suite's two-region guard (./guard.ts) is applied whole, and the doctor
// checks it in the emulator.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateConfigurationSetCommand, CreateConfigurationSetEventDestinationCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { parseConfig, SesGuardConfig } from "../../modules/app/config";
import { synthesize } from "../../modules/app/cli";
import { stackName } from "../../modules/app/ses-guard-stack";
import {
  accountCredentials,
  Applied,
  applyInEmulator,
  createPrerequisites,
  Credentials,
  describeEmulator,
  Emulator,
  EMULATOR_ROLE,
  EmulatorStack,
  startEmulator,
  UNSUPPORTED_IN_EMULATOR,
  unsupportedTable,
} from "../support/emulator";
import { exampleConfigs } from "../support/files";
import { CheckResult, CHECKS } from "../../modules/doctor/checks";
import { PER_REGION, runDoctor } from "./guard";

jest.setTimeout(240_000);

const examplesDir = path.join(__dirname, "..", "..", "examples");
const files = exampleConfigs(examplesDir).filter((f) => f !== "adopt.json");

/** Unsupported types that fail at once: tried in every run, so the table's reasons are checked. */
const ATTEMPTED = Object.entries(UNSUPPORTED_IN_EMULATOR)
  .filter(([, u]) => u.error)
  .map(([type]) => type);

interface Example {
  readonly file: string;
  readonly config: SesGuardConfig;
  /** Module name per region. */
  readonly modules: ReadonlyMap<string, string>;
}

/**
 * Each example is applied in its own accountId, as its provider blocks assume a role there. Two
 * with a stack of the same name and region would name their resources alike, so a later one gets
 * a name of its own (`-2`, `-3`): measured faster than a fake account each (every account is one
 * more provider configuration per region, started three times per apply).
 */
function examples(): Example[] {
  const taken = new Set<string>(); // account/stack
  return files.map((file) => {
    const raw = JSON.parse(fs.readFileSync(path.join(examplesDir, file), "utf8"));
    let config = parseConfig(raw, file);
    const stacks = (c: SesGuardConfig) => c.regions.map((r) => `${c.accountId}/${stackName(c, r)}`);
    for (let n = 2; stacks(config).some((s) => taken.has(s)); n++) config = parseConfig({ ...raw, name: `${raw.name ?? "ses-guard"}-${n}` }, file);
    for (const s of stacks(config)) taken.add(s);
    const base = file.replace(/\.json$/, "").replace(/[^a-z0-9]+/g, "_");
    return { file, config, modules: new Map(config.regions.map((r) => [r, `${base}_${r.replace(/-/g, "_")}`])) };
  });
}

/** The lifecycle suite's guard, applied whole here for the doctor (its stacks are named apart from the examples'). */
const GUARD: Example = {
  file: "guard",
  config: parseConfig(PER_REGION, "guard"),
  modules: new Map((PER_REGION.regions as string[]).map((r) => [r, `guard_${r.replace(/-/g, "_")}`])),
};

test("docs/testing.md shows the types the emulator cannot hold, as UNSUPPORTED_IN_EMULATOR has them", () => {
  expect(fs.readFileSync(path.join(__dirname, "..", "..", "docs", "testing.md"), "utf8")).toContain(unsupportedTable());
});

const json = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));

describeEmulator("every example applied into an AWS emulator (integration)", () => {
  let emulator: Emulator;
  let applied: Applied;
  let work: string;
  const all = [...examples(), GUARD];
  let doctor: Map<string, CheckResult[]>;
  const credentials = new Map<string, Promise<Credentials>>();
  const credentialsFor = (account: string) => {
    if (!credentials.has(account)) credentials.set(account, accountCredentials(emulator, account));
    return credentials.get(account)!;
  };

  beforeAll(async () => {
    const t0 = Date.now();
    const started = startEmulator();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-emulator-"));
    const stacks: Record<string, EmulatorStack> = {};
    for (const { file, config, modules } of all) {
      const dirs = synthesize(config, path.join(work, file, "cdktf.out"), path.join(work, file));
      config.regions.forEach((region, i) => (stacks[modules.get(region)!] = { dir: dirs[i], accountId: config.accountId }));
    }
    emulator = await started;
    const synthSeconds = (Date.now() - t0) / 1000;
    // What the configs name but do not create: full.json's access-log bucket.
    await Promise.all(
      all
        .filter((e) => e.config.archive.accessLogging)
        .map((e) =>
          createPrerequisites(emulator, e.config.accountId, {
            buckets: [{ region: e.config.regions[0], name: e.config.archive.accessLogging!.bucketName, receivesAccessLogs: true }],
          }),
        ),
    );
    // The doctor looks up the guard's identities, which their owner verified before ses-guard came.
    await createPrerequisites(emulator, GUARD.config.accountId, {
      identities: GUARD.config.regions.map((region) => ({ region, identity: "example.com" })),
    });
    applied = await applyInEmulator(emulator, stacks, { attempt: ATTEMPTED });
    doctor = await runDoctor(emulator, GUARD.config);
    console.log(
      `apply-examples: synthesized in ${synthSeconds.toFixed(1)} s; terraform apply of ${Object.keys(stacks).length} stacks into the emulator ${applied.applySeconds.toFixed(1)} s; ready at ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  });

  afterAll(async () => {
    await emulator?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("no two stacks of an account share a name, and several accounts are used", () => {
    const stacks = all.flatMap(({ config }) => config.regions.map((r) => `${config.accountId}/${stackName(config, r)}`));
    expect(new Set(stacks).size).toBe(stacks.length);
    expect(new Set(all.map((e) => e.config.accountId)).size).toBeGreaterThan(1);
    // Only the examples that needed one got a new name.
    expect(
      all.filter((e) => e !== GUARD && e.config.name !== (JSON.parse(fs.readFileSync(path.join(examplesDir, e.file), "utf8")).name ?? "ses-guard")).length,
    ).toBeLessThan(all.length / 2);
  });

  test("every provider block, aliased ones included, assumes a role in its example's account, in the stack's region", () => {
    const blocks = new Map<string, Record<string, unknown>>(
      JSON.parse(fs.readFileSync(path.join(applied.root, "main.tf.json"), "utf8")).provider.aws.map((b: { alias: string }) => [`aws.${b.alias}`, b]),
    );
    for (const { config, modules } of all) {
      for (const module of modules.values()) {
        const own = json(applied.stacks[module].dir).provider.aws as Array<{ alias?: string; region: string }>;
        const given = applied.providers.get(module)!;
        expect(Object.keys(given).sort()).toEqual(own.map((b) => (b.alias ? `aws.${b.alias}` : "aws")).sort());
        for (const block of own) {
          expect(blocks.get(given[block.alias ? `aws.${block.alias}` : "aws"])).toMatchObject({
            region: block.region,
            assume_role: [{ role_arn: `arn:aws:iam::${config.accountId}:role/${EMULATOR_ROLE}` }],
            skip_credentials_validation: true,
            skip_metadata_api_check: true,
          });
        }
      }
    }
  });

  test("the state holds every resource the stacks declare, but those of unsupported types and what refers to them", () => {
    for (const [module, stack] of Object.entries(applied.stacks)) {
      const declared = Object.entries(json(stack.dir).resource as Record<string, object>).flatMap(([type, byName]) =>
        Object.keys(byName).map((name) => `${type}.${name}`),
      );
      const expected = declared.filter((a) => !applied.excluded.has(`module.${module}.${a}`) && !ATTEMPTED.includes(a.split(".")[0]));
      const applyed = applied
        .stackResources(module)
        .filter((r) => r.instances.some((i) => (i as { status?: string }).status !== "tainted"))
        .map((r) => `${r.type}.${r.name}`);
      expect({ module, applied: applyed.sort() }).toEqual({ module, applied: expected.sort() });
    }
    const reasons = new Set(Object.values(UNSUPPORTED_IN_EMULATOR).map((u) => u.reason));
    for (const [address, why] of applied.excluded)
      expect({ address, why }).toEqual({ address, why: reasons.has(why) ? why : expect.stringMatching(/^depends on aws_/) });
    // No stale entry: every listed type is in some example.
    const met = new Set([...applied.excluded.keys(), ...applied.failed.keys()].map((a) => a.split(".")[2]));
    expect(Object.keys(UNSUPPORTED_IN_EMULATOR).filter((t) => !met.has(t))).toEqual([]);
  });

  test("each unsupported type tried fails the way the table says, through the aliased provider block too", () => {
    const tried = Object.entries(applied.stacks).flatMap(([module, stack]) =>
      Object.entries(json(stack.dir).resource as Record<string, object>)
        .filter(([type]) => ATTEMPTED.includes(type))
        .flatMap(([type, byName]) => Object.keys(byName).map((name) => `module.${module}.${type}.${name}`)),
    );
    expect([...applied.failed.keys()].sort()).toEqual(tried.sort());
    for (const [address, error] of applied.failed)
      expect({ address, error }).toEqual({ address, error: expect.stringMatching(UNSUPPORTED_IN_EMULATOR[address.split(".")[2]].error!) });
    // slack.json's channel goes through its `chatbot` provider (us-east-2): the emulator answered it.
    const viaAlias = Object.entries(applied.stacks).filter(([, s]) =>
      Object.values(json(s.dir).resource.aws_chatbot_slack_channel_configuration ?? {}).some((r) => (r as { provider?: string }).provider === "aws.chatbot"),
    );
    expect(viaAlias.length).toBeGreaterThan(0);
    for (const [module] of viaAlias) expect([...applied.failed.keys()].some((a) => a.startsWith(`module.${module}.aws_chatbot_`))).toBe(true);
  });

  test("configuration set event destinations: moto's SESv2 has no such API", async () => {
    const ses = new SESv2Client({ region: "us-east-1", endpoint: emulator.endpoint, credentials: await credentialsFor("123456789012") });
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: "probe" }));
    const error = await ses
      .send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: "probe", EventDestinationName: "x", EventDestination: {} }))
      .then(
        () => undefined,
        (e: { $metadata?: { httpStatusCode?: number } }) => e,
      );
    ses.destroy();
    expect(error?.$metadata?.httpStatusCode).toBe(404);
  });

  test("the buckets and alarms are in the emulator, in the example's account and the stack's region, as configured", async () => {
    for (const { config, modules } of all) {
      const credentials = await credentialsFor(config.accountId);
      for (const [region, module] of modules) {
        const resources = json(applied.stacks[module].dir).resource;
        const s3 = new S3Client({ region, endpoint: emulator.endpoint, credentials, forcePathStyle: true });
        const cloudwatch = new CloudWatchClient({ region, endpoint: emulator.endpoint, credentials });
        try {
          for (const bucket of Object.values(resources.aws_s3_bucket ?? {}) as Array<{ bucket: string }>) {
            const head = await s3.send(new HeadBucketCommand({ Bucket: bucket.bucket }));
            expect({ module, bucket: bucket.bucket, status: head.$metadata.httpStatusCode }).toEqual({ module, bucket: bucket.bucket, status: 200 });
          }
          const alarms = Object.values(resources.aws_cloudwatch_metric_alarm ?? {}) as Array<{ alarm_name: string; threshold: number }>;
          expect(alarms.length).toBeGreaterThan(0);
          const found = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarms.map((a) => a.alarm_name) }));
          const thresholds = Object.fromEntries((found.MetricAlarms ?? []).map((a) => [a.AlarmName, a.Threshold]));
          expect({ module, thresholds }).toEqual({ module, thresholds: Object.fromEntries(alarms.map((a) => [a.alarm_name, a.threshold])) });
        } finally {
          s3.destroy();
          cloudwatch.destroy();
        }
      }
    }
  });
  test("the doctor's checks pass where the emulator holds what they check", () => {
    // The failures, each explained by what the emulator lacks (UNSUPPORTED_IN_EMULATOR or a moto API). All
    // checks run together: a call the emulator cannot answer fails its own check's line ("could not check").
    const gaps: Record<string, RegExp[]> = {
      // moto's SESv2 has no GetAccount (404).
      account: [/^could not check: .*sesv2 GetAccount\b/],
      // No aws_sesv2_configuration_set was applied, and moto's SESv2 has no event destinations API (404).
      "configuration-set": [/^could not check: .*sesv2 GetConfigurationSetEventDestinations\b/],
      "event-bus-destination": [/^could not check: .*sesv2 GetConfigurationSetEventDestinations\b/],
      identities: [
        // moto's GetEmailIdentity never reports VerifiedForSendingStatus true.
        /^identity example\.com: not verified for sending \(verification SUCCESS\)/,
        // No aws_ses_identity_notification_topic was applied.
        /^identity example\.com notifications: Bounce topic not set, Complaint topic not set/,
      ],
      // moto has no Chatbot service (500): and no channel configuration was applied.
      "chat-channels": [/^could not check: .*chatbot (DescribeSlackChannelConfigurations|ListMicrosoftTeamsChannelConfigurations)\b/],
    };
    // Once per run rather than once per region.
    const global = new Set(CHECKS.filter((c) => c.scope === "global").map((c) => c.id));
    const outcome = Object.fromEntries(
      [...doctor].map(([id, r]) => [id, r.filter((l) => l.status === "fail").map((l) => (l.cannotCheck ? l.detail : `${l.subject}: ${l.detail}`))]),
    );
    const warnings = [...doctor.values()].flatMap((r) => r.filter((l) => l.status === "warn"));
    console.log(
      [
        ...Object.entries(outcome).map(([id, o]) => `doctor ${id}: ${o.length ? o.join("; ") : "pass"}`),
        ...warnings.map((w) => `doctor ${w.check} warns: ${w.subject}: ${w.detail}`),
      ].join("\n"),
    );
    expect(Object.keys(outcome).sort()).toEqual(CHECKS.map((c) => c.id).sort());
    for (const [id, lines] of Object.entries(outcome)) {
      const explained = gaps[id] ?? [];
      // A failing line comes once per region, a global check's once.
      const times = () => (global.has(id) ? 1 : GUARD.config.regions.length);
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
