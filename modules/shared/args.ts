// Command-line flags for every ses-guard command, read by Node's util.parseArgs. Its own errors are
// several lines long and name its option types, so it runs in its lenient mode and this module turns
// what it found into one line per mistake: "<flag>: got ...; allowed: ...", exit status 2.
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

/**
 * The flags of `argv` by their long name, and the other arguments in order. Refused, each with its own
 * line: an unknown flag (and `--`), a positional argument unless `positionals`, a missing or empty value
 * (a separate value that starts with `-` is taken for the next flag, as in `--out --config x`), a value
 * given to a switch, and a flag given twice unless it repeats. `allowed` replaces the generated list.
 */
export function parseFlags(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  opts: { readonly positionals?: boolean; readonly allowed?: string } = {},
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
