// scripts/bundle.js: the commands' bundles are rebuilt only when a source changed, and loaded through V8's code cache.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");
const bundleJs = path.join(root, "scripts", "bundle.js");

/** Loads `file` through requireWithCodeCache in a fresh node (the cache is written when that process exits). */
function load(file: string): { stdout: string; stderr: string; status: number | null } {
  const code = `const m = require(${JSON.stringify(bundleJs)}).requireWithCodeCache(${JSON.stringify(file)}); process.stdout.write(String(m.answer()));`;
  return spawnSync(process.execPath, ["-e", code], { encoding: "utf8" });
}

test("a bundle loads through a code cache beside it; a missing, foreign or stale cache is refused and rewritten", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-bundle-"));
  try {
    const file = path.join(dir, "bundle.js");
    const cache = `${file}.v8cache`;
    fs.writeFileSync(file, "const path = require('path'); exports.answer = () => path.basename(__filename) + ':' + (21 * 2);\n");
    expect(load(file)).toMatchObject({ stdout: "bundle.js:42", stderr: "", status: 0 });
    const written = fs.readFileSync(cache);
    expect(written.length).toBeGreaterThan(0);
    // Used as it is: nothing rewritten.
    const mtime = fs.statSync(cache).mtimeMs;
    expect(load(file).stdout).toBe("bundle.js:42");
    expect(fs.statSync(cache).mtimeMs).toBe(mtime);
    // Garbage in the cache: V8 refuses it, the bundle still loads, and the cache is written anew.
    fs.writeFileSync(cache, "not a code cache");
    expect(load(file)).toMatchObject({ stdout: "bundle.js:42", status: 0 });
    const rewritten = fs.readFileSync(cache);
    expect(rewritten.toString("latin1")).not.toContain("not a code cache");
    expect(rewritten.length).toBeGreaterThan(100);
    // A changed bundle with the old cache: refused by V8, so the new code runs, never the old.
    fs.writeFileSync(file, "exports.answer = () => 'changed';\n");
    expect(load(file).stdout).toBe("changed");
    expect(fs.readFileSync(cache).equals(rewritten)).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a code-cached bundle may not keep an import() (Node 20 cannot run one from a cached script); the synth's has none", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-bundle-"));
  try {
    fs.writeFileSync(path.join(dir, "entry.ts"), "export const later = () => import('node:os');\n");
    const code = `const { bundler } = require(${JSON.stringify(bundleJs)});
      const spec = (codeCache) => ({ entry: ${JSON.stringify(path.relative(root, path.join(dir, "entry.ts")))}, bundle: ${JSON.stringify(path.relative(root, path.join(dir, "out.js")))}, inputs: [], codeCache });
      try { bundler(spec(true)).build(); process.stdout.write("built"); } catch (e) { process.stdout.write(e.message); }
      bundler(spec(false)).build(); process.stdout.write(" / without the cache: " + typeof require(${JSON.stringify(path.join(dir, "out.js"))}).later);`;
    const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", cwd: root });
    expect(r.stdout).toMatch(/out\.js: import\(\) of node:os, which a code-cached bundle cannot run on Node 20 \/ without the cache: function$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // The synth bundle is built with codeCache, so its build would have refused one.
  expect(fs.readFileSync(path.join(root, "scripts", "synth.js"), "utf8")).toMatch(/codeCache: true/);
});
