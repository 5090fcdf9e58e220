// The shipped JSON Schema and the README's reference tables must not drift from the code.
import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { spawnSync } from "child_process";
import * as os from "os";
import { configJsonSchema, parseConfig } from "../modules/app/config";
import { generatedReadme, main as docsMain, stackOutputs } from "../modules/app/docs-cli";
import { configReferenceTable, outputsTable } from "../modules/app/reference-docs";
import { BUCKET_NAME_RULES, RULES } from "../modules/shared/rules";
import { exampleConfigs } from "./support/files";

const root = path.join(__dirname, "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
/** The README and the long topics it links to in docs/. */
const allDocs = [readme, ...fs.readdirSync(path.join(root, "docs")).map((f) => fs.readFileSync(path.join(root, "docs", f), "utf8"))].join("\n");

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
  const shipped = fs.readFileSync(path.join(root, "ses-guard.schema.json"), "utf8");
  expect(JSON.parse(shipped)).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  // The script itself (it bundles config.ts on its own), written to a temporary file.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-schema-"));
  try {
    const res = spawnSync(process.execPath, [path.join(root, "scripts", "write-schema.js"), path.join(dir, "schema.json")], { encoding: "utf8" });
    expect(res.stderr).toBe("");
    expect(fs.readFileSync(path.join(dir, "schema.json"), "utf8")).toBe(shipped);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the README's configuration reference is generated from the config schema (npm run docs), and lists every config key", () => {
  const keys = configKeys(configJsonSchema() as JsonSchemaNode).filter((k) => k !== "$schema");
  expect(keys.length).toBeGreaterThan(30);
  expect(keys.filter((k) => !readme.includes(`| \`${k}\` |`))).toEqual([]);
  const table = configReferenceTable();
  expect(readme).toContain(`<!-- config-reference:start -->\n${table}\n<!-- config-reference:end -->`);
});

test("the reference says what each rule allows, in the rule table's words", () => {
  const table = configReferenceTable();
  const row = (key: string) => table.split("\n").find((l) => l.startsWith(`| \`${key}\` |`)) ?? "";
  expect(row("investigation.lookbackDays")).toContain(`Allowed: ${RULES.investigationLookbackDays.allowed}.`);
  expect(row("alarms.emails")).toContain(`Allowed: ${RULES.email.allowed}.`);
  expect(row("suppression.accountLevel")).not.toContain("Allowed:");
  expect(row("archive.bucketName")).toContain(`Allowed: an S3 bucket name: ${BUCKET_NAME_RULES[0].allowed}; `);
});

test("the README's outputs table is generated from the stack's outputs (npm run docs)", () => {
  const outputs = stackOutputs(root);
  expect(Object.keys(outputs).length).toBeGreaterThanOrEqual(10);
  expect(readme).toContain(`<!-- outputs:start -->\n${outputsTable(outputs)}\n<!-- outputs:end -->`);
});

test("npm run docs rewrites stale tables between the markers and leaves the rest", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-docs-"));
  try {
    fs.mkdirSync(path.join(dir, "examples"));
    fs.copyFileSync(path.join(root, "examples", "full.json"), path.join(dir, "examples", "full.json"));
    const stale = "intro\n<!-- config-reference:start -->\nold\n<!-- config-reference:end -->\nmiddle\n<!-- outputs:start -->\n<!-- outputs:end -->\nend\n";
    fs.writeFileSync(path.join(dir, "README.md"), stale);
    const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      expect(docsMain(dir)).toBe(0);
    } finally {
      write.mockRestore();
    }
    const written = fs.readFileSync(path.join(dir, "README.md"), "utf8");
    expect(written).toBe(generatedReadme(stale, dir));
    expect(written.startsWith("intro\n<!-- config-reference:start -->\n| key | type | default | meaning |")).toBe(true);
    expect(written).toContain("\nmiddle\n");
    expect(written.endsWith("<!-- outputs:end -->\nend\n")).toBe(true);
    expect(() => generatedReadme("no markers", dir)).toThrow("no <!-- config-reference:start -->");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the JSON Schema for editors has the same descriptions, without the documentation-only keywords", () => {
  const text = JSON.stringify(configJsonSchema());
  expect(text).not.toContain("defaultText");
  expect(text).toContain("Archive bucket (S3 naming rules; no dots");
});

test("every example the README and docs/ name exists", () => {
  const named = [...allDocs.matchAll(/examples\/([\w-]+\.json)/g)].map((m) => m[1]);
  expect(named.length).toBeGreaterThan(0);
  for (const file of named) expect(fs.existsSync(path.join(root, "examples", file))).toBe(true);
});

test("every Terraform address the README shows is one ses-guard really synthesizes", () => {
  // Addresses are users' state: an example in the docs that names a wrong one sends people to the wrong resource.
  const { buildApp } = require("../modules/app/cli") as typeof import("../modules/app/cli");
  const { TerraformStack } = require("cdktf") as typeof import("cdktf");
  const synthesized = new Map<string, Record<string, unknown>>();
  for (const file of exampleConfigs(path.join(root, "examples"))) {
    const config = parseConfig(JSON.parse(fs.readFileSync(path.join(root, "examples", file), "utf8")), file);
    for (const stack of buildApp(config, Testing.app().outdir).node.children.filter((c) => c instanceof TerraformStack)) {
      for (const [type, byName] of Object.entries<Record<string, any>>(
        JSON.parse(Testing.synth(stack as InstanceType<typeof TerraformStack>)).resource ?? {},
      )) {
        for (const [name, body] of Object.entries(byName)) synthesized.set(`${type}.${name}`, body.for_each ?? {});
      }
    }
  }
  const shown = [...allDocs.matchAll(/`(?:module\.[a-z_]+\.)?(aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)(?:\["([^"\]]+)"\])?`/g)];
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

test("every relative link in the README and docs/ resolves, anchors included", () => {
  const slug = (h: string) =>
    h
      .toLowerCase()
      .replace(/[^a-z0-9 _-]/g, "")
      .replace(/ /g, "-");
  const anchorsOf = (file: string) => new Set([...fs.readFileSync(file, "utf8").matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
  const files = ["README.md", ...fs.readdirSync(path.join(root, "docs")).map((f) => path.join("docs", f))];
  const broken: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), "utf8").replace(/```[\s\S]*?```/g, "");
    for (const [, target] of text.matchAll(/\]\(((?!https?:|mailto:)[^)\s]+)\)/g)) {
      const [where, anchor] = target.split("#");
      const resolved = where ? path.join(root, path.dirname(file), where) : path.join(root, file);
      if (!fs.existsSync(resolved)) broken.push(`${file}: ${target}`);
      else if (anchor && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor)) broken.push(`${file}: ${target}`);
    }
  }
  expect(broken).toEqual([]);
});
