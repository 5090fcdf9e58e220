/** Flag parsing shared by the doctor and the drill: bad flags are one line and exit status 2. */
import { UserError } from "../cli";

export interface FlagSpec {
  readonly name: `--${string}`;
  /** What the value may be, for messages; absent for a switch. */
  readonly value?: string;
  /** The value's placeholder in the list of allowed flags (`--config FILE`). */
  readonly metavar?: string;
  /** The flag may be given more than once (values collect). */
  readonly repeat?: boolean;
}

export type Flags = Record<string, string | string[] | true | undefined>;

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): Flags {
  const flags: Flags = {};
  const allowed = specs.map((s) => (s.value ? `${s.name} ${s.metavar ?? "VALUE"}` : s.name)).join(", ");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const [name, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg === "-h" ? "--help" : arg, undefined];
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new UserError(`unknown argument ${JSON.stringify(arg)}; allowed: ${allowed}`, 2);
    if (!spec.value) {
      if (inline !== undefined) throw new UserError(`${name}: got a value ${JSON.stringify(inline)}; allowed: ${name} alone`, 2);
      flags[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
      throw new UserError(`${name}: got no value; allowed: ${spec.value}`, 2);
    }
    if (spec.repeat) flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else if (flags[name] !== undefined) throw new UserError(`${name}: given twice; allowed: once`, 2);
    else flags[name] = value;
  }
  return flags;
}

/** A whole number within bounds, or a usage error naming the flag. */
export function wholeNumber(flag: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UserError(`${flag}: got ${JSON.stringify(value)}; allowed: a whole number from ${min} to ${max}`, 2);
  return n;
}
