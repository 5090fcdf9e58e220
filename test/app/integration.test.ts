// Every example config, synthesized and run through real terraform init, validate and an offline plan.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  archiveBucketFor,
  catalogFor,
  chatEnabled,
  notificationIdentitiesFor,
  parseConfig,
  queryableDays,
  SesGuardConfig,
  SesRegion,
} from "../../modules/app/config";
import { synthesize } from "../../modules/app/cli";
import { logicalIdSegment } from "../../modules/shared/logical-id";
import { sesEventTypeOf } from "../../modules/shared/ses-chat-events";
import { EVENT_DESTINATION_NAME } from "../../modules/doctor/target";
import { writeTerraformModule } from "../../modules/terraform-module/terraform-module";
import { literalOnlyFeatures, moduleInputs } from "../support/module-inputs";
import {
  copyStackToTemp,
  describeTerraform,
  initValidate,
  plannedResources,
  PlanJson,
  PlannedResource,
  resourcesOfType,
  sharedDir,
} from "../support/terraform";
import { planStacksTogether } from "../support/combined-root";
import { exampleConfigs } from "../support/files";

jest.setTimeout(300_000);

const examplesDir = path.join(__dirname, "..", "..", "examples");
/**
 * Examples the plain module builds too, planned both ways in one run: between them, every module
 * input takes at least two values (a test below checks), so every feature is compared.
 */
const PARITY_EXAMPLES = ["default.json", "full.json", "notifications-off.json", "own-key.json"];
/**
 * `npm test` plans the parity examples (three provider configurations); the extended tier
 * (`npm run test:extended`, in CI) plans every example. Each provider configuration costs two
 * provider starts per plan, so every example (ten configurations) costs about as much as the rest of
 * this suite.
 */
const EVERY_EXAMPLE = process.env.SES_GUARD_TEST_TIER === "extended";
const examples = exampleConfigs(examplesDir).filter((f) => EVERY_EXAMPLE || PARITY_EXAMPLES.includes(f));

function one(plan: PlanJson, type: string, name: string): PlannedResource {
  const found = resourcesOfType(plan, type).find((r) => r.name === name);
  if (!found) throw new Error(`${type}.${name} not in plan`);
  return found;
}

interface Statement {
  Effect: string;
  Principal?: { Service?: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
const statements = (json: unknown): Statement[] => JSON.parse(String(json)).Statement;

test("there are at least the minimal, full and notifications-off examples", () => {
  expect(exampleConfigs(examplesDir)).toEqual(
    expect.arrayContaining(["minimal.json", "full.json", "notifications-off.json", "default.json", ...PARITY_EXAMPLES]),
  );
});

interface StackPlan {
  config: SesGuardConfig;
  region: SesRegion;
  stackDir: string;
  /** Absent where the config cannot plan offline: import blocks read the real resource. */
  plan?: PlanJson;
  /** The plain module given the same inputs, planned in the same run; absent where it has no inputs for a feature used. */
  modulePlan?: PlanJson;
}

const cases = examples.flatMap((file) => {
  const config = parseConfig(JSON.parse(fs.readFileSync(path.join(examplesDir, file), "utf8")), file);
  return config.regions.map((region, index) => ({
    file,
    region,
    index,
    config,
    module: `${file.replace(/\.json$/, "")}_${region}`.replace(/[^a-z0-9]+/g, "_"),
    // A remote backend needs credentials, but the combined plan replaces every stack's backend with a local one.
    validateOnly: Boolean(config.adopt[region]),
    literalOnly: literalOnlyFeatures(config, region),
  }));
});
/** Chat relays SES events with `chat.enabled`, or when a channel is listed (modules/app/config.ts). */
const chatOn = (config: SesGuardConfig) => chatEnabled(config);

const moduleCases = cases.filter((c) => PARITY_EXAMPLES.includes(c.file) && c.index === 0);

/**
 * A root that calls the generated module with the inputs for one region of a config, and the
 * stack's own provider block (so the combined plan shares one provider between the two).
 */
function moduleCall(dir: string, stackDir: string, moduleDir: string, config: SesGuardConfig, region: SesRegion): string {
  const stack = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  fs.mkdirSync(dir, { recursive: true });
  // writeCombinedRoot puts each child at <shared>/combined-*/<name>: the module sits two levels up.
  const source = `../../${path.basename(moduleDir)}`;
  const json = {
    terraform: { required_providers: stack.terraform.required_providers },
    provider: stack.provider,
    module: { ses_guard: { source, ...moduleInputs(config, region) } },
  };
  fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(json));
  return dir;
}

/**
 * Synthesizes every example; plans all plannable stacks together (one root, a child module each:
 * one provider start per terraform command instead of one per stack), and runs
 * init -backend=false + validate on those with import blocks in their own folders. Plan validates too,
 * so the combined root is not validated separately (a provider start saved).
 */
async function runExamples(): Promise<Map<string, StackPlan>> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-it-"));
  try {
    const stackDirs = new Map<string, string>();
    for (const file of examples) {
      const config = cases.find((c) => c.file === file)!.config;
      const dirs = synthesize(config, path.join(work, file, "cdktf.out"), path.join(work, file));
      config.regions.forEach((region, i) => stackDirs.set(`${file}/${region}`, copyStackToTemp(dirs[i])));
    }
    const plannable = cases.filter((c) => !c.validateOnly);
    const moduleDir = fs.mkdtempSync(path.join(sharedDir(), "module-"));
    moduleDirs.push(moduleDir);
    writeTerraformModule(moduleDir);
    const roots = Object.fromEntries([
      ...plannable.map((c) => [c.module, stackDirs.get(`${c.file}/${c.region}`)!]),
      ...moduleCases.map((c) => [
        `${c.module}_as_module`,
        moduleCall(path.join(work, `${c.module}_as_module`), stackDirs.get(`${c.file}/${c.region}`)!, moduleDir, c.config, c.region),
      ]),
    ]);
    const [combined] = await Promise.all([
      planStacksTogether(roots, { validate: false }),
      // An example's stacks differ only by region: init -backend=false + validate its first; the rest are checked as JSON.
      ...cases.filter((c) => c.validateOnly && c.index === 0).map((c) => initValidate(stackDirs.get(`${c.file}/${c.region}`)!)),
    ]);
    return new Map(
      cases.map((c) => [
        `${c.file}/${c.region}`,
        {
          config: c.config,
          region: c.region,
          stackDir: stackDirs.get(`${c.file}/${c.region}`)!,
          plan: c.validateOnly ? undefined : combined.module(c.module),
          modulePlan: moduleCases.includes(c) ? combined.module(`${c.module}_as_module`) : undefined,
        },
      ]),
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const moduleDirs: string[] = [];
afterAll(() => moduleDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/**
 * A module resource instance's address as the stack writes it: the module's counted resources are
 * `[0]`, and its e-mail subscriptions one `for_each` resource where the stack has one per address.
 */
function stackAddress(moduleAddress: string): string {
  const address = moduleAddress.replace(/^module\.ses_guard\./, "").replace(/\[0\]$/, "");
  const subscription = /^((?:aws_sns_topic_subscription|aws_chatbot_(?:slack|teams)_channel_configuration)\.\w+)\[(".*")\]$/.exec(address);
  return subscription ? `${subscription[1]}_${logicalIdSegment(JSON.parse(subscription[2]))}` : address;
}

/** A planned change without `tags`: the module sets them on each resource, the stack through default_tags (tags_all is compared). */
function comparableChange(change: { after?: unknown; after_unknown?: unknown; actions: string[] }) {
  const drop = (v: unknown) => {
    const { tags: _, ...rest } = (v ?? {}) as Record<string, unknown>;
    return rest;
  };
  return { actions: change.actions, after: drop(change.after), after_unknown: drop(change.after_unknown) };
}

describeTerraform("examples plan offline with the real aws provider", () => {
  let results: Promise<Map<string, StackPlan>>;
  beforeAll(() => {
    results = runExamples();
    results.catch(() => undefined); // reported by each case's beforeAll
  });

  test("the parity examples give every module input two values or more, and use nothing the module leaves out", () => {
    expect(moduleCases.map((c) => c.file).sort()).toEqual([...PARITY_EXAMPLES].sort());
    expect(moduleCases.flatMap((c) => c.literalOnly)).toEqual([]);
    const inputs = moduleCases.map((c) => moduleInputs(c.config, c.region));
    const oneValue = Object.keys(inputs[0]).filter((name) => new Set(inputs.map((i) => JSON.stringify(i[name]))).size < 2);
    expect(oneValue).toEqual([]);
  });

  describe.each(moduleCases)("$file $region, built by the plain module from the same inputs", ({ file, index }) => {
    test("plans the same resources at the same addresses, value for value", async () => {
      const { plan, modulePlan } = (await planned.get(file)!)[index];
      const fromStack = new Map((plan!.resource_changes ?? []).filter((r) => r.mode === "managed").map((r) => [r.address, comparableChange(r.change)]));
      const fromModule = new Map(
        (modulePlan!.resource_changes ?? []).filter((r) => r.mode === "managed").map((r) => [stackAddress(r.address), comparableChange(r.change)]),
      );
      expect([...fromModule.keys()].sort()).toEqual([...fromStack.keys()].sort());
      for (const [address, change] of fromStack) expect([address, fromModule.get(address)]).toEqual([address, change]);
    });
  });
  const planned = { get: (file: string) => results.then((all) => cases.filter((c) => c.file === file).map((c) => all.get(`${c.file}/${c.region}`)!)) };

  // Only in the extended tier: the parity examples have no import blocks and a local backend.
  const eachOf = <T extends object>(rows: T[]) => (rows.length ? describe.each(rows) : (_name: string, _fn: (row: T) => void) => undefined);
  eachOf(cases.filter((c) => c.validateOnly))("$file $region (init -backend=false + validate)", ({ file, index }) => {
    test("terraform init -backend=false and validate pass", async () => {
      const { config, region, stackDir } = (await planned.get(file)!)[index];
      const json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
      expect(json.import.length).toBe(Object.keys(config.adopt[region]!).length);
    });
  });

  eachOf(cases.filter((c) => c.config.backend.type !== "local"))("$file $region: the remote backend", ({ file, index }) => {
    test("is the one the config names (the plan above ran with it replaced by a local one)", async () => {
      const { config, stackDir } = (await planned.get(file)!)[index];
      const json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
      if (config.backend.type === "cloud") expect(json.terraform.cloud.organization).toBe(config.backend.organization);
      else if (config.backend.type === "s3") expect(json.terraform.backend.s3.bucket).toBe(config.backend.bucket);
      else throw new Error(`no check for backend ${config.backend.type}`);
    });
  });

  describe.each(cases.filter((c) => !c.validateOnly))("$file $region", ({ file, index }) => {
    let config: SesGuardConfig;
    let region: SesRegion;
    let plan: PlanJson;
    let bucket: ReturnType<typeof archiveBucketFor>;

    beforeAll(async () => {
      const stack = (await planned.get(file)!)[index];
      ({ config, region } = stack);
      plan = stack.plan!;
      bucket = archiveBucketFor(config, region);
    });

    test("reputation alarms use AWS/SES metrics with fractional thresholds", () => {
      const alarms = resourcesOfType(plan, "aws_cloudwatch_metric_alarm");
      const expected = [
        ["alarms_bounce_rate_warning", "Reputation.BounceRate", config.alarms.bounceRatePercent.warning],
        ["alarms_bounce_rate_critical", "Reputation.BounceRate", config.alarms.bounceRatePercent.critical],
        ["alarms_complaint_rate_warning", "Reputation.ComplaintRate", config.alarms.complaintRatePercent.warning],
        ["alarms_complaint_rate_critical", "Reputation.ComplaintRate", config.alarms.complaintRatePercent.critical],
      ] as const;
      expect(
        alarms
          .map((a) => a.name)
          .filter((n) => n.startsWith("alarms_"))
          .sort(),
      ).toEqual(expected.map(([n]) => n).sort());
      for (const [name, metric, percent] of expected) {
        const v = one(plan, "aws_cloudwatch_metric_alarm", name).values;
        expect(v).toMatchObject({
          namespace: "AWS/SES",
          metric_name: metric,
          comparison_operator: "GreaterThanOrEqualToThreshold",
          treat_missing_data: "ignore",
          actions_enabled: true,
          period: config.alarms.periodSeconds,
          evaluation_periods: config.alarms.evaluationPeriods,
        });
        expect(v.threshold).toBeCloseTo(percent / 100, 12);
        expect(v.threshold as number).toBeLessThan(1);
        const existing = config.existing.alarmTopicArns[region];
        if (existing) expect(v.alarm_actions).toEqual([existing]);
      }
      // A brought topic is referenced, not created.
      expect(resourcesOfType(plan, "aws_sns_topic").some((t) => t.name === "alarms_topic")).toBe(!config.existing.alarmTopicArns[region]);
    });

    test("the archive watches itself: Firehose freshness and delivery success alarms notify the alarm topic", () => {
      const freshness = one(plan, "aws_cloudwatch_metric_alarm", "archive_alarms_data_freshness").values;
      expect(freshness).toMatchObject({
        namespace: "AWS/Firehose",
        metric_name: "DeliveryToS3.DataFreshness",
        comparison_operator: "GreaterThanThreshold",
        threshold: Math.max(config.archive.bufferingIntervalSeconds, 60),
        dimensions: { DeliveryStreamName: `${config.name}-events` },
        actions_enabled: true,
      });
      const success = one(plan, "aws_cloudwatch_metric_alarm", "archive_alarms_delivery_success").values;
      expect(success).toMatchObject({ metric_name: "DeliveryToS3.Success", comparison_operator: "LessThanThreshold", threshold: 1 });
      const topic = config.existing.alarmTopicArns[region];
      if (topic) expect(success.alarm_actions).toEqual([topic]);
      else {
        // Our topic's ARN is unknown until apply: the plan's configuration shows the reference instead.
        const resources = (plan.configuration as { root_module: { resources: Array<{ address: string; expressions: any }> } }).root_module.resources;
        for (const name of ["archive_alarms_delivery_success", "archive_alarms_data_freshness"]) {
          const expr = resources.find((r) => r.address === `aws_cloudwatch_metric_alarm.${name}`)!.expressions;
          expect(expr.alarm_actions.references).toContain("aws_sns_topic.alarms_topic.arn");
        }
      }
    });

    test("first apply: the plan orders what AWS checks at create after the permission it checks", () => {
      type Configured = { address: string; depends_on?: string[]; expressions: Record<string, any> };
      const resources = (plan.configuration as { root_module: { resources: Configured[] } }).root_module.resources;
      const at = (address: string) => resources.find((r) => r.address === address)!;
      const refs = (value: unknown): string =>
        JSON.stringify(value)
          .match(/"references":\[[^\]]*\]/g)
          ?.join() ?? "";
      // SES role and policy -> stream (its create waits until ACTIVE) -> event destination, which SES
      // checks by assuming the role: the role is never seconds old then.
      expect(at("aws_kinesis_firehose_delivery_stream.delivery_stream").depends_on).toEqual(
        expect.arrayContaining(["aws_iam_role_policy.delivery_stream_role_policy", "aws_iam_role_policy.event_publishing_role_policy"]),
      );
      const destination = at("aws_sesv2_configuration_set_event_destination.event_publishing_event_destination");
      expect(destination.depends_on).toEqual(["aws_iam_role_policy.event_publishing_role_policy"]);
      expect(refs(destination.expressions)).toContain("aws_kinesis_firehose_delivery_stream.delivery_stream.arn");
      // SES checks it may publish when a notification topic is set: our topic policy comes first.
      const topics = at("aws_ses_identity_notification_topic.notifications_identities");
      if (topics && !config.existing.notificationTopicArns[region]) {
        expect(topics.depends_on).toEqual(["aws_sns_topic_policy.notifications_policy"]);
      }
    });

    test("the event destination is explicitly enabled and sends the configured events to Firehose", () => {
      const destinations = resourcesOfType(plan, "aws_sesv2_configuration_set_event_destination");
      // The archive's destination, and with chat a second one to the default event bus (the chat relay's rules read it).
      expect(destinations.map((d) => d.values.event_destination_name).sort()).toEqual(
        chatOn(config) ? [EVENT_DESTINATION_NAME, "events-to-eventbridge"] : [EVENT_DESTINATION_NAME],
      );
      const dest = destinations.filter((d) => d.values.event_destination_name === EVENT_DESTINATION_NAME);
      const ed = (dest[0].values.event_destination as Array<Record<string, unknown>>)[0];
      expect(ed.enabled).toBe(true);
      expect([...(ed.matching_event_types as string[])].sort()).toEqual([...config.archive.eventTypes].sort());
      expect(ed.kinesis_firehose_destination).toHaveLength(1);
      const sets = resourcesOfType(plan, "aws_sesv2_configuration_set");
      if (config.existing.configurationSetName) {
        expect(sets).toHaveLength(0);
        expect(dest[0].values.configuration_set_name).toBe(config.existing.configurationSetName);
        return;
      }
      expect(sets[0].values.configuration_set_name).toBe(config.configurationSet.name ?? config.name);
      expect(sets[0].values.reputation_options).toEqual([expect.objectContaining({ reputation_metrics_enabled: true })]);
    });

    test("with chat channels, the SES events the chat relays reach the default event bus", () => {
      const bridge = resourcesOfType(plan, "aws_sesv2_configuration_set_event_destination").find(
        (d) => d.values.event_destination_name === "events-to-eventbridge",
      );
      if (!chatOn(config)) {
        expect(bridge).toBeUndefined();
        return;
      }
      const ed = (bridge!.values.event_destination as Array<Record<string, unknown>>)[0];
      expect(ed.enabled).toBe(true);
      expect([...(ed.matching_event_types as string[])].sort()).toEqual([...new Set(config.chat.sesEventTypes.map(sesEventTypeOf))].sort());
      expect(ed.event_bridge_destination).toEqual([{ event_bus_arn: `arn:aws:events:${region}:${config.accountId}:event-bus/default` }]);
    });

    test("the archive bucket is private, encrypted, TLS-only and has the configured lifecycle", () => {
      const stream = one(plan, "aws_kinesis_firehose_delivery_stream", "delivery_stream").values;
      const s3 = (stream.extended_s3_configuration as Array<Record<string, unknown>>)[0];
      if (!bucket.created || bucket.home !== region) {
        // Someone else's bucket (the user's, or the home region's shared one): written to across regions, never created here.
        // (With investigation, the home stack of the user's bucket does create the Athena results bucket.)
        expect(resourcesOfType(plan, "aws_s3_bucket").filter((b) => b.name === "archive_bucket")).toHaveLength(0);
        expect(s3.bucket_arn).toBe(`arn:aws:s3:::${bucket.name}`);
        return;
      }
      const created = one(plan, "aws_s3_bucket", "archive_bucket").values;
      expect(created.bucket).toBe(bucket.name);
      expect(created.force_destroy).toBe(false);
      expect(one(plan, "aws_s3_bucket_public_access_block", "archive_bucket_public_access_block").values).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      const lifecycle = one(plan, "aws_s3_bucket_lifecycle_configuration", "archive_bucket_lifecycle").values;
      const rules = lifecycle.rule as Array<Record<string, unknown>>;
      const tiering = rules.find((r) => r.id === "archive-tiering-and-expiration")!;
      const transitions = (tiering.transition as Array<{ days: number; storage_class: string }>)
        .map((t) => ({ days: t.days, storageClass: t.storage_class }))
        .sort((a, b) => a.days - b.days);
      expect(transitions).toEqual(config.archive.lifecycle.transitions);
      expect(tiering.expiration).toEqual([expect.objectContaining({ days: config.archive.lifecycle.expirationDays })]);
      const abort = rules.find((r) => r.id === "abort-incomplete-multipart-uploads")!;
      expect(abort.abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: config.archive.lifecycle.abortIncompleteMultipartUploadDays }]);
      const policy = statements(one(plan, "aws_s3_bucket_policy", "archive_bucket_policy").values.policy);
      expect(policy).toContainEqual(expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }));
    });

    test("the delivery stream writes gzip to the bucket under date prefixes", () => {
      const stream = one(plan, "aws_kinesis_firehose_delivery_stream", "delivery_stream").values;
      expect(stream.destination).toBe("extended_s3");
      const s3 = (stream.extended_s3_configuration as Array<Record<string, unknown>>)[0];
      expect(s3).toMatchObject({
        compression_format: "GZIP",
        buffering_interval: config.archive.bufferingIntervalSeconds,
        buffering_size: config.archive.bufferingSizeMiB,
      });
      expect(s3.prefix).toMatch(new RegExp(`^events/${region}/.*!\\{timestamp:yyyy\\}`));
      expect(s3.error_output_prefix).toContain("!{firehose:error-output-type}");
      expect(one(plan, "aws_cloudwatch_log_group", "delivery_stream_log_group").values.retention_in_days).toBe(config.archive.logRetentionDays);
    });

    test("service roles trust only this account, and SES only for the one configuration set it serves", () => {
      const setName = config.existing.configurationSetName ?? config.configurationSet.name ?? config.name;
      // Firehose presents the account as its external ID, and no source ARN (delivery-stream.ts).
      const [firehoseTrust] = statements(one(plan, "aws_iam_role", "delivery_stream_role").values.assume_role_policy);
      expect(firehoseTrust.Principal).toEqual({ Service: "firehose.amazonaws.com" });
      expect(firehoseTrust.Condition).toEqual({ StringEquals: { "sts:ExternalId": config.accountId } });
      const cases = [["event_publishing_role", "ses.amazonaws.com", `:configuration-set/${setName}`]] as const;
      for (const [name, service, arnSuffix] of cases) {
        const [trust] = statements(one(plan, "aws_iam_role", name).values.assume_role_policy);
        expect(trust.Principal).toEqual({ Service: service });
        expect(trust.Condition?.StringEquals?.["aws:SourceAccount"]).toBe(config.accountId);
        expect(String(trust.Condition?.ArnLike?.["aws:SourceArn"])).toMatch(
          new RegExp(`^arn:aws[a-z-]*:[a-z]+:${region}:${config.accountId}${arnSuffix.replace(/[.]/g, "\\.")}$`),
        );
      }
      const [put] = statements(one(plan, "aws_iam_role_policy", "event_publishing_role_policy").values.policy);
      expect(put.Action).toBe("firehose:PutRecordBatch");
    });

    test("identity notification topics match the config", () => {
      const topics = resourcesOfType(plan, "aws_ses_identity_notification_topic");
      const n = config.notifications;
      if (!n.enabled || notificationIdentitiesFor(config, region).length === 0) {
        expect(topics).toHaveLength(0);
        expect(
          resourcesOfType(plan, "aws_sns_topic")
            .map((t) => t.name)
            // The chat relay's topic carries SES events, not identity notifications.
            .filter((t) => t !== "alarms_topic" && !(chatOn(config) && t === "ses_event_alerts_topic")),
        ).toEqual([]);
        return;
      }
      const existing = config.existing.notificationTopicArns[region];
      if (existing) {
        for (const t of topics) expect(t.values.topic_arn).toBe(existing);
        expect(resourcesOfType(plan, "aws_sns_topic").some((t) => t.name === "notifications_topic")).toBe(false);
      }
      const got = topics.map((t) => `${t.values.identity}/${t.values.notification_type}`).sort();
      const want = notificationIdentitiesFor(config, region)
        .flatMap((i) => n.types.map((t) => `${i}/${t}`))
        .sort();
      expect(got).toEqual(want);
      for (const t of topics) expect(t.values.include_original_headers).toBe(n.includeOriginalHeaders);
      const subscribers = resourcesOfType(plan, "aws_sns_topic_subscription")
        .filter((s) => s.name.startsWith("notifications_"))
        .map((s) => s.values.endpoint)
        .sort();
      expect(subscribers).toEqual(existing ? [] : [...(n.emails ?? config.alarms.emails)].sort());
    });

    test("plan-level policy: default tags on every taggable resource, key rotation, IAM policies known at plan time", () => {
      const planned = plannedResources(plan);
      for (const r of planned.filter((p) => "tags_all" in p.values && p.values.tags_all !== null)) {
        expect(r.values.tags_all).toMatchObject(config.tags);
      }
      for (const k of resourcesOfType(plan, "aws_kms_key")) expect(k.values.enable_key_rotation).toBe(true);
      // Policies from known ARNs show in full in the plan a reviewer reads (key ARNs are the one exception).
      for (const r of [...resourcesOfType(plan, "aws_iam_role"), ...resourcesOfType(plan, "aws_iam_role_policy")]) {
        const doc = r.values.assume_role_policy ?? r.values.policy;
        if (!config.encryption.archive || r.type === "aws_iam_role") expect(typeof doc).toBe("string");
      }
    });

    test("outputs name the topic, bucket, stream and configuration set", () => {
      const outputs = Object.keys((plan as unknown as { planned_values: { outputs: object } }).planned_values.outputs).sort();
      const expected = ["alarm_topic_arn", "archive_bucket_name", "configuration_set_name", "delivery_stream_name", "next_steps"];
      // Only topics ses-guard creates get subscriptions (alarms.emails is never empty).
      const createsSubscriptions = !config.existing.alarmTopicArns[region] || (config.notifications.enabled && !config.existing.notificationTopicArns[region]);
      if (createsSubscriptions) expected.push("pending_email_confirmations");
      if (config.notifications.enabled && notificationIdentitiesFor(config, region).length) expected.push("notification_topic_arn");
      if (catalogFor(config, region)) expected.push("athena_workgroup", "glue_database", "glue_table", "athena_results_bucket_name");
      if (config.dashboard.enabled) expected.push("dashboard_url");
      if (chatOn(config)) expected.push("ses_events_topic_arn");
      if (config.autoPause.enabled) expected.push("resume_sending_command");
      expect(outputs).toEqual(expected.sort());
    });

    test("investigation: a projected Glue table over the archive, an enforced workgroup, saved queries, an expiring results bucket", () => {
      const catalog = catalogFor(config, region);
      const investigationTypes = ["aws_glue_catalog_database", "aws_glue_catalog_table", "aws_athena_workgroup", "aws_athena_named_query"];
      if (!catalog) {
        // Off, or this stack writes to the home region's bucket, whose stack holds the catalog for every region.
        for (const type of investigationTypes) expect([type, resourcesOfType(plan, type)]).toEqual([type, []]);
        expect(resourcesOfType(plan, "aws_s3_bucket").filter((b) => b.name === "athena_results_bucket")).toEqual([]);
        return;
      }
      const database = one(plan, "aws_glue_catalog_database", "event_catalog_database").values;
      const table = one(plan, "aws_glue_catalog_table", "event_catalog_table").values;
      expect(table).toMatchObject({ name: "ses_events", database_name: database.name, table_type: "EXTERNAL_TABLE" });
      expect(table.parameters).toMatchObject({
        "projection.enabled": "true",
        "projection.region.type": "enum",
        "projection.region.values": catalog.regions.join(","),
        "projection.dt.type": "date",
        "projection.dt.format": "yyyy/MM/dd",
        // Only the days Athena can read: before the first GLACIER or DEEP_ARCHIVE transition, and the expiration.
        "projection.dt.range": `NOW-${queryableDays(config.archive.lifecycle)}DAYS,NOW`,
        // Terraform turned the $$ escape into the literal ${...} Athena substitutes.
        "storage.location.template": `s3://${catalog.bucket}/events/\${region}/\${dt}/`,
      });
      const sd = (table.storage_descriptor as Array<Record<string, any>>)[0];
      expect(sd.location).toBe(`s3://${catalog.bucket}/events/`);
      expect(sd.ser_de_info[0].serialization_library).toBe("org.openx.data.jsonserde.JsonSerDe");
      expect(sd.columns.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(["eventtype", "mail", "bounce", "complaint", "deliverydelay"]));
      expect((table.partition_keys as Array<{ name: string }>).map((k) => k.name)).toEqual(["region", "dt"]);

      const workgroup = one(plan, "aws_athena_workgroup", "athena").values;
      const wc = (workgroup.configuration as Array<Record<string, any>>)[0];
      expect(wc).toMatchObject({
        enforce_workgroup_configuration: true,
        publish_cloudwatch_metrics_enabled: true,
        bytes_scanned_cutoff_per_query: config.investigation.bytesScannedCutoffPerQueryMiB * 1024 * 1024,
      });
      expect(wc.engine_version[0].selected_engine_version).toBe("Athena engine version 3");
      expect(wc.result_configuration[0].output_location).toBe(`s3://${catalog.resultsBucket}/`);
      expect(wc.result_configuration[0].encryption_configuration[0].encryption_option).toBe(config.encryption.archive ? "SSE_KMS" : "SSE_S3");

      const queries = resourcesOfType(plan, "aws_athena_named_query");
      expect(queries).toHaveLength(7);
      for (const q of queries) {
        expect(q.values).toMatchObject({ database: database.name });
        expect(String(q.values.query)).toContain(`FROM ${database.name}.ses_events`);
        expect(String(q.values.query)).toContain(`INTERVAL '${config.investigation.lookbackDays}' DAY`);
      }

      const results = one(plan, "aws_s3_bucket", "athena_results_bucket").values;
      expect(results).toMatchObject({ bucket: catalog.resultsBucket, force_destroy: true });
      const rules = one(plan, "aws_s3_bucket_lifecycle_configuration", "athena_results_bucket_lifecycle").values.rule as Array<Record<string, any>>;
      expect(rules.find((r) => r.id === "expire-query-results")!.expiration).toEqual([
        expect.objectContaining({ days: config.investigation.resultsExpirationDays }),
      ]);
      expect(one(plan, "aws_s3_bucket_public_access_block", "athena_results_bucket_public_access_block").values).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
    });

    test("suppression: the account level in this region and the configuration set's options, when set", () => {
      const account = resourcesOfType(plan, "aws_sesv2_account_suppression_attributes");
      if (config.suppression.accountLevel === null) expect(account).toEqual([]);
      else expect(account.map((a) => [...(a.values.suppressed_reasons as string[])].sort())).toEqual([[...config.suppression.accountLevel].sort()]);
      const sets = resourcesOfType(plan, "aws_sesv2_configuration_set");
      if (config.existing.configurationSetName) return;
      const options = sets[0].values.suppression_options as Array<{ suppressed_reasons: string[] }>;
      if (config.suppression.configurationSet === null) expect(options).toEqual([]);
      else expect([...options[0].suppressed_reasons].sort()).toEqual([...config.suppression.configurationSet].sort());
    });
  });
});
