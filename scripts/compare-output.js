#!/usr/bin/env node
// `npm run compare-output -- [--base REV] [--module-plan]`: synthesizes every example and writes the plain
// module, here and at git revision REV (default HEAD), and lists every file whose bytes differ. A refactor
// that should change nothing must print "identical". With --module-plan, a module whose files differ is
// also planned, offline, from both trees, by the root module test/fixtures/module-root (four calls), and
// the plans compared: every resource change with its values, the outputs and the checks.
// Exit status: 0 identical, 1 different, 2 usage error.
"use strict";
const { execFileSync, spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { parseArgs } = require("util");
const { bundler } = require("./bundle");

const root = path.join(__dirname, "..");

function usage(message) {
  process.stderr.write(`ses-guard compare-output: error: ${message}\n`);
  process.exit(2);
}

/** Every example's stacks and the module, written under `into`, by the tree at `tree`. */
function writeOutputs(tree, into) {
  const examples = fs
    .readdirSync(path.join(tree, "examples"))
    .filter((f) => /^[^.]+\.json$/.test(f)) // not a synth's record, <config>.stacks.json
    .sort();
  for (const example of examples) {
    const cwd = path.join(into, example.replace(/\.json$/, ""));
    fs.mkdirSync(cwd, { recursive: true });
    // A copy beside the output: the synth writes its stack record beside the config, never into the tree.
    fs.copyFileSync(path.join(tree, "examples", example), path.join(cwd, "ses-guard.json"));
    // Run from the same depth in both trees, so relative state paths match.
    const r = spawnSync(process.execPath, [path.join(tree, "scripts", "synth.js"), "--config", "ses-guard.json", "--out", "out"], {
      cwd,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`${example} at ${tree}: synth failed (exit ${r.status})\n${r.stderr}`);
  }
  const m = spawnSync(process.execPath, [path.join(tree, "scripts", "module.js"), "--out", path.join(into, "module")], { cwd: tree, encoding: "utf8" });
  if (m.status !== 0) throw new Error(`module at ${tree}: failed (exit ${m.status})\n${m.stderr}`);
}

/** Relative path -> bytes, every file under dir. */
function files(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

// The terraform half of --module-plan: the test harness's offline plan, bundled when first needed.
const modulePlanner = bundler({
  entry: "scripts/module-plan.ts",
  bundle: "dist/module-plan.js",
  inputs: ["scripts/module-plan.ts", "test/support", "package-lock.json"],
});

async function main() {
  // The same one-line refusals as the other commands (modules/shared/args.ts), in plain JavaScript: this script runs unbundled.
  const { tokens } = parseArgs({
    options: { base: { type: "string" }, "module-plan": { type: "boolean" }, help: { type: "boolean", short: "h" } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values = {};
  for (const t of tokens) {
    const arg = process.argv[2 + t.index];
    if (t.kind !== "option" || !["base", "module-plan", "help"].includes(t.name))
      usage(`unknown argument ${JSON.stringify(arg)}; allowed: --base REV, --module-plan, --help`);
    if (t.name === "help" || t.name === "module-plan") {
      if (t.inlineValue) usage(`--${t.name}: got a value ${JSON.stringify(t.value)}; allowed: --${t.name} alone`);
      values[t.name] = true;
    } else if (t.value === undefined || t.value === "" || (!t.inlineValue && t.value.startsWith("-")))
      usage(`--base: got no value; allowed: a commit, branch or tag`);
    else values.base = t.value;
  }
  if (values.help) {
    process.stdout.write(
      "Usage: npm run compare-output -- [--base REV] [--module-plan]\n  Synthesizes every example and the module here and at REV (default HEAD); lists the files that differ.\n  --module-plan  when the module's files differ, also compare its offline plan of test/fixtures/module-root\n",
    );
    return 0;
  }
  const base = values.base ?? "HEAD";
  let commit;
  try {
    commit = execFileSync("git", ["rev-parse", "--verify", `${base}^{commit}`], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    usage(`--base: got ${JSON.stringify(base)}, which git does not know; allowed: a commit, branch or tag`);
  }
  // Checked before anything is created: usage() exits at once.
  const planner = values["module-plan"] ? modulePlanner.load() : undefined;
  const unavailable = planner?.terraformUnavailable();
  if (unavailable) usage(`--module-plan: ${unavailable}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-compare-"));
  const tree = path.join(work, "base-tree");
  try {
    execFileSync("git", ["worktree", "add", "--detach", "--quiet", tree, commit], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    // The base tree runs with this checkout's dependencies.
    fs.symlinkSync(path.join(root, "node_modules"), path.join(tree, "node_modules"), "dir");
    writeOutputs(tree, path.join(work, "base"));
    writeOutputs(root, path.join(work, "here"));
    const before = files(path.join(work, "base"));
    const after = files(path.join(work, "here"));
    const lines = [];
    for (const [file, bytes] of after) {
      if (!before.has(file)) lines.push(`added    ${file}`);
      else if (!before.get(file).equals(bytes)) lines.push(`changed  ${file}`);
    }
    for (const file of before.keys()) if (!after.has(file)) lines.push(`removed  ${file}`);
    const short = commit.slice(0, 7);
    let planSame = false;
    if (planner && lines.some((l) => l.slice(9).startsWith(`module${path.sep}`))) {
      const a = await planner.modulePlan(root, path.join(work, "base", "module"), path.join(work, "plan-base"));
      const b = await planner.modulePlan(root, path.join(work, "here", "module"), path.join(work, "plan-here"));
      const text = (x) => JSON.stringify(x);
      planSame = text(a) === text(b);
      const differing = b.changes.filter((c) => text(c) !== text(a.changes.find((o) => o.address === c.address))).map((c) => c.address);
      const gone = a.changes.filter((c) => !b.changes.some((n) => n.address === c.address)).map((c) => c.address);
      process.stdout.write(
        planSame
          ? `module plan of test/fixtures/module-root: identical to ${short}'s (${b.changes.length} resource changes, their values, the outputs and the checks)\n`
          : `module plan of test/fixtures/module-root differs from ${short}'s: ${[...differing, ...gone.map((g) => `${g} (gone)`)].slice(0, 20).join(", ") || "outputs or checks"}\n`,
      );
    }
    if (lines.length === 0) {
      process.stdout.write(`identical: ${after.size} files (every example's stacks and the module) here and at ${short}\n`);
      return 0;
    }
    process.stdout.write(
      `${lines.sort((a, b) => a.slice(9).localeCompare(b.slice(9))).join("\n")}\n${lines.length} of ${new Set([...before.keys(), ...after.keys()]).size} files differ from ${short}\n`,
    );
    // Only the module's files differ and it plans identically: what the module does is unchanged.
    return planSame && lines.every((l) => l.slice(9).startsWith(`module${path.sep}`)) ? 0 : 1;
  } finally {
    spawnSync("git", ["worktree", "remove", "--force", tree], { cwd: root, stdio: "ignore" });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then((code) => (process.exitCode = code));
