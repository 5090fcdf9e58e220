/**
 * Compares two versions of an IAM policy document (identity, trust or resource policy)
 * and reports how the newer one grants more. Only `Allow` statements can widen access;
 * a policy that cannot be parsed (or is only known after apply) is not judged.
 */
import { compare, Json } from "./plan-review-model";
import { ACTIONS_WITHOUT_RESOURCE_TYPE } from "../shared/policy-document";

interface Statement {
  readonly label: string;
  readonly sid?: string;
  readonly allow: boolean;
  /** Canonical JSON of Principal / NotPrincipal, for matching statements across versions. */
  readonly principalKey: string;
  readonly publicPrincipal: boolean;
  readonly actions: readonly string[];
  readonly notAction: boolean;
  readonly resources: readonly string[];
  readonly notResource: boolean;
  readonly hasCondition: boolean;
  /** Condition keys, lower-cased (IAM compares them case-insensitively), to their spelling. */
  readonly conditionKeys: ReadonlyMap<string, string>;
}

/** How the new policy grants more than the old one. Every list is sorted. */
export interface PolicyWidening {
  /** New allowed actions with a wildcard (`*`, `s3:*`, `s3:Get*`) or a NotAction. */
  readonly wildcardActions: string[];
  /** New allowed resources that match every resource of a kind (`*`, `arn:aws:s3:::*`, `...:deliverystream/*`) or a NotResource. */
  readonly wideResources: string[];
  /** `aws:SourceAccount` / `aws:SourceArn` conditions a statement had and lost, as "statement: key". */
  readonly lostConditions: string[];
  /** Statements newly allowing any principal (`*`) with no condition. */
  readonly publicStatements: string[];
}

/** The confused-deputy guards whose loss the review reports. */
const GUARD_KEYS = ["aws:sourceaccount", "aws:sourcearn"];

const asList = (v: Json | undefined): string[] => (typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);

/** JSON with sorted keys and sorted arrays: two spellings of one principal compare equal. */
function canonical(v: Json | undefined): string {
  if (v === undefined) return "";
  if (Array.isArray(v)) return `[${v.map(canonical).sort(compare).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v)
      .sort(compare)
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

function isPublic(principal: Json | undefined): boolean {
  if (principal === "*") return true;
  if (principal !== null && typeof principal === "object" && !Array.isArray(principal)) {
    return asList(principal.AWS).includes("*");
  }
  return false;
}

/** Statements of a policy document given as JSON text; undefined when it is not one. */
export function parsePolicy(text: Json | undefined): Statement[] | undefined {
  if (typeof text !== "string" || text.trim() === "") return undefined;
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return undefined;
  const raw = doc.Statement;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? [raw] : [];
  return list.flatMap((s, i) => {
    if (s === null || typeof s !== "object" || Array.isArray(s)) return [];
    const sid = typeof s.Sid === "string" && s.Sid !== "" ? s.Sid : undefined;
    const condition = s.Condition && typeof s.Condition === "object" && !Array.isArray(s.Condition) ? s.Condition : {};
    const conditionKeys = new Map<string, string>();
    for (const operator of Object.values(condition)) {
      if (operator && typeof operator === "object" && !Array.isArray(operator)) {
        for (const key of Object.keys(operator)) conditionKeys.set(key.toLowerCase(), key);
      }
    }
    const principal = s.Principal ?? s.NotPrincipal;
    return [
      {
        label: sid ?? `statement ${i + 1}`,
        sid,
        allow: s.Effect === "Allow",
        principalKey: canonical(principal),
        // NotPrincipal with Allow means "everyone except": as public as "*".
        publicPrincipal: isPublic(s.Principal) || s.NotPrincipal !== undefined,
        actions: asList(s.Action ?? s.NotAction),
        notAction: s.NotAction !== undefined,
        resources: asList(s.Resource ?? s.NotResource),
        notResource: s.NotResource !== undefined,
        hasCondition: conditionKeys.size > 0,
        conditionKeys,
      },
    ];
  });
}

/**
 * A resource pattern that covers every resource of a kind rather than named ones.
 * `arn:aws:s3:::bucket/*` (all objects of one bucket) is not wide; `arn:aws:s3:::*` is.
 */
export function isWideResource(resource: string): boolean {
  if (resource === "*") return true;
  const parts = resource.split(":");
  if (parts[0] !== "arn" || parts.length < 6) return resource.includes("*");
  const [, partition, service, , account] = parts;
  if ([partition, service, account].some((p) => p.includes("*"))) return true;
  const rest = parts.slice(5).join(":");
  if (rest.startsWith("*")) return true;
  // S3 ARNs start with the bucket name; elsewhere "type/*" or "type:*" is every resource of that type.
  return service !== "s3" && /^[A-Za-z0-9_-]+[/:]\*$/.test(rest);
}

const isWildcardAction = (action: string): boolean => action.includes("*");

/** What `after` grants that `before` did not. `before` undefined means a new policy. */
export function policyWidening(before: Json | undefined, after: Json | undefined): PolicyWidening | undefined {
  const next = parsePolicy(after);
  if (!next) return undefined;
  // Stryker disable next-line ArrayDeclaration: equivalent: a non-statement element in the fallback is dropped by the Allow filter below.
  const prev = parsePolicy(before) ?? [];
  const allowedBefore = prev.filter((s) => s.allow);
  const allowedAfter = next.filter((s) => s.allow);

  const oldActions = new Set(allowedBefore.flatMap((s) => (s.notAction ? s.actions.map((a) => `NotAction ${a}`) : s.actions)));
  const oldResources = new Set(allowedBefore.flatMap((s) => (s.notResource ? s.resources.map((r) => `NotResource ${r}`) : s.resources)));
  const wildcardActions = new Set<string>();
  const wideResources = new Set<string>();
  for (const s of allowedAfter) {
    for (const a of s.actions) {
      const key = s.notAction ? `NotAction ${a}` : a;
      if ((s.notAction || isWildcardAction(a)) && !oldActions.has(key)) wildcardActions.add(key);
    }
    // `*` is the only resource IAM takes for actions without a resource type: not a widening of its own.
    const starOnly = !s.notAction && s.actions.length > 0 && s.actions.every((a) => ACTIONS_WITHOUT_RESOURCE_TYPE.includes(a));
    for (const r of s.resources) {
      const key = s.notResource ? `NotResource ${r}` : r;
      if ((s.notResource || (isWideResource(r) && !(starOnly && r === "*"))) && !oldResources.has(key)) wideResources.add(key);
    }
  }

  const lostConditions = new Set<string>();
  for (const old of allowedBefore) {
    const guards = GUARD_KEYS.filter((k) => old.conditionKeys.has(k));
    if (guards.length === 0) continue;
    // The same statement in the new version: same Sid, else the same principal.
    let matches = old.sid ? allowedAfter.filter((s) => s.sid === old.sid) : [];
    if (matches.length === 0) matches = allowedAfter.filter((s) => s.principalKey === old.principalKey);
    for (const key of guards) {
      if (matches.some((m) => !m.conditionKeys.has(key))) lostConditions.add(`${old.label}: ${old.conditionKeys.get(key)}`);
    }
  }

  const oldPublic = new Set(allowedBefore.filter((s) => s.publicPrincipal && !s.hasCondition).map((s) => s.label));
  const publicStatements = allowedAfter.filter((s) => s.publicPrincipal && !s.hasCondition && !oldPublic.has(s.label)).map((s) => s.label);

  const sorted = (set: Iterable<string>) => [...set].sort(compare);
  return {
    wildcardActions: sorted(wildcardActions),
    wideResources: sorted(wideResources),
    lostConditions: sorted(lostConditions),
    publicStatements: sorted(new Set(publicStatements)),
  };
}

/** Whether a resource policy denies requests made without TLS (`aws:SecureTransport`); undefined when it cannot be read. */
export function deniesInsecureTransport(text: Json | undefined): boolean | undefined {
  const statements = parsePolicy(text);
  if (!statements) return undefined;
  return statements.some((s) => !s.allow && s.conditionKeys.has("aws:securetransport"));
}
