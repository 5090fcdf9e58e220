// What every command does with its command line before its work: --version, and the flags npm takes for
// itself when `--` is left out (through npm itself, as users type it).
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..", "..");
const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version as string;
const COMMANDS = ["synth", "plan", "review", "doctor", "drill", "module"];

/** The environment of a user's shell: no npm variables from the npm that may be running these tests, no config choice. */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  delete env.SES_GUARD_CONFIG;
  delete env.CDKTF_OUTDIR;
  return env;
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-cmdline-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("--version", () => {
  test.each(COMMANDS)("npm run %s -- --version prints package.json's version and exits 0, whatever else is given", (command) => {
    for (const argv of [["--version"], ["--bogus", "--version"]]) {
      const r = spawnSync(process.execPath, [path.join(root, "scripts", `${command}.js`), ...argv], { cwd: dir, env: userEnv(), encoding: "utf8" });
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: `${version}\n`, stderr: "" });
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test("after -- it is not a request for the version (no command takes --)", () => {
    const r = spawnSync(process.execPath, [path.join(root, "scripts", "plan.js"), "--", "--version"], { cwd: dir, env: userEnv(), encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^ses-guard plan: error: unknown argument "--"; allowed: /);
  });
});

/** npm itself: the one on PATH, or the one running these tests. */
function npm(args: string[]): SpawnSyncReturns<string> {
  const [cmd, pre] = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ["npm", []];
  return spawnSync(cmd, [...pre, ...args], { cwd: root, env: userEnv(), encoding: "utf8", timeout: 60_000 });
}

describe("through npm, a flag written before -- is npm's: the command says so and writes nothing", () => {
  test.each([
    ["npm run synth --config x.json", ["--config", "x.json"]],
    ["npm run synth --config=x.json", ["--config=x.json"]],
  ])("%s", (_typed, flags) => {
    const out = path.join(dir, "out");
    // --out after -- reaches the command: were the hint gone, the synth would write there, not in the project.
    const r = npm(["run", "--silent", "synth", ...flags, "--", "--out", out]);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`ses-guard: error: npm took --config for itself: write npm run synth -- --config x.json --out ${out}\n`);
    expect(r.status).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
  });
});
