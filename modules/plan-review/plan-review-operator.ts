/**
 * What a plan changes for the people who run the guard, in plain sentences: the automatic pause
 * turned on, off or to another scope, chat channels added or removed, the reputation alarms'
 * levels and the archive's retention before → after, and data-bearing resources destroyed or
 * forgotten. Like every rule, these read types and values, never addresses.
 */
import { block, blocks, Change, compare, hasBeforeAndAfter, isGone, isUnknown, Json, JsonObject, num, str } from "./plan-review-model";
import { parsePolicy } from "./plan-review-policy";
import {
  alarmLabel,
  Check,
  code,
  Context,
  destroyedPhrase,
  nameOf,
  retentionDays,
  reviewLevel,
  risk,
  Risk,
  RiskLevel,
  thresholdPercent,
} from "./plan-review-common";
import { DATA_BEARING, DATA_BEARING_TYPES } from "../shared/data-bearing";
import { PauseScope, SES_PAUSE_ACTIONS } from "../shared/runbooks";

// ---------------------------------------------------------------- the automatic pause

/** What a pause runbook stops. */
interface PauseTarget {
  readonly scope: PauseScope;
  /** With scope `configurationSet`. */
  readonly configurationSet?: string;
}

const API_OF_SCOPE: Readonly<Record<PauseScope, string>> = {
  configurationSet: SES_PAUSE_ACTIONS.configurationSet.replace(/^ses:/, ""),
  account: SES_PAUSE_ACTIONS.account.replace(/^ses:/, ""),
};

const asObject = (v: Json | undefined): JsonObject | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined);

/**
 * The sending an SSM Automation document turns off or on (`enabled`), read from its content: a step
 * that calls SES v2's PutConfigurationSetSendingOptions or PutAccountSendingAttributes with
 * `SendingEnabled`. Undefined for any other document, or content that is not JSON.
 */
export function sendingSwitchOf(values: JsonObject | null): (PauseTarget & { readonly enabled: boolean }) | undefined {
  const content = str(values, "content");
  if (!content || str(values, "document_type") !== "Automation") return undefined;
  let doc: Json;
  try {
    doc = JSON.parse(content) as Json;
  } catch {
    return undefined;
  }
  const steps = asObject(doc)?.mainSteps;
  for (const step of Array.isArray(steps) ? steps : []) {
    const inputs = asObject(asObject(step)?.inputs);
    const enabled = inputs?.SendingEnabled;
    if (!inputs || typeof enabled !== "boolean" || String(inputs.Service).toLowerCase() !== "sesv2") continue;
    if (inputs.Api === API_OF_SCOPE.account) return { scope: "account", enabled };
    if (inputs.Api === API_OF_SCOPE.configurationSet && typeof inputs.ConfigurationSetName === "string") {
      return { scope: "configurationSet", configurationSet: inputs.ConfigurationSetName, enabled };
    }
  }
  return undefined;
}

/** A runbook that pauses sending (`SendingEnabled: false`). */
const pauseOf = (values: JsonObject | null): PauseTarget | undefined => {
  const s = sendingSwitchOf(values);
  return s && !s.enabled ? s : undefined;
};

/** The region EventBridge starts runbook `name` in, from a rule target's `automation-definition` ARN. */
function runbookRegion(ctx: Context, name: string): string | undefined {
  for (const c of ctx.plan.changes.filter((t) => t.type === "aws_cloudwatch_event_target")) {
    for (const v of [c.after, c.before]) {
      const m = /^arn:[^:]+:ssm:([a-z0-9-]+):[^:]*:automation-definition\/([^:]+)(?::|$)/.exec(str(v, "arn") ?? "");
      if (m && m[2] === name) return m[1];
    }
  }
  return undefined;
}

function pauseWords(target: PauseTarget, region: string | undefined): string {
  if (target.scope === "account") return `all sending of the account${region ? ` in ${region}` : ""}`;
  return target.configurationSet ? `mail sent with configuration set ${code(target.configurationSet)}` : "mail sent with one configuration set";
}

const pausesDiffer = (a: PauseTarget, b: PauseTarget): boolean => a.scope !== b.scope || a.configurationSet !== b.configurationSet;

/** The resume runbook for the same target, when the plan holds it. */
function resumeRunbookFor(ctx: Context, target: PauseTarget): string | undefined {
  const found = ctx.plan.changes
    .filter((c) => c.type === "aws_ssm_document" && c.after)
    .filter((c) => {
      const s = sendingSwitchOf(c.after);
      return s?.enabled === true && !pausesDiffer(s, target);
    })
    .map((c) => str(c.after, "name"))
    .filter((n): n is string => !!n)
    .sort(compare);
  return found[0];
}

function scopeChangeRisk(c: Change, before: PauseTarget, after: PauseTarget, region: string | undefined, what: string): Risk {
  const from = pauseWords(before, region);
  const to = pauseWords(after, region);
  const apis = before.scope === after.scope ? "" : ` (${code(API_OF_SCOPE[after.scope])} instead of ${code(API_OF_SCOPE[before.scope])})`;
  if (after.scope === "account" && before.scope !== "account") {
    return risk(
      "medium",
      "auto-pause-scope-changed",
      c,
      `Automatic pause widened: ${what} now pauses ${to} instead of ${from}${apis}: a critical alarm stops every message the account sends, whichever configuration set it uses.`,
    );
  }
  const consequence =
    before.scope === "account"
      ? `: mail sent without that configuration set keeps going out when a critical alarm fires`
      : `: mail sent with ${before.configurationSet ? code(before.configurationSet) : "that configuration set"} is no longer paused`;
  return risk("low", "auto-pause-scope-changed", c, `Automatic pause narrowed: ${what} now pauses ${to} instead of ${from}${apis}${consequence}.`);
}

/** The pause runbook turned on (created), moved to another scope, or deleted. */
const pauseRunbookChecks: Check = (c, ctx) => {
  const name = nameOf(c) ?? c.name;
  const before = pauseOf(c.before);
  const after = c.after && !isUnknown(c, ["content"]) ? pauseOf(c.after) : undefined;
  const region = runbookRegion(ctx, name);
  if (isGone(c)) {
    if (!before && !/-pause-sending$/.test(name)) return [];
    const what = before ? ` (it paused ${pauseWords(before, region)})` : "";
    return [
      risk(
        "medium",
        "auto-pause-removed",
        c,
        `Runbook ${code(name)} is deleted: a critical reputation alarm no longer pauses sending${what}, so AWS may pause the account first.`,
      ),
    ];
  }
  if (after && !before) {
    const resume = resumeRunbookFor(ctx, after);
    return [
      risk(
        "low",
        "auto-pause-added",
        c,
        `Automatic pause turned on: when a critical reputation alarm goes to ALARM, runbook ${code(name)} pauses ${pauseWords(after, region)}; sending stays off until someone runs ${resume ? `runbook ${code(resume)}` : "the resume runbook"}.`,
      ),
    ];
  }
  if (after && before && pausesDiffer(before, after)) return [scopeChangeRisk(c, before, after, region, `runbook ${code(name)}`)];
  return [];
};

/** The rule that starts the pause runbook, deleted or disabled. */
const pauseRuleChecks: Check = (c) => {
  const name = nameOf(c) ?? c.name;
  if (!/-pause-on-critical$/.test(name)) return [];
  const disabled = (v: JsonObject | null) => str(v, "state") === "DISABLED" || v?.is_enabled === false;
  let what: string | undefined;
  if (isGone(c)) what = "is deleted";
  else if (hasBeforeAndAfter(c) && !disabled(c.before) && disabled(c.after)) what = "is disabled";
  if (!what) return [];
  return [
    risk(
      "medium",
      "auto-pause-removed",
      c,
      `EventBridge rule ${code(name)} ${what}: a critical reputation alarm no longer pauses sending, so AWS may pause the account first.`,
    ),
  ];
};

/** Which pause scope an IAM policy document allows, from its Allow statements' actions. */
function pauseScopeAllowed(policy: Json | undefined): PauseScope | undefined {
  const actions = (parsePolicy(policy) ?? []).filter((s) => s.allow && !s.notAction).flatMap((s) => s.actions.map((a) => a.toLowerCase()));
  const account = actions.includes(SES_PAUSE_ACTIONS.account.toLowerCase());
  const set = actions.includes(SES_PAUSE_ACTIONS.configurationSet.toLowerCase());
  if (account === set) return undefined;
  return account ? "account" : "configurationSet";
}

/**
 * The pause scope from the automation role's policy, for plans whose runbook content does not say
 * (a runbook of another tool): only when no runbook in the same module already did.
 */
function policyScopeRisks(ctx: Context, reported: ReadonlySet<string>): Risk[] {
  return ctx.plan.changes
    .filter((c) => c.type === "aws_iam_role_policy" || c.type === "aws_iam_policy")
    .filter((c) => hasBeforeAndAfter(c) && !isUnknown(c, ["policy"]) && !reported.has(c.moduleAddress))
    .flatMap((c) => {
      const before = pauseScopeAllowed(c.before?.policy);
      const after = pauseScopeAllowed(c.after?.policy);
      if (!before || !after || before === after) return [];
      // The policy names the action, not the set.
      return [scopeChangeRisk(c, { scope: before }, { scope: after }, undefined, `the automation allowed by policy ${code(c.address)}`)];
    });
}

// ---------------------------------------------------------------- chat channels

interface Channel {
  readonly app: string;
  readonly id: string;
  readonly space: string;
}

function channelOf(c: Change, v: JsonObject | null): Channel | undefined {
  if (!v) return undefined;
  const slack = c.type === "aws_chatbot_slack_channel_configuration";
  const id = str(v, slack ? "slack_channel_id" : "channel_id");
  const space = str(v, slack ? "slack_team_id" : "team_id");
  if (!id) return undefined;
  return { app: slack ? "Slack" : "Microsoft Teams", id, space: space ? ` in ${slack ? "workspace" : "team"} ${code(space)}` : "" };
}

const sameChannel = (a: Channel | undefined, b: Channel | undefined): boolean => !!a && !!b && a.id === b.id && a.space === b.space;

/** A Slack or Teams channel configuration created, deleted, or moved to another channel. */
const chatChannelChecks: Check = (c) => {
  const before = channelOf(c, c.before);
  const after = channelOf(c, c.after);
  const configuration = (v: JsonObject | null) => str(v, "configuration_name") ?? c.name;
  const out: Risk[] = [];
  const moved =
    hasBeforeAndAfter(c) && !isUnknown(c, ["slack_channel_id"]) && !isUnknown(c, ["channel_id"]) && !!before && !!after && !sameChannel(before, after);
  if (isGone(c) || moved) {
    out.push(
      risk(
        "medium",
        "chat-channel-removed",
        c,
        before
          ? `${before.app} channel ${code(before.id)}${before.space} (configuration ${code(configuration(c.before))}) is removed: it no longer receives the alarms or the SES events.`
          : `Chat channel configuration ${code(configuration(c.before))} is deleted: its channel no longer receives the alarms or the SES events.`,
      ),
    );
  }
  if (after && (!c.before || moved)) {
    out.push(
      risk(
        "low",
        "chat-channel-added",
        c,
        `${after.app} channel ${code(after.id)}${after.space} (configuration ${code(configuration(c.after))}) is added: everyone in it reads the alarms and the SES events, with the recipients' addresses, subjects and senders.`,
      ),
    );
  }
  return out;
};

// ---------------------------------------------------------------- alarm levels and retention

/** A reputation alarm's threshold before → after, in percent (CloudWatch holds the rate as a fraction). */
const alarmLevelChecks: Check = (c) => {
  if (!hasBeforeAndAfter(c) || isUnknown(c, ["threshold"])) return [];
  const metric = str(c.after, "metric_name");
  const review = reviewLevel(metric);
  const before = num(c.before, "threshold");
  const after = num(c.after, "threshold");
  if (!review || metric !== str(c.before, "metric_name") || before === undefined || after === undefined || before === after) return [];
  const set = str(block(c.after, "dimensions"), "ses:configuration-set") ?? str(asObject(c.after?.dimensions), "ses:configuration-set");
  const of = set ? `the ${review.metric} of configuration set ${code(set)}` : `the account's ${review.metric}`;
  return [
    risk(
      "low",
      "alarm-level-changed",
      c,
      `Alarm ${alarmLabel(c)} on ${of}: level ${thresholdPercent(before)} % → ${thresholdPercent(after)} %, so it fires ${after < before ? "sooner" : "later"} (AWS reviews an account at ${review.level}).`,
    ),
  ];
};

/** Classes Athena does not read (see docs/investigating-an-alarm.md, "What Athena can read"). */
const ATHENA_UNREADABLE = ["GLACIER", "DEEP_ARCHIVE"];

interface Transition {
  readonly days: number;
  readonly storageClass: string;
}

function transitionsOf(v: JsonObject | null): Transition[] {
  return blocks(v, "rule")
    .filter((r) => str(r, "status") === "Enabled")
    .flatMap((r) => blocks(r, "transition"))
    .map((t) => ({ days: num(t, "days") ?? 0, storageClass: str(t, "storage_class") ?? "?" }))
    .sort((a, b) => a.days - b.days || compare(a.storageClass, b.storageClass));
}

const transitionsText = (list: readonly Transition[]): string =>
  list.length === 0 ? "none" : list.map((t) => `${t.days} d ${code(t.storageClass)}`).join(", ");

const expiryText = (days: number | undefined): string => (days === undefined ? "never" : `after ${days} days`);

/**
 * The archive lifecycle's expiration and transitions before → after. An expiration cut shorter is
 * `retention-shortened` (high); this says the rest: longer or no expiration, other transitions.
 */
const retentionChecks: Check = (c, ctx) => {
  if (!hasBeforeAndAfter(c) || isUnknown(c, ["rule"])) return [];
  const expBefore = retentionDays(c.before);
  const expAfter = retentionDays(c.after);
  const transBefore = transitionsOf(c.before);
  const transAfter = transitionsOf(c.after);
  const transChanged = transitionsText(transBefore) !== transitionsText(transAfter);
  const shortened = expAfter !== undefined && (expBefore === undefined || expAfter < expBefore);
  if (!transChanged && (expBefore === expAfter || shortened)) return [];
  const parts: string[] = [];
  if (expBefore !== expAfter) parts.push(`objects expire ${expiryText(expBefore)} → ${expiryText(expAfter)}`);
  if (transChanged) parts.push(`transitions ${transitionsText(transBefore)} → ${transitionsText(transAfter)}`);
  const unreadable = (list: readonly Transition[]) => list.find((t) => ATHENA_UNREADABLE.includes(t.storageClass));
  const athenaBefore = unreadable(transBefore);
  const athenaAfter = unreadable(transAfter);
  if (athenaAfter && (!athenaBefore || athenaAfter.days < athenaBefore.days)) {
    parts.push(`Athena no longer reads events older than ${athenaAfter.days} days (they move to ${code(athenaAfter.storageClass)})`);
  }
  const bucket = ctx.targets(c, ["bucket"])?.[0] ?? str(c.before, "bucket") ?? c.name;
  return [risk("low", "retention-changed", c, `Retention of ${code(bucket)}: ${parts.join("; ")}.`)];
};

// ---------------------------------------------------------------- data-bearing resources

interface DataBearingWords {
  /** The resource in words, from its values. */
  readonly what: (v: JsonObject | null, c: Change) => string;
  /** What destroying it costs. */
  readonly loss: string;
  /** What stays in AWS when it is forgotten. */
  readonly stays: string;
}

const bucketGuard = (noun: string, loss: string): DataBearingWords => ({
  what: (v) => `The ${noun} of bucket ${code(str(v, "bucket") ?? "?")}`,
  loss,
  stays: "it stays on the bucket",
});

/** Every type in DATA_BEARING_TYPES, in words (a test checks none is missing). */
export const DATA_BEARING_WORDS: Readonly<Record<string, DataBearingWords>> = {
  aws_s3_bucket: {
    what: (v, c) => `S3 bucket ${code(str(v, "bucket") ?? c.name)}`,
    loss: "every object in it goes with it",
    stays: "it stays in AWS with every object in it, still billed",
  },
  aws_s3_bucket_public_access_block: bucketGuard("public access block", "bucket policies and ACLs may make its objects public"),
  aws_s3_bucket_ownership_controls: bucketGuard("ownership controls", "ACLs can grant access to its objects again"),
  aws_s3_bucket_server_side_encryption_configuration: bucketGuard("default encryption", "new objects fall back to S3's default encryption"),
  aws_s3_bucket_policy: bucketGuard("policy", "its denial of requests without TLS goes with it"),
  aws_s3_bucket_versioning: bucketGuard("versioning", "versioning is suspended, so overwritten or deleted objects are no longer kept"),
  aws_s3_bucket_lifecycle_configuration: bucketGuard("lifecycle", "its objects no longer move to cheaper classes or expire"),
  aws_s3_bucket_logging: bucketGuard("access logging", "requests to it are no longer logged"),
  aws_kms_key: {
    what: (v, c) => `KMS key ${code(str(v, "description") ?? str(v, "key_id") ?? c.name)}`,
    loss: "what it encrypted becomes unreadable once the key is deleted",
    stays: "it stays in AWS, still billed, and what it encrypted stays readable",
  },
  aws_glue_catalog_database: {
    what: (v, c) => `Glue database ${code(str(v, "name") ?? c.name)}`,
    loss: "its tables go with it, so Athena cannot query the archive (the events stay in S3)",
    stays: "it stays in AWS with its tables",
  },
  aws_glue_catalog_table: {
    what: (v, c) => `Glue table ${code([str(v, "database_name"), str(v, "name") ?? c.name].filter(Boolean).join("."))}`,
    loss: "Athena cannot query the archive until it exists again (the events stay in S3)",
    stays: "it stays in AWS",
  },
};

const DATA_BEARING_SET = new Set(DATA_BEARING_TYPES);

/** The data-bearing group an address belongs to in a ses-guard stack, e.g. "the archive bucket and its guards". */
function groupLabel(c: Change): string | undefined {
  return Object.values(DATA_BEARING).find((g) => (g.addresses as readonly string[]).includes(`${c.type}.${c.name}`))?.label;
}

/**
 * What a resource goes with: a bucket guard with its bucket, a Glue table with its database. When
 * that one is destroyed or forgotten in the same plan, its sentence covers this one too.
 */
function parentOf(c: Change): string | undefined {
  if (c.type.startsWith("aws_s3_bucket_")) return `aws_s3_bucket ${str(c.before, "bucket")}`;
  if (c.type === "aws_glue_catalog_table") return `aws_glue_catalog_database ${str(c.before, "database_name")}`;
  return undefined;
}

const isForgotten = (c: Change): boolean => c.actions.includes("forget");
const isDestroyedOrReplaced = (c: Change): boolean => c.kind === "delete" || c.kind === "replace";

/** A data-bearing resource destroyed (deleted or replaced: the highest level) or forgotten (a `removed` block with `destroy = false`). */
function dataBearingRisks(ctx: Context): Risk[] {
  const gone = new Set(
    ctx.plan.changes
      .filter((c) => (c.type === "aws_s3_bucket" || c.type === "aws_glue_catalog_database") && (isForgotten(c) || isDestroyedOrReplaced(c)))
      .map((c) => `${c.type} ${str(c.before, c.type === "aws_s3_bucket" ? "bucket" : "name")}`),
  );
  return ctx.plan.changes
    .filter((c) => DATA_BEARING_SET.has(c.type) && !gone.has(parentOf(c) ?? ""))
    .flatMap((c) => {
      const words = DATA_BEARING_WORDS[c.type];
      const label = groupLabel(c);
      const what = `${words?.what(c.before, c) ?? `${code(c.type)} ${code(c.name)}`}${label ? ` (data-bearing: ${label})` : ""}`;
      if (isForgotten(c)) {
        return [
          risk(
            "medium",
            "data-bearing-forgotten",
            c,
            `${what} is forgotten (a \`removed\` block with \`destroy = false\`): ${words?.stays ?? "it stays in AWS"}, but Terraform no longer manages it; delete it by hand once it is no longer needed, or import it again.`,
          ),
        ];
      }
      if (isDestroyedOrReplaced(c)) {
        return [risk("high", "data-bearing-destroyed", c, `${what} is ${destroyedPhrase(c)}: ${words?.loss ?? "what it holds or guards goes with it"}.`)];
      }
      return [];
    });
}

// ---------------------------------------------------------------- wiring

/** Rules for one resource change, by type (merged with plan-review-risks.ts's). */
export const OPERATOR_CHECKS: Readonly<Record<string, readonly Check[]>> = {
  aws_ssm_document: [pauseRunbookChecks],
  aws_cloudwatch_event_rule: [pauseRuleChecks],
  aws_chatbot_slack_channel_configuration: [chatChannelChecks],
  aws_chatbot_teams_channel_configuration: [chatChannelChecks],
  aws_cloudwatch_metric_alarm: [alarmLevelChecks],
  aws_s3_bucket_lifecycle_configuration: [retentionChecks],
};

/** Rules over the whole plan: the pause scope from the automation policy, and data-bearing resources. */
export function planRisks(ctx: Context): Risk[] {
  // A runbook that says what it pauses is the better witness; its module needs no policy reading.
  const reported = new Set(
    ctx.plan.changes
      .filter((c) => c.type === "aws_ssm_document" && c.kind !== "no-op")
      .filter((c) => pauseOf(c.before) || pauseOf(c.after))
      .map((c) => c.moduleAddress),
  );
  return [...policyScopeRisks(ctx, reported), ...dataBearingRisks(ctx)];
}

/**
 * One sentence per thing a plan does. An alarm level that threshold-above-review-level already
 * states ("raised from 5 % to 8 %") is not said twice. A data-bearing resource destroyed is the
 * highest level; when another rule already says what its loss means (the bucket, the key, the
 * public access block, the TLS-only policy), that sentence stays and is raised to high instead.
 */
export function withoutRepeats(risks: readonly Risk[]): Risk[] {
  const others = (r: Risk) => risks.filter((o) => o !== r && o.address === r.address && o.kind !== r.kind);
  const destroyed = new Set(risks.filter((r) => r.kind === "data-bearing-destroyed" && others(r).length > 0).map((r) => r.address));
  return risks
    .filter((r) => !(r.kind === "alarm-level-changed" && others(r).some((o) => o.kind === "threshold-above-review-level")))
    .filter((r) => !(r.kind === "data-bearing-destroyed" && destroyed.has(r.address)))
    .map((r) => (destroyed.has(r.address) && r.level !== "high" ? { ...r, level: "high" as RiskLevel } : r));
}
