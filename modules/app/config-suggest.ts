// "Did you mean ...?" for an unknown config key: the nearest key allowed where it was written, or a key
// of the same section that it probably meant (archive.retentionDays is archive.lifecycle.expirationDays).
import type * as z from "zod";

/** Words people use for a key's words; each is tried in place of the word the schema uses. */
const SYNONYMS: Readonly<Record<string, string>> = {
  retention: "expiration",
  retain: "expiration",
  expiry: "expiration",
  expire: "expiration",
  expires: "expiration",
  ttl: "expiration",
  recipients: "emails",
  subscribers: "emails",
  addresses: "emails",
  pct: "percent",
  percentage: "percent",
  secs: "seconds",
  sec: "seconds",
};

/** A step of a schema path: a key, or any region / list item / record key. */
type Step = string | { readonly any: "<region>" | "[]" | "<key>" };

interface Candidate {
  readonly steps: readonly Step[];
  readonly order: number;
}

/** The schema node under optional, default, pipe and the like. */
function bare(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = (s as unknown as { def: { type: string; innerType?: z.ZodType; in?: z.ZodType; getter?: () => z.ZodType } }).def;
    if (def.innerType) s = def.innerType;
    else if (def.type === "pipe" && def.in) s = def.in;
    else if (def.type === "lazy" && def.getter) s = def.getter();
    else break;
  }
  return s;
}

/** Every object key the schema accepts, as a path from the top; union variants are merged. */
function keyPaths(root: z.ZodType): Candidate[] {
  const out: Candidate[] = [];
  const walk = (schema: z.ZodType, prefix: readonly Step[], depth: number) => {
    if (depth > 12) return;
    const def = (bare(schema) as unknown as { def: Record<string, unknown> & { type: string } }).def;
    switch (def.type) {
      case "object":
        for (const [key, child] of Object.entries(def.shape as Record<string, z.ZodType>)) {
          out.push({ steps: [...prefix, key], order: out.length });
          walk(child, [...prefix, key], depth + 1);
        }
        return;
      case "array":
        return walk(def.element as z.ZodType, [...prefix, { any: "[]" }], depth + 1);
      case "record": {
        const keyType = bare(def.keyType as z.ZodType) as unknown as { def: { type: string } };
        return walk(def.valueType as z.ZodType, [...prefix, { any: keyType.def.type === "enum" ? "<region>" : "<key>" }], depth + 1);
      }
      case "union":
        for (const option of def.options as z.ZodType[]) walk(option, prefix, depth + 1);
        return;
      case "intersection":
        walk(def.left as z.ZodType, prefix, depth + 1);
        walk(def.right as z.ZodType, prefix, depth + 1);
        return;
      default:
        return;
    }
  };
  walk(root, [], 0);
  return out;
}

const keyPathCache = new WeakMap<z.ZodType, Candidate[]>();

/** Lower-case words of a key: camelCase, snake_case, kebab-case and spaces all split. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s_\-.]+/)
    .filter(Boolean);
}

/**
 * Edit distance where swapping two neighbouring letters counts once (optimal string alignment).
 * Above `max` it stops early and returns max + 1.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  // Letters one string has and the other lacks each cost an edit at least: a quick bound that spares
  // the table for most pairs (suggestions compare a typed key with every key of the schema).
  if (max < Infinity && bagDistance(a, b) > max) return max + 1;
  // Three rows of the table are enough (the swap looks two rows back).
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  let previousMin = 0;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let currentMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      current[j] = d;
      if (d < currentMin) currentMin = d;
    }
    // No entry of a later row is below the smaller minimum of the two rows above it, plus one for the older.
    if (currentMin > max && previousMin > max) return max + 1;
    previousMin = currentMin;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length];
}

/** max(letters of a missing from b, letters of b missing from a), counted with repeats: at most the edit distance. */
function bagDistance(a: string, b: string): number {
  const counts = new Map<string, number>();
  for (const c of a) counts.set(c, (counts.get(c) ?? 0) + 1);
  let onlyB = 0;
  for (const c of b) {
    const n = counts.get(c) ?? 0;
    if (n > 0) counts.set(c, n - 1);
    else onlyB++;
  }
  let onlyA = 0;
  for (const n of counts.values()) onlyA += n;
  return Math.max(onlyA, onlyB);
}

/** A typed key's words as written and with synonyms replaced, worked out once per suggestion. */
type TypedVariants = ReadonlyArray<{ readonly words: readonly string[]; readonly text: string }>;

function typedVariants(typed: string): TypedVariants {
  const written = words(typed);
  return [written, written.map((w) => SYNONYMS[w] ?? w)].map((w) => ({ words: w, text: w.join("") }));
}

const keyWordsCache = new Map<string, { readonly words: readonly string[]; readonly joined: string }>();

/** How far a typed key is from a schema key; undefined when too far to suggest. */
function distance(typed: TypedVariants, key: string): number | undefined {
  let cached = keyWordsCache.get(key);
  if (!cached) {
    const w = words(key);
    keyWordsCache.set(key, (cached = { words: w, joined: w.join("") }));
  }
  const { words: keyWords, joined } = cached;
  let best = Infinity;
  for (const { words: v, text } of typed) {
    // Typos and plurals: a few letters off, more for longer keys. Lengths further apart than the
    // allowance cannot be within it, which spares the table for most pairs.
    const allowed = text.length <= 4 ? 1 : text.length <= 8 ? 2 : 3;
    if (Math.abs(text.length - joined.length) <= allowed) {
      const d = editDistance(text, joined, allowed);
      if (d <= allowed) best = Math.min(best, d);
    }
    // A key cut short or missing its unit or qualifier (bounceRate, expiration, class): whole words at either end.
    const starts = v.length < keyWords.length && v.every((w, i) => w === keyWords[i]) && text.length >= 4;
    const ends = v.length < keyWords.length && v.every((w, i) => w === keyWords[keyWords.length - v.length + i]) && text.length >= 5;
    const longer = keyWords.length < v.length && keyWords.every((w, i) => w === v[i]) && joined.length >= 4;
    if (starts || ends || longer) best = Math.min(best, 2);
  }
  return best === Infinity ? undefined : best;
}

function show(steps: readonly PropertyKey[]): string {
  let out = "";
  for (const s of steps) {
    if (typeof s === "number") out += `[${s}]`;
    else if (s === "[]") out += "[]";
    else out += out ? `.${String(s)}` : String(s);
  }
  return out;
}

/**
 * The key the user probably meant by `typed`, written at `at`: a key allowed there (`localKeys`,
 * shown quoted) or, failing a close one, a key elsewhere in the same top-level section or, at the
 * top level, anywhere (shown as its full path). Undefined when nothing is close.
 */
export function suggestKey(root: z.ZodType, at: readonly PropertyKey[], typed: string, localKeys: readonly string[]): string | undefined {
  let paths = keyPathCache.get(root);
  if (!paths) keyPathCache.set(root, (paths = keyPaths(root)));
  interface Scored {
    readonly text: string;
    readonly cost: number;
    readonly local: boolean;
    readonly shared: number;
    readonly order: number;
  }
  const scored: Scored[] = [];
  const variants = typedVariants(typed);
  localKeys.forEach((key, order) => {
    const d = distance(variants, key);
    if (d !== undefined && key !== typed) scored.push({ text: JSON.stringify(key), cost: d, local: true, shared: at.length, order });
  });
  for (const c of paths) {
    // Only the same section (a key of another section is another setting), or anywhere from the top level.
    if (at.length > 0 && c.steps[0] !== at[0]) continue;
    // Where the user wrote it, the allowed keys are known: another union variant's key there is not one.
    const parent = c.steps.slice(0, -1);
    if (parent.length === at.length && parent.every((s, i) => fits(s, at[i]))) continue;
    const leaf = c.steps[c.steps.length - 1] as string;
    const d = distance(variants, leaf);
    if (d === undefined) continue;
    // A concrete region or index the user wrote replaces the placeholder where the paths agree.
    let shared = 0;
    while (shared < parent.length && shared < at.length && fits(parent[shared], at[shared])) shared++;
    const steps = c.steps.map((s, i) => (typeof s === "string" ? s : i < shared ? at[i] : s.any));
    // A key moved to another place costs one more than a typo where it stands.
    scored.push({ text: show(steps), cost: d + 1, local: false, shared, order: c.order });
  }
  scored.sort((a, b) => a.cost - b.cost || Number(b.local) - Number(a.local) || b.shared - a.shared || a.order - b.order);
  return scored[0]?.text;
}

function fits(step: Step, concrete: PropertyKey | undefined): boolean {
  if (concrete === undefined) return false;
  if (typeof step === "string") return step === concrete;
  return step.any === "[]" ? typeof concrete === "number" : typeof concrete === "string";
}
