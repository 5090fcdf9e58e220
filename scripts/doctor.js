#!/usr/bin/env node
// `npm run doctor`: bundle the doctor only when a source changed, then run it in this process.
// Its own bundle: the AWS SDK it loads stays out of the synth bundle (dist/main.js).
"use strict";
const { bundler } = require("./bundle");
const { answerVersion } = require("./version");

const doctor = bundler({ entry: "modules/doctor/cli.ts", bundle: "dist/doctor.js", inputs: ["modules", "examples/default.json", "package-lock.json"] });

if (require.main === module && !answerVersion(process.argv.slice(2))) doctor.load().run(process.argv.slice(2));

module.exports = doctor;
