/**
 * The part of `terraform show -json <planfile>` that plan review reads, checked and
 * normalized: bad input becomes one {@link PlanInputError} naming what was wrong,
 * what was given and what is allowed. Pure: no file system, no clock.
 */

/** What a plan review accepts, in every message that rejects input. */
export const PLAN_ALLOWED = 'the output of "terraform show -json <planfile>" (plan format_version 1.x)';

/** Bad input: one line, for exit status 2. */
export class PlanInputError extends Error {}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * What Terraform will do to one resource instance, reduced to one word.
 * `replace` covers both `["delete","create"]` and `["create","delete"]`.
 */
export type ActionKind = "create" | "update" | "replace" | "delete" | "no-op" | "read" | "forget" | string;

/** One entry of `resource_changes`, normalized. */
export interface Change {
  readonly address: string;
  /** `module.a.module.b`, or "" for the root module. */
  readonly moduleAddress: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
  readonly kind: ActionKind;
  /** Planned as an import (`change.importing`, Terraform 1.5+). */
  readonly importing: boolean;
  readonly importId?: string;
  /** Values before: null for a create. */
  readonly before: JsonObject | null;
  /** Values after: null for a delete; unknown values are absent (see afterUnknown). */
  readonly after: JsonObject | null;
  readonly afterUnknown: Json;
  readonly actionReason?: string;
  readonly replacePaths: readonly (readonly (string | number)[])[];
  /** Set for a deposed object (a leftover of an interrupted create_before_destroy). */
  readonly deposed?: string;
  /** Set when a `moved` block renamed the resource. */
  readonly previousAddress?: string;
}

/** A module's `configuration` section: only resource expressions are read, to name what unknown values will be. */
interface ConfigModule {
  resources?: Array<{ address?: string; expressions?: JsonObject }>;
  module_calls?: Record<string, { module?: ConfigModule }>;
}

export interface Plan {
  readonly formatVersion: string;
  readonly terraformVersion: string;
  /** Every managed-resource change, sorted by address (data sources are left out). */
  readonly changes: readonly Change[];
  /** The plan did not finish (`errored: true`): it may list fewer changes than the config would make. */
  readonly errored: boolean;
  /** Expressions by full resource address (module prefix included). */
  readonly expressions: ReadonlyMap<string, JsonObject>;
}

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

function describeJson(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a JSON array";
  if (typeof v === "object") return "a JSON object";
  const text = JSON.stringify(v);
  return `${typeof v} ${text.length > 40 ? `${text.slice(0, 40)}...` : text}`;
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  return `line ${before.split("\n").length}, column ${position - before.lastIndexOf("\n")}`;
}

/** Parses plan JSON text; `source` names the input in messages (a file name or `<stdin>`). */
export function parsePlanText(text: string, source: string): Plan {
  if (text.trim() === "") throw new PlanInputError(`${source}: got empty input; allowed: ${PLAN_ALLOWED}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const match = /position (\d+)/.exec(message);
    const where = match ? ` at ${lineAndColumn(text, Number(match[1]))}` : "";
    // V8 either gives a position or quotes the text; keep its reason, drop the quote (it can be huge).
    const reason = message.replace(/,\s+(?:\.\.\.)?".*$/s, "").replace(/ in JSON at position \d+.*$/s, "");
    // `terraform plan` without -json, or `terraform show` without -json, is the usual cause; or the
    // plan file itself, which is a zip archive (it starts with the "PK\x03\x04" signature).
    const hint = text.startsWith("PK\u0003\u0004")
      ? " (this looks like a binary plan file saved by terraform plan -out; use terraform show -json <planfile>)"
      : // eslint-disable-next-line no-control-regex -- \x1b starts terraform's colour codes
        /^\s*(Terraform|[#~+-]|\x1b)/.test(text)
        ? " (this looks like terraform's text output; use terraform show -json)"
        : "";
    throw new PlanInputError(`${source}: not valid JSON${where} (${reason.replace(/\s+/g, " ")})${hint}; allowed: ${PLAN_ALLOWED}`);
  }
  return parsePlan(raw, source);
}

/** Checks and normalizes parsed plan JSON. */
export function parsePlan(raw: unknown, source: string): Plan {
  if (!isObject(raw)) throw new PlanInputError(`${source}: not a Terraform plan: got ${describeJson(raw)}; allowed: ${PLAN_ALLOWED}`);
  const isPlan = "resource_changes" in raw || "planned_values" in raw;
  if (!isPlan) {
    const keys = Object.keys(raw).sort();
    let got = `a JSON object with keys ${keys
      .slice(0, 8)
      .map((k) => JSON.stringify(k))
      .join(", ")}${keys.length > 8 ? ", ..." : ""}`;
    if (keys.length === 0) got = "an empty JSON object";
    else if ("values" in raw && "format_version" in raw)
      got = 'a Terraform state (it has "values", not "planned_values"; run terraform show -json on a plan file)';
    else if ("resource" in raw || "terraform" in raw || "provider" in raw) got = "Terraform configuration (such as cdk.tf.json), not a plan";
    throw new PlanInputError(`${source}: not a Terraform plan: got ${got}; allowed: ${PLAN_ALLOWED}`);
  }
  const version = raw.format_version;
  if (typeof version !== "string") {
    throw new PlanInputError(
      `${source}: format_version: got ${version === undefined ? "none" : describeJson(version)}; allowed: a string "1.x" (${PLAN_ALLOWED})`,
    );
  }
  // Minor versions only add fields; a new major may change meaning, so it is refused rather than misread.
  if (!/^1\.\d+$/.test(version)) {
    throw new PlanInputError(`${source}: format_version ${JSON.stringify(version)} is not supported; allowed: 1.x (${PLAN_ALLOWED})`);
  }
  const list = raw.resource_changes ?? [];
  if (!Array.isArray(list)) throw new PlanInputError(`${source}: resource_changes: got ${describeJson(list)}; allowed: a JSON array`);
  const changes = list
    .map((entry, i) => normalizeChange(entry, `${source}: resource_changes[${i}]`))
    .filter((c) => c.mode !== "data")
    .sort((a, b) => compare(a.address + (a.deposed ?? ""), b.address + (b.deposed ?? "")));
  return {
    formatVersion: version,
    terraformVersion: typeof raw.terraform_version === "string" ? raw.terraform_version : "unknown",
    changes,
    errored: raw.errored === true,
    expressions: collectExpressions(raw.configuration),
  };
}

function normalizeChange(entry: unknown, where: string): Change {
  if (!isObject(entry)) throw new PlanInputError(`${where}: got ${describeJson(entry)}; allowed: a JSON object`);
  for (const key of ["address", "type", "name"] as const) {
    if (typeof entry[key] !== "string") {
      throw new PlanInputError(`${where}.${key}: got ${entry[key] === undefined ? "none" : describeJson(entry[key])}; allowed: a string`);
    }
  }
  const change = entry.change;
  if (!isObject(change)) throw new PlanInputError(`${where}.change: got ${change === undefined ? "none" : describeJson(change)}; allowed: a JSON object`);
  const actions = change.actions;
  if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => typeof a === "string")) {
    throw new PlanInputError(
      `${where}.change.actions: got ${actions === undefined ? "none" : JSON.stringify(actions)}; allowed: a list of actions such as ["create"]`,
    );
  }
  const acts = actions as string[];
  const importing = isObject(change.importing);
  const importId = importing && typeof (change.importing as JsonObject).id === "string" ? ((change.importing as JsonObject).id as string) : undefined;
  const replacePaths = Array.isArray(change.replace_paths)
    ? change.replace_paths.filter(Array.isArray).map((p) => (p as Json[]).filter((s): s is string | number => typeof s === "string" || typeof s === "number"))
    : [];
  return {
    address: entry.address as string,
    moduleAddress: typeof entry.module_address === "string" ? entry.module_address : "",
    mode: typeof entry.mode === "string" ? entry.mode : "managed",
    type: entry.type as string,
    name: entry.name as string,
    actions: acts,
    kind: actionKind(acts),
    importing,
    importId,
    before: isObject(change.before) ? change.before : null,
    after: isObject(change.after) ? change.after : null,
    afterUnknown: change.after_unknown ?? false,
    actionReason: typeof entry.action_reason === "string" ? entry.action_reason : undefined,
    replacePaths,
    deposed: typeof entry.deposed === "string" ? entry.deposed : undefined,
    previousAddress: typeof entry.previous_address === "string" ? entry.previous_address : undefined,
  };
}

export function actionKind(actions: readonly string[]): ActionKind {
  const key = [...actions].sort().join(",");
  if (key === "create,delete") return "replace";
  if (actions.length === 1) return actions[0];
  return actions.join("+");
}

function collectExpressions(configuration: Json | undefined): Map<string, JsonObject> {
  const result = new Map<string, JsonObject>();
  const walk = (mod: ConfigModule | undefined, prefix: string): void => {
    if (!mod) return;
    for (const r of mod.resources ?? []) {
      if (typeof r.address === "string" && isObject(r.expressions)) result.set(prefix + r.address, r.expressions);
    }
    for (const name of Object.keys(mod.module_calls ?? {}).sort()) {
      walk(mod.module_calls?.[name]?.module, `${prefix}module.${name}.`);
    }
  };
  if (isObject(configuration)) walk(configuration.root_module as ConfigModule | undefined, "");
  return result;
}

/** Code-unit order: the same on every machine and locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------- value access

export const asObject = (v: Json | undefined): JsonObject | undefined => (isObject(v) ? v : undefined);

/** Nested blocks are lists of one object in plan JSON: `extended_s3_configuration[0]`. */
export function block(values: JsonObject | null | undefined, key: string): JsonObject | undefined {
  const v = values?.[key];
  if (Array.isArray(v)) return asObject(v[0]);
  return asObject(v);
}

export function blocks(values: JsonObject | null | undefined, key: string): JsonObject[] {
  const v = values?.[key];
  return Array.isArray(v) ? v.filter(isObject) : [];
}

export function str(values: JsonObject | null | undefined, key: string): string | undefined {
  const v = values?.[key];
  return typeof v === "string" ? v : undefined;
}

export function num(values: JsonObject | null | undefined, key: string): number | undefined {
  const v = values?.[key];
  return typeof v === "number" ? v : undefined;
}

export function strings(values: JsonObject | null | undefined, key: string): string[] | undefined {
  const v = values?.[key];
  if (v === null) return [];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : undefined;
}

/** True when `path` of the planned values is only known after apply. */
export function isUnknown(change: Change, path: readonly (string | number)[]): boolean {
  let node: Json | undefined = change.afterUnknown as Json;
  for (const step of path) {
    if (node === true) return true;
    if (Array.isArray(node) && typeof step === "number") node = node[step];
    else if (isObject(node) && typeof step === "string") node = node[step];
    else return false;
  }
  return node === true;
}

export const isGone = (c: Change): boolean => c.kind === "delete";
export const isDestroyed = (c: Change): boolean => c.kind === "delete" || c.kind === "replace";
export const isChanged = (c: Change): boolean => c.kind !== "no-op" && c.kind !== "read";
/** A change that leaves the resource in place with new values. */
export const hasBeforeAndAfter = (c: Change): boolean => c.before !== null && c.after !== null;

const INSTANCE_KEY = /\[(?:"(?:[^"\\]|\\.)*"|\d+)\]/g;
const NOT_A_RESOURCE = /^(var|local|module|data|each|count|path|terraform|self)\./;

/**
 * The resources an attribute refers to in the configuration (`aws_sns_topic.alarms_topic`),
 * for values only known after apply. `path` walks nested blocks: ["extended_s3_configuration", 0, "bucket_arn"].
 */
export function referencedAddresses(plan: Plan, change: Change, path: readonly (string | number)[]): string[] {
  // Configuration addresses have no instance keys: module.a["x"].aws_y.z[0] is module.a.aws_y.z there.
  const base = change.address.replace(INSTANCE_KEY, "");
  let node: Json | undefined = plan.expressions.get(base);
  for (const step of path) {
    if (Array.isArray(node) && typeof step === "number") node = node[step];
    else if (isObject(node) && typeof step === "string") node = node[step];
    else return [];
  }
  const refs = asObject(node)?.references;
  if (!Array.isArray(refs)) return [];
  const prefix = change.moduleAddress ? `${change.moduleAddress}.` : "";
  const found = new Set<string>();
  for (const ref of refs) {
    // "aws_sns_topic.alarms_topic.arn" and "aws_sns_topic.alarms_topic": keep type.name.
    if (typeof ref !== "string" || NOT_A_RESOURCE.test(ref)) continue;
    const m = /^([a-z0-9_]+\.[A-Za-z0-9_-]+)/.exec(ref);
    if (m) found.add(prefix + m[1]);
  }
  return [...found].sort(compare);
}
