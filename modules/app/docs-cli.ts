/**
 * `npm run docs`: writes the README's generated reference tables (configuration reference,
 * outputs) between their markers. docs.test.ts fails while README.md differs from what this writes.
 */
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { parseConfig } from "./config";
import { configReferenceTable, outputsTable, replaceBetweenMarkers } from "./reference-docs";
import { SesGuardStack } from "./ses-guard-stack";

/** The stack's outputs with their descriptions, for a config that has every output (examples/full.json). */
export function stackOutputs(root: string): Record<string, { description: string }> {
  const config = parseConfig(JSON.parse(fs.readFileSync(path.join(root, "examples", "full.json"), "utf8")), "examples/full.json");
  const stack = new SesGuardStack(new App({ skipValidation: true }), "docs", { config });
  return (stack.toTerraform() as { output: Record<string, { description: string }> }).output;
}

/** README.md as it should be: the given text with both tables regenerated. */
export function generatedReadme(readme: string, root: string): string {
  return replaceBetweenMarkers(replaceBetweenMarkers(readme, "config-reference", configReferenceTable()), "outputs", outputsTable(stackOutputs(root)));
}

export function main(root = process.cwd()): number {
  const file = path.join(root, "README.md");
  const before = fs.readFileSync(file, "utf8");
  const after = generatedReadme(before, root);
  if (after !== before) fs.writeFileSync(file, after);
  process.stdout.write(`ses-guard: README.md reference tables ${after === before ? "already current" : "written"}\n`);
  return 0;
}
