/**
 * `npm run review -- <plan.json>`: prints a Markdown review of a Terraform plan.
 *
 * Exit status: 0 reviewed; 1 reviewed, and `--fail-on` found a risk at or above
 * its level (the Markdown is still printed, so CI can post it and then fail);
 * 2 bad usage or bad input (one line on stderr naming what was wrong, what was
 * given and what is allowed; nothing on stdout).
 */
import * as fs from "fs";
import * as path from "path";
import { levelRank, PLAN_ALLOWED, PlanInputError, reviewPlanText, RISK_LEVELS, RiskLevel } from "./plan-review";
import { parseFlags, UsageError } from "../shared/args";

export const EXIT_OK = 0;
export const EXIT_RISK = 1;
export const EXIT_USAGE = 2;

/** Plans of large stacks run to tens of MB; beyond this the input is almost certainly not a plan. */
export const MAX_PLAN_BYTES = 512 * 1024 * 1024;

const USAGE = `Usage: npm run review -- [PLAN_JSON | -] [--fail-on=LEVEL] [--title TEXT]

Prints a Markdown summary of a Terraform plan for a pull-request comment:
change counts, risk flags, the settings that change, resources by action.
  PLAN_JSON        output of "terraform show -json <planfile>"; "-" or none reads stdin
  --fail-on=LEVEL  exit 1 when a risk at LEVEL or above is found: ${RISK_LEVELS.join(", ")}
                   (the summary is printed either way)
  --title TEXT     heading suffix (default: the ses-guard stack names found in the plan)
  --help           this text
  --version        the version, and exit
Exit status: 0 reviewed, 1 risk at or above --fail-on, 2 bad usage or input.
To a file: npm run --silent review -- plan.json > review.md (--silent keeps npm's banner out of the Markdown).`;

export interface ReviewArgs {
  readonly file?: string;
  readonly failOn?: RiskLevel;
  readonly title?: string;
  readonly help: boolean;
}

export function parseReviewArgs(argv: readonly string[]): ReviewArgs {
  // Usage and input mistakes alike are UsageErrors here: one line, exit status 2.
  const { flags, positionals } = parseFlags(
    argv,
    [
      { name: "--fail-on", metavar: RISK_LEVELS.join("|"), value: RISK_LEVELS.join(", ") },
      { name: "--title", metavar: "TEXT", value: "a short text such as the stack name" },
      { name: "--help", short: "h" },
    ],
    { positionals: true, allowed: `PLAN_JSON, -, --fail-on=${RISK_LEVELS.join("|")}, --title TEXT, --help` },
  );
  const failOn = flags["--fail-on"] as string | undefined;
  if (failOn !== undefined && !(RISK_LEVELS as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on: got ${JSON.stringify(failOn)}; allowed: ${RISK_LEVELS.join(", ")}`);
  }
  const [file, second] = positionals;
  if (second !== undefined) {
    throw new UsageError(`got a second plan file ${JSON.stringify(second)} after ${JSON.stringify(file)}; allowed: one plan JSON file, or "-" for stdin`);
  }
  return { file, failOn: failOn as RiskLevel | undefined, title: flags["--title"] as string | undefined, help: flags["--help"] === true };
}

export interface ReviewIo {
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
  /** Reads all of stdin; undefined when stdin is a terminal (nothing piped in). */
  readonly readStdin: () => string | undefined;
  readonly readFile: (file: string) => string;
}

function readPlanFile(io: ReviewIo, file: string): string {
  try {
    return io.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`${file}: file not found; allowed: ${PLAN_ALLOWED}`);
    if (code === "EISDIR") throw new UsageError(`${file}: is a directory; allowed: ${PLAN_ALLOWED}`);
    if (code === "ETOOBIG") throw new UsageError(`${file}: larger than ${MAX_PLAN_BYTES} bytes; allowed: ${PLAN_ALLOWED}`);
    throw new UsageError(`${file}: cannot be read (${(e as Error).message}); allowed: ${PLAN_ALLOWED}`);
  }
}

/** The CLI; returns the exit status instead of exiting, for tests. */
export function reviewMain(argv: readonly string[], io: ReviewIo = defaultIo): number {
  try {
    const options = parseReviewArgs(argv);
    if (options.help) {
      io.out(`${USAGE}\n`);
      return EXIT_OK;
    }
    let text: string;
    let source: string;
    if (options.file === undefined || options.file === "-") {
      const input = io.readStdin();
      if (input === undefined) {
        throw new UsageError(
          `no plan given: got no PLAN_JSON argument and stdin is a terminal; allowed: npm run review -- plan.json, or pipe ${PLAN_ALLOWED} to stdin`,
        );
      }
      text = input;
      source = "<stdin>";
    } else {
      text = readPlanFile(io, options.file);
      source = options.file;
    }
    const review = reviewPlanText(text, source, { title: options.title });
    io.out(review.markdown);

    const counts = RISK_LEVELS.map((l) => `${review.risks.filter((r) => r.level === l).length} ${l}`).join(", ");
    const failOn = options.failOn;
    const failing = failOn ? review.risks.filter((r) => levelRank(r.level) >= levelRank(failOn)) : [];
    if (failOn && failing.length > 0) {
      io.err(`ses-guard review: ${failing.length} risk(s) at or above ${failOn} (${counts}); failing because of --fail-on=${failOn}`);
      return EXIT_RISK;
    }
    io.err(`ses-guard review: risks: ${counts}`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError || e instanceof PlanInputError) {
      io.err(`ses-guard review: error: ${e.message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

const defaultIo: ReviewIo = {
  out: (text) => process.stdout.write(text),
  err: (line) => process.stderr.write(`${line}\n`),
  readStdin: () => (process.stdin.isTTY ? undefined : fs.readFileSync(0, "utf8")),
  readFile: (file) => {
    // `npm run` runs scripts in the package root; INIT_CWD is where the user typed the command.
    const full = path.resolve(process.env.INIT_CWD || process.cwd(), file);
    const size = fs.statSync(full).size;
    if (size > MAX_PLAN_BYTES) throw Object.assign(new Error("too big"), { code: "ETOOBIG" });
    return fs.readFileSync(full, "utf8");
  },
};

/** Entry point of the bundle scripts/review.js runs. */
export function run(argv: readonly string[] = process.argv.slice(2)): void {
  process.exitCode = reviewMain(argv);
}
