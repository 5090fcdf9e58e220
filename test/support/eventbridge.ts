// EventBridge's two jobs for a rule, as AWS documents them, for tests: does an event match a
// pattern ("Creating Amazon EventBridge event patterns" and "Comparison operators for use in event
// patterns", EventBridge User Guide), and what does an input transformer send to the target
// ("Amazon EventBridge input transformation", same guide, including its "Common issues with
// transforming input" section).

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A substitution AWS does not document safely: an object, array or null inside a JSON string. AWS
 * says only that EventBridge "removes any internal quotes" there; an escaped quote or backslash in the
 * value would leave a stray backslash, so no template may rely on it, and a test that does fails.
 */
export class UndocumentedRenderingError extends Error {}

/**
 * The JSON path subset EventBridge evaluates: `$`, `.name` (letters, digits, `-`, `_`), `[n]` and `[*]`.
 * `undefined` when the event lacks the path ("that variable isn't created").
 */
export function evaluatePath(event: Json, path: string): Json | undefined {
  if (!path.startsWith("$")) throw new Error(`not a JSON path: ${path}`);
  const tokens = [...path.slice(1).matchAll(/\.([A-Za-z0-9_-]+)|\[(\d+|\*)\]/g)];
  if (tokens.map((t) => t[0]).join("") !== path.slice(1)) throw new Error(`JSON path syntax EventBridge does not support: ${path}`);
  let values: Json[] = [event];
  let wildcard = false;
  for (const [, name, index] of tokens) {
    values = values.flatMap((v): Json[] => {
      if (name !== undefined) {
        if (v === null || typeof v !== "object" || Array.isArray(v) || !(name in v)) return [];
        return [v[name]];
      }
      if (!Array.isArray(v)) return [];
      if (index === "*") return v;
      return Number(index) < v.length ? [v[Number(index)]] : [];
    });
    if (index === "*") wildcard = true;
  }
  if (wildcard) return values;
  return values.length === 0 ? undefined : values[0];
}

/** Names of `transformer`'s input paths that `event` lacks. */
export function missingVariables(transformer: { inputPathsMap: Record<string, string> }, event: Json): string[] {
  return Object.entries(transformer.inputPathsMap)
    .filter(([, path]) => evaluatePath(event, path) === undefined)
    .map(([name]) => name);
}

/**
 * The transformer's output for `event`, by the rules AWS documents ("Common issues with transforming
 * input"):
 * - "EventBridge doesn't escape values extracted by Input Path": a string is inserted as it is,
 *   inside a JSON string or out; out of one, EventBridge adds the quotes ("Quotes are not required
 *   for variables that represent strings ... EventBridge automatically adds quotes"), still unescaped;
 * - an object or array outside a JSON string is inserted as JSON ("Do not add quotes for variables
 *   that represent JSON objects or arrays"); inside one it is refused (UndocumentedRenderingError);
 * - a path the event lacks: "that variable isn't created and won't appear in the output", so the
 *   placeholder renders as nothing.
 */
export function renderTransformer(transformer: { inputPathsMap: Record<string, string>; inputTemplate: string }, event: Json): string {
  const values = new Map(Object.entries(transformer.inputPathsMap).map(([name, path]) => [name, evaluatePath(event, path)]));
  const template = transformer.inputTemplate;
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === "\\" && inString) {
      out += c + template[i + 1];
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    const placeholder = c === "<" ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (!placeholder) {
      out += c;
      continue;
    }
    const name = placeholder[1];
    if (!values.has(name)) throw new Error(`placeholder <${name}> has no input path`);
    const value = values.get(name);
    // A missing variable adds nothing.
    if (value !== undefined) out += substitute(name, value, inString);
    i += placeholder[0].length - 1;
  }
  return out;
}

function substitute(name: string, value: Json, inString: boolean): string {
  if (typeof value === "string") return inString ? value : `"${value}"`;
  if (!inString) return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new UndocumentedRenderingError(`<${name}> is ${Array.isArray(value) ? "an array" : value === null ? "null" : "an object"} inside a JSON string`);
}

type Matcher = Json;

/** Does `event` match `pattern`? Exact values, prefix, wildcard, exists, anything-but and `$or`. */
export function matchesPattern(pattern: Record<string, Json>, event: Json): boolean {
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === "$or") return (sub as Record<string, Json>[]).some((alternative) => matchesPattern(alternative, event));
    const value = event !== null && typeof event === "object" && !Array.isArray(event) ? event[key] : undefined;
    if (Array.isArray(sub)) return matchesLeaf(sub, value);
    // A nested pattern over an array of objects matches when any element does.
    if (Array.isArray(value)) return value.some((element) => matchesPattern(sub as Record<string, Json>, element));
    return matchesPattern(sub as Record<string, Json>, value ?? null);
  });
}

function matchesLeaf(matchers: Matcher[], value: Json | undefined): boolean {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return matchers.some((m) => {
    if (m !== null && typeof m === "object" && !Array.isArray(m)) {
      if ("exists" in m) return m.exists === (value !== undefined);
      if ("anything-but" in m) return values.length > 0 && values.every((v) => !anyOf(m["anything-but"], v));
      return values.some((v) => operator(m, v));
    }
    return values.some((v) => v === m);
  });
}

function anyOf(spec: Json, value: Json): boolean {
  if (Array.isArray(spec)) return spec.some((s) => anyOf(s, value));
  if (spec !== null && typeof spec === "object") {
    if (Array.isArray(spec.wildcard)) return spec.wildcard.some((w) => operator({ wildcard: w }, value));
    return operator(spec, value);
  }
  return spec === value;
}

function operator(m: { [key: string]: Json }, value: Json): boolean {
  if (typeof value !== "string") return false;
  if (typeof m.prefix === "string") return value.startsWith(m.prefix);
  if (typeof m.wildcard === "string") return wildcardRegExp(m.wildcard).test(value);
  throw new Error(`pattern operator not modelled: ${JSON.stringify(m)}`);
}

/** `*` is any run of characters; `\*` and `\\` are a literal `*` and `\`. */
function wildcardRegExp(wildcard: string): RegExp {
  let source = "";
  for (let i = 0; i < wildcard.length; i++) {
    const c = wildcard[i];
    if (c === "\\") source += wildcard[++i].replace(/[\\*]/, (x) => `\\${x}`);
    else if (c === "*") source += "[\\s\\S]*";
    else source += c.replace(/[.*+?^${}()|[\]\\/]/g, (x) => `\\${x}`);
  }
  return new RegExp(`^${source}$`);
}

/** An SES event record (test/ses-event-samples/) as it arrives on the default bus. */
export function sesEventOnBus(record: Record<string, Json>, detailType: string, region = "us-east-1"): Record<string, Json> {
  return {
    version: "0",
    id: "ad3f7a5e-0f4b-4c1a-9d2f-1e2b3c4d5e6f",
    "detail-type": detailType,
    source: "aws.ses",
    account: "123456789012",
    time: "2026-11-30T12:00:00Z",
    region,
    resources: [],
    detail: record,
  };
}
