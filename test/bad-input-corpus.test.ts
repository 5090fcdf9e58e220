// The bad-input corpus (test/corpus/cases.json) run against the built command, exactly as users run it:
// `node scripts/synth.js <argv>` in a folder that already holds a good synth. Each case must exit with
// its status, print one clear line per problem (the first naming the field), no stack trace, and leave
// every byte as it was.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../modules/app/cli";
import { ConfigError, parseConfig } from "../modules/app/config";

const root = path.join(__dirname, "..");
const synthScript = path.join(root, "scripts", "synth.js");
const corpusFile = path.join(__dirname, "corpus", "cases.json");

/** Kinds this file has a runner for. A "review" kind (the review command) needs its own runner here first. */
const RUNNABLE_KINDS = ["config", "cli", "review"] as const;
const reviewScript = path.join(root, "scripts", "review.js");
type Kind = (typeof RUNNABLE_KINDS)[number];

interface Generator {
  name: "spaces" | "config-with-many-tags" | "directory";
  bytes?: number;
}

interface CorpusCase {
  name: string;
  kind: Kind;
  /** The case file's name in the temp dir; default config.json. */
  file?: string;
  content?: string;
  json?: unknown;
  generator?: Generator;
  argv?: string[];
  env?: Record<string, string>;
  exit: number;
  /** The field path named right after "<file>: " (or after "ses-guard: error: " for cli cases); null for whole-file problems. */
  field: string | null;
  stderr?: string;
  stderrPattern?: string;
  /** The whole stderr when a case has several problems: one entry per line, exact text or {pattern}. */
  stderrLines?: Array<string | { pattern: string }>;
}

const PREFIX = "ses-guard: error: ";
const REVIEW_PREFIX = "ses-guard review: error: ";
/** The review command (npm run review) prefixes its own errors. */
const prefixOf = (c: { kind: string }) => (c.kind === "review" ? REVIEW_PREFIX : PREFIX);
const CONCURRENCY = 4;
const SPAWN_TIMEOUT_MS = 60_000;

function loadCorpus(): CorpusCase[] {
  const manifest = JSON.parse(fs.readFileSync(corpusFile, "utf8")) as { cases: CorpusCase[] };
  return manifest.cases;
}

/** The manifest's own rules, so a malformed case fails loudly instead of testing nothing. */
function manifestProblems(cases: CorpusCase[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const c of cases) {
    const where = JSON.stringify(c.name);
    if (!c.name || names.has(c.name)) problems.push(`${where}: missing or duplicate name`);
    names.add(c.name);
    if (!(RUNNABLE_KINDS as readonly string[]).includes(c.kind)) problems.push(`${where}: kind ${JSON.stringify(c.kind)} has no runner in this file`);
    const sources = [c.content !== undefined, c.json !== undefined, c.generator !== undefined].filter(Boolean).length;
    if (sources > 1) problems.push(`${where}: at most one of content, json, generator`);
    if (c.kind === "cli" && !c.argv) problems.push(`${where}: a cli case needs argv`);
    if ([c.stderr, c.stderrPattern, c.stderrLines].filter((x) => x !== undefined).length !== 1)
      problems.push(`${where}: exactly one of stderr, stderrPattern, stderrLines`);
    if (c.stderrLines !== undefined && (!Array.isArray(c.stderrLines) || c.stderrLines.length < 2))
      problems.push(`${where}: stderrLines must list two lines or more (one line is stderr or stderrPattern)`);
    for (const l of Array.isArray(c.stderrLines) ? c.stderrLines : []) {
      if (typeof l === "string" ? !l.startsWith(prefixOf(c)) || /[\r\n]/.test(l) : typeof l?.pattern !== "string" || !l.pattern.startsWith(`^${prefixOf(c)}`)) {
        problems.push(`${where}: each of stderrLines must be one line starting with "${prefixOf(c)}", or {pattern} anchored at "^${prefixOf(c)}"`);
      }
    }
    if (c.stderr !== undefined && (!c.stderr.startsWith(prefixOf(c)) || /[\r\n]/.test(c.stderr)))
      problems.push(`${where}: stderr must be one line starting with "${prefixOf(c)}"`);
    if (c.stderrPattern !== undefined && !c.stderrPattern.startsWith(`^${prefixOf(c)}`))
      problems.push(`${where}: stderrPattern must be anchored at "^${prefixOf(c)}"`);
    if (![1, 2].includes(c.exit)) problems.push(`${where}: exit must be 1 (config) or 2 (usage)`);
    if (c.field !== null && typeof c.field !== "string") problems.push(`${where}: field must be a string or null`);
  }
  return problems;
}

/** Valid minimal config (as in examples/minimal.json), for the generators. */
function minimalConfig(): Record<string, unknown> {
  return { accountId: "123456789012", alarms: { emails: ["ops@example.com"] }, notifications: { identities: ["example.com"] } };
}

/** Writes a generated case file; huge files are made here, never committed. */
function generate(file: string, g: Generator): void {
  switch (g.name) {
    case "spaces":
      fs.writeFileSync(file, " ".repeat(g.bytes!));
      return;
    case "config-with-many-tags": {
      // A well-formed config whose only problem is its size: tags until the next one would pass `bytes`, then padding.
      const cfg = minimalConfig();
      const tags: Record<string, string> = {};
      const tagBytes = (i: number) => `"t${String(i).padStart(6, "0")}":"${"x".repeat(200)}",`.length;
      let size = Buffer.byteLength(JSON.stringify({ ...cfg, tags: {} }));
      for (let i = 0; size + tagBytes(i) <= g.bytes!; i++) {
        tags[`t${String(i).padStart(6, "0")}`] = "x".repeat(200);
        size += tagBytes(i);
      }
      const text = JSON.stringify({ ...cfg, tags });
      const padded = text.slice(0, -1) + " ".repeat(g.bytes! - Buffer.byteLength(text)) + "}";
      JSON.parse(padded); // still valid JSON
      fs.writeFileSync(file, padded);
      return;
    }
    case "directory":
      fs.mkdirSync(file);
      return;
    default:
      throw new Error(`unknown generator ${JSON.stringify(g)}`);
  }
}

type Tree = Map<string, Buffer | "dir">;

/** Every file (with its bytes) and folder under dir. */
function snapshot(dir: string): Tree {
  const tree: Tree = new Map();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (e.isDirectory()) {
        tree.set(rel, "dir");
        walk(p);
      } else tree.set(rel, fs.readFileSync(p));
    }
  };
  walk(dir);
  return tree;
}

/** What changed between two snapshots, as readable lines (empty when identical). */
function treeChanges(before: Tree, after: Tree): string[] {
  const changes: string[] = [];
  for (const [p, v] of after) {
    const was = before.get(p);
    if (was === undefined) changes.push(`created ${p}`);
    else if (was === "dir" || v === "dir" ? was !== v : !was.equals(v)) changes.push(`changed ${p}`);
  }
  for (const p of before.keys()) if (!after.has(p)) changes.push(`removed ${p}`);
  return changes;
}

/** The environment users have, minus what would choose another config or output folder. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.SES_GUARD_CONFIG;
  delete env.CDKTF_OUTDIR;
  return Object.assign(env, extra);
}

/**
 * Every CLI case and every SPAWN_EVERY-th config case runs the built command in its own process, as users
 * do; the rest call the same CLI function in this process (the bundle is that code: test/app/cli.test.ts shows
 * both write the same bytes), which spares a second of process start-up per case.
 */
const SPAWN_EVERY = 10;
const spawned = (c: CorpusCase, index: number) => c.kind === "cli" || index % SPAWN_EVERY === 0;

function runInProcess(
  argv: string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, cleanEnv(extraEnv), cwd, { out: (l) => out.push(`${l}\n`), err: (l) => err.push(`${l}\n`) });
  return Promise.resolve({ code, signal: null, stdout: out.join(""), stderr: err.join("") });
}

function run(
  argv: string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
  script = synthScript,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const env = cleanEnv(extraEnv);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...argv], { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: SPAWN_TIMEOUT_MS });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

interface Outcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  changes: string[];
}

/** How the message names the config: as given to --config, else $SES_GUARD_CONFIG, else ses-guard.json; cli messages name no file. */
function sourcePrefix(c: CorpusCase): string {
  if (c.kind === "cli" || c.kind === "review") return "";
  const argv = c.argv ?? ["--config", c.file ?? "config.json"];
  const flag = argv.indexOf("--config");
  return `${flag >= 0 ? argv[flag + 1] : (c.env?.SES_GUARD_CONFIG ?? "ses-guard.json")}: `;
}

async function pool<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

const cases = loadCorpus();
const outcomes = new Map<string, Outcome>();
let goodOutput: string;
let workRoot: string;

/** dist/main.js's identity: it changes when anything rebuilds the bundle. */
function bundleStamp(): string {
  try {
    const s = fs.statSync(path.join(root, "dist", "main.js"));
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return "missing";
  }
}

/**
 * Runs one case; again (up to twice) if the bundle was rebuilt meanwhile. scripts/synth.js rewrites dist/main.js
 * in place when a source changed, so a run overlapping another test's or an editor's rebuild can load a
 * half-written or empty bundle; that says nothing about the case.
 */
async function runCase(c: CorpusCase): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    const stamp = bundleStamp();
    const outcome = await runCaseOnce(c);
    if (bundleStamp() === stamp || attempt === 3) return outcome;
  }
}

/** Runs one case in a fresh temp dir that holds a copy of the good synth's output. */
async function runCaseOnce(c: CorpusCase): Promise<Outcome> {
  const dir = fs.mkdtempSync(path.join(workRoot, "case-"));
  try {
    fs.cpSync(goodOutput, path.join(dir, "cdktf.out"), { recursive: true });
    const file = c.file ?? "config.json";
    const filePath = path.join(dir, file);
    if (c.content !== undefined) fs.writeFileSync(filePath, c.content);
    else if (c.json !== undefined) fs.writeFileSync(filePath, `${JSON.stringify(c.json, null, 2)}\n`);
    else if (c.generator !== undefined) generate(filePath, c.generator);
    const before = snapshot(dir);
    if (c.kind === "review") {
      // The review command reads the plan file named first (or stdin); it never writes.
      // As if typed in that folder: `npm run review` resolves the plan against INIT_CWD (where the user is).
      const r = await run(c.argv ?? [file], dir, { ...c.env, INIT_CWD: dir }, reviewScript);
      return { ...r, changes: treeChanges(before, snapshot(dir)) };
    }
    const argv = c.argv ?? ["--config", file];
    const r = await (spawned(c, cases.indexOf(c)) ? run : runInProcess)(argv, dir, c.env);
    return { ...r, changes: treeChanges(before, snapshot(dir)) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-corpus-"));
  // One real synth of a good config by the built command (this also rebuilds dist/ first if a source changed,
  // so the concurrent runs below never race to rebuild it). Each case starts from a byte copy of its output.
  const good = path.join(workRoot, "good");
  fs.mkdirSync(good);
  fs.copyFileSync(path.join(root, "examples", "minimal.json"), path.join(good, "good.json"));
  const r = spawnSync(process.execPath, [synthScript, "--config", "good.json"], { cwd: good, encoding: "utf8", env: cleanEnv() });
  if (r.status !== 0) throw new Error(`the good synth failed (exit ${r.status}):\n${r.stderr}`);
  goodOutput = path.join(good, "cdktf.out");
  expect(fs.existsSync(path.join(goodOutput, "stacks", "ses-guard-us-east-1", "cdk.tf.json"))).toBe(true);

  const started = Date.now();
  const runnable = manifestProblems(cases).length === 0 ? cases : [];
  const results = await pool(runnable, CONCURRENCY, runCase);
  runnable.forEach((c, i) => outcomes.set(c.name, results[i]));
  const byKind = Object.fromEntries(RUNNABLE_KINDS.map((k) => [k, cases.filter((c) => c.kind === k).length]));
  const nSpawned = runnable.filter((c, i) => spawned(c, i)).length;
  console.log(
    `bad-input corpus: ${cases.length} cases (${Object.entries(byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ")}); ${nSpawned} through the built command, the rest in-process; ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}, 300_000);

afterAll(() => {
  if (workRoot) fs.rmSync(workRoot, { recursive: true, force: true });
});

test("the corpus is well-formed and holds at least 40 cases", () => {
  expect(manifestProblems(cases)).toEqual([]);
  expect(cases.length).toBeGreaterThanOrEqual(40);
  expect(cases.filter((c) => c.kind === "config").length).toBeGreaterThanOrEqual(40);
  expect(cases.filter((c) => c.kind === "cli").length).toBeGreaterThanOrEqual(5);
  expect(cases.filter((c) => c.kind === "review").length).toBeGreaterThanOrEqual(5);
});

describe.each(cases.map((c) => [`${c.kind}: ${c.name}`, c] as const))("%s", (_title, c) => {
  const outcome = () => {
    const o = outcomes.get(c.name);
    if (!o) throw new Error("the case did not run (see the manifest test)");
    return o;
  };

  const lineCount = c.stderrLines?.length ?? 1;
  test(`exit ${c.exit}, stdout empty, ${lineCount === 1 ? "one" : lineCount} "${prefixOf(c)}" line${lineCount === 1 ? "" : "s"} naming ${c.field ?? "the problem"}, no stack trace`, () => {
    const o = outcome();
    expect(o.signal).toBeNull();
    expect({ exit: o.code, stdout: o.stdout }).toEqual({ exit: c.exit, stdout: "" });
    expect(o.stderr).not.toMatch(/^\s+at /m);
    expect(o.stderr.endsWith("\n")).toBe(true);
    const lines = o.stderr.slice(0, -1).split("\n");
    expect(lines).toHaveLength(lineCount);
    for (const line of lines) {
      expect(line).not.toMatch(/\r/);
      expect(line.startsWith(prefixOf(c))).toBe(true);
    }
    if (c.stderr !== undefined) expect(lines[0]).toBe(c.stderr);
    else if (c.stderrPattern !== undefined) expect(lines[0]).toMatch(new RegExp(c.stderrPattern, "u"));
    else
      c.stderrLines!.forEach((want, i) => (typeof want === "string" ? expect(lines[i]).toBe(want) : expect(lines[i]).toMatch(new RegExp(want.pattern, "u"))));
    if (c.field !== null) expect(lines[0].startsWith(`${prefixOf(c)}${sourcePrefix(c)}${c.field}: `)).toBe(true);
  });

  test("nothing written: the previous output and every other file byte-identical, nothing created", () => {
    expect(outcome().changes).toEqual([]);
  });
});

// NaN and Infinity cannot come from JSON, but a library caller can pass them: a ConfigError naming the field, not a crash.
describe("library API: numbers JSON cannot carry", () => {
  const base = () => minimalConfig() as Record<string, any>;
  test.each([
    [
      "critical NaN",
      (c: any) => (c.alarms.bounceRatePercent = { critical: NaN }),
      "alarms.bounceRatePercent.critical: got NaN; allowed: a value of type number",
    ],
    [
      "warning NaN",
      (c: any) => (c.alarms.complaintRatePercent = { warning: NaN }),
      "alarms.complaintRatePercent.warning: got NaN; allowed: a value of type number",
    ],
    ["periodSeconds Infinity", (c: any) => (c.alarms.periodSeconds = Infinity), "alarms.periodSeconds: got Infinity; allowed: a value of type number"],
    [
      "bufferingSizeMiB -Infinity",
      (c: any) => (c.archive = { bufferingSizeMiB: -Infinity }),
      "archive.bufferingSizeMiB: got -Infinity; allowed: a value of type number",
    ],
    [
      "transition days NaN",
      (c: any) => (c.archive = { lifecycle: { transitions: [{ days: NaN, storageClass: "GLACIER" }] } }),
      "archive.lifecycle.transitions[0].days: got NaN; allowed: a value of type number",
    ],
  ])("%s", (_name, patch, message) => {
    const cfg = base();
    patch(cfg);
    let error: unknown;
    try {
      parseConfig(cfg);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(`config: ${message}`);
  });
});
