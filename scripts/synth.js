#!/usr/bin/env node
// `npm run synth`: bundle the app with esbuild only when a source changed, then run it in this process.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const bundle = path.join(root, "dist", "main.js");
const inputs = ["main.ts", "modules", "examples/default.json", "package-lock.json"];

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
  // Written beside the bundle, then renamed: a synth starting meanwhile never loads a half-written file.
  const staging = `${bundle}.${process.pid}.tmp`;
  try {
    require("esbuild").buildSync({
      entryPoints: [path.join(root, "main.ts")],
      outfile: staging,
      bundle: true,
      platform: "node",
      target: "node20",
      // ES module builds first: jsonc-parser's CommonJS build loads its parts dynamically, which a bundle cannot.
      mainFields: ["module", "main"],
      logLevel: "warning",
    });
    fs.renameSync(staging, bundle);
  } finally {
    fs.rmSync(staging, { force: true });
  }
}

if (require.main === module) {
  if (process.argv[2] === "--build-only") {
    build();
  } else {
    if (stale()) build();
    require(bundle);
  }
}

module.exports = { build, stale, bundle };
