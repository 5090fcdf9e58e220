#!/usr/bin/env node
// `npm run plan -- --offline`: bundle the plan command only when a source changed, then run it in this process.
// It has no cdktf dependency (it plans what the synth wrote), so the bundle is small and starts fast.
"use strict";
const { bundler } = require("./bundle");
const { answerVersion } = require("./version");

const plan = bundler({ entry: "modules/app/plan-cli.ts", bundle: "dist/plan.js", inputs: ["modules", "package-lock.json"] });

if (require.main === module && !answerVersion(process.argv.slice(2))) plan.load().run(process.argv.slice(2));

module.exports = plan;
