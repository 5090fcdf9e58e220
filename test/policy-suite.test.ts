// Every example's every stack against the security and data-safety rules (test/support/policy-rules.ts).
import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { buildApp } from "../modules/app/cli";
import { parseConfig, SesGuardConfig } from "../modules/app/config";
import { SesGuardStack } from "../modules/app/ses-guard-stack";
import { DELIBERATE_EXCEPTIONS, POLICY_RULES, RuleContext, StackJson } from "./support/policy-rules";
import { exampleConfigs } from "./support/files";

const examplesDir = path.join(__dirname, "..", "examples");
const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

const stacks: RuleContext[] = exampleConfigs(examplesDir).flatMap((file) => {
  const config: SesGuardConfig = parseConfig(JSON.parse(fs.readFileSync(path.join(examplesDir, file), "utf8")), file);
  const app = buildApp(config, Testing.app().outdir);
  return app.node.children
    .filter((c): c is SesGuardStack => c instanceof SesGuardStack)
    .map((stack) => ({ json: JSON.parse(Testing.synth(stack)) as StackJson, config, region: stack.region, name: `${file} ${stack.node.id}` }));
});
const named = (ctx: RuleContext) => (ctx as RuleContext & { name: string }).name;

const results = { checked: 0, notApplicable: 0 };
afterAll(() => {
  console.log(
    `policy suite: ${POLICY_RULES.length} rules x ${stacks.length} stacks: ${results.checked} checks held, ${results.notApplicable} not applicable (with reasons); ${DELIBERATE_EXCEPTIONS.length} deliberate exceptions confirmed`,
  );
});

describe.each(POLICY_RULES.map((r) => [r.id, r] as const))("%s", (_id, rule) => {
  test.each(stacks.map((s) => [named(s), s] as const))("holds on %s (or says why it does not apply)", (_name, ctx) => {
    const why = rule.notApplicable?.(ctx);
    if (why !== undefined) {
      expect(why.length).toBeGreaterThan(10);
      results.notApplicable++;
      return;
    }
    expect(rule.check(ctx)).toEqual([]);
    results.checked++;
  });

  test("can fail: a stack broken on purpose is reported", () => {
    const applicable = stacks.find((s) => rule.notApplicable?.(s) === undefined);
    expect(applicable).toBeDefined();
    const broken: RuleContext = { ...applicable!, json: structuredClone(applicable!.json) };
    rule.breaks(broken.json);
    expect(rule.check(broken).length).toBeGreaterThan(0);
  });

  test("carries public check IDs and is listed in the README's security table", () => {
    expect(rule.checkIds.length).toBeGreaterThan(0);
    expect(readme).toContain(`| \`${rule.id}\` |`);
  });
});

describe("deliberate exceptions", () => {
  test.each(DELIBERATE_EXCEPTIONS.map((e) => [e.checkIds.join(", "), e] as const))("%s: really unmet, and explained in the README", (_ids, exception) => {
    expect(stacks.some((s) => exception.holds(s.json))).toBe(true);
    for (const id of exception.checkIds) expect(readme).toContain(id);
  });
});

test("every example is covered, including the one with every option", () => {
  expect(stacks.length).toBeGreaterThanOrEqual(10);
  expect(
    stacks.some(
      (s) =>
        s.config.encryption.archive &&
        s.config.archive.versioning &&
        s.config.archive.accessLogging &&
        s.config.investigation.enabled &&
        s.config.suppression.accountLevel !== null,
    ),
  ).toBe(true);
});
