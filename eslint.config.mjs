// typescript-eslint's recommended rules, without type information (a typed lint would cost as much as tsc,
// which `npm test` already runs). Part of `npm test`.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "cdktf.out/", "reports/", ".stryker-tmp/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // `const { dropped: _, ...rest } = x` is how a key is left out of a copy.
    rules: { "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, varsIgnorePattern: "^_", argsIgnorePattern: "^_" }] },
  },
  {
    // The npm scripts, jest's configuration and helpers are CommonJS run by Node as they are.
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: globals.node },
  },
  {
    // Tests read synthesized Terraform JSON and plans, which have no static type: `any` is what they are.
    // They also load the plain-JavaScript npm scripts, and some packages only where a test needs them.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" },
  },
);
