/**
 * Terraform expressions inside constructs, in one place. A construct prop may hold a literal or a
 * Terraform token (the plain module feeds the constructs with variables, as aws-cdk-lib feeds them
 * with CloudFormation parameters). Rules then run only on literals (`isToken`), and what a literal
 * would decide in TypeScript becomes an expression: a switch becomes `count`, a list `for_each`.
 *
 * cdktf quirks this module hides:
 * - `Op.eq(x, null)` renders `undefined`: `hclOf` and `expression` write HCL text instead.
 * - An attribute of a counted resource renders without an index, which Terraform refuses:
 *   `attributeOf` writes `one(<type>.<name>[*].<attribute>)`.
 * - `Fn.*` around a raw `${...}` string nests the braces: `expression` returns a reference token,
 *   which nests like cdktf's own.
 */
import { IConstruct } from "constructs";
import {
  conditional,
  DefaultTokenResolver,
  Fn,
  IResolvable,
  MapTerraformIterator,
  ref,
  StringConcat,
  TerraformIterator,
  TerraformResource,
  TerraformStack,
  Token,
  Tokenization,
} from "cdktf";

/** A literal, or a Terraform token that stands for one. */
export const isToken = (value: unknown): boolean => Token.isUnresolved(value);

/** A Terraform bool expression (a token) deciding whether a construct's resources exist. */
export type Condition = IResolvable;

/** A token for HCL expression text (no `${}`), valid in any attribute of `scope`'s stack. */
export function expression(scope: IConstruct, hcl: string): IResolvable {
  return ref(hcl, TerraformStack.of(scope));
}

export const stringExpression = (scope: IConstruct, hcl: string): string => Token.asString(expression(scope, hcl));
export const numberExpression = (scope: IConstruct, hcl: string): number => Token.asNumber(expression(scope, hcl));

/**
 * The HCL text of a value: a token's expression without `${}`, a template for mixed text, or a
 * literal; a list of strings holding expressions element by element, so they stay expressions.
 */
export function hclOf(scope: IConstruct, value: unknown, parenthesize = true): string {
  const resolved = Tokenization.resolve(value, { scope, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
  // JSON would quote the expressions inside the elements along with their text.
  if (Array.isArray(resolved) && resolved.every((x) => typeof x === "string") && resolved.some((x) => x.includes("${"))) {
    return `[${resolved.map((x) => stringHcl(x, parenthesize)).join(", ")}]`;
  }
  if (typeof resolved !== "string") return JSON.stringify(resolved);
  return stringHcl(resolved, parenthesize);
}

/** A resolved string as HCL: a plain expression, or a template of literal runs and interpolations. */
function stringHcl(resolved: string, parenthesize: boolean): string {
  const parts = templateParts(resolved);
  if (parts.length === 1 && parts[0].interpolation) {
    // Parenthesized unless a plain reference, so it composes with any operator around it.
    const inner = resolved.slice(2, -1);
    return !parenthesize || /^[A-Za-z_][A-Za-z0-9_.]*$/.test(inner) || isOneCall(inner) ? inner : `(${inner})`;
  }
  // Mixed text: an HCL template, with only the literal parts escaped.
  return `"${parts.map((p) => (p.interpolation ? p.text : p.text.replace(/\\/g, "\\\\").replace(/"/g, '\\"'))).join("")}"`;
}

/** `f(...)` whose first parenthesis closes at the end: it binds tighter than any operator. */
function isOneCall(hcl: string): boolean {
  const open = /^[a-z_]+\(/.exec(hcl);
  if (!open || !hcl.endsWith(")")) return false;
  let depth = 0;
  for (let i = open[0].length - 1; i < hcl.length; i++) {
    if (hcl[i] === "(") depth++;
    else if (hcl[i] === ")" && --depth === 0) return i === hcl.length - 1;
  }
  return false;
}

/** Splits resolved text into literal runs and whole `${...}` interpolations (braces and strings inside counted). */
function templateParts(text: string): { text: string; interpolation: boolean }[] {
  const parts: { text: string; interpolation: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf("${", i);
    if (start < 0) {
      parts.push({ text: text.slice(i), interpolation: false });
      break;
    }
    if (start > i) parts.push({ text: text.slice(i, start), interpolation: false });
    let depth = 0;
    let j = start + 1;
    let quoted = false;
    for (; j < text.length; j++) {
      const c = text[j];
      if (quoted) {
        if (c === "\\") j++;
        else if (c === '"') quoted = false;
      } else if (c === '"') quoted = true;
      else if (c === "{") depth++;
      else if (c === "}" && --depth === 0) break;
    }
    parts.push({ text: text.slice(start, j + 1), interpolation: true });
    i = j + 1;
  }
  return parts;
}

/** `count` for a resource that exists while `condition` holds: nothing when there is no condition. */
export function countWhen(scope: IConstruct, condition: Condition | undefined): { count?: number } {
  // The conditional binds loosest: the condition needs no parentheses.
  return condition === undefined ? {} : { count: numberExpression(scope, `${hclOf(scope, condition, false)} ? 1 : 0`) };
}

/** `whenTrue` or `whenFalse`: chosen here for a literal switch, by Terraform for a token one. */
export function choose(scope: IConstruct, on: boolean | Condition, whenTrue: string, whenFalse: string): string {
  if (!isToken(on)) return on ? whenTrue : whenFalse;
  // A branch holding a token becomes an HCL template (its `${}` kept); a literal one a quoted string.
  const branch = (text: string) => (isToken(text) ? hclOf(scope, text) : JSON.stringify(text));
  return stringExpression(scope, `${hclOf(scope, on, false)} ? ${branch(whenTrue)} : ${branch(whenFalse)}`);
}

/** `choose` on whether `value` is given: for a `nullable` token, whether Terraform finds it set (`isSetHcl`). */
export function chooseIfSet(scope: IConstruct, value: unknown, whenSet: string, whenUnset: string): string {
  return isNullable(value) ? choose(scope, expression(scope, isSetHcl(scope, value)), whenSet, whenUnset) : value ? whenSet : whenUnset;
}

/** `cond ? whenTrue : whenFalse` of two values (literals or tokens), as HCL text. */
export function ternaryHcl(scope: IConstruct, condition: Condition, whenTrue: unknown, whenFalse: unknown): string {
  return `${hclOf(scope, condition)} ? ${hclOf(scope, whenTrue)} : ${hclOf(scope, whenFalse)}`;
}

/**
 * An attribute of a resource that may be counted: the plain reference, or the one instance's
 * (`null` while the count is 0). Referencing it still orders dependants after the resource.
 */
export function attributeOf(resource: TerraformResource, attribute: string): string {
  if (resource.count === undefined) return Token.asString((resource as unknown as Record<string, unknown>)[camel(attribute)]);
  return stringExpression(resource, `one(${resource.terraformResourceType}.${resource.friendlyUniqueId}[*].${attribute})`);
}

const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * One instance per address of `emails` (a token list), keyed by the lower-case address as the
 * literal path keys its construct IDs, so both give the same instance keys.
 */
export function emailIterator(scope: IConstruct, emails: readonly string[], condition?: Condition): MapTerraformIterator {
  const filter = condition === undefined ? "" : ` if ${hclOf(scope, condition)}`;
  return TerraformIterator.fromMap(Token.asAnyMap(expression(scope, `{ for email in ${hclOf(scope, emails)} : lower(email) => email${filter} }`)));
}

/** Tokens that may be null at plan time, with the HCL that says when they are set (when known better than `!= null`). */
const NULLABLE = new Map<string, string | undefined>();
const nullableKey = (value: unknown) => String(Array.isArray(value) ? value[0] : value);

/**
 * Marks a token that may be null at plan time (a nullable variable, `cond ? x : null`): a construct
 * given one treats null as "not given", in expressions. Other tokens (resource attributes) are values.
 * `setWhenHcl` says when it is set, if that is known before apply (`cond` for `cond ? key : null`
 * with a key created in the same plan): the plan then shows what depends on it.
 */
export function nullable<T extends string | number | readonly string[]>(token: T, setWhenHcl?: string): T {
  NULLABLE.set(nullableKey(token), setWhenHcl);
  return token;
}

export const isNullable = (value: unknown): boolean => isToken(value) && NULLABLE.has(nullableKey(value));

/** `value`, or `fallback` when it is absent: for a `nullable` token, absent means null at plan time. */
export function orDefault<T>(scope: IConstruct, value: T | undefined, fallback: T): T {
  if (value === undefined || value === null) return fallback;
  if (!isNullable(value)) return value;
  const hcl = `${hclOf(scope, value)} != null ? ${hclOf(scope, value)} : ${hclOf(scope, fallback)}`;
  return (typeof fallback === "number" ? numberExpression(scope, hcl) : stringExpression(scope, hcl)) as T;
}

/** HCL that is true while `value` (a `nullable` token, or anything else) is set. */
export function isSetHcl(scope: IConstruct, value: unknown): string {
  if (!isNullable(value)) return String(value !== undefined && value !== null);
  return NULLABLE.get(nullableKey(value)) ?? `${hclOf(scope, value)} != null`;
}

/** `partitionOf` for a region given as a token: the same rule, as an expression. */
export function partitionExpression(region: string): string {
  return Token.asString(conditional(Fn.startswith(region, "cn-"), "aws-cn", conditional(Fn.startswith(region, "us-gov-"), "aws-us-gov", "aws")));
}
