/** The doctor's report: one line per check (and its fix), as text or as JSON for CI. */
import type { CheckResult, Status } from "./checks";
import { UserError } from "../app/cli";
import { ConfigError } from "../app/config";
import { CannotCheckError } from "./errors";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_CANNOT_CHECK = 2;

const LABEL: Record<Status, string> = { pass: "PASS", warn: "WARN", fail: "FAIL" };

export interface ReportHeader {
  readonly accountId: string;
  readonly regions: readonly string[];
  readonly config: string;
  readonly checkedAt: Date;
}

export function summaryOf(results: readonly CheckResult[]): Record<Status, number> {
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  return { pass: count("pass"), warn: count("warn"), fail: count("fail") };
}

/** 1 when a check failed; else 2 when a check could not finish (an API call failed); warnings alone pass. */
export function exitCodeOf(results: readonly CheckResult[]): number {
  if (results.some((r) => r.status === "fail" && !r.cannotCheck)) return EXIT_FAILED;
  return results.some((r) => r.cannotCheck) ? EXIT_CANNOT_CHECK : EXIT_OK;
}

/** A line per result, its fix indented below it, and a summary. */
export function textReport(header: ReportHeader, results: readonly CheckResult[]): string {
  const width = Math.max(0, ...results.map((r) => (r.region ?? "").length));
  const lines = [
    `ses-guard doctor: account ${header.accountId}, ${header.regions.length === 1 ? "region" : "regions"} ${header.regions.join(", ")} (${header.config})`,
  ];
  for (const r of results) {
    lines.push(`${LABEL[r.status]}  ${(r.region ?? "").padEnd(width)}  ${r.subject}: ${r.detail}`);
    if (r.fix) lines.push(`${" ".repeat(width + 8)}fix: ${r.fix}`);
  }
  const s = summaryOf(results);
  lines.push(`ses-guard doctor: ${s.pass} passed, ${s.warn} warning${s.warn === 1 ? "" : "s"}, ${s.fail} failed`);
  return `${lines.join("\n")}\n`;
}

export function jsonReport(header: ReportHeader, results: readonly CheckResult[]): string {
  return `${JSON.stringify(
    {
      tool: "ses-guard doctor",
      config: header.config,
      accountId: header.accountId,
      regions: header.regions,
      checkedAt: header.checkedAt.toISOString(),
      exitCode: exitCodeOf(results),
      summary: summaryOf(results),
      results,
    },
    null,
    2,
  )}\n`;
}

/** The one line printed when the doctor could not check, prefixed by the tool's name. */
export function cannotCheckLine(tool: string, error: CannotCheckError): string {
  return `${tool}: could not check: ${error.message}`;
}

/**
 * The exit status, and the one line, for an error that ended a command before it could report:
 * AWS could not be asked (2), bad input (1, or 2 for a bad flag), or anything else (2).
 */
export function exitForError(tool: string, e: unknown, err: (line: string) => void): number {
  if (e instanceof CannotCheckError) {
    err(cannotCheckLine(tool, e));
    return EXIT_CANNOT_CHECK;
  }
  if (e instanceof UserError || e instanceof ConfigError) {
    err(`${tool}: error: ${e.message}`);
    return e instanceof ConfigError ? 1 : e.exitCode;
  }
  err(`${tool}: could not check: ${(e as Error)?.message ?? String(e)}`);
  return EXIT_CANNOT_CHECK;
}

/** The JSON form of the same, for --format json. */
export function cannotCheckJson(header: Omit<ReportHeader, "checkedAt">, error: CannotCheckError): string {
  return `${JSON.stringify({
    tool: "ses-guard doctor",
    config: header.config,
    accountId: header.accountId,
    regions: header.regions,
    exitCode: EXIT_CANNOT_CHECK,
    cannotCheck: { kind: error.kind, message: error.message, ...(error.missingPermission ? { missingPermission: error.missingPermission } : {}) },
  })}\n`;
}
