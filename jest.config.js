// Two tiers. `npm test` runs every suite but the extended ones; `npm run test:extended` runs those:
// every example applied in the AWS emulator, and the offline plan command on every example through
// real terraform. Each costs about as much as the rest of the suite together, so CI (.ci/run) runs
// both tiers, and npm test keeps to its time.
const EXTENDED = [
  "<rootDir>/test/emulator/apply-examples.integration.test.ts",
  "<rootDir>/test/app/plan-integration.test.ts",
  // Three regions planned together; test/app/chat-home.test.ts checks the same synthesized stacks in npm test.
  "<rootDir>/test/app/chat-home-integration.test.ts",
  // The review on real plans against a fabricated state; its unit suites (test/plan-review) run in npm test.
  "<rootDir>/test/plan-review/plan-review-integration.test.ts",
];
// In both tiers, wider in the extended one: npm test plans the examples the plain module is compared on,
// the extended tier every example; generated configs go through terraform validate, and the module's fixture
// root through a plan, only there.
const BOTH = [
  "<rootDir>/test/app/integration.test.ts",
  "<rootDir>/test/app/config-property.test.ts",
  "<rootDir>/test/terraform-module/terraform-module-integration.test.ts",
];
const extended = process.env.SES_GUARD_TEST_TIER === "extended";

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  testMatch: extended ? [...EXTENDED, ...BOTH] : ["<rootDir>/test/**/*.test.ts"],
  testPathIgnorePatterns: extended ? [] : ["/node_modules/", ...EXTENDED],
  // swc only strips types; `npm run typecheck` runs tsc once instead of per test file.
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  setupFilesAfterEnv: ["<rootDir>/test/support/setup.ts"],
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
  testSequencer: "<rootDir>/test/support/sequencer.js",
  // Two workers even on two cores (jest's default would be one): the Terraform suites mostly wait on
  // terraform, so a unit-test file runs beside them.
  maxWorkers: 2,
};
