#!/usr/bin/env node
// `npm test`: type-check (tsc, once) and the jest suites at the same time; fails if either fails.
// Jest only strips types (@swc/jest), so tsc is the type check; running it beside jest saves its wall time.
"use strict";
const { spawn } = require("child_process");
const path = require("path");

const root = path.join(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

/** Runs a checker beside jest, quietly; prints one line when it passes, and its output when it fails. */
function check(label, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
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
// eslint and prettier (npm run lint, npm run format:check) cost about 25 s of CPU, 12 s here: CI runs them
// after npm test (.ci/run) until the suite has room for them inside the 90 s.
const typecheck = check("typecheck: tsc --noEmit", ["--single-threaded-gc", pkg("typescript", "bin", "tsc"), "--noEmit", "-p", "."]);
// The commands' bundles, built once now (only those whose sources changed) while tsc starts: suites that run
// a built command then find them fresh, instead of several workers building the same bundle at once.
for (const script of ["synth", "review", "module", "doctor", "drill"]) {
  const bundle = require(`./${script}`);
  if (bundle.stale()) bundle.build();
}

const jest = new Promise((resolve) => {
  const child = spawn(bin("jest"), process.argv.slice(2), { cwd: root, stdio: "inherit" });
  child.on("close", (code) => resolve(code ?? 1));
});

Promise.all([typecheck, jest]).then((codes) => {
  process.exitCode = codes.find((code) => code !== 0) ?? 0;
});
