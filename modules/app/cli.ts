import * as fs from "fs";
import * as path from "path";
import type { App } from "cdktf";
import { parse as parseJsonc, ParseError, printParseErrorCode } from "jsonc-parser";
import { FlagSpec, parseFlags } from "../shared/args";
import { UserError } from "../shared/user-error";
import { replaceFolder, stagingFolderFor } from "../shared/staged-folder";
import { ConfigError, configWarnings, parseConfig, problemLines, SesGuardConfig } from "./config";
import { rejectDuplicateKeys, yamlProblem } from "./config-source";
import { regionNames } from "../shared/names";
import { stackCostLine } from "../shared/cost";
import type * as StackModule from "./ses-guard-stack";
import { entriesIn, nextRecord, readRecord, recordPathFor, renamedBuckets, StackEntry, StackRecord, writeRecord } from "./stack-record";
import embeddedExample from "../../examples/default.json";

export const DEFAULT_CONFIG_FILE = "ses-guard.json";
export const CONFIG_ENV = "SES_GUARD_CONFIG";
/** Larger than any sane config; stops a wrong file (a log, a dump) from being parsed. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const USAGE = `Usage: ses-guard [--config FILE] [--out DIR] [--forget-stack STACK]... [--forget-bucket STACK]...

Synthesizes the ses-guard Terraform stack from a JSON config.
  --config FILE  config file (default: $${CONFIG_ENV}, else ./${DEFAULT_CONFIG_FILE},
                 else the embedded example)
  --out DIR      output directory (default: $CDKTF_OUTDIR, else cdktf.out)
  --forget-stack STACK
                 drop STACK although its state may still hold resources: they stay in
                 AWS, managed by nobody (without it such a synth stops; destroy first)
  --forget-bucket STACK
                 let STACK's archive bucket get a new name, once the old one is out of
                 its state (terraform state rm): the old bucket stays in AWS, unmanaged
  --help         this text
  --version      the version, and exit
Through npm the flags go after --, or npm takes them: npm run synth -- --config FILE`;

export { UserError };

export interface CliOptions {
  readonly configPath?: string;
  readonly outdir: string;
  readonly help: boolean;
  /** Stacks to drop although their state still holds resources (`--forget-stack`, repeatable). */
  readonly forgetStacks?: readonly string[];
  /** Stacks whose archive bucket may get a new name (`--forget-bucket`, repeatable). */
  readonly forgetBuckets?: readonly string[];
}

const FLAGS: readonly FlagSpec[] = [
  { name: "--config", short: "c", metavar: "FILE", value: "a file path" },
  { name: "--out", short: "o", metavar: "DIR", value: "a directory path" },
  { name: "--forget-stack", metavar: "STACK", value: "a stack name, such as ses-guard-eu-west-1", repeat: true },
  { name: "--forget-bucket", metavar: "STACK", value: "a stack name, such as ses-guard-eu-west-1", repeat: true },
  { name: "--help", short: "h" },
];

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  const { flags } = parseFlags(argv, FLAGS, { env });
  const configPath = (flags["--config"] as string | undefined) ?? (env[CONFIG_ENV] || undefined);
  const outdir = (flags["--out"] as string | undefined) ?? (env.CDKTF_OUTDIR || "cdktf.out");
  return {
    configPath,
    outdir,
    help: flags["--help"] === true,
    forgetStacks: (flags["--forget-stack"] as string[] | undefined) ?? [],
    forgetBuckets: (flags["--forget-bucket"] as string[] | undefined) ?? [],
  };
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  return `line ${line}, column ${position - before.lastIndexOf("\n")}`;
}

const JSON_ERRORS: Partial<Record<string, string>> = {
  InvalidSymbol: "unexpected character (JSON has no NaN, Infinity, undefined or bare words; strings need double quotes)",
  InvalidNumberFormat: "malformed number",
  PropertyNameExpected: "expected a property name in double quotes (no trailing commas)",
  ValueExpected: "expected a value (no trailing commas; the file may be empty or cut short)",
  ColonExpected: "expected a colon after the property name",
  CommaExpected: "expected a comma between items",
  CloseBraceExpected: "expected a closing }",
  CloseBracketExpected: "expected a closing ]",
  EndOfFileExpected: "expected the end of the file after the top-level value",
  InvalidCommentToken: "comments are not JSON",
  UnexpectedEndOfComment: "comments are not JSON",
  UnexpectedEndOfString: "a string is missing its closing double quote",
  InvalidEscapeCharacter: "invalid escape in a string",
  InvalidCharacter: "raw control character in a string",
};

/** Where and what the first JSON syntax error is, on one line (V8's own messages quote raw file text). */
function jsonSyntaxError(text: string): string {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return "not valid JSON";
  const code = printParseErrorCode(first.error);
  return `not valid JSON at ${lineAndColumn(text, first.offset)}: ${JSON_ERRORS[code] ?? code}`;
}

/** Reads and validates a config file; every failure is one UserError naming the file. */
export function loadConfigFile(file: string, name = file): SesGuardConfig {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UserError(`${name}: config file not found`);
  }
  if (!stat.isFile()) throw new UserError(`${name}: not a file; allowed: a JSON config file`);
  if (stat.size > MAX_CONFIG_BYTES) {
    throw new UserError(`${name}: ${stat.size} bytes; allowed: a config file of at most ${MAX_CONFIG_BYTES} bytes`);
  }
  let text: string;
  try {
    // Editors such as Notepad start UTF-8 files with a byte-order mark; it is not part of the JSON.
    text = new TextDecoder("utf-8", { fatal: true }).decode(fs.readFileSync(file)).replace(/^\uFEFF/, "");
  } catch {
    throw new UserError(`${name}: not UTF-8 text; allowed: a JSON file saved as UTF-8`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UserError(`${name}: ${yamlProblem(text) ?? jsonSyntaxError(text)}`);
  }
  rejectDuplicateKeys(text, name);
  return parseConfig(raw, name);
}

export interface ResolvedConfig {
  readonly config: SesGuardConfig;
  /** Where it came from, for messages. */
  readonly source: string;
}

export function resolveConfig(configPath: string | undefined, cwd: string): ResolvedConfig {
  if (configPath) return { config: loadConfigFile(path.resolve(cwd, configPath), configPath), source: configPath };
  const local = path.join(cwd, DEFAULT_CONFIG_FILE);
  if (fs.existsSync(local)) return { config: loadConfigFile(local, DEFAULT_CONFIG_FILE), source: DEFAULT_CONFIG_FILE };
  return { config: parseConfig(embeddedExample, "embedded example"), source: "embedded example" };
}

/** Builds the app in memory, one stack per region; throws before anything is written. */
export function buildApp(config: SesGuardConfig, outdir: string, statePathFor?: (stack: string) => string, forgottenIn: StackRecord = {}): App {
  // Loaded here, not at the top: cdktf and the provider take most of start-up, and bad input
  // (the common case while editing a config) is reported before they are needed.
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded lazily, as said above */
  const { App } = require("cdktf") as typeof import("cdktf");
  const { SesGuardStack } = require("./ses-guard-stack") as typeof StackModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  // cdktf's own validations here are a provider check (each stack configures its provider) and, per imported
  // resource, `terraform version` run on this machine: synth must not need terraform. The stacks with imports
  // declare required_version instead, which terraform itself enforces (see SesGuardStack).
  const app = new App({ outdir, skipValidation: true });
  const [home, ...others] = config.regions;
  const homeStack = new SesGuardStack(app, stackName(config.name, home), {
    config,
    region: home,
    localStatePath: statePathFor?.(stackName(config.name, home)),
    forgotten: forgottenIn[stackName(config.name, home)]?.forgotten,
  });
  for (const region of others) {
    const name = stackName(config.name, region);
    const stack = new SesGuardStack(app, name, { config, region, localStatePath: statePathFor?.(name), forgotten: forgottenIn[name]?.forgotten });
    // A shared bucket is created by the home stack, so `cdktf deploy '*'` applies that one first.
    if (homeStack.guard.archiveBucket && !stack.guard.archiveBucket) stack.addDependency(homeStack);
    // Otherwise the home stack's channel configurations, which subscribe to this region's topics, come after them.
    else if (homeStack.guard.chatChannels) homeStack.addDependency(stack);
  }
  return app;
}

/** State file path as seen from a stack folder terraform runs in: beside the project, not in the regenerated output. */
export function localStatePathFor(stack: string, outdir: string, stateDir: string): string {
  const fromStack = path.relative(path.join(outdir, "stacks", stack), stateDir);
  return path.join(fromStack, `terraform.${stack}.tfstate`).split(path.sep).join("/");
}

/**
 * The output folder is replaced whole, so it must be new, empty, or a previous synth's
 * (it has manifest.json): never a file, a device or a folder of other things.
 */
function checkReplaceable(target: string, given: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch {
    // New: its parent must be (or become) a folder.
    const parent = path.dirname(target);
    try {
      fs.mkdirSync(parent, { recursive: true });
    } catch (e) {
      if (WRITE_REFUSED[(e as NodeJS.ErrnoException).code ?? ""]) throw outputWriteError(e, given);
      throw new UserError(
        `output folder: got ${JSON.stringify(given)}, whose parent ${JSON.stringify(path.dirname(given))} cannot be a folder (a file is in the way); allowed: a path inside a folder`,
        2,
      );
    }
    checkWritable(target, given);
    return;
  }
  const ok = stat.isDirectory() && (fs.existsSync(path.join(target, "manifest.json")) || fs.readdirSync(target).length === 0 || holdsOnlyWorkingFiles(target));
  if (!ok) {
    throw new UserError(
      `output folder: got ${JSON.stringify(given)}, which exists and is ${stat.isDirectory() ? "a folder that no synth wrote" : "not a folder"}; allowed: a new folder, an empty one, or a previous synth's output (with manifest.json), since it is replaced whole`,
      2,
    );
  }
  checkWritable(target, given);
}

/** Why the system refused a write, in words, for the errors a user can fix by choosing another folder. */
const WRITE_REFUSED: Readonly<Partial<Record<string, string>>> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
};

/** A system error writing the output, as one line naming the flag and the folder as typed: never the staging path. */
function outputWriteError(e: unknown, given: string): UserError {
  const err = e as NodeJS.ErrnoException;
  const why = WRITE_REFUSED[err.code ?? ""] ?? /^[A-Z]+: ([^,]+)/.exec(err.message ?? "")?.[1] ?? err.code ?? "error";
  return new UserError(`--out: cannot write to ${JSON.stringify(given)} (${why}); allowed: a folder you can write to`, 2);
}

/**
 * Creates and removes the staging folder synthesize uses beside the target, and checks an existing
 * target can be emptied, so a folder that cannot be written (read-only, no permission) is reported
 * before anything is built, not as a system error naming the staging path.
 */
function checkWritable(target: string, given: string): void {
  const probe = stagingFolderFor(target);
  try {
    fs.rmSync(probe, { recursive: true, force: true });
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
    if (fs.existsSync(target)) fs.accessSync(target, fs.constants.W_OK);
  } catch (e) {
    throw outputWriteError(e, given);
  }
}

/**
 * What `terraform init` and the user leave in a stack folder, kept across synths so terraform
 * needs no new init: the providers and backend settings (.terraform/), the dependency lock file,
 * override files (Terraform merges `override.tf[.json]` and `*_override.tf[.json]` into the
 * configuration: "Override Files", Terraform language docs), and a local backend's other
 * workspaces (terraform.tfstate.d/, which is state).
 */
const WORKING_FILE = /^(\.terraform|\.terraform\.lock\.hcl|terraform\.tfstate\.d|(.+_)?override\.tf(\.json)?)$/;

function entries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** A folder holding only stacks/<stack>/ working files, e.g. a fresh clone with committed lock files. */
function holdsOnlyWorkingFiles(target: string): boolean {
  const top = entries(target);
  if (top.length !== 1 || top[0].name !== "stacks" || !top[0].isDirectory()) return false;
  return entries(path.join(target, "stacks")).every(
    (s) => s.isDirectory() && entries(path.join(target, "stacks", s.name)).every((f) => WORKING_FILE.test(f.name)),
  );
}

export interface SynthOptions {
  /**
   * Stacks the config no longer has to drop although their state may still hold resources:
   * those stay in AWS, managed by nobody; a local state file is left as it is.
   * @default - none: such a stack stops the synth
   */
  readonly forgetStacks?: readonly string[];
  /**
   * Stacks whose archive bucket may get a new name (the old one taken out of their state first).
   * @default - none: a renamed bucket stops the synth
   */
  readonly forgetBuckets?: readonly string[];
  /**
   * The stack record (see stack-record.ts) read before and written after a successful synth.
   * @default - none: only the previous output and local state show what a change drops
   */
  readonly recordFile?: string;
  /**
   * Receives each warning (a dropped stack whose remote state ses-guard cannot read).
   * @default - written to stderr
   */
  readonly warn?: (message: string) => void;
  /**
   * Names the config in error messages.
   * @default "config"
   */
  readonly source?: string;
}

/** The stacks of the previous output: its manifest's, and any folder under stacks/ (a clone holding only lock files has no manifest). */
function previousStacks(target: string): string[] {
  const names = new Set<string>();
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(target, "manifest.json"), "utf8")) as { stacks?: Record<string, unknown> };
    for (const name of Object.keys(manifest.stacks ?? {})) names.add(name);
  } catch {
    // No manifest, or not one: the folders say.
  }
  for (const e of entries(path.join(target, "stacks"))) if (e.isDirectory()) names.add(e.name);
  return [...names].sort();
}

/** Where a previous stack kept its state: read from its cdk.tf.json, else where ses-guard puts local state. */
function stateOf(stackDir: string, stack: string, stateDir: string): { local: string[] } | { remote: string } {
  let json: { terraform?: { backend?: Record<string, { path?: string }>; cloud?: unknown } };
  try {
    json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  } catch {
    return { local: [path.join(stateDir, `terraform.${stack}.tfstate`)] };
  }
  if (json.terraform?.cloud) return { remote: "HCP Terraform (cloud)" };
  const [type, settings] = Object.entries(json.terraform?.backend ?? {})[0] ?? ["local", {}];
  if (type !== "local") return { remote: type };
  // Other workspaces of a local backend keep their state in the stack folder, which goes too.
  const workspaces = entries(path.join(stackDir, "terraform.tfstate.d")).flatMap((w) =>
    entries(path.join(stackDir, "terraform.tfstate.d", w.name))
      .filter((f) => f.name.endsWith(".tfstate"))
      .map((f) => path.join(stackDir, "terraform.tfstate.d", w.name, f.name)),
  );
  return { local: [path.resolve(stackDir, settings?.path ?? "terraform.tfstate"), ...workspaces] };
}

/** Managed resource instances a state file holds: undefined without a file, NaN when it is not a state. */
function managedInstances(file: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as { resources?: Array<{ mode?: string; instances?: unknown[] }> };
    if (!Array.isArray(state.resources)) return NaN;
    return state.resources.filter((r) => r.mode === "managed").reduce((n, r) => n + (Array.isArray(r.instances) ? r.instances.length : 1), 0);
  } catch {
    return NaN;
  }
}

/**
 * A stack the new config drops (a region removed, or the name changed) takes its folder with it.
 * Its resources would stay in AWS, managed by nobody, so the synth stops before anything is
 * written, unless forgetStacks names it: when its local state still holds resources, or when its
 * state is in a remote backend, which ses-guard cannot read. The stack record shows dropped stacks
 * a fresh clone has no folder for. Returns the warnings for after the swap.
 */
function checkDroppedStacks(
  config: SesGuardConfig,
  target: string,
  stacks: readonly string[],
  stateDir: string,
  options: SynthOptions,
  record: StackRecord,
): string[] {
  const source = options.source ?? "config";
  const forget = new Set(options.forgetStacks ?? []);
  const shown = (p: string) => path.relative(stateDir, p) || ".";
  const problems: string[] = [];
  const warnings: string[] = [];
  const dropped = [...new Set([...previousStacks(target), ...Object.keys(record)])].sort().filter((s) => !stacks.includes(s));
  // The region is still configured when only the name changed.
  const fieldOf = (stack: string) => {
    const region = /-([a-z]{2}(?:-[a-z]+)+-\d+)$/.exec(stack)?.[1];
    return region && (config.regions as readonly string[]).includes(region) ? "name" : "regions";
  };
  for (const stack of dropped) {
    const stackDir = path.join(target, "stacks", stack);
    const recorded = record[stack]?.backend;
    const state = recorded && recorded !== "local" ? { remote: recorded } : stateOf(stackDir, stack, stateDir);
    const gone = `stack "${stack}" is no longer synthesized`;
    if ("remote" in state) {
      if (forget.has(stack)) {
        warnings.push(`${gone} and --forget-stack drops it: whatever its state in the ${state.remote} backend still manages stays in AWS, managed by nobody`);
        continue;
      }
      problems.push(
        `${source}: ${fieldOf(stack)}: ${gone}, and its state is in the ${state.remote} backend, which ses-guard cannot read: resources it still manages would stay in AWS, managed by nobody; allowed: decommission it first (README: Removing a region), then drop it with --forget-stack ${stack}`,
      );
      continue;
    }
    const held = state.local.map((file) => ({ file, count: managedInstances(file) })).filter((s) => s.count !== 0 && s.count !== undefined);
    if (held.length === 0) continue;
    const what = held
      .map((s) =>
        Number.isNaN(s.count)
          ? `${shown(s.file)} (which cannot be read as a Terraform state)`
          : `${shown(s.file)} (${s.count} resource${s.count === 1 ? "" : "s"})`,
      )
      .join(", ");
    if (forget.has(stack)) {
      warnings.push(`${gone} and --forget-stack drops it: what its state ${what} manages stays in AWS, managed by nobody; the state file is kept`);
      continue;
    }
    problems.push(
      `${source}: ${fieldOf(stack)}: ${gone}, but its state still manages resources: ${what}; removing its folder would leave them in AWS, managed by nobody; allowed: destroy them first (cd ${shown(stackDir)} && terraform destroy), or drop the stack anyway with --forget-stack ${stack}`,
    );
  }
  for (const stack of forget) if (!dropped.includes(stack)) warnings.push(`--forget-stack ${stack}: not a stack this synth drops; ignored`);
  if (problems.length > 0) throw ConfigError.of(problems, source);
  return warnings;
}

/**
 * Synthesizes into a sibling folder, then swaps it in, so a failure never
 * leaves a half-written or emptied output directory. Each stack's working files
 * (see WORKING_FILE) move into the new output. Returns the stack folders.
 */
export function synthesize(config: SesGuardConfig, outdir: string, stateDir = process.cwd(), options: SynthOptions = {}): string[] {
  const target = path.resolve(outdir);
  checkReplaceable(target, outdir);
  const stacks = config.regions.map((region) => stackName(config.name, region));
  const record = options.recordFile ? readRecord(options.recordFile, path.relative(stateDir, options.recordFile)) : {};
  const warnings = checkDroppedStacks(config, target, stacks, stateDir, options, record);
  let synthesized: Record<string, StackEntry> = {};
  replaceFolder(
    target,
    (staging) => {
      // State paths are computed against the final folder, so the staging name never leaks into the output.
      const app = buildApp(config, staging, (stack) => localStatePathFor(stack, target, stateDir), record);
      for (const stack of app.node.children as StackModule.SesGuardStack[]) {
        for (const what of stack.reclaimed) {
          warnings.push(`stack "${stack.node.id}" holds ${what} again, which it forgot earlier and which stayed in AWS: its plan imports it`);
        }
      }
      app.synth();
      synthesized = entriesIn(staging, stacks);
      const renamed = renamedBuckets(record, synthesized, new Set(options.forgetBuckets ?? []), "archive.bucketName");
      const source = options.source ?? "config";
      if (renamed.length > 0)
        throw ConfigError.of(
          renamed.map((line) => `${source}: ${line}`),
          source,
        );
    },
    {
      carry: () =>
        stacks.flatMap((stack) =>
          entries(path.join(target, "stacks", stack))
            .filter((f) => WORKING_FILE.test(f.name))
            .map((f) => path.join("stacks", stack, f.name)),
        ),
    },
  );
  if (options.recordFile) {
    // Dropped stacks leave the record only once the synth has let them go (forgotten, or nothing left in their state).
    writeRecord(options.recordFile, nextRecord(record, synthesized));
  }
  for (const warning of warnings) (options.warn ?? ((w: string) => process.stderr.write(`ses-guard: warning: ${w}\n`)))(warning);
  return stacks.map((stack) => path.join(target, "stacks", stack));
}

/** `<name>-<region>`, as SesGuardStack names itself (without loading cdktf). */
function stackName(name: string, region: string): string {
  return regionNames(name, region).stack;
}

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** The CLI: returns the exit status instead of exiting, for tests. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), io: Io = defaultIo): number {
  try {
    const options = parseArgs(argv, env);
    if (options.help) {
      io.out(USAGE);
      return 0;
    }
    // Checked before anything else, so the message names the flag's value as typed.
    checkReplaceable(path.resolve(cwd, options.outdir), options.outdir);
    const { config, source } = resolveConfig(options.configPath, cwd);
    if (source === "embedded example") {
      io.err(
        `ses-guard: no ${DEFAULT_CONFIG_FILE} found; synthesizing the embedded example (examples/default.json). Copy it to ${DEFAULT_CONFIG_FILE} and edit it.`,
      );
    }
    for (const warning of configWarnings(config)) io.err(`ses-guard: warning: ${warning}`);
    let stackDirs: string[];
    try {
      stackDirs = synthesize(config, path.resolve(cwd, options.outdir), cwd, {
        source,
        forgetStacks: options.forgetStacks,
        forgetBuckets: options.forgetBuckets,
        // The embedded example is a demonstration: it keeps no record.
        recordFile: source === "embedded example" ? undefined : recordPathFor(path.resolve(cwd, source)),
        warn: (line) => io.err(`ses-guard: warning: ${line}`),
      });
    } catch (e) {
      // The checks above catch an unwritable folder first; a write refused later (a full disk) reads the same.
      throw WRITE_REFUSED[(e as NodeJS.ErrnoException)?.code ?? ""] ? outputWriteError(e, options.outdir) : e;
    }
    for (const dir of stackDirs) {
      io.out(`ses-guard: synthesized stack ${path.basename(dir)} from ${source} to ${path.relative(cwd, dir) || "."}`);
      const cost = stackCostLine(path.basename(dir), path.join(dir, "cdk.tf.json"));
      if (cost) io.out(cost);
    }
    return 0;
  } catch (e) {
    if (e instanceof UserError || e instanceof ConfigError) {
      for (const line of e instanceof ConfigError ? problemLines(e) : [e.message]) io.err(`ses-guard: error: ${line}`);
      return e instanceof UserError ? e.exitCode : 1;
    }
    // A construct's own validation (library use) is still a user error, not a crash.
    io.err(`ses-guard: error: ${(e as Error).message ?? String(e)}`);
    return 1;
  }
}

const defaultIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
