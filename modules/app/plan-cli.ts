/**
 * `npm run plan -- --offline`: `terraform init` and `terraform plan -refresh=false` of every stack the last
 * synth wrote (cdktf.out/stacks/<stack>/, or --out), without AWS credentials: each in a throwaway copy
 * (see offline-plan.ts), so nothing in the output folder changes. It plans what the folder holds: run
 * `npm run synth` first. A plan with your own credentials and state is terraform's own, in each stack folder.
 *
 * Exit status: 0 every stack planned; 1 a stack's init or plan failed (terraform's messages follow);
 * 2 bad flags, no synthesized stack, or no terraform (one line on stderr).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FlagSpec, npmTookError, parseFlags, UsageError } from "../shared/args";
import { UserError } from "../shared/user-error";
import { offlineEnv, planStacksOffline, runTerraform, StackResult } from "./offline-plan";

const TOOL = "ses-guard plan";
const MAX_CONCURRENCY = 4;

const USAGE = `Usage: npm run plan -- --offline [--out DIR] [--stack STACK]... [--verbose]

Runs terraform init and terraform plan -refresh=false for every stack the last synth wrote
(run npm run synth first), without AWS credentials, and prints each stack's plan summary.
Each stack is planned in a throwaway copy: the provider's offline switches in every provider
block (aliases too), fake credentials for terraform only, a local throwaway state instead of an
s3 or cloud backend (a local state is copied in, so the plan shows what changed since the last
apply), import blocks left out. Nothing in the output folder changes. The provider comes from the
registry (or your CLI config's mirror), cached in node_modules/.cache/ses-guard/.
  --offline      required: the plan without credentials (a plan with yours: terraform init and
                 terraform plan in each stack folder)
  --out DIR      the synth's output folder (default: $CDKTF_OUTDIR, else cdktf.out)
  --stack STACK  plan only this stack (repeatable)
  --verbose      print terraform's whole plan for each stack
  --help         this text
  --version      the version, and exit
Exit status: 0 every stack planned, 1 a stack's init or plan failed, 2 bad flags, no stacks or no terraform.`;

const FLAGS: readonly FlagSpec[] = [
  { name: "--offline" },
  { name: "--out", short: "o", metavar: "DIR", value: "a directory path" },
  { name: "--stack", metavar: "STACK", value: "a stack name, such as ses-guard-eu-west-1", repeat: true },
  { name: "--verbose" },
  { name: "--help", short: "h" },
];

export interface PlanArgs {
  readonly outdir: string;
  readonly stacks: readonly string[];
  readonly verbose: boolean;
  readonly help: boolean;
}

export function parsePlanArgs(argv: readonly string[], env: NodeJS.ProcessEnv): PlanArgs {
  const { flags } = parseFlags(argv, FLAGS, { env });
  const help = flags["--help"] === true;
  if (!help && flags["--offline"] !== true) {
    // npm takes a bare --offline for its own setting (`npm run plan --offline`): that is the likely cause.
    throw (
      npmTookError(argv, FLAGS, env, true) ??
      new UsageError(
        "--offline: not given; allowed: npm run plan -- --offline (for a plan with your own credentials and state, run terraform init and terraform plan in each stack folder)",
      )
    );
  }
  return {
    outdir: (flags["--out"] as string | undefined) ?? (env.CDKTF_OUTDIR || "cdktf.out"),
    stacks: (flags["--stack"] as string[] | undefined) ?? [],
    verbose: flags["--verbose"] === true,
    help,
  };
}

/** The stack folders under <outdir>/stacks/ that hold a synthesized stack, sorted; the --stack ones when given. */
export function stackFolders(outdir: string, cwd: string, only: readonly string[]): string[] {
  const stacksDir = path.join(path.resolve(cwd, outdir), "stacks");
  let names: string[];
  try {
    names = fs
      .readdirSync(stacksDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(stacksDir, e.name, "cdk.tf.json")))
      .map((e) => e.name)
      .sort();
  } catch {
    names = [];
  }
  if (names.length === 0) {
    throw new UsageError(
      `--out: got ${JSON.stringify(outdir)}, which holds no synthesized stack (stacks/<stack>/cdk.tf.json); allowed: a synth's output folder (run npm run synth first)`,
    );
  }
  for (const stack of only) {
    if (!names.includes(stack)) throw new UsageError(`--stack: got ${JSON.stringify(stack)}; allowed: a stack in ${outdir}: ${names.join(", ")}`);
  }
  return names.filter((n) => only.length === 0 || only.includes(n)).map((n) => path.join(stacksDir, n));
}

export interface PlanIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Terraform's output for a failed step, indented under the line that names the stack. */
const indented = (text: string) =>
  text
    .replace(/^(\s*\n)+/, "")
    .trimEnd()
    .split("\n")
    .map((l) => `  ${l}`.trimEnd())
    .join("\n");

function printResult(r: StackResult, verbose: boolean, io: PlanIo): void {
  const notes = r.notes.length ? ` (${r.notes.join("; ")})` : "";
  if (r.failed) {
    io.err(`${TOOL}: error: ${r.stack}: terraform ${r.failed.step} failed (exit ${r.failed.run.code})${notes}:`);
    io.err(indented(`${r.failed.run.stderr}\n${r.failed.run.stdout}`));
    return;
  }
  if (verbose && r.planOutput) io.out(indented(r.planOutput));
  io.out(`${TOOL}: ${r.stack}: ${r.summary}${notes}`);
}

export interface PlanMainOptions {
  /** @default - min(4, the machine's cores) */
  readonly concurrency?: number;
  /** @default "terraform", found on PATH */
  readonly terraformBin?: string;
}

/** The CLI; resolves to the exit status instead of exiting, for tests. */
export async function planMain(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, io: PlanIo, opts: PlanMainOptions = {}): Promise<number> {
  let work: string | undefined;
  try {
    const args = parsePlanArgs(argv, env);
    if (args.help) {
      io.out(USAGE);
      return 0;
    }
    const stackDirs = stackFolders(args.outdir, cwd, args.stacks);
    try {
      await runTerraform(["version"], cwd, offlineEnv(env), opts.terraformBin);
    } catch {
      throw new UserError(
        `terraform: not found on PATH; allowed: terraform on PATH, of a version the stacks' required_version accepts (https://developer.hashicorp.com/terraform/install)`,
        2,
      );
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-plan-"));
    const concurrency = opts.concurrency ?? Math.max(1, Math.min(MAX_CONCURRENCY, os.availableParallelism()));
    const results = await planStacksOffline(stackDirs, work, {
      env,
      cwd,
      concurrency,
      terraformBin: opts.terraformBin,
      onResult: (r) => printResult(r, args.verbose, io),
    });
    const failed = results.filter((r) => r.failed).map((r) => r.stack);
    if (failed.length > 0) {
      io.err(`${TOOL}: error: ${failed.length} of ${results.length} stacks did not plan offline: ${failed.join(", ")}`);
      return 1;
    }
    io.out(`${TOOL}: ${results.length} stack${results.length === 1 ? "" : "s"} planned offline; ${args.outdir} is unchanged`);
    return 0;
  } catch (e) {
    if (e instanceof UserError) {
      io.err(`${TOOL}: error: ${e.message}`);
      return e.exitCode;
    }
    io.err(`${TOOL}: error: ${(e as Error).message ?? String(e)}`);
    return 1;
  } finally {
    // The copies hold links into the plugin cache, not providers: removing them never follows a link.
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Entry point of the bundle scripts/plan.js runs. */
export function run(argv: readonly string[] = process.argv.slice(2)): void {
  void planMain(argv, process.env, process.cwd(), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
