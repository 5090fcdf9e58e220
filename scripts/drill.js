#!/usr/bin/env node
// `npm run drill`: bundle the drill only when a source changed, then run it in this process.
// Its own bundle: the AWS SDK it loads stays out of the synth bundle (dist/main.js).
"use strict";
const { bundler } = require("./bundle");
const { answerVersion } = require("./version");

const drill = bundler({ entry: "modules/doctor/drill-cli.ts", bundle: "dist/drill.js", inputs: ["modules", "examples/default.json", "package-lock.json"] });

if (require.main === module && !answerVersion(process.argv.slice(2))) drill.load().run(process.argv.slice(2));

module.exports = drill;
