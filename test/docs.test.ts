// The shipped JSON Schema and the README's reference tables must not drift from the code.
import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { configJsonSchema, parseConfig } from "../modules/app/config";
import { SesGuardStack } from "../modules/app/ses-guard-stack";

const root = path.join(__dirname, "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  oneOf?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  additionalProperties?: JsonSchemaNode | boolean;
  propertyNames?: unknown;
  type?: string;
}

/**
 * Dotted keys of every config field, e.g. `archive.lifecycle.transitions[].days`,
 * `backend.bucket` (from each union variant), `adopt.<region>.archiveBucket` (per-region maps).
 */
function configKeys(node: JsonSchemaNode, prefix = ""): string[] {
  const variants = [...(node.oneOf ?? []), ...(node.anyOf ?? [])];
  const fromVariants = variants.flatMap((v) => configKeys(v, prefix));
  const perRegion = node.propertyNames && typeof node.additionalProperties === "object" ? configKeys(node.additionalProperties, `${prefix}.<region>`) : [];
  const own = Object.entries(node.properties ?? {}).flatMap(([k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    const nested = v.items?.properties ? configKeys(v.items, `${key}[]`) : configKeys(v, key);
    return [key, ...nested];
  });
  return [...new Set([...own, ...fromVariants, ...perRegion])];
}

test("ses-guard.schema.json is what `npm run schema` generates", () => {
  const shipped = JSON.parse(fs.readFileSync(path.join(root, "ses-guard.schema.json"), "utf8"));
  expect(shipped).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
});

test("the README's configuration reference lists every config key", () => {
  const keys = configKeys(configJsonSchema() as JsonSchemaNode).filter((k) => k !== "$schema");
  expect(keys.length).toBeGreaterThan(30);
  const missing = keys.filter((k) => !readme.includes(`| \`${k}\` |`));
  expect(missing).toEqual([]);
});

test("the README's outputs table lists every stack output", () => {
  const config = parseConfig(JSON.parse(fs.readFileSync(path.join(root, "examples", "full.json"), "utf8")));
  const json = JSON.parse(Testing.synth(new SesGuardStack(Testing.app(), "s", { config })));
  const outputs = Object.keys(json.output);
  expect(outputs.length).toBeGreaterThanOrEqual(5);
  expect(outputs.filter((o) => !readme.includes(`| \`${o}\` |`))).toEqual([]);
});

test("every example the README names exists", () => {
  const named = [...readme.matchAll(/examples\/([\w-]+\.json)/g)].map((m) => m[1]);
  expect(named.length).toBeGreaterThan(0);
  for (const file of named) expect(fs.existsSync(path.join(root, "examples", file))).toBe(true);
});

test("every Terraform address the README shows is one ses-guard really synthesizes", () => {
  // Addresses are users' state: an example in the docs that names a wrong one sends people to the wrong resource.
  const { buildApp } = require("../modules/app/cli") as typeof import("../modules/app/cli");
  const { TerraformStack } = require("cdktf") as typeof import("cdktf");
  const synthesized = new Map<string, Record<string, unknown>>();
  for (const file of fs.readdirSync(path.join(root, "examples")).filter((f) => f.endsWith(".json"))) {
    const config = parseConfig(JSON.parse(fs.readFileSync(path.join(root, "examples", file), "utf8")), file);
    for (const stack of buildApp(config, Testing.app().outdir).node.children.filter((c) => c instanceof TerraformStack)) {
      for (const [type, byName] of Object.entries<Record<string, any>>(
        JSON.parse(Testing.synth(stack as InstanceType<typeof TerraformStack>)).resource ?? {},
      )) {
        for (const [name, body] of Object.entries(byName)) synthesized.set(`${type}.${name}`, body.for_each ?? {});
      }
    }
  }
  const shown = [...readme.matchAll(/`(?:module\.[a-z_]+\.)?(aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)(?:\["([^"\]]+)"\])?`/g)];
  expect(shown.length).toBeGreaterThan(5);
  const wrong = shown.filter(([, address, key]) => {
    const forEach = synthesized.get(address);
    return forEach === undefined || (key !== undefined && typeof forEach === "object" && !(key in forEach));
  });
  expect(wrong.map((m) => m[0])).toEqual([]);
});

test("the README's contents list every section, with links that resolve", () => {
  const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]).filter((h) => h !== "Contents");
  const contents = readme.split("## Contents\n")[1].split("\n## ")[0];
  const slug = (h: string) =>
    h
      .toLowerCase()
      .replace(/[^a-z0-9 _-]/g, "")
      .replace(/ /g, "-");
  expect([...contents.matchAll(/^- \[(.+)\]\(#(.+)\)$/gm)].map((m) => [m[1], m[2]])).toEqual(headings.map((h) => [h, slug(h)]));
});
