/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // swc only strips types; `npm run typecheck` runs tsc once instead of per test file.
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  setupFilesAfterEnv: ["<rootDir>/test/support/setup.ts"],
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
  testSequencer: "<rootDir>/test/support/sequencer.js",
  // Two workers even on two cores (jest's default would be one): the Terraform suites mostly wait on
  // terraform, so a unit-test file runs beside them.
  maxWorkers: 2,
};
