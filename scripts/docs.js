#!/usr/bin/env node
// `npm run docs`: regenerate the README's reference tables from the source (modules/app/docs-cli.ts).
"use strict";
const path = require("path");
const { bundler } = require("./bundle");

const docs = bundler({ entry: "modules/app/docs-cli.ts", bundle: "dist/docs.js", inputs: ["modules", "examples/full.json", "package-lock.json"] });

if (require.main === module) process.exitCode = docs.load().main(path.join(__dirname, ".."));

module.exports = docs;
