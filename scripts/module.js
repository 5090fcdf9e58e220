#!/usr/bin/env node
// `npm run module`: bundle modules/module-cli.ts with esbuild only when a source changed, then run it in this process.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const entry = path.join(root, "modules", "module-cli.ts");
const bundle = path.join(root, "dist", "module-cli.js");
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
  require("esbuild").buildSync({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
    // Keep the provider's class names readable in stack traces.
    keepNames: true,
  });
}

if (require.main === module) {
  if (stale()) build();
  process.exitCode = require(bundle).main(process.argv.slice(2));
}

module.exports = { build, stale, bundle };
