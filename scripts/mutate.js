#!/usr/bin/env node
// `npm run mutate`: mutation testing with Stryker (stryker.config.mjs) of config validation, the plan-review
// rules and the constructs, one group at a time against that group's unit tests; then one score per file
// against the 85 % target (exit 1 if a file is below it). Not part of `npm test`: it takes minutes.
// Reports (git-ignored): reports/mutation/<group>/index.html, and reports/mutation/mutation.json for all.
//
//   npm run mutate                                  every group
//   npm run mutate -- --file modules/shared/rate.ts        one file (repeat --file, or separate with commas)
//   npm run mutate -- --tests test/shared/rate.test.ts     other test files than the group's (a quick look while
//                                                   iterating; the scores that count use the group's)
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const url = require("url");

const root = path.join(__dirname, "..");
const TARGET_PERCENT = 85;
const REPORTS = path.join(root, "reports", "mutation");
/** Every group's files in one mutation-testing-report-schema file (each group also has its own HTML report). */
const REPORT = path.join(REPORTS, "mutation.json");

const USAGE = "usage: npm run mutate [-- [--file modules/x.ts]... [--tests test/x.test.ts]... [--concurrency N]]";

function fail(message) {
  process.stderr.write(`ses-guard mutate: error: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const out = { files: [], tests: [], concurrency: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") fail(`${flag}: got no value`);
      return v;
    };
    if (flag === "--file") out.files.push(...value().split(","));
    else if (flag === "--tests") out.tests.push(...value().split(","));
    else if (flag === "--concurrency") {
      const v = value();
      if (!/^[1-9]\d*$/.test(v)) fail(`--concurrency: got ${JSON.stringify(v)}; allowed: a whole number >= 1`);
      out.concurrency = v;
    } else if (flag === "--help" || flag === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else fail(`unknown argument ${JSON.stringify(arg)}`);
  }
  for (const f of [...out.files, ...out.tests]) {
    if (!fs.existsSync(path.join(root, f))) fail(`${JSON.stringify(f)}: file not found`);
  }
  return out;
}

/** Stryker's mutation score: detected (killed or timed out) of all valid mutants; compile errors and ignored ones do not count. */
function scores(report) {
  return Object.entries(report.files).map(([file, { mutants }]) => {
    const count = (...states) => mutants.filter((m) => states.includes(m.status)).length;
    const detected = count("Killed", "Timeout");
    const undetected = count("Survived", "NoCoverage");
    const valid = detected + undetected;
    return {
      file,
      detected,
      survived: count("Survived"),
      noCoverage: count("NoCoverage"),
      ignored: count("Ignored"),
      valid,
      percent: valid ? (100 * detected) / valid : 100,
    };
  });
}

function printScores(rows, seconds) {
  const width = Math.max(...rows.map((r) => r.file.length), 4);
  const line = (cols) =>
    `${cols[0].padEnd(width)}  ${cols
      .slice(1)
      .map((c) => String(c).padStart(8))
      .join("  ")}`;
  const out = [line(["file", "score %", "killed", "survived", "no cover", "ignored", "target"])];
  for (const r of rows.sort((a, b) => a.file.localeCompare(b.file))) {
    out.push(line([r.file, r.percent.toFixed(1), r.detected, r.survived, r.noCoverage, r.ignored, r.percent >= TARGET_PERCENT ? "ok" : "BELOW"]));
  }
  out.push(
    `mutation run: ${rows.length} file(s), ${Math.round(seconds)} s; target ${TARGET_PERCENT} % per file; reports in reports/mutation/<group>/index.html`,
  );
  process.stdout.write(`${out.join("\n")}\n`);
}

const slug = (name) => name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();

/** Runs Stryker on one group; resolves with its report, or undefined if Stryker failed. */
function runGroup(group, files, tests, concurrency) {
  const strykerArgs = ["run", "stryker.config.mjs", "--mutate", files.join(",")];
  if (concurrency) strykerArgs.push("--concurrency", concurrency);
  // Read by stryker.config.mjs (report folder) and jest.mutate.config.js (test files).
  const env = { ...process.env, SES_GUARD_MUTATE_GROUP: slug(group.name), SES_GUARD_MUTATE_TESTS: tests.join(",") };
  const report = path.join(REPORTS, slug(group.name), "mutation.json");
  fs.rmSync(report, { force: true });
  process.stdout.write(`\nmutate: ${group.name}: ${files.length} file(s) against ${tests.join(", ")}\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js"), ...strykerArgs], {
      cwd: root,
      env,
      stdio: "inherit",
    });
    // Mutation runs are long and CPU-bound: lower their priority so editors and other tests stay responsive.
    try {
      os.setPriority(child.pid, 10);
    } catch {
      // Not permitted here: normal priority.
    }
    current = child;
    child.on("close", (code, signal) => {
      current = undefined;
      if (code !== 0 || !fs.existsSync(report)) {
        process.stderr.write(`ses-guard mutate: error: ${group.name}: Stryker ended with ${signal ?? `exit ${code}`} and wrote no report\n`);
        resolve(undefined);
      } else resolve(JSON.parse(fs.readFileSync(report, "utf8")));
    });
  });
}

let current;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { GROUPS } = await import(url.pathToFileURL(path.join(root, "stryker.config.mjs")).href);
  const wanted = args.files.map((f) => path.relative(root, path.resolve(root, f)).split(path.sep).join("/"));
  const unknown = wanted.filter((f) => !GROUPS.some((g) => g.mutate.includes(f)));
  if (unknown.length) fail(`--file ${unknown.join(", ")}: not mutated; allowed: ${GROUPS.flatMap((g) => g.mutate).join(", ")}`);
  const runs = GROUPS.map((g) => ({ group: g, files: wanted.length ? g.mutate.filter((f) => wanted.includes(f)) : g.mutate })).filter((r) => r.files.length);

  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
      if (current) current.kill(signal);
      process.exit(130);
    });
  }
  const started = Date.now();
  const merged = { files: {} };
  let failed = false;
  for (const r of runs) {
    const report = await runGroup(r.group, r.files, args.tests.length ? args.tests : r.group.tests, args.concurrency);
    if (!report) failed = true;
    else Object.assign(merged.files, report.files);
  }
  const seconds = (Date.now() - started) / 1000;
  fs.mkdirSync(REPORTS, { recursive: true });
  fs.writeFileSync(REPORT, JSON.stringify(merged));
  const rows = scores(merged);
  if (rows.length) printScores(rows, seconds);
  process.exitCode = failed ? 2 : rows.every((r) => r.percent >= TARGET_PERCENT) ? 0 : 1;
}

main();
