#!/usr/bin/env node
// `npm run module`: bundle modules/terraform-module/module-cli.ts only when a source changed (scripts/bundle.js, shared
// by the npm scripts: built beside the bundle, then renamed), then run it in this process.
"use strict";
const { bundler } = require("./bundle");
const { answerVersion } = require("./version");

const moduleCli = bundler({ entry: "modules/terraform-module/module-cli.ts", bundle: "dist/module-cli.js", inputs: ["modules", "package-lock.json"] });

if (require.main === module && !answerVersion(process.argv.slice(2))) process.exitCode = moduleCli.load().main(process.argv.slice(2));

module.exports = moduleCli;
