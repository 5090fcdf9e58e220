// Property-based tests of the config loader (fast-check, fixed seed so CI is reproducible):
// 1. whatever JSON it is fed, parseConfig returns or throws one ConfigError line naming a field; nothing else;
// 2. generated configs that parseConfig accepts synthesize, and a sample passes real `terraform validate`.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { synthesize } from "../../modules/app/cli";
import {
  ConfigError,
  LOG_RETENTION_DAYS,
  MINIMUM_STORAGE_DAYS,
  NOTIFICATION_TYPES,
  parseConfig,
  SES_EVENT_TYPES,
  SES_REGIONS,
  SesGuardConfig,
  STORAGE_CLASSES,
  StorageClass,
} from "../../modules/app/config";
import { PLAUSIBLE_FLOOR } from "../../modules/shared/rate";
import { regionNames } from "../../modules/shared/names";
import { copyStackToTemp, describeTerraform } from "../support/terraform";
import { initValidateTogether } from "../support/combined-root";

const SEED = 20251128;
const RUNS = {
  jsonValue: 600,
  mutated: 1200,
  nonJsonNumbers: 200,
  generated: 12,
  terraformConfigs: 4,
};

const counts = {
  jsonValue: { accepted: 0, rejected: 0 },
  mutated: { accepted: 0, rejected: 0 },
  nonJsonNumbers: { accepted: 0, rejected: 0 },
  generated: { runs: 0, accepted: 0, rejected: 0, stacks: 0 },
  terraform: { configs: 0, stacks: 0, seconds: 0, features: [] as string[] },
};

// ------------------------------------------------------------------ property 1: never a crash

/** `<path>: got <value>; allowed: <what>`, or `[<path>: ]unknown key <keys>; allowed keys: <list>`, on one line. */
const FIELD_MESSAGE = /^config: (?:.+?: got .+; allowed: .+|(?:.+?: )?unknown key .+; allowed keys: \S.*)$/;

/**
 * Loader bugs found by these properties: a rejection matching one is counted and printed instead of failing
 * the property. Empty now; add an entry only with a reported bug, and delete it once fixed.
 */
const KNOWN_BUGS: ReadonlyArray<{ id: string; matches: (message: string) => boolean }> = [];
const knownBugHits = new Map<string, number>();

/** Throws (failing the property) unless parseConfig returned or threw a well-formed ConfigError. */
function checkLoader(raw: unknown, tally: { accepted: number; rejected: number }): "accepted" | "rejected" {
  let error: unknown;
  try {
    parseConfig(raw);
    tally.accepted++;
    return "accepted";
  } catch (e) {
    error = e;
  }
  if (!(error instanceof ConfigError)) {
    throw new Error(`parseConfig threw ${(error as Error)?.name ?? typeof error} instead of a ConfigError: ${String((error as Error)?.stack ?? error)}`);
  }
  const message = error.message;
  const known = KNOWN_BUGS.find((b) => b.matches(message));
  if (known) {
    knownBugHits.set(known.id, (knownBugHits.get(known.id) ?? 0) + 1);
    tally.rejected++;
    return "rejected";
  }
  if (/[\r\n\u2028\u2029]/.test(message)) throw new Error(`message spans several lines: ${JSON.stringify(message)}`);
  if (!FIELD_MESSAGE.test(message)) throw new Error(`message does not name field, value and what is allowed: ${JSON.stringify(message)}`);
  tally.rejected++;
  return "rejected";
}

// ------------------------------------------------------------------ a generator of (mostly) valid configs

/** "${" and "%{" start Terraform expressions; the loader rejects them in free text (tested in the corpus). */
const noTemplate = (s: string) => !/[$%]\{/.test(s);

const lower = (max: number) => fc.stringMatching(new RegExp(`^[a-z][a-z0-9]{0,${max - 1}}$`));
const namePrefix = fc
  .tuple(lower(8), fc.array(fc.stringMatching(/^[a-z0-9]{1,5}$/), { maxLength: 2 }))
  .map(([head, rest]) => [head, ...rest].join("-"))
  .filter((n) => n.length <= 24);
const accountId = fc.stringMatching(/^[0-9]{12}$/);
const domain = fc.oneof(
  fc.tuple(lower(10), fc.constantFrom("com", "org", "example", "io", "xn--p1ai")).map(([a, tld]) => `${a}.${tld}`),
  fc.domain(),
);
const address = fc.oneof(
  fc.tuple(lower(12), domain).map(([local, d]) => `${local}@${d}`),
  // The loader leaves { and } out of local parts ("${" would reach Terraform as an expression).
  fc.emailAddress().filter((a) => noTemplate(a) && !/[{}]/.test(a.slice(0, a.lastIndexOf("@")))),
);
const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,40}[a-z0-9]$/);
/** Levels in hundredths of a percent, from the plausible floor (rate.ts: bounce 0.5 %, complaint 0.01 %) up. */
const percentPair = (floorPercent: number) =>
  fc
    .integer({ min: Math.round(floorPercent * 100) + 1, max: 9999 })
    .chain((critical) =>
      fc.integer({ min: Math.round(floorPercent * 100), max: critical - 1 }).map((warning) => ({ warning: warning / 100, critical: critical / 100 })),
    );
const alarmWindow = fc
  .integer({ min: 1, max: 1440 })
  .chain((k) => fc.integer({ min: 1, max: Math.floor(86400 / (60 * k)) }).map((evaluationPeriods) => ({ periodSeconds: 60 * k, evaluationPeriods })));

/** Transitions S3 accepts: classes down the waterfall, days ascending and past each class's minimum storage. */
const lifecycle = fc
  .record({
    classes: fc.subarray([...STORAGE_CLASSES], { maxLength: 3 }),
    gaps: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 4, maxLength: 4 }),
    abortIncompleteMultipartUploadDays: fc.integer({ min: 1, max: 365 }),
    noncurrentVersionExpirationDays: fc.integer({ min: 1, max: 3650 }),
    transitionMinimumObjectSize: fc.constantFrom("all_storage_classes_128K", "varies_by_storage_class"),
  })
  .map(({ classes, gaps, ...rest }) => {
    const transitions: Array<{ days: number; storageClass: StorageClass }> = [];
    classes.forEach((storageClass, i) => {
      const prev = transitions[i - 1];
      const ia = storageClass === "STANDARD_IA" || storageClass === "ONEZONE_IA" ? 30 : 0;
      const min = prev ? Math.max(ia, prev.days + Math.max(1, MINIMUM_STORAGE_DAYS[prev.storageClass])) : ia;
      transitions.push({ days: min + gaps[i], storageClass });
    });
    const last = transitions[transitions.length - 1];
    const expirationDays = (last ? last.days + Math.max(1, MINIMUM_STORAGE_DAYS[last.storageClass]) : 1) + gaps[3];
    return { transitions, expirationDays, ...rest };
  });
const tagKey = fc.string({ unit: fc.constantFrom(..."abcXYZ019 _.:/=+-@üé日".split("")), minLength: 1, maxLength: 20 });
const backend = fc.oneof(
  fc.constant({ type: "local" }),
  fc.record(
    {
      type: fc.constant("s3"),
      bucket,
      key: lower(10).map((p) => `${p}/{stack}.tfstate`),
      region: fc.constantFrom(...SES_REGIONS),
      useLockfile: fc.boolean(),
      dynamodbTable: fc.stringMatching(/^[A-Za-z0-9_.-]{3,30}$/),
      encrypt: fc.boolean(),
    },
    { requiredKeys: ["type", "bucket", "region"] },
  ),
  fc.record(
    {
      type: fc.constant("cloud"),
      organization: lower(15),
      hostname: fc.constantFrom("app.terraform.io", "tfe.example.com"),
      workspace: fc.constantFrom("{stack}", "ses-{stack}", "{stack}-prod"),
      project: lower(10),
    },
    { requiredKeys: ["type", "organization"] },
  ),
  fc.record({ type: fc.constant("cloud"), organization: lower(15), workspaceTags: fc.uniqueArray(lower(8), { minLength: 1, maxLength: 3 }) }),
);

const validConfig = fc
  .record(
    {
      name: namePrefix,
      accountId,
      regions: fc.uniqueArray(fc.constantFrom(...SES_REGIONS), { minLength: 1, maxLength: 3 }),
      tags: fc.dictionary(tagKey, fc.stringMatching(/^[A-Za-z0-9 _.:/=+@-]{0,40}$/), { maxKeys: 4 }),
      backend,
      alarms: fc.record(
        {
          emails: fc.uniqueArray(address, { minLength: 1, maxLength: 3 }),
          bounceRatePercent: percentPair(PLAUSIBLE_FLOOR.bounce.percent),
          complaintRatePercent: percentPair(PLAUSIBLE_FLOOR.complaint.percent),
          window: alarmWindow,
        },
        { requiredKeys: ["emails"] },
      ),
      archive: fc.record(
        {
          bucketName: bucket,
          bucketPerRegion: fc.boolean(),
          preventDestroy: fc.boolean(),
          versioning: fc.boolean(),
          accessLogging: fc.record({ bucketName: bucket, prefix: fc.stringMatching(/^[a-z0-9/-]{0,20}$/) }, { requiredKeys: ["bucketName"] }),
          eventTypes: fc.subarray([...SES_EVENT_TYPES], { minLength: 1 }),
          bufferingIntervalSeconds: fc.integer({ min: 0, max: 900 }),
          bufferingSizeMiB: fc.integer({ min: 1, max: 128 }),
          lifecycle,
          logRetentionDays: fc.constantFrom(...LOG_RETENTION_DAYS),
        },
        { requiredKeys: [] },
      ),
      configurationSet: fc.record({ name: fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/), requireTls: fc.boolean() }, { requiredKeys: [] }),
      notifications: fc.record(
        {
          enabled: fc.boolean(),
          identities: fc.uniqueArray(fc.oneof(domain, address), { minLength: 1, maxLength: 3 }),
          types: fc.subarray([...NOTIFICATION_TYPES], { minLength: 1 }),
          emails: fc.uniqueArray(address, { maxLength: 2 }),
          includeOriginalHeaders: fc.boolean(),
        },
        { requiredKeys: ["identities"] },
      ),
      encryptArchive: fc.boolean(),
      ownKmsKey: fc.boolean(),
      existingAlarmTopic: fc.boolean(),
      existingConfigurationSet: fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/),
      adoptKeys: fc.subarray(["configurationSet", "deliveryStream", "logGroup", "firehoseRole", "sesRole", "alarmTopic"] as const),
    },
    { requiredKeys: ["accountId", "alarms", "notifications", "encryptArchive", "ownKmsKey", "existingAlarmTopic", "adoptKeys"] },
  )
  .map(({ alarms: { window, ...alarms }, encryptArchive, ownKmsKey, existingAlarmTopic, existingConfigurationSet, adoptKeys, ...cfg }) => {
    // Combine the independent pieces the way the rules allow, so that most configs are accepted.
    const out: Record<string, any> = { ...cfg, alarms: { ...alarms, ...window } };
    const regions = cfg.regions ?? ["us-east-1"];
    const home = regions[0];
    const name = cfg.name ?? "ses-guard";
    const archive = { ...(cfg.archive ?? {}) };
    if (archive.bucketPerRegion && regions.length > 1) delete archive.bucketName;
    out.archive = archive;
    if (encryptArchive && (regions.length === 1 || archive.bucketPerRegion)) {
      out.encryption = {
        archive: true,
        ...(ownKmsKey ? { kmsKeyArns: { [home]: `arn:aws:kms:${home}:${cfg.accountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab` } } : {}),
      };
    }
    if (out.backend?.type === "s3" && regions.length > 1 && !out.backend.key) out.backend.key = "ses-guard/{stack}.tfstate";
    if (out.backend?.type === "cloud" && regions.length > 1 && out.backend.workspace) out.backend.workspace = "{stack}";
    const existing: Record<string, any> = {};
    if (existingAlarmTopic) existing.alarmTopicArns = { [home]: `arn:aws:sns:${home}:${cfg.accountId}:shared-alarms` };
    if (existingConfigurationSet !== undefined) existing.configurationSetName = existingConfigurationSet;
    if (Object.keys(existing).length) out.existing = existing;
    const names = regionNames(name, home, existingConfigurationSet ?? cfg.configurationSet?.name);
    const ids: Record<string, string> = {
      configurationSet: names.configurationSet,
      deliveryStream: `arn:aws:firehose:${home}:${cfg.accountId}:deliverystream/${names.deliveryStream}`,
      logGroup: names.logGroup,
      firehoseRole: names.firehoseRole,
      sesRole: names.sesRole,
      alarmTopic: `arn:aws:sns:${home}:${cfg.accountId}:${names.alarmTopic}`,
    };
    const adopt = adoptKeys
      .filter((k) => !(k === "configurationSet" && existingConfigurationSet !== undefined) && !(k === "alarmTopic" && existingAlarmTopic))
      .map((k) => [k, ids[k]]);
    if (adopt.length) out.adopt = { [home]: Object.fromEntries(adopt) };
    return out;
  });

// ------------------------------------------------------------------ mutations of valid configs (property 1)

/** Every path to a value in a JSON tree, root included. */
function pathsOf(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const paths = [at];
  if (Array.isArray(value)) value.forEach((v, i) => paths.push(...pathsOf(v, [...at, i])));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) paths.push(...pathsOf(v, [...at, k]));
  return paths;
}

type Mutation = "replace" | "delete" | "addKey" | "boundary";
const BOUNDARY: unknown[] = [0, -1, 100, 1e308, -0, 0.5, "", " ", "\n", [], {}, null, true, "x".repeat(300), [null], { "": "" }];

/** One mutation at one path of a valid config: replace the value, delete it, add an unknown key, or put a boundary value. */
function mutate(config: unknown, pick: number, kind: Mutation, payload: unknown, key: string): unknown {
  const root = structuredClone(config) as any;
  const paths = pathsOf(root);
  const at = paths[pick % paths.length];
  const value = kind === "boundary" ? BOUNDARY[pick % BOUNDARY.length] : payload;
  if (at.length === 0) return kind === "addKey" ? { ...root, [key]: payload } : kind === "delete" ? {} : value;
  const parent = at.slice(0, -1).reduce((node, k) => node[k], root);
  const last = at[at.length - 1];
  if (kind === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (kind === "addKey") {
    const target = parent[last];
    if (target && typeof target === "object" && !Array.isArray(target)) target[key] = payload;
    else parent[last] = { [key]: payload };
  } else parent[last] = value;
  return root;
}

const keyName = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("name", "emails", "days", "type", "bucket", "us-east-1", "__proto__", "constructor", "warning", "line\nbreak"),
);

// ------------------------------------------------------------------ tests

let workRoot: string;
beforeAll(() => {
  workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-property-"));
});
afterAll(() => {
  fs.rmSync(workRoot, { recursive: true, force: true });
  const c = counts;
  const p1 = c.jsonValue.accepted + c.jsonValue.rejected + c.mutated.accepted + c.mutated.rejected + c.nonJsonNumbers.accepted + c.nonJsonNumbers.rejected;
  console.log(
    [
      `config property tests, seed ${SEED}: ${p1 + c.generated.runs} property-test cases run`,
      `  loader never crashes: random JSON ${RUNS.jsonValue} (accepted ${c.jsonValue.accepted}), mutated valid configs ${RUNS.mutated} (accepted ${c.mutated.accepted}), NaN/Infinity via the library ${RUNS.nonJsonNumbers} (accepted ${c.nonJsonNumbers.accepted})`,
      `  generated configs: ${c.generated.runs} runs, ${c.generated.accepted} accepted and synthesized (${c.generated.stacks} stacks), ${c.generated.rejected} rejected with a ConfigError`,
      WITH_TERRAFORM
        ? `  terraform validate: ${c.terraform.configs} configs, ${c.terraform.stacks} stacks, ${c.terraform.seconds.toFixed(1)} s; covering ${c.terraform.features.join(", ") || "-"}`
        : "  terraform validate: in the extended tier (npm run test:extended)",
      ...[...knownBugHits].map(([id, n]) => `  known bug (reported, tolerated): ${id}: ${n} inputs`),
    ].join("\n"),
  );
});

describe("property 1: the loader returns or throws one ConfigError line, whatever JSON it gets", () => {
  test(`arbitrary JSON values (${RUNS.jsonValue} runs)`, () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (raw) => void checkLoader(raw, counts.jsonValue)),
      { seed: SEED, numRuns: RUNS.jsonValue },
    );
    expect(counts.jsonValue.rejected).toBeGreaterThan(0);
  });

  test(`valid configs with one mutation: replaced, deleted, unknown key, boundary value (${RUNS.mutated} runs)`, () => {
    fc.assert(
      fc.property(
        validConfig,
        fc.nat(),
        fc.constantFrom<Mutation>("replace", "delete", "addKey", "boundary"),
        fc.jsonValue({ maxDepth: 2 }),
        keyName,
        (config, pick, kind, payload, key) => void checkLoader(JSON.parse(JSON.stringify(mutate(config, pick, kind, payload, key))), counts.mutated),
      ),
      { seed: SEED, numRuns: RUNS.mutated },
    );
    // Both outcomes must be common, or the mutations test nothing.
    expect(counts.mutated.accepted).toBeGreaterThan(RUNS.mutated / 20);
    expect(counts.mutated.rejected).toBeGreaterThan(RUNS.mutated / 4);
  });

  test(`NaN, Infinity and -Infinity from library callers (${RUNS.nonJsonNumbers} runs)`, () => {
    const special = fc.constantFrom(NaN, Infinity, -Infinity);
    fc.assert(
      fc.property(validConfig, fc.nat(), special, (config, pick, value) => {
        // Only number leaves: the values JSON cannot carry, where a number is expected.
        const root = structuredClone(config) as any;
        const numbers = pathsOf(root).filter((p) => p.length > 0 && typeof p.reduce((n: any, k) => n[k], root) === "number");
        if (numbers.length === 0) {
          checkLoader(root, counts.nonJsonNumbers);
          return;
        }
        const at = numbers[pick % numbers.length];
        at.slice(0, -1).reduce((n: any, k) => n[k], root)[at[at.length - 1]] = value;
        expect(checkLoader(root, counts.nonJsonNumbers)).toBe("rejected");
      }),
      { seed: SEED, numRuns: RUNS.nonJsonNumbers },
    );
  });
});

describe("property 2: every generated config parseConfig accepts synthesizes", () => {
  test(`generated configs (${RUNS.generated} runs)`, () => {
    fc.assert(
      fc.property(validConfig, (raw) => {
        counts.generated.runs++;
        let config: SesGuardConfig;
        try {
          config = parseConfig(raw);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          counts.generated.rejected++;
          return;
        }
        const dir = fs.mkdtempSync(path.join(workRoot, "synth-"));
        try {
          const stacks = synthesize(config, path.join(dir, "cdktf.out"), dir);
          expect(stacks.map((s) => path.basename(s))).toEqual(config.regions.map((r) => `${config.name}-${r}`));
          for (const stack of stacks) {
            const json = JSON.parse(fs.readFileSync(path.join(stack, "cdk.tf.json"), "utf8"));
            const alarms = json.resource.aws_cloudwatch_metric_alarm;
            // Percent in the config, fraction in CloudWatch.
            expect(alarms.alarms_bounce_rate_critical.threshold).toBeCloseTo(config.alarms.bounceRatePercent.critical / 100, 12);
            expect(alarms.alarms_complaint_rate_warning.threshold).toBeCloseTo(config.alarms.complaintRatePercent.warning / 100, 12);
          }
          counts.generated.accepted++;
          counts.generated.stacks += stacks.length;
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      { seed: SEED, numRuns: RUNS.generated },
    );
    // The generator must mostly produce valid configs, or this property tests little.
    expect(counts.generated.accepted).toBeGreaterThanOrEqual(RUNS.generated * 0.75);
  }, 120_000);
});

/** A few accepted configs from the same generator and seed, chosen to cover different features. */
function terraformSample(): { configs: SesGuardConfig[]; features: string[] } {
  const accepted: SesGuardConfig[] = [];
  for (const raw of fc.sample(validConfig, { seed: SEED, numRuns: 60 })) {
    try {
      accepted.push(parseConfig(raw));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
    }
  }
  const features = (c: SesGuardConfig) =>
    [
      `backend:${c.backend.type}`,
      `regions:${Math.min(c.regions.length, 2)}`,
      c.notifications.enabled ? "notifications" : "no-notifications",
      c.archive.bucketPerRegion ? "bucket-per-region" : "shared-bucket",
      Object.keys(c.adopt).length ? "adopt" : "",
      c.existing.configurationSetName ? "existing-set" : "",
      Object.keys(c.existing.alarmTopicArns).length ? "existing-topic" : "",
      c.encryption.archive ? "kms-archive" : "",
      c.archive.lifecycle.transitions.length === 0 ? "no-transitions" : `transitions:${c.archive.lifecycle.transitions.length}`,
    ].filter(Boolean);
  const chosen: SesGuardConfig[] = [];
  const covered = new Set<string>();
  while (chosen.length < RUNS.terraformConfigs && accepted.length) {
    // Greedy: the config adding the most features not yet covered (first one on ties, so the choice is stable).
    let best = 0;
    let bestGain = -1;
    accepted.forEach((c, i) => {
      const gain = features(c).filter((f) => !covered.has(f)).length;
      if (gain > bestGain) [best, bestGain] = [i, gain];
    });
    const [c] = accepted.splice(best, 1);
    features(c).forEach((f) => covered.add(f));
    chosen.push(c);
  }
  return { configs: chosen, features: [...covered].sort() };
}

/**
 * The terraform sample runs in the extended tier (`npm run test:extended`, in CI): one validate of seven stacks
 * costs as much CPU as the rest of this file, and npm test keeps to its time. Examples go through terraform in
 * npm test (test/app/integration.test.ts).
 */
const WITH_TERRAFORM = process.env.SES_GUARD_TEST_TIER === "extended";
(WITH_TERRAFORM ? describeTerraform : () => undefined)("property 2: a sample of accepted generated configs passes terraform validate", () => {
  test(`${RUNS.terraformConfigs} generated configs, every stack: terraform init -backend=false and validate`, async () => {
    const started = Date.now();
    const { configs: sample, features } = terraformSample();
    expect(sample).toHaveLength(RUNS.terraformConfigs);
    const stackDirs: string[] = [];
    sample.forEach((config, i) => {
      const dir = path.join(workRoot, `terraform-${i}`);
      fs.mkdirSync(dir);
      for (const stack of synthesize(config, path.join(dir, "cdktf.out"), dir)) stackDirs.push(copyStackToTemp(stack));
    });
    // All stacks are validated in one run (one provider start per provider configuration): import blocks may only
    // live in a root module, so the first stack that has some is the root, and the others are its child modules,
    // their import blocks left out.
    const hasImports = (dir: string) => "import" in JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
    const rootStack = stackDirs.find(hasImports);
    const together = Object.fromEntries(stackDirs.flatMap((d, i) => (d === rootStack ? [] : [[`stack_${i}`, d]])));
    const failures: string[] = [];
    try {
      await initValidateTogether(together, { dropImports: true, rootStack });
    } catch (e) {
      failures.push((e as Error).message);
    }
    expect(failures).toEqual([]);
    counts.terraform = { configs: sample.length, stacks: stackDirs.length, seconds: (Date.now() - started) / 1000, features };
  }, 240_000);
});
