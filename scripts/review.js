#!/usr/bin/env node
// `npm run review`: bundle the plan review CLI only when a source changed, then run it in this process.
// The review code has no cdktf dependency, so the bundle is small and starts fast.
"use strict";
const { bundler } = require("./bundle");
const { answerVersion } = require("./version");

const review = bundler({ entry: "modules/plan-review/review-cli.ts", bundle: "dist/review.js", inputs: ["modules", "package-lock.json"] });

if (require.main === module && !answerVersion(process.argv.slice(2))) review.load().run(process.argv.slice(2));

module.exports = review;
