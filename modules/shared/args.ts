// Command-line flags for every ses-guard command, read by Node's util.parseArgs. Its own errors are
// several lines long and name its option types, so it runs in its lenient mode and this module turns
// what it found into one line per mistake: "<flag>: got ...; allowed: ...", exit status 2. Two mistakes
// get their cause named instead: a long flag with one dash (`-config`), and a flag npm took for itself
// (`npm run synth --config f.json`, without the `--` that passes it on).
import { parseArgs } from "util";
import { UserError } from "./user-error";

export interface FlagSpec {
  readonly name: `--${string}`;
  /** A one-letter alias (`c` for `-c`). */
  readonly short?: string;
  /** What the value may be, for messages; absent for a switch. */
  readonly value?: string;
  /** The value's placeholder in the list of allowed flags (`--config FILE`). */
  readonly metavar?: string;
  /** The flag may be given more than once (values collect). */
  readonly repeat?: boolean;
}

export type Flags = Record<string, string | string[] | true | undefined>;

/** A mistake in the command line: one line, exit status 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** The flags as they are listed after "allowed:" (`--config FILE, --out DIR, --help`). */
export function allowedFlags(specs: readonly FlagSpec[]): string {
  return specs.map((s) => (s.value ? `${s.name} ${s.metavar ?? "VALUE"}` : s.name)).join(", ");
}

/** Answered by every command before its flags are read (scripts/version.js), so named in the one-dash hint too. */
const VERSION_FLAG = "--version";

/** `-config` or `-config=x.json` for a command with `--config`: the flag meant, with its value; else undefined. */
export function oneDashLongFlag(arg: string, specs: readonly FlagSpec[]): string | undefined {
  const m = /^-([a-z][a-z0-9-]+)(=.*)?$/is.exec(arg);
  if (!m) return undefined;
  const name = `--${m[1]}`;
  return specs.some((s) => s.name === name) || name === VERSION_FLAG ? `${name}${m[2] ?? ""}` : undefined;
}

/**
 * npm's own settings among the commands' flag names (`npm config ls -l`): a value for one of them may
 * come from an .npmrc or the environment (CI often sets npm_config_yes), so it only explains a command
 * line that is wrong anyway.
 */
const NPM_SETTINGS: ReadonlySet<string> = new Set(["yes", "offline"]);

const npmKey = (spec: FlagSpec) => `npm_config_${spec.name.slice(2).replace(/-/g, "_")}`;

/** A word as typed in a shell: bare when safe, else single-quoted. */
const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * The flags npm took for itself. `npm run synth --config f.json` (no `--`) runs the script with only
 * `f.json` and sets npm_config_config=true; `--config=f.json` passes nothing and sets
 * npm_config_config=f.json; a switch sets npm_config_<name>=true (npm 11; names with `_` for `-`). Only
 * under npm (npm_lifecycle_event names the script), and only flags absent from argv (short forms too). `failed`: the
 * command line was refused anyway; else npm's own settings are left out (see NPM_SETTINGS).
 */
export function flagsNpmTook(argv: readonly string[], specs: readonly FlagSpec[], env: NodeJS.ProcessEnv, failed: boolean): FlagSpec[] {
  if (!env.npm_lifecycle_event) return [];
  return specs.filter(
    (s) =>
      s.name !== "--help" &&
      Boolean(env[npmKey(s)]) &&
      !argv.some((a) => a === s.name || a.startsWith(`${s.name}=`) || (s.short !== undefined && a.startsWith(`-${s.short}`) && !a.startsWith("--"))) &&
      (failed || !NPM_SETTINGS.has(s.name.slice(2))),
  );
}

/**
 * One line naming the flags npm took and the command that passes them on, or undefined when it took
 * none (see flagsNpmTook). A value npm left in argv goes back to its flag when only one flag lost its
 * value; with more the order is lost, so each gets its placeholder.
 */
export function npmTookError(argv: readonly string[], specs: readonly FlagSpec[], env: NodeJS.ProcessEnv, failed: boolean): UsageError | undefined {
  const taken = flagsNpmTook(argv, specs, env, failed);
  if (taken.length === 0) return undefined;
  const rest = [...argv];
  const lostValue = taken.filter((s) => s.value && env[npmKey(s)] === "true");
  const words = taken.map((s) => {
    const given = env[npmKey(s)]!;
    if (!s.value) return s.name;
    if (given !== "true") return `${s.name} ${shellWord(given)}`;
    const at = lostValue.length === 1 ? rest.findIndex((a) => !a.startsWith("-")) : -1;
    return `${s.name} ${at >= 0 ? shellWord(rest.splice(at, 1)[0]) : (s.metavar ?? "VALUE")}`;
  });
  if (lostValue.length <= 1) words.push(...rest.map(shellWord));
  const names = taken.map((s) => s.name);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return new UsageError(`npm took ${list} for itself: write npm run ${env.npm_lifecycle_event} -- ${words.join(" ")}`);
}

/**
 * The flags of `argv` by their long name, and the other arguments in order. Refused, each with its own
 * line: an unknown flag (and `--`), a positional argument unless `positionals`, a missing or empty value
 * (a separate value that starts with `-` is taken for the next flag, as in `--out --config x`), a value
 * given to a switch, and a flag given twice unless it repeats. `allowed` replaces the generated list.
 * A long flag with one dash is refused with the flag meant. Flags npm took for itself (`env`, default
 * process.env; see npmTookError) are named instead of what their absence caused, and refused even
 * when the rest parses, since the command would otherwise run without them.
 */
export function parseFlags(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  opts: { readonly positionals?: boolean; readonly allowed?: string; readonly env?: NodeJS.ProcessEnv } = {},
): { flags: Flags; positionals: string[] } {
  const env = opts.env ?? process.env;
  let parsed: { flags: Flags; positionals: string[] };
  try {
    parsed = parseArgv(argv, specs, opts);
  } catch (e) {
    throw (e instanceof UsageError && npmTookError(argv, specs, env, true)) || e;
  }
  const taken = npmTookError(argv, specs, env, false);
  if (taken) throw taken;
  return parsed;
}

function parseArgv(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  opts: { readonly positionals?: boolean; readonly allowed?: string },
): { flags: Flags; positionals: string[] } {
  const allowed = opts.allowed ?? allowedFlags(specs);
  const unknown = (arg: string) => new UsageError(`unknown argument ${JSON.stringify(arg)}; allowed: ${allowed}`);
  // util.parseArgs refuses a `short` or `multiple` key whose value is undefined: only the ones that are set.
  const options = Object.fromEntries(
    specs.map((s) => [
      s.name.slice(2),
      { type: s.value ? ("string" as const) : ("boolean" as const), ...(s.short ? { short: s.short } : {}), ...(s.repeat ? { multiple: true } : {}) },
    ]),
  );
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const flags: Flags = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    const arg = argv[token.index];
    if (token.kind === "option-terminator") throw unknown(arg);
    if (token.kind === "option" && !arg.startsWith("--")) {
      const meant = oneDashLongFlag(arg, specs);
      if (meant) throw new UsageError(`unknown argument ${JSON.stringify(arg)}; did you mean ${meant}?`);
    }
    if (token.kind === "positional") {
      if (!opts.positionals) throw unknown(arg);
      positionals.push(token.value);
      continue;
    }
    const spec = specs.find((s) => s.name === `--${token.name}`);
    if (!spec) throw unknown(arg);
    const name = token.rawName;
    if (!spec.value) {
      if (token.value !== undefined) throw new UsageError(`${name}: got a value ${JSON.stringify(token.value)}; allowed: ${name} alone`);
      flags[spec.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || value === "" || (!token.inlineValue && value.startsWith("-"))) {
      throw new UsageError(`${name}: got no value; allowed: ${spec.value}`);
    }
    if (spec.repeat) flags[spec.name] = [...((flags[spec.name] as string[] | undefined) ?? []), value];
    else if (flags[spec.name] !== undefined) throw new UsageError(`${name}: given twice; allowed: once`);
    else flags[spec.name] = value;
  }
  return { flags, positionals };
}

/** A whole number within bounds, or a usage error naming the flag. */
export function wholeNumber(flag: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${flag}: got ${JSON.stringify(value)}; allowed: a whole number from ${min} to ${max}`);
  return n;
}
