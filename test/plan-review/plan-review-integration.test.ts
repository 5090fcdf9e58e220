// Plan review on real plans: synthesized configs planned with the real aws provider, offline.
//
// Update, replace and delete plans need a prior state, and `terraform apply` cannot run offline,
// so the state is fabricated: a create plan of the base config, its planned values with made-up
// IDs and ARNs for what is only known after apply, references filled in from those, written as a
// v4 state file. Each scenario then synthesizes a changed config and plans it against that state
// with -refresh=false. The "no change" scenario proves the fabricated state matches the base config.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../../modules/app/cli";
import { parseConfig } from "../../modules/app/config";
import { parsePlan, reviewPlan, RiskKind } from "../../modules/plan-review/plan-review";
import { reviewMain } from "../../modules/plan-review/review-cli";
import { copyStackToTemp, describeTerraform, initValidatePlan, PlanJson, terraform } from "../support/terraform";
import { planStacksTogether } from "../support/combined-root";

jest.setTimeout(300_000);

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

/** The base config; no region key, so it holds whether the config says `region` or `regions` (default us-east-1). */
const BASE = {
  name: "ses-guard",
  accountId: ACCOUNT,
  alarms: { emails: ["ops@example.com"] },
  notifications: { identities: ["example.com"], emails: ["bounces-channel@example.slack.com"] },
};
type Config = Record<string, unknown>;

const README_TITLE = "ses-guard-us-east-1";
const DEFAULT_EVENT_TYPES = ["SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY", "RENDERING_FAILURE"];

interface Scenario {
  readonly config: Config;
  /** Every risk kind the plan must raise, and no other. */
  readonly kinds: readonly RiskKind[];
}

const SCENARIOS: Record<string, Scenario> = {
  "no change": { config: BASE, kinds: [] },
  // The complaint warning rises too, but stays below the review level: only said in words (alarm-level-changed, low).
  "threshold raised above review level": {
    config: { ...BASE, alarms: { ...BASE.alarms, bounceRatePercent: { warning: 2, critical: 6 }, complaintRatePercent: { warning: 0.08, critical: 0.1 } } },
    kinds: ["alarm-level-changed", "threshold-above-review-level"],
  },
  "retention shortened": { config: { ...BASE, archive: { lifecycle: { expirationDays: 365 } } }, kinds: ["retention-shortened"] },
  "retention lengthened": { config: { ...BASE, archive: { lifecycle: { expirationDays: 1095 } } }, kinds: ["retention-changed"] },
  "auto-pause and a Slack channel turned on": {
    config: { ...BASE, autoPause: { enabled: true }, chat: { slackChannels: [{ name: "alerts", workspaceId: "T0123ABCDE", channelId: "C0123ABCDEF" }] } },
    kinds: ["auto-pause-added", "chat-channel-added"],
  },
  "BOUNCE removed from archived event types": {
    config: { ...BASE, archive: { eventTypes: DEFAULT_EVENT_TYPES.filter((t) => t !== "BOUNCE") } },
    kinds: ["event-types-lost"],
  },
  // prevent_destroy (on by default) makes Terraform refuse the plan; renaming means turning it off first.
  "bucket renamed": { config: { ...BASE, archive: { bucketName: `ses-guard-archive-${ACCOUNT}`, preventDestroy: false } }, kinds: ["bucket-destroyed"] },
  "notifications removed": { config: { ...BASE, notifications: { enabled: false } }, kinds: ["notifications-removed"] },
  // The README's rendered example: three risks, three settings tables, short.
  "readme example": {
    config: {
      ...BASE,
      alarms: { ...BASE.alarms, bounceRatePercent: { warning: 2, critical: 8 } },
      archive: { eventTypes: DEFAULT_EVENT_TYPES.filter((t) => t !== "COMPLAINT"), lifecycle: { expirationDays: 180 } },
    },
    kinds: ["alarm-level-changed", "event-types-lost", "retention-shortened", "threshold-above-review-level"],
  },
};

// ---------------------------------------------------------------- synthesis

const work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-review-it-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Synthesizes a config and copies its (first) stack to a fresh terraform folder. */
function stackFor(config: Config, label: string): string {
  const out = path.join(work, label.replace(/[^a-z0-9]+/gi, "-"));
  fs.mkdirSync(out, { recursive: true });
  // synthesize returns one folder per stack (or, before multi-region, the folder).
  const dirs = synthesize(parseConfig(config, label), path.join(out, "cdktf.out"), out) as unknown as string | string[];
  return copyStackToTemp(Array.isArray(dirs) ? dirs[0] : dirs);
}

// ---------------------------------------------------------------- state fabrication

type Values = Record<string, unknown>;

interface PlanResourceJson {
  address: string;
  mode: string;
  type: string;
  name: string;
  index?: unknown;
  schema_version: number;
  values: Values;
}

/** A UUID-shaped ID that is the same for the same resource on every run. */
function fakeUuid(seed: string): string {
  let h = 5381;
  for (const ch of seed) h = ((h * 33) ^ ch.charCodeAt(0)) >>> 0;
  const hex = h.toString(16).padStart(8, "0").repeat(4);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const SERVICE_OF_TYPE: Record<string, string> = { cloudwatch: "cloudwatch", kinesis: "firehose", sesv2: "ses", ses: "ses" };

/** A plausible ARN for an attribute only known after apply (references to it must pass ARN validation). */
function madeUpArn(type: string, v: Values, address: string): string {
  const name = String(v.name ?? v.bucket ?? v.alarm_name ?? v.configuration_set_name ?? address);
  switch (type) {
    case "aws_s3_bucket":
      return `arn:aws:s3:::${name}`;
    case "aws_iam_role":
      return `arn:aws:iam::${ACCOUNT}:role/${name}`;
    case "aws_sns_topic":
      return `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
    case "aws_sns_topic_subscription":
      return `arn:aws:sns:${REGION}:${ACCOUNT}:subscription:${address.length.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`;
    case "aws_cloudwatch_log_group":
      return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
    case "aws_cloudwatch_log_stream":
      return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${String(v.log_group_name)}:log-stream:${name}`;
    case "aws_cloudwatch_metric_alarm":
      return `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
    case "aws_kinesis_firehose_delivery_stream":
      return `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/${name}`;
    case "aws_kms_key":
      return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${fakeUuid(address)}`;
    case "aws_kms_alias":
      return `arn:aws:kms:${REGION}:${ACCOUNT}:${name}`;
    case "aws_sesv2_configuration_set":
      return `arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/${name}`;
    default: {
      const service = SERVICE_OF_TYPE[type.split("_")[1]] ?? type.split("_")[1];
      return `arn:aws:${service}:${REGION}:${ACCOUNT}:${type}/${name}`;
    }
  }
}

/** IDs as the provider sets them where other resources use them (a topic's ID is its ARN). */
function madeUpId(type: string, v: Values, address: string): unknown {
  if (type === "aws_kms_key") return fakeUuid(address);
  if (type === "aws_sns_topic" || type === "aws_kinesis_firehose_delivery_stream" || type === "aws_sns_topic_subscription") return v.arn;
  return v.bucket ?? v.name ?? v.alarm_name ?? v.configuration_set_name ?? v.identity ?? address;
}

const isRecord = (v: unknown): v is Values => typeof v === "object" && v !== null && !Array.isArray(v);

class NotAReference extends Error {}

/** Replaces "${type.name.attr}" in a configuration constant with the filled-in value. */
function substitute(value: unknown, lookup: (ref: string) => unknown): unknown {
  if (typeof value === "string") {
    const whole = /^\$\{([^}]+)\}$/.exec(value);
    if (whole) return lookup(whole[1]);
    return value.replace(/\$\{([^}]+)\}/g, (_, ref: string) => String(lookup(ref)));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, lookup));
  return value;
}

/**
 * Fills what after_unknown marks unknown: top-level computed attributes with made-up values,
 * and references (nested too) from the configuration expressions.
 */
function fillUnknowns(target: Values, unknown: unknown, expressions: unknown, lookup: (ref: string) => unknown): void {
  if (!isRecord(unknown)) return;
  for (const [key, u] of Object.entries(unknown)) {
    const expr = isRecord(expressions) ? expressions[key] : undefined;
    if (u === true) {
      if (isRecord(expr) && "constant_value" in expr && Array.isArray(expr.references) && expr.references.length > 0) {
        try {
          target[key] = substitute(expr.constant_value, lookup);
        } catch (e) {
          // An expression, not a plain reference: leave it unknown (null in state).
          if (!(e instanceof NotAReference)) throw e;
        }
      }
    } else if (Array.isArray(u) && Array.isArray(target[key])) {
      (target[key] as unknown[]).forEach((item, i) => {
        if (isRecord(item)) fillUnknowns(item, u[i], Array.isArray(expr) ? expr[i] : undefined, lookup);
      });
    }
  }
}

/** Attribute types and nested block names of a resource type, from `terraform providers schema -json`. */
interface ResourceSchema {
  readonly attributes: ReadonlyMap<string, unknown>;
  readonly blocks: ReadonlySet<string>;
}

/** The empty value of a schema type: "" for strings, false, 0, [] for lists, sets and nested blocks, {} for maps. */
function zeroOf(type: unknown, isBlock: boolean): unknown {
  if (isBlock) return [];
  if (type === "string") return "";
  if (type === "bool") return false;
  if (type === "number") return 0;
  if (Array.isArray(type)) return type[0] === "map" || type[0] === "object" ? {} : [];
  return null;
}

/** Resource schemas of the aws provider the stack pins, read in its folder once it is initialized (while it plans). */
async function providerSchemas(stackDir: string): Promise<Map<string, ResourceSchema>> {
  const stack = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  const res = await terraform(stackDir, ["providers", "schema", "-json"]);
  if (res.code !== 0) throw new Error(`terraform providers schema failed: ${res.stderr}`);
  const all = JSON.parse(res.stdout).provider_schemas["registry.terraform.io/hashicorp/aws"].resource_schemas as Record<
    string,
    { block: { attributes?: Record<string, { type?: unknown }>; block_types?: Record<string, unknown> } }
  >;
  const types = Object.keys(stack.resource ?? {});
  const result = new Map<string, ResourceSchema>();
  for (const type of types) {
    const block = all[type]?.block;
    if (!block) continue;
    result.set(type, {
      attributes: new Map(Object.entries(block.attributes ?? {}).map(([k, a]) => [k, a.type])),
      blocks: new Set(Object.keys(block.block_types ?? {})),
    });
  }
  return result;
}

/** A Terraform v4 state holding what the create plan would have created. */
function stateFromCreatePlan(plan: PlanJson, schemas: ReadonlyMap<string, ResourceSchema>): object {
  const raw = plan as unknown as {
    planned_values: { root_module: { resources: PlanResourceJson[] }; outputs?: Record<string, { value?: unknown }> };
    resource_changes: Array<{ address: string; change: { after_unknown: Values } }>;
    configuration: { root_module: { resources: Array<{ address: string; expressions: Values }>; outputs?: Record<string, { expression: Values }> } };
  };
  const unknownOf = new Map(raw.resource_changes.map((rc) => [rc.address, rc.change.after_unknown]));
  const expressionsOf = new Map(raw.configuration.root_module.resources.map((r) => [r.address, r.expressions]));
  const resources = raw.planned_values.root_module.resources.filter((r) => r.mode === "managed");
  const filled = new Map<string, Values>();

  // Pass 1: every top-level attribute only known after apply gets a value of its schema type
  // (null would break expressions such as `if s.pending_confirmation`, and force replacements).
  for (const r of resources) {
    const v: Values = structuredClone(r.values);
    const unknown = unknownOf.get(r.address) ?? {};
    const schema = schemas.get(r.type);
    for (const [key, u] of Object.entries(unknown)) {
      if (u !== true) continue;
      if (key === "arn" || key.endsWith("_arn")) v[key] = madeUpArn(r.type, v, r.address);
      else if (key === "id")
        continue; // pass 3: it may repeat a reference (S3 sub-resources' ID is the bucket)
      else if (key === "key_id") v[key] = fakeUuid(r.address);
      else if (key === "owner" || key === "owner_id") v[key] = ACCOUNT;
      else if (key === "tags_all") v[key] = { ...(isRecord(v.tags) ? v.tags : {}) };
      else v[key] = zeroOf(schema?.attributes.get(key), schema?.blocks.has(key) ?? false);
    }
    filled.set(r.address, v);
  }
  // Pass 2: references, from the now-known attributes of the resources they point at.
  const lookup = (ref: string): unknown => {
    if (!/^[a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z0-9_]+$/.test(ref)) throw new NotAReference(ref);
    const [type, name, attr] = ref.split(".");
    const values = filled.get(`${type}.${name}`);
    if (!values) throw new Error(`state fabrication: cannot resolve \${${ref}}: no such resource in the plan`);
    // Absent means unknown at create: make one up once, so every reference sees the same value.
    if (!(attr in values)) {
      const address = `${type}.${name}`;
      if (attr === "id") values[attr] = madeUpId(type, values, address);
      else if (attr.endsWith("arn")) values[attr] = madeUpArn(type, values, address);
      else if (attr === "key_id") values[attr] = fakeUuid(address);
      else values[attr] = `${name}-${attr}`;
    }
    return values[attr];
  };
  for (const r of resources) {
    fillUnknowns(filled.get(r.address)!, unknownOf.get(r.address), expressionsOf.get(`${r.type}.${r.name}`), lookup);
  }
  // Pass 3: IDs, from the values now known.
  for (const r of resources) {
    const v = filled.get(r.address)!;
    if (unknownOf.get(r.address)?.id === true && !("id" in v)) v.id = madeUpId(r.type, v, r.address);
  }

  const outputs: Record<string, { value: unknown; type: string }> = {};
  for (const [name, out] of Object.entries(raw.configuration.root_module.outputs ?? {})) {
    // Best effort: an output Terraform cannot match only shows as an output change.
    try {
      const value = raw.planned_values.outputs?.[name]?.value ?? substitute(out.expression.constant_value, lookup);
      if (typeof value === "string") outputs[name] = { value, type: "string" };
    } catch (e) {
      if (!(e instanceof NotAReference)) throw e;
    }
  }
  // One state resource per configuration resource; count and for_each instances carry their key.
  const byResource = new Map<string, { mode: string; type: string; name: string; each?: string; provider: string; instances: object[] }>();
  for (const r of resources) {
    const key = `${r.type}.${r.name}`;
    const entry = byResource.get(key) ?? {
      mode: "managed",
      type: r.type,
      name: r.name,
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [],
    };
    if (r.index !== undefined) entry.each = typeof r.index === "string" ? "map" : "list";
    entry.instances.push({ schema_version: r.schema_version, ...(r.index !== undefined ? { index_key: r.index } : {}), attributes: filled.get(r.address) });
    byResource.set(key, entry);
  }
  return {
    version: 4,
    terraform_version: "1.11.4",
    serial: 1,
    lineage: "5e5a9a7d-0000-4000-8000-5e5a9a7d0001",
    outputs,
    resources: [...byResource.values()],
  };
}

// ---------------------------------------------------------------- plans

/**
 * The base stack planned from nothing, and the state it would leave behind. Planned in its own
 * synthesized folder, synthesized again between init and plan as a user does: plan then runs
 * without a new init only because the re-synth kept .terraform/, the lock file and the override files.
 */
async function basePlan(): Promise<{ plan: PlanJson; state: string; resynthesizedAfterInit: boolean }> {
  const out = path.join(work, "base");
  fs.mkdirSync(out, { recursive: true });
  const synth = () => synthesize(parseConfig(BASE, "base"), path.join(out, "cdktf.out"), out)[0];
  const dir = synth();
  let resynthesizedAfterInit = false;
  let schemas: Promise<Map<string, ResourceSchema>> | undefined;
  const afterInit = () => {
    resynthesizedAfterInit = synth() === dir;
    schemas = providerSchemas(dir);
    schemas.catch(() => undefined); // awaited below
  };
  // Validated by the examples' integration test; plan validates too.
  const plan = await initValidatePlan(dir, { backend: false, validate: false, afterInit });
  return { plan, state: JSON.stringify(stateFromCreatePlan(plan, await schemas!), null, 1), resynthesizedAfterInit };
}

const moduleName = (scenario: string) =>
  scenario
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");

/**
 * Plans every scenario's config against its own copy of the base state, in one terraform run
 * (a child module each): one provider start instead of one per scenario.
 */
async function scenarioPlans(state: string): Promise<Map<string, PlanJson>> {
  const names = Object.keys(SCENARIOS);
  const stacks = Object.fromEntries(names.map((name) => [moduleName(name), stackFor(SCENARIOS[name].config, name)]));
  const combined = await planStacksTogether(stacks, { priorState: JSON.parse(state), validate: false });
  return new Map(names.map((name) => [name, combined.module(moduleName(name))]));
}

const kindsOf = (plan: PlanJson): string[] => [...new Set(reviewPlan(parsePlan(plan, "plan")).risks.map((r) => r.kind))].sort();

describeTerraform("plan review on real offline plans", () => {
  let base: Awaited<ReturnType<typeof basePlan>>;
  const plans = new Map<string, Promise<PlanJson>>();
  const started = Date.now();

  beforeAll(async () => {
    base = await basePlan();
    const all = scenarioPlans(base.state);
    all.catch(() => undefined); // reported by the tests that await it
    for (const name of Object.keys(SCENARIOS))
      plans.set(
        name,
        all.then((m) => m.get(name)!),
      );
    await Promise.allSettled(plans.values());
    if (process.env.SES_GUARD_REVIEW_DUMP) {
      // For the README example and for eyeballing: SES_GUARD_REVIEW_DUMP=/tmp/reviews npx jest plan-review-integration
      fs.mkdirSync(process.env.SES_GUARD_REVIEW_DUMP, { recursive: true });
      const dump = async (name: string, plan: PlanJson) => {
        const file = path.join(process.env.SES_GUARD_REVIEW_DUMP!, name.replace(/[^a-z0-9]+/gi, "-"));
        fs.writeFileSync(`${file}.json`, JSON.stringify(plan, null, 1));
        const title = name === "readme example" ? README_TITLE : undefined;
        fs.writeFileSync(`${file}.md`, reviewPlan(parsePlan(plan, name), { title }).markdown);
      };
      await dump("create", base.plan);
      for (const [name, p] of plans) await p.then((plan) => dump(name, plan)).catch(() => undefined);
    }
    console.log(`plan review integration: ${Object.keys(SCENARIOS).length + 1} real plans in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  test("a re-synth between terraform init and plan needs no new init (the base plan ran that way)", () => {
    expect(base.resynthesizedAfterInit).toBe(true);
  });

  test("the create plan of the base config raises only the notification-topic flags (SES keeps one topic per identity) and counts every resource as a create", () => {
    const review = reviewPlan(parsePlan(base.plan, "create"));
    expect(review.risks.map((r) => [r.level, r.kind, r.address])).toEqual([
      ["medium", "notification-topic-overwritten", 'aws_ses_identity_notification_topic.notifications_identities["example.com/Bounce"]'],
      ["medium", "notification-topic-overwritten", 'aws_ses_identity_notification_topic.notifications_identities["example.com/Complaint"]'],
    ]);
    expect(review.risks[0].reason).toContain(
      "sending `example.com`'s Bounce notifications to SNS topic `ses-guard-notifications` replaces any topic already set outside this state",
    );
    // Without --title the heading names the stack.
    expect(review.markdown.split("\n")[0]).toBe("### ses-guard plan review: `ses-guard-us-east-1`");
    expect(review.markdown).toContain("| create | `ses-guard-archive-data-freshness` | `DeliveryToS3.DataFreshness` | 900 s | `ses-guard-alarms` |");
    expect(review.markdown).toContain("| create | `ses-guard-archive-delivery-success` | `DeliveryToS3.Success` | 100 % | `ses-guard-alarms` |");
    expect(review.counts).toMatchObject({ update: 0, replace: 0, delete: 0, import: 0, unchanged: 0 });
    expect(review.counts.create).toBeGreaterThanOrEqual(20);
    // Names known only after apply are resolved through the configuration's references.
    expect(review.markdown).toContain("| create | `ses-guard-bounce-rate-critical` | bounce rate | 5 % | `ses-guard-alarms` |");
    expect(review.markdown).toContain("| create | `example.com` | Bounce | `ses-guard-notifications` | yes |");
    expect(review.markdown).not.toContain("known after apply");
  });

  test("the fabricated state matches the base config: planning it again changes nothing", async () => {
    const plan = parsePlan(await plans.get("no change")!, "no change");
    expect(plan.changes.filter((c) => c.kind !== "no-op").map((c) => `${c.address} ${c.kind}`)).toEqual([]);
    const review = reviewPlan(plan);
    expect(review.counts).toEqual({
      create: 0,
      update: 0,
      replace: 0,
      delete: 0,
      import: 0,
      unchanged: reviewPlan(parsePlan(base.plan, "b")).counts.create,
      other: {},
    });
    expect(review.markdown).toContain("No risks found.");
    expect(review.markdown).toContain("No changes.");
  });

  test.each(Object.keys(SCENARIOS))("%s: raises exactly the expected risk kinds", async (name) => {
    expect(kindsOf(await plans.get(name)!)).toEqual([...SCENARIOS[name].kinds].sort());
  });

  test("threshold raised: the bounce critical alarm is flagged with both percents, the complaint warning (still below review) is not", async () => {
    const review = reviewPlan(parsePlan(await plans.get("threshold raised above review level")!, "t"));
    expect(review.risks.filter((r) => r.level !== "low")).toHaveLength(1);
    expect(review.risks[0]).toMatchObject({ level: "high", address: expect.stringMatching(/^aws_cloudwatch_metric_alarm\./) });
    expect(review.risks[0].reason).toContain("raised from 5 % to 6 %");
    // Every other level that moves is said in words, the account's and the configuration set's own.
    expect(review.risks.filter((r) => r.kind === "alarm-level-changed").map((r) => r.reason)).toEqual([
      "Alarm `ses-guard-complaint-rate-warning` on the account's complaint rate: level 0.05 % → 0.08 %, so it fires later (AWS reviews an account at 0.1 %).",
      "Alarm `ses-guard-configuration-set-bounce-rate-critical` on the bounce rate of configuration set `ses-guard`: level 5 % → 6 %, so it fires later (AWS reviews an account at 5 %).",
      "Alarm `ses-guard-configuration-set-complaint-rate-warning` on the complaint rate of configuration set `ses-guard`: level 0.05 % → 0.08 %, so it fires later (AWS reviews an account at 0.1 %).",
    ]);
    expect(review.markdown).toContain("| update | `ses-guard-bounce-rate-critical` | bounce rate | 5 % → 6 % | `ses-guard-alarms` |");
    expect(review.markdown).toContain("| update | `ses-guard-complaint-rate-warning` | complaint rate | 0.05 % → 0.08 % | `ses-guard-alarms` |");
    // The configuration set's own alarms follow the account's levels, and the dashboard draws them: three more updates, no more risks.
    expect(review.counts).toMatchObject({ create: 0, update: 5, replace: 0, delete: 0 });
  });

  test("retention shortened: the lifecycle update is flagged with old and new expiration", async () => {
    const review = reviewPlan(parsePlan(await plans.get("retention shortened")!, "r"));
    expect(review.risks).toEqual([
      expect.objectContaining({ kind: "retention-shortened", level: "high", address: expect.stringMatching(/^aws_s3_bucket_lifecycle_configuration\./) }),
    ]);
    expect(review.risks[0].reason).toContain("expire after 365 days (they expired after 730 days)");
    expect(review.markdown).toMatch(
      /\| update \| `ses-guard-events-123456789012-us-east-1` \| `archive-tiering-and-expiration` enabled \| 30 d `STANDARD_IA`, 90 d `GLACIER_IR` \| 730 d → 365 d \|/,
    );
  });

  test("BOUNCE removed: the event destination update is flagged and the table says what was removed", async () => {
    const review = reviewPlan(parsePlan(await plans.get("BOUNCE removed from archived event types")!, "b"));
    expect(review.risks).toEqual([expect.objectContaining({ kind: "event-types-lost", level: "high" })]);
    expect(review.risks[0].reason).toContain("`BOUNCE`");
    expect(review.markdown).toContain("(removed: `BOUNCE`)");
  });

  test("bucket renamed: the bucket is replaced because its name changed; IAM policies naming the new bucket are not 'widened'", async () => {
    const plan = parsePlan(await plans.get("bucket renamed")!, "rename");
    const bucket = plan.changes.find((c) => c.type === "aws_s3_bucket")!;
    expect(bucket.kind).toBe("replace");
    expect(bucket.replacePaths).toContainEqual(["bucket"]);
    const review = reviewPlan(plan);
    expect(review.risks).toEqual([expect.objectContaining({ kind: "bucket-destroyed", level: "high", address: bucket.address })]);
    expect(review.risks[0].reason).toContain("Event archive bucket `ses-guard-events-123456789012-us-east-1`");
    expect(review.risks[0].reason).toContain("`bucket` cannot change in place");
    expect(review.counts.replace).toBeGreaterThanOrEqual(1);
    expect(plan.changes.filter((c) => c.type === "aws_iam_role_policy" && c.kind === "update").length).toBeGreaterThan(0);
  });

  test("notifications removed: both identity notification topics are deleted and flagged", async () => {
    const review = reviewPlan(parsePlan(await plans.get("notifications removed")!, "n"));
    expect(review.risks.map((r) => [r.kind, r.level])).toEqual([
      ["notifications-removed", "medium"],
      ["notifications-removed", "medium"],
    ]);
    expect(review.risks.map((r) => r.reason).join("\n")).toMatch(/Bounce notifications for `example.com` to SNS topic `ses-guard-notifications`/);
    expect(review.counts.delete).toBeGreaterThanOrEqual(5);
    expect(review.markdown).toContain("| delete | `example.com` | Bounce | `ses-guard-notifications` | yes |");
  });

  test("retention lengthened: said in words, before → after, and no risk above low", async () => {
    const review = reviewPlan(parsePlan(await plans.get("retention lengthened")!, "l"));
    expect(review.risks.map((r) => [r.level, r.kind, r.reason])).toEqual([
      ["low", "retention-changed", "Retention of `ses-guard-events-123456789012-us-east-1`: objects expire after 730 days → after 1095 days."],
    ]);
  });

  test("auto-pause and a Slack channel turned on: the pause names what it stops, where, and how to resume; the channel names itself", async () => {
    const review = reviewPlan(parsePlan(await plans.get("auto-pause and a Slack channel turned on")!, "p"));
    expect(review.risks.map((r) => [r.level, r.kind, r.reason])).toEqual([
      [
        "low",
        "auto-pause-added",
        "Automatic pause turned on: when a critical reputation alarm goes to ALARM, runbook `ses-guard-pause-sending` pauses mail sent with configuration set `ses-guard`; sending stays off until someone runs runbook `ses-guard-resume-sending`.",
      ],
      [
        "low",
        "chat-channel-added",
        "Slack channel `C0123ABCDEF` in workspace `T0123ABCDE` (configuration `ses-guard-us-east-1-alerts`) is added: everyone in it reads the alarms and the SES events, with the recipients' addresses, subjects and senders.",
      ],
    ]);
  });

  test("the estimated fixed cost follows the plan: the dashboard, key and alarms the base stack creates", async () => {
    const review = reviewPlan(parsePlan(base.plan, "create"));
    expect(review.markdown).toMatch(
      /#### Estimated fixed cost\n\n0\.00 USD → \d+\.\d\d USD a month: \d+ alarm metrics \d+\.\d\d USD, 1 dashboard 3\.00 USD, 1 KMS key 1\.00 USD\./,
    );
    const unchanged = reviewPlan(parsePlan(await plans.get("no change")!, "n")).markdown;
    expect(unchanged).toMatch(/#### Estimated fixed cost\n\n\d+\.\d\d USD a month, unchanged: /);
  });

  test("the same plan gives the same bytes, whatever the order of resource_changes", async () => {
    const plan = (await plans.get("readme example")!) as unknown as { resource_changes: unknown[] };
    const shuffled = { ...plan, resource_changes: [...plan.resource_changes].reverse() };
    const a = reviewPlan(parsePlan(plan, "a")).markdown;
    expect(reviewPlan(parsePlan(shuffled, "b")).markdown).toBe(a);
    expect(reviewPlan(parsePlan(JSON.parse(JSON.stringify(plan)), "c")).markdown).toBe(a);
  });

  test("the CLI gates on --fail-on with a real plan file and still prints the summary", async () => {
    const file = path.join(work, "readme-plan.json");
    fs.writeFileSync(file, JSON.stringify(await plans.get("readme example")!));
    const run = (argv: string[]) => {
      let out = "";
      const err: string[] = [];
      const code = reviewMain(argv, {
        out: (t) => (out += t),
        err: (l) => err.push(l),
        readStdin: () => undefined,
        readFile: (f) => fs.readFileSync(f, "utf8"),
      });
      return { code, out, err };
    };
    const high = run([file, "--fail-on=high"]);
    expect(high.code).toBe(1);
    expect(high.out).toContain("#### Risks (4)");
    expect(high.err).toEqual([expect.stringContaining("3 risk(s) at or above high")]);
    expect(run([file]).code).toBe(0);
    const noChange = path.join(work, "no-change-plan.json");
    fs.writeFileSync(noChange, JSON.stringify(await plans.get("no change")!));
    expect(run([noChange, "--fail-on=low"]).code).toBe(0);
  });

  test("docs/reviewing-plans.md's rendered example is what the review prints for its scenario", async () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "reviewing-plans.md"), "utf8");
    const quoted = /<!-- review-example:start -->\n([\s\S]*?)\n<!-- review-example:end -->/.exec(readme)?.[1];
    expect(quoted).toBeDefined();
    const example = quoted!.split("\n").map((l) => l.replace(/^> ?/, ""));
    const generated = reviewPlan(parsePlan(await plans.get("readme example")!, "readme"), { title: README_TITLE }).markdown.split("\n");
    // Line by line, in order. The unchanged count and the Terraform version footer may move with the
    // stack and the Terraform used; everything the example shows must still be printed as shown.
    // Regenerate: SES_GUARD_REVIEW_DUMP=/tmp/reviews npx jest test/plan-review/plan-review-integration.test.ts (readme-example.md).
    const comparable = (l: string) => l.replace(/; \d+ unchanged\.$/, "").replace(/^<sub>Terraform [^,]+,/, "<sub>Terraform,");
    let at = 0;
    for (const line of example) {
      const found = generated.findIndex((g, i) => i >= at && comparable(g) === comparable(line));
      expect([line, found >= 0]).toEqual([line, true]);
      at = found + 1;
    }
  });
});
