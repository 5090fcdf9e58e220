import * as fs from "fs";
import * as path from "path";
import type { App } from "cdktf";
import { parse as parseJsonc, ParseError, printParseErrorCode } from "jsonc-parser";
import { ConfigError, configWarnings, parseConfig, SesGuardConfig } from "./config";
import { regionNames } from "./names";
import type * as StackModule from "./ses-guard-stack";
import embeddedExample from "../examples/default.json";

export const DEFAULT_CONFIG_FILE = "ses-guard.json";
export const CONFIG_ENV = "SES_GUARD_CONFIG";
/** Larger than any sane config; stops a wrong file (a log, a dump) from being parsed. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

const USAGE = `Usage: ses-guard [--config FILE] [--out DIR]

Synthesizes the ses-guard Terraform stack from a JSON config.
  --config FILE  config file (default: $${CONFIG_ENV}, else ./${DEFAULT_CONFIG_FILE},
                 else the embedded example)
  --out DIR      output directory (default: $CDKTF_OUTDIR, else cdktf.out)
  --help         this text`;

/** A user mistake: printed as one line, exit status 1 (2 for usage). */
export class UserError extends Error {
  constructor(
    message: string,
    public readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface CliOptions {
  readonly configPath?: string;
  readonly outdir: string;
  readonly help: boolean;
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  let configPath: string | undefined;
  let outdir: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (allowed: string) => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "" || (inline === undefined && v.startsWith("-"))) {
        throw new UserError(`${flag}: got no value; allowed: ${allowed}`, 2);
      }
      return v;
    };
    if (flag === "--config" || flag === "-c") configPath = value("a file path");
    else if (flag === "--out" || flag === "-o") outdir = value("a directory path");
    else if ((flag === "--help" || flag === "-h") && inline === undefined) help = true;
    else throw new UserError(`unknown argument ${JSON.stringify(arg)}; allowed: --config FILE, --out DIR, --help`, 2);
  }
  configPath ??= env[CONFIG_ENV] || undefined;
  return { configPath, outdir: outdir ?? (env.CDKTF_OUTDIR || "cdktf.out"), help };
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
    throw new UserError(`${name}: ${jsonSyntaxError(text)}`);
  }
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
export function buildApp(config: SesGuardConfig, outdir: string, statePathFor?: (stack: string) => string): App {
  // Loaded here, not at the top: cdktf and the provider take most of start-up, and bad input
  // (the common case while editing a config) is reported before they are needed.
  const { App } = require("cdktf") as typeof import("cdktf");
  const { SesGuardStack } = require("./ses-guard-stack") as typeof StackModule;
  const app = new App({ outdir });
  const [home, ...others] = config.regions;
  const homeStack = new SesGuardStack(app, stackName(config.name, home), { config, region: home, localStatePath: statePathFor?.(stackName(config.name, home)) });
  for (const region of others) {
    const name = stackName(config.name, region);
    const stack = new SesGuardStack(app, name, { config, region, localStatePath: statePathFor?.(name) });
    // A shared bucket is created by the home stack, so `cdktf deploy '*'` applies that one first.
    if (homeStack.guard.archiveBucket && !stack.guard.archiveBucket) stack.addDependency(homeStack);
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
    } catch {
      throw new UserError(`output folder: got ${JSON.stringify(given)}, whose parent ${JSON.stringify(path.dirname(given))} cannot be a folder (a file is in the way); allowed: a path inside a folder`, 2);
    }
    return;
  }
  const ok = stat.isDirectory() && (fs.existsSync(path.join(target, "manifest.json")) || fs.readdirSync(target).length === 0);
  if (!ok) {
    throw new UserError(
      `output folder: got ${JSON.stringify(given)}, which exists and is ${stat.isDirectory() ? "a folder that no synth wrote" : "not a folder"}; allowed: a new folder, an empty one, or a previous synth's output (with manifest.json), since it is replaced whole`,
      2,
    );
  }
}

/**
 * Synthesizes into a sibling folder, then swaps it in, so a failure never
 * leaves a half-written or emptied output directory. Returns the stack folders.
 */
export function synthesize(config: SesGuardConfig, outdir: string, stateDir = process.cwd()): string[] {
  const target = path.resolve(outdir);
  checkReplaceable(target, outdir);
  const staging = `${target}.staging-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    // State paths are computed against the final folder, so the staging name never leaks into the output.
    buildApp(config, staging, (stack) => localStatePathFor(stack, target, stateDir)).synth();
    if (fs.existsSync(target)) fs.renameSync(target, old);
    fs.renameSync(staging, target);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(old, { recursive: true, force: true });
  }
  return config.regions.map((region) => path.join(target, "stacks", stackName(config.name, region)));
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
      io.err(`ses-guard: no ${DEFAULT_CONFIG_FILE} found; synthesizing the embedded example (examples/default.json). Copy it to ${DEFAULT_CONFIG_FILE} and edit it.`);
    }
    for (const warning of configWarnings(config)) io.err(`ses-guard: warning: ${warning}`);
    const stackDirs = synthesize(config, path.resolve(cwd, options.outdir), cwd);
    for (const dir of stackDirs) io.out(`ses-guard: synthesized stack ${path.basename(dir)} from ${source} to ${path.relative(cwd, dir) || "."}`);
    return 0;
  } catch (e) {
    if (e instanceof UserError || e instanceof ConfigError) {
      io.err(`ses-guard: error: ${e.message}`);
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
