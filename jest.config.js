/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // swc only strips types; `npm run typecheck` runs tsc once instead of per test file.
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  setupFilesAfterEnv: ["<rootDir>/test/support/setup.ts"],
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
};
