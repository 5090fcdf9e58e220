/**
 * What every doctor check is made of: the result line, the declared calls (policy.ts prints their
 * IAM actions), the context a check runs in, and the small helpers the check files share.
 */
import type { CommandClass, ScopedApi } from "./aws";
import type { RegionTarget, TopicTarget } from "./target";

export type Status = "pass" | "warn" | "fail";

/** One line of the report. */
export interface CheckResult {
  /** The check's id, e.g. `configuration-set`. */
  readonly check: string;
  /** Absent for account-wide results. */
  readonly region?: string;
  readonly status: Status;
  /** What was checked: `identity example.com`. */
  readonly subject: string;
  /** What was found. */
  readonly detail: string;
  /** What to do, for warnings and failures. */
  readonly fix?: string;
  /**
   * Why this check could not finish (`access-denied`, `unexpected`, ...): an API call failed, so
   * the line fails and the other checks still run. Absent when the check ran.
   */
  readonly cannotCheck?: string;
}

/** A call a check makes, and the resources its IAM action needs for a region's target. */
export interface CallSpec {
  readonly command: CommandClass;
  /** `["*"]` where the action has no resource type. An empty list: the call is not made for this target. */
  readonly resources: (t: RegionTarget) => readonly string[];
}

export interface CheckContext {
  readonly target: RegionTarget;
  /**
   * Every region checked in this run (a `global` check looks at all of them).
   * @default - [target]
   */
  readonly targets?: readonly RegionTarget[];
  readonly api: ScopedApi;
  readonly now: Date;
  /** Newer than this, the archive counts as fresh. */
  readonly maxEventAgeHours: number;
}

export interface Check {
  readonly id: string;
  /**
   * `account`: once per run (in the first region), before the rest: a failure stops the run (wrong
   * credentials make every other answer meaningless). `global`: once per run, beside the regional
   * checks, over every region's target. `region`: once per configured region.
   */
  readonly scope: "account" | "global" | "region";
  /** What it checks, for --help and the README. */
  readonly summary: string;
  readonly calls: readonly CallSpec[];
  run(ctx: CheckContext): Promise<CheckResult[]>;
}

export const ANY = () => ["*"];
export const sesArn = (t: RegionTarget, resource: string) => `arn:${t.partition}:ses:${t.region}:${t.accountId}:${resource}`;
export const alarmArn = (t: RegionTarget, name: string) => `arn:${t.partition}:cloudwatch:${t.region}:${t.accountId}:alarm:${name}`;
export const topicsOf = (t: RegionTarget): TopicTarget[] => [t.alarmTopic, ...(t.notificationTopic ? [t.notificationTopic] : [])];

export function result(ctx: CheckContext, check: string, status: Status, subject: string, detail: string, fix?: string): CheckResult {
  return { check, region: ctx.target.region, status, subject, detail, ...(fix && status !== "pass" ? { fix } : {}) };
}

export function sameSet(a: readonly string[], b: readonly string[]): { missing: string[]; extra: string[] } {
  return { missing: b.filter((x) => !a.includes(x)), extra: a.filter((x) => !b.includes(x)) };
}

export function hoursAgo(now: Date, then: Date): number {
  return Math.max(0, (now.getTime() - then.getTime()) / 3_600_000);
}

export function formatHours(h: number): string {
  return h < 1 ? `${Math.round(h * 60)} min` : `${h < 10 ? h.toFixed(1) : Math.round(h)} h`;
}

export const APPLY = (t: RegionTarget) =>
  `run terraform apply for the stack of ${t.region} (ses-guard manages this setting; it was changed outside Terraform or never applied)`;

/** Every item of a `NextToken`-paginated list call: `page(token)` fetches one page, `items` takes its entries. */
export async function allPages<P extends { NextToken?: string }, T>(
  page: (token: string | undefined) => Promise<P>,
  items: (p: P) => readonly T[] | undefined,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const p = await page(token);
    out.push(...(items(p) ?? []));
    token = p.NextToken;
  } while (token);
  return out;
}
