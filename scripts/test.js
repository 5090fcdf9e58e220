#!/usr/bin/env node
// `npm test`: the type check (tsc, once), the linter (typescript-eslint), the format check (Prettier) and the
// jest suites at the same time; fails if any fails. Jest only strips types (@swc/jest), so tsc is the type
// check; running the checkers beside jest saves their wall time.
"use strict";
const { spawn } = require("child_process");
const os = require("os");
const path = require("path");

const root = path.join(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

/**
 * Runs a checker beside jest, quietly; prints one line when it passes, and its output when it fails.
 * `niceness` lowers its priority: it then takes the CPU time jest leaves while suites wait on terraform.
 */
function check(label, args, niceness = 0) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    if (niceness) {
      try {
        os.setPriority(child.pid, niceness);
      } catch {
        // Not permitted here: it runs at normal priority.
      }
    }
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => {
      process.stderr.write(code === 0 ? `${label} passed\n` : `${label} failed\n${output}`);
      resolve(code ?? 1);
    });
  });
}

const pkg = (...parts) => path.join(root, "node_modules", ...parts);
// One GC thread: the checkers run beside two jest workers on what may be two cores, where parallel GC only adds CPU time.
const typecheck = check("typecheck: tsc --noEmit", ["--single-threaded-gc", pkg("typescript", "bin", "tsc"), "--noEmit", "-p", "."]);
// npm run lint and npm run format:check, the same commands, at the lowest priority (about 25 s of CPU together).
const lint = check("lint: eslint", ["--single-threaded-gc", pkg("eslint", "bin", "eslint.js"), "."], 19);
const format = check("format: prettier --check", ["--single-threaded-gc", pkg("prettier", "bin", "prettier.cjs"), "--check", "--log-level", "warn", "."], 19);
// The commands' bundles, built once now (only those whose sources changed) while tsc starts: suites that run
// a built command then find them fresh, instead of several workers building the same bundle at once.
for (const script of ["synth", "plan", "review", "module", "doctor", "drill"]) {
  const bundle = require(`./${script}`);
  if (bundle.stale()) bundle.build();
}

const jest = new Promise((resolve) => {
  const child = spawn(bin("jest"), process.argv.slice(2), { cwd: root, stdio: "inherit" });
  child.on("close", (code) => resolve(code ?? 1));
});

Promise.all([typecheck, lint, format, jest]).then((codes) => {
  process.exitCode = codes.find((code) => code !== 0) ?? 0;
});
