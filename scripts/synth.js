#!/usr/bin/env node
// `npm run synth`: bundle the app with esbuild only when a source changed, then run it in this process.
"use strict";
const { bundler } = require("./bundle");
const { answerVersion } = require("./version");

// The synth is the command run most: loaded through V8's code cache (scripts/bundle.js).
const app = bundler({
  entry: "main.ts",
  bundle: "dist/main.js",
  inputs: ["main.ts", "modules", "examples/default.json", "package-lock.json"],
  codeCache: true,
});

if (require.main === module) {
  if (process.argv[2] === "--build-only") app.build();
  else if (!answerVersion(process.argv.slice(2))) app.load();
}

module.exports = app;
