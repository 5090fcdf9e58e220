#!/usr/bin/env node
// `npm run bench`: synth time and memory, side by side with the baselines and the floor, in one run.
// Prints median, min and max wall time and peak RSS per case, and writes bench/results.json.
// A benchmark, not a test: nothing here passes or fails; the targets are printed next to the figures.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.join(__dirname, "..");

/**
 * A command as recorded in results.json: node as "node", project files relative to the project,
 * temporary files under "<tmp>", so the results name no path of the machine they ran on.
 */
function commandLine(cmd, argv, work) {
  const shown = (token) => {
    if (token === process.execPath) return "node";
    if (!path.isAbsolute(token)) return token;
    const inWork = path.relative(work, token);
    if (!inWork.startsWith("..") && !path.isAbsolute(inWork)) return ["<tmp>", ...inWork.split(path.sep)].join("/");
    const inRoot = path.relative(root, token);
    if (!inRoot.startsWith("..") && !path.isAbsolute(inRoot)) return inRoot.split(path.sep).join("/") || ".";
    return path.basename(token);
  };
  return [cmd, ...argv].map(shown).join(" ");
}
module.exports = { commandLine };
// Loaded by a test for commandLine: stop before measuring anything.
if (require.main !== module) return;

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    process.stderr.write(`bench: ${name}: got ${JSON.stringify(args[i + 1])}; allowed: a whole number >= 1\n`);
    process.exit(2);
  }
  return v;
};
const known = new Set(["--runs", "--scale-runs", "--test-runs", "--skip-tests", "--skip-baselines", "--out"]);
for (const a of args) {
  if (a.startsWith("--") && !known.has(a)) {
    process.stderr.write(
      `bench: unknown argument ${JSON.stringify(a)}; allowed: --runs N, --scale-runs N, --test-runs N, --skip-tests, --skip-baselines, --out FILE\n`,
    );
    process.exit(2);
  }
}
const RUNS = flag("--runs", 5);
const SCALE_RUNS = flag("--scale-runs", 3);
const TEST_RUNS = flag("--test-runs", 1);
const outIndex = args.indexOf("--out");
const OUT = outIndex === -1 ? path.join(root, "bench", "results.json") : path.resolve(args[outIndex + 1]);

const work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-bench-"));
const probe = path.join(work, "rss-probe.js");
// Every node process in a case (npm, npx, the app) records its own peak RSS and CPU time on exit; the case's
// peak is the largest, its CPU time the sum.
fs.writeFileSync(
  probe,
  `process.on("exit", () => { try { const u = process.resourceUsage(); require("fs").writeFileSync(require("path").join(process.env.BENCH_RSS_DIR, String(process.pid)), JSON.stringify({ rss: u.maxRSS, cpu: u.userCPUTime + u.systemCPUTime })); } catch {} });\n`,
);

/** Runs a command once; resolves wall seconds, and the peak RSS (MB) and CPU seconds of its node processes. */
function runOnce(cmd, argv, opts = {}) {
  const rssDir = fs.mkdtempSync(path.join(work, "rss-"));
  const env = {
    ...process.env,
    ...opts.env,
    BENCH_RSS_DIR: rssDir,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${probe}`.trim(),
    CHECKPOINT_DISABLE: "1",
  };
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd: opts.cwd ?? root, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const usage = fs.readdirSync(rssDir).map((f) => JSON.parse(fs.readFileSync(path.join(rssDir, f), "utf8")));
      const rssKb = Math.max(0, ...usage.map((u) => u.rss));
      const cpuSeconds = usage.reduce((sum, u) => sum + u.cpu, 0) / 1e6;
      fs.rmSync(rssDir, { recursive: true, force: true });
      if (code !== 0) reject(new Error(`${cmd} ${argv.join(" ")} exited ${code}\n${stderr.slice(-2000)}`));
      else resolve({ seconds, rssMb: rssKb / 1024, cpuSeconds });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = [];
async function measure(name, cmd, argv, { runs = RUNS, warmup = true, ...opts } = {}) {
  if (warmup) await runOnce(cmd, argv, opts);
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await runOnce(cmd, argv, opts));
  const seconds = samples.map((s) => s.seconds);
  const result = {
    name,
    command: commandLine(cmd, argv, work),
    runs,
    medianSeconds: median(seconds),
    minSeconds: Math.min(...seconds),
    maxSeconds: Math.max(...seconds),
    peakRssMb: Math.max(...samples.map((s) => s.rssMb)),
    medianCpuSeconds: median(samples.map((s) => s.cpuSeconds)),
  };
  results.push(result);
  process.stdout.write(
    `${name.padEnd(44)} median ${result.medianSeconds.toFixed(3)} s  (min ${result.minSeconds.toFixed(3)}, max ${result.maxSeconds.toFixed(3)}, n=${runs})  CPU ${result.medianCpuSeconds.toFixed(3)} s  peak RSS ${result.peakRssMb.toFixed(0)} MB\n`,
  );
  return result;
}

const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1", "ap-northeast-1", "ca-central-1", "sa-east-1"];
function scaleConfig(identities, regions) {
  const file = path.join(work, `scale-${identities}x${regions}.json`);
  const config = {
    accountId: "123456789012",
    regions: REGIONS.slice(0, regions),
    alarms: { emails: ["ops@example.com"] },
    notifications: { identities: Array.from({ length: identities }, (_, i) => `d${i}.example.com`) },
  };
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

async function main() {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const npx = process.platform === "win32" ? "npx.cmd" : "npx";
  process.stdout.write(`ses-guard bench on ${os.cpus().length} cores, node ${process.version}; ${RUNS} runs after a warm-up\n\n`);

  // The bundle is rebuilt only when stale: build once so the fast path measures what users see on the second synth.
  await runOnce(process.execPath, [path.join(root, "scripts", "synth.js"), "--build-only"]);
  await measure("bare node (node -e 0)", process.execPath, ["-e", "0"]);
  const floor = await measure("floor: node -e \"require('cdktf')\"", process.execPath, ["-e", "require('cdktf')"]);
  const npmStart = await measure("npm start-up (npm run env)", npm, ["run", "env"]);
  const synth = await measure("npm run synth (default example)", npm, ["run", "synth"]);
  const direct = await measure("node scripts/synth.js (what npm runs)", process.execPath, [path.join(root, "scripts", "synth.js")]);
  let tsNode;
  if (!args.includes("--skip-baselines")) {
    tsNode = await measure("baseline: ts-node main.ts (cdktf template)", npx, ["ts-node", "main.ts"], { runs: Math.min(RUNS, 3) });
    await measure("baseline: npx cdktf synth", npx, ["cdktf", "synth"], { runs: Math.min(RUNS, 3) });
  }

  process.stdout.write("\nscale (fast path: node scripts/synth.js --config <generated>):\n");
  const scale = [];
  for (const regions of [1, 4, 8]) {
    for (const identities of [1, 10, 100, 500]) {
      const r = await measure(
        `scale ${identities} identities x ${regions} regions`,
        process.execPath,
        [path.join(root, "scripts", "synth.js"), "--config", scaleConfig(identities, regions), "--out", path.join(work, "out")],
        { runs: SCALE_RUNS },
      );
      scale.push({ identities, regions, ...r });
    }
  }

  let tests;
  if (!args.includes("--skip-tests")) {
    process.stdout.write("\ntest suite (one jest run each, as npm test runs them):\n");
    const jest = path.join(root, "node_modules", ".bin", "jest");
    const integration = "integration|terraform-harness|cdktf-cli|corpus|property";
    tests = {
      unit: await measure("npm test: unit part", jest, ["--testPathIgnorePatterns", integration], { runs: TEST_RUNS, warmup: false }),
      integration: await measure("npm test: terraform/CLI integration part", jest, ["--testPathPattern", integration], { runs: TEST_RUNS, warmup: false }),
      typecheck: await measure("npm test: tsc --noEmit", npm, ["run", "typecheck"], { runs: TEST_RUNS, warmup: false }),
    };
  }

  const synthLessNpm = synth.medianSeconds - npmStart.medianSeconds;
  const big = scale.find((s) => s.identities === 500 && s.regions === 8);
  const small = scale.find((s) => s.identities === 1 && s.regions === 1);
  const targets = {
    synthLessNpmSeconds: synthLessNpm,
    synthOverFloor: synthLessNpm / floor.medianSeconds,
    directOverFloor: direct.medianSeconds / floor.medianSeconds,
    // CPU time is steadier than wall time on a busy machine: the synth's CPU over the floor's.
    synthCpuOverFloorCpu: direct.medianCpuSeconds / floor.medianCpuSeconds,
    tsNodeOverSynth: tsNode ? tsNode.medianSeconds / synthLessNpm : null,
    synthPeakRssMb: synth.peakRssMb,
    scale500x8Seconds: big.medianSeconds,
    scale500x8RssMb: big.peakRssMb,
    // Growth per identity x region beyond the 1 x 1 case: flat or falling means no worse than linear.
    scaleSecondsPerUnit: scale.map((s) => ({
      identities: s.identities,
      regions: s.regions,
      perUnit: (s.medianSeconds - small.medianSeconds) / Math.max(1, s.identities * s.regions - 1),
    })),
    testsSeconds: tests ? tests.unit.medianSeconds + tests.integration.medianSeconds + tests.typecheck.medianSeconds : null,
  };
  process.stdout.write(`
targets (ratios are what count):
  npm run synth less npm start-up: ${synthLessNpm.toFixed(3)} s = ${targets.synthOverFloor.toFixed(2)}x the require('cdktf') floor (target <= 1.5x; stretch < 1x)
  node scripts/synth.js alone:     ${direct.medianSeconds.toFixed(3)} s = ${targets.directOverFloor.toFixed(2)}x the floor
  synth CPU over the floor's CPU:  ${direct.medianCpuSeconds.toFixed(3)} s / ${floor.medianCpuSeconds.toFixed(3)} s = ${targets.synthCpuOverFloorCpu.toFixed(2)}x (target <= 1.2x)
  ts-node path / fast path:        ${tsNode ? `${targets.tsNodeOverSynth.toFixed(1)}x` : "skipped"} (target >= 10x)
  npm run synth peak RSS:          ${synth.peakRssMb.toFixed(0)} MB (target < 150 MB)
  500 identities x 8 regions:      ${big.medianSeconds.toFixed(2)} s, ${big.peakRssMb.toFixed(0)} MB (targets < 5 s, < 500 MB)
  npm test parts run one after another: ${tests ? `${targets.testsSeconds.toFixed(1)} s` : "skipped"} (npm test runs them side by side; target < 90 s)
`);

  const report = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    runs: RUNS,
    cases: results,
    targets,
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(`${OUT}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  fs.renameSync(`${OUT}.tmp`, OUT);
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), OUT)}\n`);
}

main()
  .catch((e) => {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(work, { recursive: true, force: true }));
