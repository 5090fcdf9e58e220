/**
 * The README's reference tables, generated from the source: the configuration reference from the
 * config schema (its descriptions, types, defaults and required keys) and the outputs table from
 * the stack's outputs. `npm run docs` writes them between markers; a test checks they are current.
 */
import * as z from "zod";
import { configSchema } from "./config";

interface SchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  /** Words for a default the schema cannot state as a value (derived from other keys, say). */
  defaultText?: string;
  /** What the field's rule allows, in the rule's words (modules/shared/rules.ts). */
  allowed?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  additionalProperties?: SchemaNode | boolean;
  propertyNames?: SchemaNode;
  const?: unknown;
}

/** Keys the JSON Schema for editors leaves out (documentation only). */
export const DOC_ONLY_KEYWORDS = ["defaultText"] as const;

/** The config schema as JSON Schema, with the documentation keywords. */
function documentedSchema(): SchemaNode {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as SchemaNode;
}

function typeOf(node: SchemaNode): string {
  const variants = node.anyOf ?? node.oneOf;
  if (variants) {
    const types = [...new Set(variants.map(typeOf))];
    return types.join(" or ");
  }
  if (node.type === "array") return `${node.items ? typeOf(node.items) : "any"}[]`;
  if (node.type === "null") return "null";
  return node.type ?? "object";
}

function defaultOf(node: SchemaNode, required: boolean): string {
  if (node.defaultText !== undefined) return node.defaultText;
  if ("default" in node) return `\`${JSON.stringify(node.default)}\``;
  return required ? "required" : "none";
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The rule's words, from the field itself, a nullable field's value, or a list's items. */
function allowedOf(node: SchemaNode): string | undefined {
  return node.allowed ?? (node.anyOf ?? node.oneOf ?? []).map(allowedOf).find(Boolean) ?? (node.items && allowedOf(node.items));
}

function meaningOf(node: SchemaNode): string {
  const allowed = allowedOf(node);
  return allowed ? `${node.description} Allowed: ${allowed}.` : node.description!;
}

interface Row {
  readonly key: string;
  readonly node: SchemaNode;
  readonly required: boolean;
}

/** Every documented key, depth first, in the schema's order: union variants merged, per-region maps as `<region>`. */
function rows(node: SchemaNode, prefix: string, out: Row[], seen: Set<string>): Row[] {
  const objects = [node, ...(node.oneOf ?? []), ...(node.anyOf ?? [])];
  for (const object of objects) {
    for (const [name, child] of Object.entries(object.properties ?? {})) {
      const key = prefix ? `${prefix}.${name}` : name;
      // A union's variants share keys (backend.type): each is documented once, where it first appears.
      if (key === "$schema" || seen.has(key)) continue;
      seen.add(key);
      out.push({ key, node: child, required: (object.required ?? []).includes(name) });
      const target = child.items?.properties ? child.items : child;
      rows(target, child.items?.properties ? `${key}[]` : key, out, seen);
      if (child.propertyNames && typeof child.additionalProperties === "object") rows(child.additionalProperties, `${key}.<region>`, out, seen);
    }
  }
  return out;
}

/** Every documented key with its description, type and default as the table shows them (for tooling and tests). */
export function configReferenceRows(): { key: string; type: string; default: string; description?: string }[] {
  return rows(documentedSchema(), "", [], new Set()).map((r) => ({
    key: r.key,
    type: typeOf(r.node),
    default: defaultOf(r.node, r.required),
    description: r.node.description,
  }));
}

/** The configuration reference table (markdown). */
export function configReferenceTable(): string {
  const all = rows(documentedSchema(), "", [], new Set());
  const missing = all.filter((r) => !r.node.description).map((r) => r.key);
  if (missing.length) throw new Error(`config keys without a description: ${missing.join(", ")}`);
  return [
    "| key | type | default | meaning |",
    "| --- | --- | --- | --- |",
    ...all.map((r) => `| \`${r.key}\` | ${cell(typeOf(r.node))} | ${cell(defaultOf(r.node, r.required))} | ${cell(meaningOf(r.node))} |`),
  ].join("\n");
}

/** The outputs table (markdown), from the stack's outputs with their descriptions. */
export function outputsTable(outputs: Record<string, { description: string }>): string {
  return ["| output | meaning |", "| --- | --- |", ...Object.entries(outputs).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`)].join("\n");
}

/** `text` with the part between `<!-- name:start -->` and `<!-- name:end -->` replaced. */
export function replaceBetweenMarkers(text: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md: no ${start} ... ${end} markers`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}
