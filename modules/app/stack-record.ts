// The record of the stacks ses-guard has synthesized from a config, kept beside it and committed
// (`ses-guard.json` → `ses-guard.stacks.json`). A synth reads it to see what a config change
// takes away, whatever the backend and whether or not the last synth's output is still there: a
// fresh clone in CI has no cdktf.out, and ses-guard cannot read an s3 or cloud state.
import * as fs from "fs";
import * as path from "path";
import { DATA_BEARING, DataBearingKey } from "../shared/data-bearing";
import { UserError } from "../shared/user-error";

/** What the record keeps of one stack. */
export interface StackEntry {
  /** `local`, `s3` or `cloud`: where its state is. */
  readonly backend: string;
  /** The data-bearing groups it holds (see DATA_BEARING). */
  readonly holds: readonly DataBearingKey[];
  /** The name of the archive bucket it holds. */
  readonly archiveBucket?: string;
  /** The Glue catalog it holds, `<database>.<table>`. */
  readonly eventCatalog?: string;
  /**
   * What it forgot (a `removed` block) and still remembers, by name: should it hold one of them
   * again, its plan imports the one that stayed in AWS instead of failing to create it anew.
   */
  readonly forgotten?: Forgotten;
}

/** Forgotten resources that can come back, by name. */
export interface Forgotten {
  readonly archiveBucket?: string;
  readonly eventCatalog?: string;
}

const RECLAIMABLE = ["archiveBucket", "eventCatalog"] as const;

export type StackRecord = Readonly<Record<string, StackEntry>>;

const NOTE =
  "Written by ses-guard synth: the stacks synthesized from the config beside it, and the data each holds. Commit it: a synth that drops a stack listed here, or renames its archive bucket, stops (README: Removing a region).";

/** The record beside a config file: `ses-guard.json` → `ses-guard.stacks.json`. */
export function recordPathFor(configFile: string): string {
  const { dir, name, ext } = path.parse(configFile);
  return path.join(dir, `${ext === ".json" ? name : name + ext}.stacks.json`);
}

/** The record in `file`, empty when there is none; a file that is not one is a UserError naming it. */
export function readRecord(file: string, shown = file): StackRecord {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return {};
  }
  const refuse = (why: string) =>
    new UserError(`${shown}: ${why}; allowed: the stack record a synth writes (restore it from version control, or delete it to start a new one)`);
  let json: { stacks?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    throw refuse("not valid JSON");
  }
  const stacks = json?.stacks;
  if (typeof stacks !== "object" || stacks === null || Array.isArray(stacks)) throw refuse('no "stacks" object');
  for (const [name, entry] of Object.entries(stacks as Record<string, Partial<StackEntry>>)) {
    const holds = entry?.holds;
    if (typeof entry?.backend !== "string" || !Array.isArray(holds) || !holds.every((h) => h in DATA_BEARING)) {
      throw refuse(`stack ${JSON.stringify(name)} has no backend or an unknown "holds" entry`);
    }
  }
  return stacks as StackRecord;
}

/** The record's text: stacks sorted by name, so the file changes only when a stack does. */
export function recordText(record: StackRecord): string {
  const stacks = Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((name) => [name, record[name]]),
  );
  return `${JSON.stringify({ "//": NOTE, stacks }, null, 2)}\n`;
}

/** Writes the record (write, then rename) when its text changed. */
export function writeRecord(file: string, record: StackRecord): void {
  const text = recordText(record);
  try {
    if (fs.readFileSync(file, "utf8") === text) return;
  } catch {
    // No record yet.
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

interface StackJson {
  readonly terraform?: { readonly backend?: Record<string, unknown>; readonly cloud?: unknown };
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
}

/** What the record keeps of a synthesized stack (its cdk.tf.json). */
export function entryOf(stack: StackJson): StackEntry {
  const resources = stack.resource ?? {};
  const declared = (address: string) => {
    const [type, name] = address.split(".");
    return resources[type]?.[name];
  };
  const holds = (Object.keys(DATA_BEARING) as DataBearingKey[]).filter((key) => declared(DATA_BEARING[key].addresses[0]) !== undefined);
  const bucket = declared(DATA_BEARING.archiveBucket.addresses[0])?.bucket;
  const database = declared(DATA_BEARING.eventCatalog.addresses[0])?.name;
  const table = declared(DATA_BEARING.eventCatalog.addresses[1])?.name;
  return {
    backend: stack.terraform?.cloud ? "cloud" : (Object.keys(stack.terraform?.backend ?? {})[0] ?? "local"),
    holds,
    ...(typeof bucket === "string" ? { archiveBucket: bucket } : {}),
    ...(typeof database === "string" && typeof table === "string" ? { eventCatalog: `${database}.${table}` } : {}),
  };
}

/**
 * The record after a synth: each synthesized stack's entry, remembering what it forgot. A name
 * stays remembered while the stack holds that same resource again (its import block then does
 * nothing), and is let go once the stack holds another of that kind.
 */
export function nextRecord(previous: StackRecord, synthesized: Readonly<Record<string, StackEntry>>): StackRecord {
  return Object.fromEntries(
    Object.entries(synthesized).map(([stack, entry]) => {
      const before = previous[stack];
      const forgotten: Record<string, string> = { ...before?.forgotten };
      for (const key of RECLAIMABLE) {
        const was = before?.[key];
        if (was !== undefined && entry[key] === undefined) forgotten[key] = was;
        else if (entry[key] !== undefined && entry[key] !== forgotten[key]) delete forgotten[key];
      }
      return [stack, Object.keys(forgotten).length > 0 ? { ...entry, forgotten } : entry];
    }),
  );
}

/** Reads each synthesized stack's entry from an output folder. */
export function entriesIn(outdir: string, stacks: readonly string[]): Record<string, StackEntry> {
  return Object.fromEntries(stacks.map((name) => [name, entryOf(JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8")))]));
}

/**
 * Stacks whose archive bucket would get another name. Terraform replaces a renamed bucket: it
 * would destroy the old one with its events (prevent_destroy stops that plan, but only at plan
 * time, and only while it is on). One line per stack, unless `forgotten` names it.
 */
export function renamedBuckets(record: StackRecord, next: Readonly<Record<string, StackEntry>>, forgotten: ReadonlySet<string>, field: string): string[] {
  return Object.entries(next).flatMap(([stack, entry]) => {
    const before = record[stack]?.archiveBucket;
    if (!before || !entry.archiveBucket || before === entry.archiveBucket || forgotten.has(stack)) return [];
    const addresses = DATA_BEARING.archiveBucket.addresses.join(" ");
    return [
      `${field}: "${entry.archiveBucket}" would rename the archive bucket of stack "${stack}" from "${before}", and Terraform replaces a renamed bucket, destroying it with its events; allowed: keep "${before}" (archive.bucketName: "${before}"), or archive into the new bucket and keep the old one in AWS, unmanaged: take it out of the stack's state first (terraform state rm ${addresses}, which skips what the state does not hold), then synth with --forget-bucket ${stack}`,
    ];
  });
}
