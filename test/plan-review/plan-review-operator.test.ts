// The plan review's sentences for operators (modules/plan-review/plan-review-operator.ts): the automatic pause
// turned on, off or to another scope, chat channels added or removed, alarm levels and retention before → after,
// data-bearing resources destroyed or forgotten. Each on hand-built plans: the level, the kind and the exact
// sentence. The runbooks are the ones ses-guard renders (modules/shared/runbooks.ts), not copies.
import { parsePlan } from "../../modules/plan-review/plan-review-model";
import { DATA_BEARING_WORDS, sendingSwitchOf } from "../../modules/plan-review/plan-review-operator";
import { findRisks } from "../../modules/plan-review/plan-review-risks";
import { Risk } from "../../modules/plan-review/plan-review-common";
import { reviewPlan } from "../../modules/plan-review/plan-review";
import { DATA_BEARING, DATA_BEARING_TYPES } from "../../modules/shared/data-bearing";
import { PauseScope, pauseRunbook, resumeRunbook, SES_PAUSE_ACTIONS } from "../../modules/shared/runbooks";

type Values = Record<string, unknown> | null;

function rc(type: string, actions: string[], before: Values, after: Values, opts: { name?: string; module?: string; afterUnknown?: unknown } = {}) {
  const name = opts.name ?? "x";
  return {
    address: `${opts.module ? `${opts.module}.` : ""}${type}.${name}`,
    ...(opts.module ? { module_address: opts.module } : {}),
    mode: "managed",
    type,
    name,
    change: { actions, before, after, after_unknown: opts.afterUnknown ?? {} },
  };
}
type Opts = Parameters<typeof rc>[4];
const create = (type: string, after: Values, opts?: Opts) => rc(type, ["create"], null, after, opts);
const update = (type: string, before: Values, after: Values, opts?: Opts) => rc(type, ["update"], before, after, opts);
const destroy = (type: string, before: Values, opts?: Opts) => rc(type, ["delete"], before, null, opts);
const replace = (type: string, before: Values, after: Values, opts?: Opts) => rc(type, ["delete", "create"], before, after, opts);
const forget = (type: string, before: Values, opts?: Opts) => rc(type, ["forget"], before, null, opts);

const planOf = (changes: unknown[]) => ({ format_version: "1.2", planned_values: { root_module: {} }, resource_changes: changes });
const risksOf = (...changes: unknown[]): Risk[] => findRisks(parsePlan(planOf(changes), "plan.json"));
/** Level, kind and sentence of every flag. */
const flags = (...changes: unknown[]) => risksOf(...changes).map((r) => [r.level, r.kind, r.reason]);

// ---------------------------------------------------------------- the automatic pause

const ROLE = "arn:aws:iam::123456789012:role/shop-pause-automation-us-east-1";
/** A runbook document as the plan holds it, with the content ses-guard renders. */
const runbook = (name: string, scope: PauseScope, configurationSetName = "shop", pause = true) => ({
  name,
  document_type: "Automation",
  document_format: "JSON",
  content: JSON.stringify((pause ? pauseRunbook : resumeRunbook)({ scope, configurationSetName, assumeRoleArn: ROLE })),
});
const pauseTarget = (region = "eu-west-1") =>
  create(
    "aws_cloudwatch_event_target",
    { rule: "shop-pause-on-critical", target_id: "pause-sending", arn: `arn:aws:ssm:${region}:123456789012:automation-definition/shop-pause-sending:$DEFAULT` },
    { name: "pause_target" },
  );

describe("the pause runbook's content says what it pauses", () => {
  test("read from the API step of the runbooks ses-guard renders; nothing from other documents", () => {
    expect(sendingSwitchOf(runbook("p", "configurationSet"))).toEqual({ scope: "configurationSet", configurationSet: "shop", enabled: false });
    expect(sendingSwitchOf(runbook("p", "account"))).toEqual({ scope: "account", enabled: false });
    expect(sendingSwitchOf(runbook("r", "account", "shop", false))).toEqual({ scope: "account", enabled: true });
    expect(sendingSwitchOf({ ...runbook("p", "account"), document_type: "Command" })).toBeUndefined();
    expect(sendingSwitchOf({ ...runbook("p", "account"), content: "schemaVersion: '0.3'" })).toBeUndefined();
    expect(sendingSwitchOf(null)).toBeUndefined();
  });
});

describe("auto-pause-scope-changed", () => {
  test("configuration set → account: medium, with both API calls and the region the rule starts it in", () => {
    expect(
      flags(update("aws_ssm_document", runbook("shop-pause-sending", "configurationSet"), runbook("shop-pause-sending", "account")), pauseTarget()),
    ).toEqual([
      [
        "medium",
        "auto-pause-scope-changed",
        "Automatic pause widened: runbook `shop-pause-sending` now pauses all sending of the account in eu-west-1 instead of mail sent with configuration set `shop` (`PutAccountSendingAttributes` instead of `PutConfigurationSetSendingOptions`): a critical alarm stops every message the account sends, whichever configuration set it uses.",
      ],
    ]);
  });

  test("account → configuration set: low; another configuration set: low", () => {
    expect(flags(update("aws_ssm_document", runbook("shop-pause-sending", "account"), runbook("shop-pause-sending", "configurationSet")))).toEqual([
      [
        "low",
        "auto-pause-scope-changed",
        "Automatic pause narrowed: runbook `shop-pause-sending` now pauses mail sent with configuration set `shop` instead of all sending of the account (`PutConfigurationSetSendingOptions` instead of `PutAccountSendingAttributes`): mail sent without that configuration set keeps going out when a critical alarm fires.",
      ],
    ]);
    expect(flags(replace("aws_ssm_document", runbook("p", "configurationSet", "old"), runbook("p", "configurationSet", "new")))).toEqual([
      [
        "low",
        "auto-pause-scope-changed",
        "Automatic pause narrowed: runbook `p` now pauses mail sent with configuration set `new` instead of mail sent with configuration set `old`: mail sent with `old` is no longer paused.",
      ],
    ]);
  });

  test("from the automation role's policy when no runbook in the plan says it; not twice when one does", () => {
    const policy = (scope: PauseScope) => ({
      name: "change-ses-sending",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "ChangeSesSending", Effect: "Allow", Action: SES_PAUSE_ACTIONS[scope], Resource: "*" }],
      }),
    });
    const widened = update("aws_iam_role_policy", policy("configurationSet"), policy("account"), { name: "auto_pause_automation_policy" });
    expect(flags(widened).filter(([, kind]) => kind === "auto-pause-scope-changed")).toEqual([
      [
        "medium",
        "auto-pause-scope-changed",
        "Automatic pause widened: the automation allowed by policy `aws_iam_role_policy.auto_pause_automation_policy` now pauses all sending of the account instead of mail sent with one configuration set (`PutAccountSendingAttributes` instead of `PutConfigurationSetSendingOptions`): a critical alarm stops every message the account sends, whichever configuration set it uses.",
      ],
    ]);
    expect(flags(update("aws_iam_role_policy", policy("account"), policy("configurationSet")))).toEqual([
      [
        "low",
        "auto-pause-scope-changed",
        "Automatic pause narrowed: the automation allowed by policy `aws_iam_role_policy.x` now pauses mail sent with one configuration set instead of all sending of the account (`PutConfigurationSetSendingOptions` instead of `PutAccountSendingAttributes`): mail sent without that configuration set keeps going out when a critical alarm fires.",
      ],
    ]);
    const withRunbook = risksOf(widened, update("aws_ssm_document", runbook("p", "configurationSet"), runbook("p", "account")));
    expect(withRunbook.filter((r) => r.kind === "auto-pause-scope-changed").map((r) => r.address)).toEqual(["aws_ssm_document.x"]);
    // A runbook in another module does not speak for this one.
    const elsewhere = update("aws_ssm_document", runbook("p", "configurationSet"), runbook("p", "account"), { module: "module.eu" });
    expect(risksOf(widened, elsewhere).filter((r) => r.kind === "auto-pause-scope-changed")).toHaveLength(2);
  });

  test("silent when the scope stays, for a policy allowing both calls, and for the resume runbook", () => {
    const both = { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: Object.values(SES_PAUSE_ACTIONS), Resource: "*" }] }) };
    const one = { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: SES_PAUSE_ACTIONS.account, Resource: "*" }] }) };
    expect(
      flags(
        update("aws_ssm_document", runbook("p", "account"), { ...runbook("p", "account"), tags: { a: "b" } }),
        update("aws_ssm_document", runbook("r", "configurationSet", "shop", false), runbook("r", "account", "shop", false), { name: "resume" }),
        update("aws_iam_role_policy", both, one, { name: "p" }),
      ),
    ).toEqual([]);
  });
});

describe("auto-pause-added and auto-pause-removed", () => {
  test("turned on: low, naming what is paused, where, and the resume runbook", () => {
    expect(
      flags(
        create("aws_ssm_document", runbook("shop-pause-sending", "configurationSet"), { name: "pause" }),
        create("aws_ssm_document", runbook("shop-resume-sending", "configurationSet", "shop", false), { name: "resume" }),
        pauseTarget("us-east-1"),
      ),
    ).toEqual([
      [
        "low",
        "auto-pause-added",
        "Automatic pause turned on: when a critical reputation alarm goes to ALARM, runbook `shop-pause-sending` pauses mail sent with configuration set `shop`; sending stays off until someone runs runbook `shop-resume-sending`.",
      ],
    ]);
  });

  test("turned off: the runbook deleted says what it paused; the rule deleted or disabled", () => {
    expect(flags(destroy("aws_ssm_document", runbook("shop-pause-sending", "account")), pauseTarget())).toEqual([
      [
        "medium",
        "auto-pause-removed",
        "Runbook `shop-pause-sending` is deleted: a critical reputation alarm no longer pauses sending (it paused all sending of the account in eu-west-1), so AWS may pause the account first.",
      ],
    ]);
    const rule = (state: string) => ({ name: "shop-pause-on-critical", state });
    expect(flags(update("aws_cloudwatch_event_rule", rule("ENABLED"), rule("DISABLED")))).toEqual([
      [
        "medium",
        "auto-pause-removed",
        "EventBridge rule `shop-pause-on-critical` is disabled: a critical reputation alarm no longer pauses sending, so AWS may pause the account first.",
      ],
    ]);
    expect(
      flags(
        update("aws_cloudwatch_event_rule", rule("DISABLED"), rule("ENABLED")),
        update("aws_cloudwatch_event_rule", { name: "shop-chat-complaint", state: "ENABLED" }, { name: "shop-chat-complaint", state: "DISABLED" }),
      ),
    ).toEqual([]);
  });
});

// ---------------------------------------------------------------- chat channels

const slack = (channel: string) => ({
  configuration_name: "shop-us-east-1-alerts",
  slack_team_id: "T0123ABCDE",
  slack_channel_id: channel,
  sns_topic_arns: ["arn:aws:sns:us-east-1:123456789012:shop-alarms"],
});
const teams = {
  configuration_name: "shop-us-east-1-email-ops",
  tenant_id: "8f2c1e4a-3b5d-4c6e-9f7a-1b2c3d4e5f60",
  team_id: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  channel_id: "19%3aa1b2c3%40thread.tacv2",
};

describe("chat-channel-added and chat-channel-removed", () => {
  test("a Slack channel added: low, naming the channel, its workspace and what its members read", () => {
    expect(flags(create("aws_chatbot_slack_channel_configuration", slack("C0123ABCDEF")))).toEqual([
      [
        "low",
        "chat-channel-added",
        "Slack channel `C0123ABCDEF` in workspace `T0123ABCDE` (configuration `shop-us-east-1-alerts`) is added: everyone in it reads the alarms and the SES events, with the recipients' addresses, subjects and senders.",
      ],
    ]);
  });

  test("a Teams channel removed: medium, naming the channel and its team", () => {
    expect(flags(destroy("aws_chatbot_teams_channel_configuration", teams))).toEqual([
      [
        "medium",
        "chat-channel-removed",
        "Microsoft Teams channel `19%3aa1b2c3%40thread.tacv2` in team `1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d` (configuration `shop-us-east-1-email-ops`) is removed: it no longer receives the alarms or the SES events.",
      ],
    ]);
  });

  test("a configuration moved to another channel: the old one removed, the new one added; another setting changes nothing", () => {
    expect(risksOf(update("aws_chatbot_slack_channel_configuration", slack("C0OLD0000"), slack("C0NEW0000"))).map((r) => [r.level, r.kind])).toEqual([
      ["medium", "chat-channel-removed"],
      ["low", "chat-channel-added"],
    ]);
    expect(flags(update("aws_chatbot_slack_channel_configuration", slack("C0123ABCDEF"), { ...slack("C0123ABCDEF"), logging_level: "INFO" }))).toEqual([]);
  });
});

// ---------------------------------------------------------------- alarm levels

const alarm = (threshold: number, over: Record<string, unknown> = {}) => ({
  alarm_name: "shop-bounce-rate-warning",
  namespace: "AWS/SES",
  metric_name: "Reputation.BounceRate",
  threshold,
  actions_enabled: true,
  alarm_actions: ["arn:aws:sns:us-east-1:123456789012:shop-alarms"],
  ...over,
});

describe("alarm-level-changed", () => {
  test("the account's level lowered, in percent of the fraction CloudWatch holds", () => {
    expect(flags(update("aws_cloudwatch_metric_alarm", alarm(0.02), alarm(0.015)))).toEqual([
      [
        "low",
        "alarm-level-changed",
        "Alarm `shop-bounce-rate-warning` on the account's bounce rate: level 2 % → 1.5 %, so it fires sooner (AWS reviews an account at 5 %).",
      ],
    ]);
  });

  test("a configuration set's complaint level raised names the set", () => {
    const perSet = (threshold: number) =>
      alarm(threshold, {
        alarm_name: "shop-configuration-set-complaint-rate-warning",
        metric_name: "Reputation.ComplaintRate",
        dimensions: { "ses:configuration-set": "shop" },
      });
    expect(flags(update("aws_cloudwatch_metric_alarm", perSet(0.0005), perSet(0.0007)))).toEqual([
      [
        "low",
        "alarm-level-changed",
        "Alarm `shop-configuration-set-complaint-rate-warning` on the complaint rate of configuration set `shop`: level 0.05 % → 0.07 %, so it fires later (AWS reviews an account at 0.1 %).",
      ],
    ]);
  });

  test("raised above the review level: said once, by threshold-above-review-level; silent for other metrics and unknown thresholds", () => {
    expect(risksOf(update("aws_cloudwatch_metric_alarm", alarm(0.05), alarm(0.08))).map((r) => r.kind)).toEqual(["threshold-above-review-level"]);
    expect(
      flags(
        update("aws_cloudwatch_metric_alarm", alarm(1000, { metric_name: "Send" }), alarm(2000, { metric_name: "Send" })),
        update("aws_cloudwatch_metric_alarm", alarm(0.02), alarm(0.02, { threshold: undefined }), { afterUnknown: { threshold: true } }),
        create("aws_cloudwatch_metric_alarm", alarm(0.02)),
      ),
    ).toEqual([]);
  });
});

// ---------------------------------------------------------------- retention

const lifecycle = (expiration: number | null, transitions: Array<[number, string]>) => ({
  bucket: "shop-events-123456789012-us-east-1",
  rule: [
    {
      id: "archive-tiering-and-expiration",
      status: "Enabled",
      expiration: expiration === null ? [] : [{ days: expiration }],
      transition: transitions.map(([days, storage_class]) => ({ days, storage_class })),
    },
    { id: "abort-incomplete-multipart-uploads", status: "Enabled", abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] },
  ],
});
const TIERS: Array<[number, string]> = [
  [30, "STANDARD_IA"],
  [90, "GLACIER_IR"],
];

describe("retention-changed", () => {
  test("expiration lengthened and a Glacier transition added: both before → after, and where Athena stops reading", () => {
    expect(flags(update("aws_s3_bucket_lifecycle_configuration", lifecycle(730, TIERS), lifecycle(1095, [...TIERS, [365, "GLACIER"]])))).toEqual([
      [
        "low",
        "retention-changed",
        "Retention of `shop-events-123456789012-us-east-1`: objects expire after 730 days → after 1095 days; transitions 30 d `STANDARD_IA`, 90 d `GLACIER_IR` → 30 d `STANDARD_IA`, 90 d `GLACIER_IR`, 365 d `GLACIER`; Athena no longer reads events older than 365 days (they move to `GLACIER`).",
      ],
    ]);
  });

  test("expiration removed: objects never expire", () => {
    expect(flags(update("aws_s3_bucket_lifecycle_configuration", lifecycle(730, TIERS), lifecycle(null, TIERS)))).toEqual([
      ["low", "retention-changed", "Retention of `shop-events-123456789012-us-east-1`: objects expire after 730 days → never."],
    ]);
  });

  test("only shortened: said once, by retention-shortened (high); shortened with new transitions: both", () => {
    expect(risksOf(update("aws_s3_bucket_lifecycle_configuration", lifecycle(730, TIERS), lifecycle(365, TIERS))).map((r) => [r.level, r.kind])).toEqual([
      ["high", "retention-shortened"],
    ]);
    const both = risksOf(update("aws_s3_bucket_lifecycle_configuration", lifecycle(730, TIERS), lifecycle(365, [[30, "STANDARD_IA"]])));
    expect(both.map((r) => [r.level, r.kind])).toEqual([
      ["high", "retention-shortened"],
      ["low", "retention-changed"],
    ]);
    expect(both[1].reason).toBe(
      "Retention of `shop-events-123456789012-us-east-1`: objects expire after 730 days → after 365 days; transitions 30 d `STANDARD_IA`, 90 d `GLACIER_IR` → 30 d `STANDARD_IA`.",
    );
  });

  test("silent when nothing about retention changes, on create, and when the rules are only known after apply", () => {
    expect(
      flags(
        update("aws_s3_bucket_lifecycle_configuration", lifecycle(730, TIERS), { ...lifecycle(730, TIERS), expected_bucket_owner: "123456789012" }),
        create("aws_s3_bucket_lifecycle_configuration", lifecycle(730, TIERS)),
        update("aws_s3_bucket_lifecycle_configuration", lifecycle(730, TIERS), { bucket: "b" }, { afterUnknown: { rule: true } }),
      ),
    ).toEqual([]);
  });
});

// ---------------------------------------------------------------- data-bearing resources

describe("data-bearing-destroyed and data-bearing-forgotten", () => {
  test("every data-bearing type has its words", () => {
    expect(DATA_BEARING_TYPES.filter((t) => !DATA_BEARING_WORDS[t])).toEqual([]);
  });

  test("destroyed: the highest level, naming the group it belongs to in a ses-guard stack, in a module too", () => {
    const table = { database_name: "shop_events", name: "ses_events" };
    expect(flags(destroy("aws_glue_catalog_table", table, { name: "event_catalog_table" }))).toEqual([
      [
        "high",
        "data-bearing-destroyed",
        "Glue table `shop_events.ses_events` (data-bearing: the Glue database and table) is deleted: Athena cannot query the archive until it exists again (the events stay in S3).",
      ],
    ]);
    expect(
      flags(
        replace("aws_s3_bucket_lifecycle_configuration", lifecycle(730, TIERS), lifecycle(730, TIERS), {
          name: "archive_bucket_lifecycle",
          module: "module.ses_guard",
        }),
      ),
    ).toEqual([
      [
        "high",
        "data-bearing-destroyed",
        "The lifecycle of bucket `shop-events-123456789012-us-east-1` (data-bearing: the archive bucket and its guards) is replaced (a setting cannot change in place): its objects no longer move to cheaper classes or expire.",
      ],
    ]);
  });

  test("forgotten (a removed block, destroy = false): medium; stays in AWS, unmanaged", () => {
    const key = { description: "ses-guard: encrypts SNS topics (us-east-1)", key_id: "k", enable_key_rotation: true };
    expect(flags(forget("aws_kms_key", key, { name: "encryption_key" }))).toEqual([
      [
        "medium",
        "data-bearing-forgotten",
        `KMS key \`ses-guard: encrypts SNS topics (us-east-1)\` (data-bearing: ${DATA_BEARING.encryptionKey.label}) is forgotten (a \`removed\` block with \`destroy = false\`): it stays in AWS, still billed, and what it encrypted stays readable, but Terraform no longer manages it; delete it by hand once it is no longer needed, or import it again.`,
      ],
    ]);
  });

  test("what goes with its bucket or its database is said once, by the bucket's or the database's sentence", () => {
    const bucket = { bucket: "shop-events-123456789012-us-east-1", force_destroy: false };
    expect(
      risksOf(
        replace("aws_s3_bucket", bucket, { ...bucket, bucket: "renamed" }, { name: "archive_bucket" }),
        replace("aws_s3_bucket_lifecycle_configuration", lifecycle(730, TIERS), lifecycle(730, TIERS), { name: "archive_bucket_lifecycle" }),
      ).map((r) => [r.kind, r.address]),
    ).toEqual([["bucket-destroyed", "aws_s3_bucket.archive_bucket"]]);
    expect(
      risksOf(
        forget("aws_glue_catalog_database", { name: "shop_events" }, { name: "event_catalog_database" }),
        forget("aws_glue_catalog_table", { database_name: "shop_events", name: "ses_events" }, { name: "event_catalog_table" }),
        forget("aws_glue_catalog_table", { database_name: "other", name: "t" }, { name: "other_table" }),
      ).map((r) => [r.kind, r.address]),
    ).toEqual([
      ["data-bearing-forgotten", "aws_glue_catalog_database.event_catalog_database"],
      ["data-bearing-forgotten", "aws_glue_catalog_table.other_table"],
    ]);
  });

  test("a rule that already names the loss keeps its sentence, raised to high; created and updated resources say nothing", () => {
    expect(risksOf(destroy("aws_s3_bucket", { bucket: "b", force_destroy: false })).map((r) => [r.level, r.kind])).toEqual([["high", "bucket-destroyed"]]);
    const sse = { bucket: "b", rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: "AES256" }] }] };
    expect(risksOf(destroy("aws_s3_bucket_server_side_encryption_configuration", sse)).map((r) => [r.level, r.kind])).toEqual([
      ["high", "encryption-weakened"],
    ]);
    expect(
      flags(
        create("aws_glue_catalog_database", { name: "d" }),
        update("aws_glue_catalog_database", { name: "d" }, { name: "d", description: "x" }),
        destroy("aws_route53_record", { name: "r" }),
      ),
    ).toEqual([]);
  });
});

// ---------------------------------------------------------------- in the Markdown

test("the sentences are rows of the Risks table, and the estimated fixed cost follows the resources", () => {
  const md = reviewPlan(
    parsePlan(
      planOf([
        create("aws_chatbot_slack_channel_configuration", slack("C0123ABCDEF")),
        update("aws_cloudwatch_metric_alarm", alarm(0.02), alarm(0.015)),
        create("aws_cloudwatch_dashboard", { dashboard_name: "shop-us-east-1" }),
      ]),
      "plan.json",
    ),
  ).markdown;
  expect(md).toContain("| 🟡 low | Chat channel added | `aws_chatbot_slack_channel_configuration.x` | Slack channel `C0123ABCDEF` in workspace `T0123ABCDE`");
  expect(md).toContain(
    "| 🟡 low | Alarm level changed | `aws_cloudwatch_metric_alarm.x` | Alarm `shop-bounce-rate-warning` on the account's bounce rate: level 2 % → 1.5 %",
  );
  expect(md).toContain("#### Estimated fixed cost\n\n0.10 USD → 3.10 USD a month: 1 alarm metric 0.10 USD, 1 dashboard 3.00 USD.\n");
  expect(md.indexOf("#### Estimated fixed cost")).toBeGreaterThan(md.indexOf("#### Resources by action"));
});
