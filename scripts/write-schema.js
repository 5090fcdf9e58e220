#!/usr/bin/env node
// `npm run schema`: regenerates ses-guard.schema.json from the zod schema in modules/app/config.ts.
"use strict";
const fs = require("fs");
const path = require("path");
const Module = require("module");

const root = path.join(__dirname, "..");
// An argument writes elsewhere (the docs test checks the script that way).
const out = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, "ses-guard.schema.json");
const { outputFiles } = require("esbuild").buildSync({
  entryPoints: [path.join(root, "modules", "app", "config.ts")],
  bundle: true,
  platform: "node",
  format: "cjs",
  write: false,
});
const mod = new Module(path.join(root, "modules", "app", "config.js"));
mod.paths = Module._nodeModulePaths(root);
mod._compile(outputFiles[0].text, mod.id);
const text = `${JSON.stringify(mod.exports.configJsonSchema(), null, 2)}\n`;
fs.writeFileSync(`${out}.tmp`, text);
fs.renameSync(`${out}.tmp`, out);
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
