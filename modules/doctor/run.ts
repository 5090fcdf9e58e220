/**
 * Runs the checks: the account-wide ones first (wrong credentials make every other answer
 * meaningless), then every region's checks at once, all regions at once.
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

async function runOne(check: Check, target: RegionTarget, api: Api, options: RunOptions): Promise<CheckResult[]> {
  try {
    return await check.run({
      target,
      api: scopedApi(
        api,
        check.calls.map((c) => c.command),
      ),
      now: options.now,
      maxEventAgeHours: options.maxEventAgeHours,
    });
  } catch (e) {
    if (e instanceof CannotCheckError) throw e;
    // A bug or an answer the check does not expect: still one line, never a stack trace.
    throw new CannotCheckError("unexpected", `check ${check.id} in ${target.region} failed: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** All results in report order (account, then each region in config order, checks in CHECKS order). */
export async function runChecks(targets: readonly RegionTarget[], api: Api, options: RunOptions): Promise<CheckResult[]> {
  const checks = options.checks ?? CHECKS;
  const results: CheckResult[] = [];
  for (const check of checks.filter((c) => c.scope === "account")) {
    results.push(...(await runOne(check, targets[0], api, options)));
  }
  if (results.some((r) => r.status === "fail")) return results;
  const regional = checks.filter((c) => c.scope === "region");
  const perRegion = await Promise.all(targets.map((t) => Promise.all(regional.map((check) => runOne(check, t, api, options)))));
  for (const region of perRegion) for (const lines of region) results.push(...lines);
  return results;
}
