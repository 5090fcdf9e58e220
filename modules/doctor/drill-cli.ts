/**
 * `npm run drill -- --yes --from sender@example.com`: the end-to-end test (drill.ts) of one
 * region's guard, opt-in because it sends mail (to the SES mailbox simulator only).
 *
 * Exit status: 0 every message's events arrived (and the alarm flipped, with --alarm); 1 some did
 * not, SES refused a message, the credentials are another account's, or the config is bad; 2 bad
 * flags, no --yes, or it could not check (credentials, network, permission, throttling).
 */
import { isEmailAddress } from "../app/config";
import { UserError } from "../app/cli";
import { parseFlags, wholeNumber } from "../shared/args";
import { Api, ApiOptions, quietSdk, scopedApi } from "./aws";
import { callerCheck } from "./checks";
import { deployedConfig, targetsFor } from "./deployed-config";
import { DRILL_TAG, DrillOptions, drillCalls, drillKmsStatements, drillPassed, DrillProgress, DrillResult, runDrill, SIMULATOR, warningAlarm } from "./drill";
import { policyFor } from "./policy";
import { EXIT_CANNOT_CHECK, EXIT_FAILED, EXIT_OK, exitForError } from "./report";
import { pauseAlarm, pauseDrillCalls, pauseDrillPassed, pauseDrillPassRole, PauseDrillResult, runPauseDrill } from "./pause-drill";
import { RegionTarget } from "./target";

const TOOL = "ses-guard drill";

/** EventBridge starts the runbook within seconds, and one API call takes seconds more: minutes are plenty. */
export const PAUSE_TIMEOUT_SECONDS = 300;
export const PAUSE_POLL_SECONDS = 5;

/** Firehose writes at most every buffering interval; delivery and SES's own publishing add minutes. */
export const TIMEOUT_MARGIN_SECONDS = 300;
export const POLL_SECONDS = 15;

const USAGE = `Usage: npm run drill -- --yes --from SENDER [--config FILE] [--region REGION] [--alarm]
                        [--timeout-seconds N] [--verbose] [--print-policy]
       npm run drill -- --yes --pause CONFIGURATION_SET [--config FILE] [--region REGION]

Sends ${SIMULATOR.length} messages through the configuration set to the SES mailbox simulator
(${SIMULATOR.map((s) => s.address.split("@")[0]).join(", ")}), waits for their events in the archive and reports
which event types arrived. Simulator mail is billed like any other but never counts toward the
reputation metrics or the daily quota.
  --yes                  send (without it: say what would be sent, and exit 2)
  --from SENDER          a sender address verified in the region (itself or its domain)
  --config FILE          config file (default: $SES_GUARD_CONFIG, else ./ses-guard.json)
  --region REGION        one of the config's regions (default: the first)
  --alarm                also set the bounce-rate warning alarm to ALARM, then back, so the
                         alarm topic's subscribers see the notification path work
  --pause CONFIGURATION_SET
                         instead of sending: run the automatic pause for real on that set (it must
                         be the region's): set its critical alarm to ALARM, wait for the pause
                         runbook, check that sending is off, run the resume runbook, set the alarm
                         back to OK; each step printed (needs autoPause with scope configurationSet)
  --timeout-seconds N    how long to wait for the events (with --pause: for each runbook, default ${PAUSE_TIMEOUT_SECONDS}) (default: the buffering interval + ${TIMEOUT_MARGIN_SECONDS};
                         at least the buffering interval)
  --verbose              print each AWS API call to stderr
  --print-policy         print the IAM policy the drill needs, and exit
  --version              the version, and exit
Exit status: 0 all events arrived, 1 some did not (or SES refused a message), 2 bad flags,
no --yes, or could not check (credentials, network, permission, throttling).`;

const FLAGS = [
  { name: "--yes" },
  { name: "--from", metavar: "SENDER", value: "a verified sender address such as sender@example.com" },
  { name: "--config", metavar: "FILE", value: "a file path" },
  { name: "--region", metavar: "REGION", value: "a region of the config" },
  { name: "--alarm" },
  { name: "--pause", metavar: "CONFIGURATION_SET", value: "the configuration set of the region, named explicitly" },
  { name: "--timeout-seconds", metavar: "N", value: "a whole number of seconds" },
  { name: "--verbose" },
  { name: "--print-policy" },
  { name: "--help" },
] as const;

export interface DrillIo {
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
  /** Rewrites the progress line in place (a terminal), or undefined to print a line a minute. */
  readonly status?: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly signal?: AbortSignal;
  /** @default - real SDK clients */
  readonly makeApi?: (options: ApiOptions) => Api;
  /** @default POLL_SECONDS */
  readonly pollSeconds?: number;
}

function clock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

function plan(t: RegionTarget, from: string, alarm: boolean, timeoutSeconds: number): string {
  return [
    `${TOOL} would, in ${t.region} (account ${t.accountId}):`,
    ...SIMULATOR.map((s) => `  send from ${from} to ${s.address} (${s.scenario}) with configuration set ${t.configurationSet}`),
    ...(alarm ? [`  set alarm ${warningAlarm(t).name} to ALARM, and back to its state afterwards (its topic's subscribers get the mails)`] : []),
    `  wait up to ${timeoutSeconds} s for the events under s3://${t.bucket}/${t.eventsPrefix}`,
    `Mailbox simulator mail is billed like any other, and never counts toward the reputation metrics or the daily quota.`,
  ].join("\n");
}

export function drillReport(t: RegionTarget, result: DrillResult, timeoutSeconds: number): string {
  const lines: string[] = [];
  for (const m of result.messages) {
    const subject = `${m.address} (${m.scenario})`;
    if (m.refused) {
      lines.push(`FAIL  ${subject}: refused by SES: ${m.refused}`);
      lines.push(
        `      fix: the sender must be verified in ${t.region} (or its domain), and the account and configuration set ${t.configurationSet} must be able to send: npm run doctor checks both`,
      );
      continue;
    }
    const missing = m.awaited.filter((e) => !m.arrived.includes(e));
    const arrived = m.arrived.length ? `arrived ${m.arrived.join(", ")}` : "nothing arrived";
    if (!missing.length) {
      lines.push(`PASS  ${subject}: ${arrived}${m.awaited.length ? "" : " (archive.eventTypes archives none of the events that prove this case)"}`);
    } else {
      lines.push(`FAIL  ${subject}: ${arrived}; missing ${missing.join(", ")} after ${result.elapsedSeconds} s (message ${m.messageId})`);
      lines.push(
        result.aborted
          ? "      fix: the drill was stopped before the events could arrive; run it again"
          : `      fix: npm run doctor checks the configuration set's event destination, the stream and the bucket; if they pass, Firehose may need longer than ${timeoutSeconds} s: --timeout-seconds ${timeoutSeconds + TIMEOUT_MARGIN_SECONDS}`,
      );
    }
  }
  const a = result.alarm;
  if (a) {
    if (a.set)
      lines.push(
        `PASS  alarm ${a.name}: set to ALARM, then ${a.restored ? `restored to ${a.before}` : "NOT restored"}: check that the alarm topic's subscribers got the ALARM${a.before === "OK" ? " and OK" : ""} mail`,
      );
    else if (a.before === "ALARM") lines.push(`PASS  alarm ${a.name}: already in ALARM, left as it is (the team gets real alarm mails)`);
    else lines.push(`FAIL  alarm ${a.name}: not found in ${t.region}\n      fix: npm run doctor`);
  }
  const archived = result.messages.filter((m) => !m.refused && m.awaited.every((e) => m.arrived.includes(e))).length;
  lines.push(
    `${TOOL}: ${drillPassed(result) ? "passed" : "failed"}: ${archived} of ${result.messages.length} messages archived with their events in ${result.elapsedSeconds} s (run ${result.runId}, message tag ${DRILL_TAG})`,
  );
  return `${lines.join("\n")}\n`;
}

/** The CLI; resolves to the exit status instead of exiting, for tests. */
export async function drillMain(argv: readonly string[], io: DrillIo): Promise<number> {
  let api: Api | undefined;
  try {
    const { flags } = parseFlags(argv, FLAGS, { env: io.env });
    if (flags["--help"]) {
      io.out(`${USAGE}\n`);
      return EXIT_OK;
    }
    const from = flags["--from"] as string | undefined;
    if (from !== undefined && !isEmailAddress(from)) {
      throw new UserError(
        `--from: got ${JSON.stringify(from)}; allowed: a sender address such as sender@example.com, verified in the region (itself or its domain)`,
        2,
      );
    }
    const { config } = deployedConfig(flags["--config"] as string | undefined, io.env, io.cwd);
    const region = flags["--region"] as string | undefined;
    const [t] = targetsFor(config, region ? [region] : [config.regions[0]]);
    const pauseSet = flags["--pause"] as string | undefined;
    if (pauseSet !== undefined) return await pauseMain(t, pauseSet, flags, io, (a) => (api = a));
    const interval = t.bufferingIntervalSeconds;
    const timeoutSeconds = wholeNumber(
      "--timeout-seconds",
      flags["--timeout-seconds"] as string | undefined,
      Math.max(interval, 60),
      3 * 3600,
      interval + TIMEOUT_MARGIN_SECONDS,
    );
    const alarm = flags["--alarm"] === true;
    if (flags["--print-policy"]) {
      io.out(`${JSON.stringify(policyFor(drillCalls(from, alarm), [t], drillKmsStatements), null, 2)}\n`);
      return EXIT_OK;
    }
    if (!from)
      throw new UserError("--from: got nothing; allowed: a sender address such as sender@example.com, verified in the region (itself or its domain)", 2);
    if (!flags["--yes"]) {
      io.out(`${plan(t, from, alarm, timeoutSeconds)}\n`);
      io.err(`${TOOL}: nothing sent: add --yes to send`);
      return EXIT_CANNOT_CHECK;
    }
    const options: ApiOptions = { log: flags["--verbose"] ? io.err : undefined };
    api = io.makeApi ? io.makeApi(options) : new Api(options);
    if (!(await callerMayDrill(io, api, t))) return EXIT_FAILED;
    io.err(`${TOOL}: ${t.region}, configuration set ${t.configurationSet}, archive s3://${t.bucket}/${t.eventsPrefix}`);
    let lastMinute = -1;
    const drill: DrillOptions = {
      from,
      timeoutSeconds,
      pollSeconds: io.pollSeconds ?? POLL_SECONDS,
      alarm,
      now: io.now,
      sleep: io.sleep,
      signal: io.signal,
      log: (line) => io.err(`${TOOL}: ${line}`),
      progress: (p: DrillProgress) => {
        const line = `${TOOL}: waiting ${clock(p.elapsedSeconds)} of ${clock(p.timeoutSeconds)}: ${p.seen} of ${p.awaited} events arrived, ${p.objectsRead} archive objects read`;
        if (io.status) io.status(line);
        else if (Math.floor(p.elapsedSeconds / 60) !== lastMinute) {
          lastMinute = Math.floor(p.elapsedSeconds / 60);
          io.err(line);
        }
      },
    };
    const result = await runDrill(
      t,
      scopedApi(
        api,
        drillCalls(from, alarm).map((c) => c.command),
      ),
      drill,
    );
    io.out(drillReport(t, result, timeoutSeconds));
    return drillPassed(result) ? EXIT_OK : EXIT_FAILED;
  } catch (e) {
    return exitForError(TOOL, e, io.err);
  } finally {
    api?.destroy();
  }
}

/** The caller check first: a drill with credentials that cannot run it stops before changing anything. */
async function callerMayDrill(io: DrillIo, api: Api, t: RegionTarget): Promise<boolean> {
  const caller = await callerCheck.run({
    target: t,
    api: scopedApi(
      api,
      callerCheck.calls.map((c) => c.command),
    ),
    now: new Date(io.now()),
    maxEventAgeHours: 0,
  });
  if (!caller.some((r) => r.status === "fail")) return true;
  for (const r of caller) io.out(`FAIL  ${r.subject}: ${r.detail}\n      fix: ${r.fix}\n`);
  return false;
}

function pausePlan(t: RegionTarget, timeoutSeconds: number): string {
  const p = t.autoPause!;
  return [
    `${TOOL} --pause would, in ${t.region} (account ${t.accountId}):`,
    `  set alarm ${pauseAlarm(t)} to ALARM (its topic's subscribers get an ALARM mail)`,
    `  wait up to ${timeoutSeconds} s for EventBridge rule ${p.ruleName} to run ${p.pauseRunbook}, which stops configuration set ${t.configurationSet} from sending`,
    `  check that sending is off, then run ${p.resumeRunbook} and check that sending is on again`,
    `  set the alarm back to OK`,
    `While paused (about a minute), SES rejects every message sent with ${t.configurationSet}.`,
  ].join("\n");
}

export function pauseReport(result: PauseDrillResult): string {
  const lines = result.steps.flatMap((s) => [
    `${s.status === "pass" ? "PASS" : "FAIL"}  ${s.subject}: ${s.detail}`,
    ...(s.fix && s.status === "fail" ? [`      fix: ${s.fix}`] : []),
  ]);
  lines.push(`${TOOL}: pause ${pauseDrillPassed(result) ? "passed" : "failed"} in ${result.elapsedSeconds} s (run ${result.runId})`);
  return `${lines.join("\n")}\n`;
}

/** `--pause SET`: the automatic pause, end to end. */
async function pauseMain(t: RegionTarget, set: string, flags: Record<string, unknown>, io: DrillIo, keep: (api: Api) => void): Promise<number> {
  if (flags["--from"] !== undefined || flags["--alarm"]) throw new UserError("--pause: runs on its own; allowed: no --from and no --alarm with it", 2);
  if (set !== t.configurationSet) {
    throw new UserError(
      `--pause: got ${JSON.stringify(set)}; allowed: ${JSON.stringify(t.configurationSet)}, the configuration set of ${t.region} (--region picks another region)`,
      2,
    );
  }
  if (!t.autoPause)
    throw new UserError("--pause: the config's autoPause.enabled is false; allowed: a guard deployed with autoPause.enabled (there is no runbook to drill)");
  if (t.autoPause.scope !== "configurationSet") {
    throw new UserError(
      `--pause: the config's autoPause.scope is "${t.autoPause.scope}": the runbook would stop all of the account's sending in ${t.region}; allowed: scope "configurationSet"`,
    );
  }
  const timeoutSeconds = wholeNumber("--timeout-seconds", flags["--timeout-seconds"] as string | undefined, 30, 3600, PAUSE_TIMEOUT_SECONDS);
  if (flags["--print-policy"]) {
    io.out(`${JSON.stringify(policyFor(pauseDrillCalls(), [t], pauseDrillPassRole), null, 2)}\n`);
    return EXIT_OK;
  }
  if (!flags["--yes"]) {
    io.out(`${pausePlan(t, timeoutSeconds)}\n`);
    io.err(`${TOOL}: nothing changed: add --yes to run it`);
    return EXIT_CANNOT_CHECK;
  }
  const options: ApiOptions = { log: flags["--verbose"] ? io.err : undefined };
  const api = io.makeApi ? io.makeApi(options) : new Api(options);
  keep(api);
  if (!(await callerMayDrill(io, api, t))) return EXIT_FAILED;
  io.err(`${TOOL}: --pause in ${t.region}, configuration set ${t.configurationSet}, alarm ${pauseAlarm(t)}`);
  const runId = new Date(io.now())
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const result = await runPauseDrill(
    t,
    scopedApi(
      api,
      pauseDrillCalls().map((c) => c.command),
    ),
    runId,
    {
      timeoutSeconds,
      pollSeconds: io.pollSeconds ?? PAUSE_POLL_SECONDS,
      now: io.now,
      sleep: io.sleep,
      signal: io.signal,
      log: (line) => io.err(`${TOOL}: ${line}`),
    },
  );
  io.out(pauseReport(result));
  return pauseDrillPassed(result) ? EXIT_OK : EXIT_FAILED;
}

/** Entry point of the bundle scripts/drill.js runs. */
export function run(argv: readonly string[] = process.argv.slice(2)): void {
  quietSdk(process.env);
  const abort = new AbortController();
  // Ctrl-C stops the wait; the drill still puts the alarm back before it exits.
  process.once("SIGINT", () => abort.abort());
  const tty = process.stderr.isTTY;
  void drillMain(argv, {
    out: (text) => process.stdout.write(text),
    err: (line) => process.stderr.write(`${tty ? "\r\x1b[2K" : ""}${line}\n`),
    status: tty ? (line) => process.stderr.write(`\r\x1b[2K${line}`) : undefined,
    env: process.env,
    cwd: process.cwd(),
    now: Date.now,
    sleep: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        abort.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      }),
    signal: abort.signal,
  }).then((code) => {
    process.exitCode = code;
  });
}
