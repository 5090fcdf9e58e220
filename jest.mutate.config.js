// Jest for `npm run mutate` (Stryker): only the unit tests that need neither terraform nor a built bundle,
// so each mutant runs in seconds. The suites left out here still run in `npm test`.
const base = require("./jest.config");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  // Stryker prints its own summary; the plain closing line is for CI.
  reporters: ["default"],
  testPathIgnorePatterns: [
    "/node_modules/",
    // Real terraform runs (minutes each), and cdktf's CLI.
    "integration",
    "terraform-harness",
    "cdktf-cli",
    // These build dist/ with esbuild and run it in child processes, where no mutant is active.
    "bad-input-corpus",
    "/test/cli\\.test\\.ts$",
    "/test/terraform-module\\.test\\.ts$",
    // 1500 fast-check runs per property and a terraform validate: too slow to repeat per mutant.
    "config-property",
  ],
};

// scripts/mutate.js names each group's test files (stryker.config.mjs); without it, all of the above.
if (process.env.SES_GUARD_MUTATE_TESTS) {
  module.exports.testMatch = process.env.SES_GUARD_MUTATE_TESTS.split(",").map((f) => `<rootDir>/${f.replace(/^\.\//, "")}`);
}
