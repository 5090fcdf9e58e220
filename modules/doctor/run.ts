/**
 * Runs the checks: the account-wide ones first (wrong credentials make every other answer
 * meaningless), then every region's checks and the global ones at once, all regions at once. Past
 * the account checks an API call that fails (a missing permission, throttling, an answer the check
 * does not expect) fails its own check's line; the other checks still run.
 */
import { Api, scopedApi } from "./aws";
import { Check, CheckResult, CHECKS } from "./checks";
import { CannotCheckError } from "./errors";
import { RegionTarget } from "./target";

export interface RunOptions {
  readonly now: Date;
  readonly maxEventAgeHours: number;
  /** @default CHECKS */
  readonly checks?: readonly Check[];
}

/** What a check's failure to finish says, and what to do about it. */
const CANNOT_CHECK_FIX: Record<CannotCheckError["kind"], string> = {
  credentials: "refresh the credentials (aws sso login) and run again",
  unreachable: "check the network and AWS_ENDPOINT_URL, then run again",
  "access-denied": "grant what npm run doctor -- --print-policy prints to the identity the doctor runs as",
  throttled: "run again in a minute",
  unexpected: "run again with --verbose to see the call; if the answer persists, the check does not know it: please report it",
};

function asCannotCheck(e: unknown, check: Check, target: RegionTarget): CannotCheckError {
  if (e instanceof CannotCheckError) return e;
  // A bug or an answer the check does not expect: still one line, never a stack trace.
  return new CannotCheckError("unexpected", `check ${check.id} in ${target.region} failed: ${(e as Error)?.message ?? String(e)}`);
}

async function runOne(check: Check, target: RegionTarget, targets: readonly RegionTarget[], api: Api, options: RunOptions): Promise<CheckResult[]> {
  return check.run({
    target,
    targets,
    api: scopedApi(
      api,
      check.calls.map((c) => c.command),
    ),
    now: options.now,
    maxEventAgeHours: options.maxEventAgeHours,
  });
}

/** Like runOne, but a failure to check becomes the check's one failed line. */
async function runIsolated(check: Check, target: RegionTarget, targets: readonly RegionTarget[], api: Api, options: RunOptions): Promise<CheckResult[]> {
  try {
    return await runOne(check, target, targets, api, options);
  } catch (e) {
    const reason = asCannotCheck(e, check, target);
    return [
      {
        check: check.id,
        region: check.scope === "global" ? undefined : target.region,
        status: "fail",
        subject: `check ${check.id}`,
        detail: `could not check: ${reason.message}`,
        fix: CANNOT_CHECK_FIX[reason.kind],
        cannotCheck: reason.kind,
      },
    ];
  }
}

/** All results in report order (account, then each region in config order with checks in CHECKS order, then the global checks). */
export async function runChecks(targets: readonly RegionTarget[], api: Api, options: RunOptions): Promise<CheckResult[]> {
  const checks = options.checks ?? CHECKS;
  const results: CheckResult[] = [];
  for (const check of checks.filter((c) => c.scope === "account")) {
    try {
      results.push(...(await runOne(check, targets[0], targets, api, options)));
    } catch (e) {
      throw asCannotCheck(e, check, targets[0]);
    }
  }
  if (results.some((r) => r.status === "fail")) return results;
  const regional = checks.filter((c) => c.scope === "region");
  const global = checks.filter((c) => c.scope === "global");
  const [perRegion, once] = await Promise.all([
    Promise.all(targets.map((t) => Promise.all(regional.map((check) => runIsolated(check, t, targets, api, options))))),
    Promise.all(global.map((check) => runIsolated(check, targets[0], targets, api, options))),
  ]);
  for (const region of perRegion) for (const lines of region) results.push(...lines);
  for (const lines of once) results.push(...lines);
  return results;
}
