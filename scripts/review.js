#!/usr/bin/env node
// `npm run review`: bundle the plan review CLI with esbuild only when a source changed, then run it in this process.
// Same approach as scripts/synth.js; the review code has no cdktf dependency, so the bundle is small and starts fast.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const entry = path.join(root, "modules", "review-cli.ts");
const bundle = path.join(root, "dist", "review.js");
const inputs = ["modules", "package-lock.json"];

function newestMtime(p) {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((f) => newestMtime(path.join(p, f))));
}

function stale() {
  if (!fs.existsSync(bundle)) return true;
  const built = fs.statSync(bundle).mtimeMs;
  return inputs.some((p) => fs.existsSync(path.join(root, p)) && newestMtime(path.join(root, p)) > built);
}

function build() {
  // Built beside, then renamed: a concurrent run never loads a half-written bundle.
  const tmp = `${bundle}.${process.pid}.tmp`;
  require("esbuild").buildSync({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
  });
  fs.renameSync(tmp, bundle);
}

if (require.main === module) {
  if (stale()) build();
  require(bundle).run(process.argv.slice(2));
}

module.exports = { build, stale, bundle };
