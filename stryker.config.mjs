// @ts-check
import { existsSync, readFileSync } from "fs";
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";
// `npm run mutate` (scripts/mutate.js) runs Stryker with this config, one group at a time.
//
// Exclusions: by rule, the JSON Schema texts (strykerPlugins below); one by one, where the mutant is, as
// `// Stryker disable next-line <mutator>: <reason>` (grep "Stryker disable" modules/), each an equivalent mutant:
// policyWidening's fallback for an unreadable old policy (plan-review-policy.ts), and since issue 13 placeholders
// and replacement texts whose exact value cannot matter, the dashboard's row height (one height per row) and the
// one use of the event-pattern merge (auto-pause.ts, ses-event-alerts.ts, dashboard.ts, shared/ses-chat-events.ts,
// shared/runbooks.ts).
//
// No TypeScript checker: it took 30 s to start and one of the two cores, halving the mutants tested per
// minute. A mutant that does not type-check still runs (swc only strips types) and is killed or survives
// on what it does.

/**
 * What is mutated, and the test files each part is measured against: its own unit tests, none that needs
 * terraform or a built bundle. A group's tests run in full for every mutant reached at module load (a zod
 * schema, a stack synthesized outside a test), so a short list per group is what keeps a run to minutes;
 * a test left out can only lower a score, never raise it.
 */
const CONSTRUCTS = [...readFileSync("modules/index.ts", "utf8").matchAll(/^export \* from "\.\/([\w-]+)";$/gm)]
  .map((m) => m[1])
  .filter((c) => c !== "ses-guard");

export const GROUPS = [
  {
    name: "config validation",
    mutate: ["modules/app/config.ts"],
    tests: ["test/app/config.test.ts", "test/app/config-rules.test.ts", "test/app/first-use.test.ts", "test/docs.test.ts"],
  },
  {
    name: "plan-review rules",
    mutate: [
      "modules/plan-review/plan-review-risks.ts",
      "modules/plan-review/plan-review-policy.ts",
      "modules/plan-review/plan-review-common.ts",
      "modules/plan-review/plan-review-operator.ts",
    ],
    tests: ["test/plan-review/plan-review-risks.test.ts", "test/plan-review/plan-review.test.ts", "test/plan-review/plan-review-operator.test.ts"],
  },
  {
    // The fixed monthly cost: its counting rules and the synth's line (the tests synthesize the examples).
    name: "cost",
    mutate: ["modules/shared/cost.ts"],
    tests: ["test/shared/cost.test.ts"],
  },
  {
    // The rule table (each rule's words, TypeScript check and Terraform condition) and the token helpers.
    name: "rules and expressions",
    mutate: ["modules/shared/rules.ts", "modules/shared/expressions.ts"],
    tests: ["test/shared/rules.test.ts", "test/shared/expressions.test.ts", "test/app/config-rules.test.ts"],
  },
  {
    // Every construct modules/index.ts lists (SesGuard has the "stack" group), with its own test file where it has one.
    name: "constructs",
    mutate: [...CONSTRUCTS.map((c) => `modules/${c}.ts`), "modules/shared/rate.ts"],
    tests: [
      ...CONSTRUCTS.map((c) => `test/${c}.test.ts`).filter((f) => existsSync(f)),
      "test/shared/rate.test.ts",
      "test/construct-defaults.test.ts",
      // The token paths (count, for_each, expressions), which the plain module uses.
      "test/construct-tokens.test.ts",
    ],
  },
  {
    // Pure data the chat constructs render (the SES event rules and their transformers; the pause and resume
    // runbooks and the pause announcement). Built when a rule or runbook is asked for, tested through
    // test/support/eventbridge.ts and the constructs that use them.
    name: "chat events and runbooks",
    mutate: ["modules/shared/ses-chat-events.ts", "modules/shared/runbooks.ts"],
    tests: ["test/shared/ses-chat-events.test.ts", "test/shared/runbooks.test.ts", "test/ses-event-alerts.test.ts", "test/auto-pause.test.ts"],
  },
  {
    // Its tests build every query when they load, so each of its mutants reruns them all: kept apart.
    name: "named queries",
    mutate: ["modules/shared/named-queries.ts"],
    tests: ["test/shared/named-queries.test.ts", "test/athena-workgroup.test.ts"],
  },
  {
    name: "stack",
    mutate: ["modules/ses-guard.ts", "modules/app/ses-guard-stack.ts"],
    tests: ["test/ses-guard.test.ts", "test/app/adoption.test.ts", "test/construct-tokens.test.ts"],
  },
];

export const MUTATED = GROUPS.flatMap((g) => g.mutate);

const REPORT_DIR = process.env.SES_GUARD_MUTATE_GROUP || "all";

/**
 * Exclusions by rule (each mutant excluded this way shows as "Ignored" with this reason in the report).
 * One kind: the texts of the JSON Schema, `.describe("...")` and `.meta({ description, defaultText, allowed })`.
 * They are documentation (docs.test.ts checks that the shipped schema and the README's reference are what the
 * code generates), and since the schema is built when config.ts loads, each would rerun every config test.
 */
export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "json-schema-descriptions", {
    /** @param {import('@babel/core').NodePath} path */
    shouldIgnore(path) {
      const call = path.parentPath;
      const callee = call?.isCallExpression() ? call.node.callee : undefined;
      const calledAs = (name) =>
        path.listKey === "arguments" && callee?.type === "MemberExpression" && callee.property.type === "Identifier" && callee.property.name === name;
      if (calledAs("describe")) return "documentation: a .describe() text of the config's JSON Schema (docs.test.ts checks the shipped schema)";
      if (calledAs("meta")) return "documentation: the .meta() of a config field (docs.test.ts checks the schema and the README generated from it)";
      // The texts inside .meta({ description, defaultText, allowed }), wherever the object is built.
      const docKey = path.findParent(
        (p) => p.isObjectProperty() && p.node.key.type === "Identifier" && ["description", "defaultText", "allowed"].includes(p.node.key.name),
      );
      return docKey &&
        path.findParent(
          (p) =>
            p.isCallExpression() &&
            p.node.callee.type === "MemberExpression" &&
            p.node.callee.property.type === "Identifier" &&
            p.node.callee.property.name === "meta",
        )
        ? "documentation: a text in the .meta() of a config field (docs.test.ts checks the schema and the README generated from it)"
        : undefined;
    },
  }),
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: MUTATED,
  // This file also exports the ignorer above.
  appendPlugins: ["./stryker.config.mjs"],
  ignorers: ["json-schema-descriptions"],
  testRunner: "jest",
  jest: {
    // Its test files: the group's (scripts/mutate.js passes them), or every unit test that needs no terraform.
    configFile: "jest.mutate.config.js",
    // Of those, only the files that import the mutated module...
    enableFindRelatedTests: true,
  },
  // ...and within them only the tests that reached the mutant.
  coverageAnalysis: "perTest",
  // Every test that kills a mutant is recorded (killedBy in the JSON report), not only the first: the report
  // then shows which tests guard which line, and what a score would be without a given test file.
  disableBail: true,
  // The two cores are shared; scripts/mutate.js also runs Stryker under nice.
  concurrency: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  // scripts/mutate.js runs one group at a time, each into its own folder, and merges the scores.
  htmlReporter: { fileName: `reports/mutation/${REPORT_DIR}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${REPORT_DIR}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportTests: false, reportScoreTable: true, reportMutants: false },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: ".stryker-tmp",
  // Stryker's timeout is a test's own time x 1.5 plus this: slack for a machine busy with other work.
  timeoutMS: 20000,
};
