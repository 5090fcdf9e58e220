#!/usr/bin/env node
// `npm test`: type-check (tsc, once) and the jest suites at the same time; fails if either fails.
// Jest only strips types (@swc/jest), so tsc is the type check; running it beside jest saves its wall time.
"use strict";
const { spawn } = require("child_process");
const path = require("path");

const root = path.join(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

const tsc = new Promise((resolve) => {
  // One GC thread: tsc runs beside two jest workers on what may be two cores, and parallel GC there only adds CPU time.
  const tscJs = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const child = spawn(process.execPath, ["--single-threaded-gc", tscJs, "--noEmit", "-p", "."], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  child.on("close", (code) => {
    process.stderr.write(code === 0 ? "typecheck: tsc --noEmit passed\n" : `typecheck: tsc --noEmit failed\n${output}`);
    resolve(code ?? 1);
  });
});
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

Promise.all([tsc, jest]).then(([t, j]) => {
  process.exitCode = t !== 0 ? t : j;
});
