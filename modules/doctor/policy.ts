/**
 * The IAM policy the doctor (or the drill) needs, built from the calls each check declares
 * (checks.ts), for the resources of every configured region: one source, so the policy cannot
 * drift from what the code calls.
 */
import { operationOf } from "./aws";
import type { CallSpec } from "./checks";
import type { RegionTarget } from "./target";

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: string;
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

/** Extra statements that are not one call's action (a KMS key the S3 reads go through). */
export type ExtraStatements = (targets: readonly RegionTarget[]) => PolicyStatement[];

/** One statement per action, resources merged over the regions; `*` swallows the rest. */
export function policyFor(calls: readonly CallSpec[], targets: readonly RegionTarget[], extra?: ExtraStatements): PolicyDocument {
  const byAction = new Map<string, Set<string>>();
  for (const call of calls) {
    const action = operationOf(call.command).action;
    if (!action) continue;
    for (const t of targets) {
      const resources = call.resources(t);
      if (!resources.length) continue;
      const set = byAction.get(action) ?? new Set<string>();
      for (const r of resources) set.add(r);
      byAction.set(action, set);
    }
  }
  const statements = [...byAction.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([action, set]): PolicyStatement => {
      const resources = set.has("*") ? ["*"] : [...set].sort();
      return { Sid: sidOf(action), Effect: "Allow", Action: action, Resource: resources.length === 1 ? resources[0] : resources };
    });
  return { Version: "2012-10-17", Statement: [...statements, ...(extra?.(targets) ?? [])] };
}

/** `ses:GetAccount` becomes `SesGetAccount` (Sids are alphanumeric). */
function sidOf(action: string): string {
  const [service, name] = action.split(":");
  return `${service.charAt(0).toUpperCase()}${service.slice(1)}${name}`;
}

/** Every IAM action in a policy, sorted. */
export function policyActions(policy: PolicyDocument): string[] {
  return [...new Set(policy.Statement.map((s) => s.Action))].sort();
}

/**
 * Reading an SSE-KMS archive (the drill, the bypass check) also needs the key, and only through S3
 * (KMS Developer Guide, "kms:ViaService").
 */
export function archiveKmsStatements(targets: readonly RegionTarget[]): PolicyStatement[] {
  const encrypted = targets.filter((t) => t.archiveKms);
  if (!encrypted.length) return [];
  const keys = [...new Set(encrypted.map((t) => t.archiveKms?.keyArn ?? "*"))];
  return [
    {
      Sid: "KmsDecryptArchiveThroughS3",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: keys.includes("*") ? "*" : keys.length === 1 ? keys[0] : keys,
      Condition: { StringEquals: { "kms:ViaService": [...new Set(encrypted.map((t) => `s3.${t.bucketRegion}.amazonaws.com`))] } },
    },
  ];
}
