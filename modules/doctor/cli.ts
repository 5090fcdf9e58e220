/**
 * `npm run doctor`: read-only checks that a deployed guard works, for every configured region.
 *
 * Exit status: 0 every check passed (warnings allowed); 1 a check failed, or the config is bad;
 * 2 bad flags, or it could not check (no credentials, endpoint unreachable, access denied,
 * throttled): one line on stderr saying which.
 */
import { UserError } from "../app/cli";
import { Api, ApiOptions, quietSdk } from "./aws";
import { CHECKS } from "./checks";
import { deployedConfig, targetsFor } from "./deployed-config";
import { CannotCheckError } from "./errors";
import { parseFlags, wholeNumber } from "../shared/args";
import { archiveKmsStatements, policyFor } from "./policy";
import { cannotCheckJson, EXIT_OK, exitCodeOf, exitForError, jsonReport, textReport } from "./report";
import { runChecks } from "./run";

export const DEFAULT_MAX_EVENT_AGE_HOURS = 24;

const USAGE = `Usage: npm run doctor -- [--config FILE] [--region REGION]... [--format text|json] [--verbose]
                         [--max-event-age-hours N] [--print-policy]

Checks, read-only, that the deployed guard works in every configured region:
${CHECKS.map((c) => `  - ${c.id}: ${c.summary}`).join("\n")}
  --config FILE            config file (default: $SES_GUARD_CONFIG, else ./ses-guard.json)
  --region REGION          check only this region (repeatable)
  --format text|json       the report's format (default text)
  --verbose                print each AWS API call to stderr
  --max-event-age-hours N  warn when the newest archived event is older (default ${DEFAULT_MAX_EVENT_AGE_HOURS})
  --print-policy           print the read-only IAM policy the checks need, and exit
  --version                the version, and exit
Credentials and endpoints come from the usual AWS settings (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...).
Exit status: 0 all passed (warnings allowed), 1 a check failed or the config is bad,
2 bad flags or could not check (credentials, network, permission, throttling): a check whose
API call failed fails its own line, the others still run.`;

const FLAGS = [
  { name: "--config", metavar: "FILE", value: "a file path" },
  { name: "--region", metavar: "REGION", value: "a region of the config", repeat: true },
  { name: "--format", metavar: "text|json", value: "text or json" },
  { name: "--verbose" },
  { name: "--max-event-age-hours", metavar: "N", value: "a whole number of hours" },
  { name: "--print-policy" },
  { name: "--help" },
] as const;

export interface DoctorIo {
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly now: () => Date;
  /** @default - real SDK clients */
  readonly makeApi?: (options: ApiOptions) => Api;
}

const TOOL = "ses-guard doctor";

/** The CLI; resolves to the exit status instead of exiting, for tests. */
export async function doctorMain(argv: readonly string[], io: DoctorIo): Promise<number> {
  let api: Api | undefined;
  let json = false;
  let header = { accountId: "", regions: [] as readonly string[], config: "" };
  try {
    const { flags } = parseFlags(argv, FLAGS, { env: io.env });
    if (flags["--help"]) {
      io.out(`${USAGE}\n`);
      return EXIT_OK;
    }
    const format = (flags["--format"] as string | undefined) ?? "text";
    if (format !== "text" && format !== "json") throw new UserError(`--format: got ${JSON.stringify(format)}; allowed: text, json`, 2);
    json = format === "json";
    const maxEventAgeHours = wholeNumber(
      "--max-event-age-hours",
      flags["--max-event-age-hours"] as string | undefined,
      1,
      24 * 365,
      DEFAULT_MAX_EVENT_AGE_HOURS,
    );
    const { config, source } = deployedConfig(flags["--config"] as string | undefined, io.env, io.cwd);
    const targets = targetsFor(config, flags["--region"] as string[] | undefined);
    header = { accountId: config.accountId, regions: targets.map((t) => t.region), config: source };
    if (flags["--print-policy"]) {
      io.out(
        `${JSON.stringify(
          policyFor(
            CHECKS.flatMap((c) => c.calls),
            targets,
            archiveKmsStatements,
          ),
          null,
          2,
        )}\n`,
      );
      return EXIT_OK;
    }
    const options: ApiOptions = { log: flags["--verbose"] ? io.err : undefined };
    api = io.makeApi ? io.makeApi(options) : new Api(options);
    const checkedAt = io.now();
    const results = await runChecks(targets, api, { now: checkedAt, maxEventAgeHours });
    io.out(json ? jsonReport({ ...header, checkedAt }, results) : textReport({ ...header, checkedAt }, results));
    // Each check that could not finish also says so on stderr, the line a CI annotation shows.
    for (const r of results.filter((x) => x.cannotCheck)) io.err(`${TOOL}: ${r.detail}${r.region ? ` (${r.region})` : ""}`);
    return exitCodeOf(results);
  } catch (e) {
    if (json && e instanceof CannotCheckError) io.out(cannotCheckJson(header, e));
    return exitForError(TOOL, e, io.err);
  } finally {
    api?.destroy();
  }
}

/** Entry point of the bundle scripts/doctor.js runs. */
export function run(argv: readonly string[] = process.argv.slice(2)): void {
  quietSdk(process.env);
  void doctorMain(argv, {
    out: (text) => process.stdout.write(text),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  }).then((code) => {
    process.exitCode = code;
  });
}
