// Shared by the npm scripts: bundle a TypeScript entry with esbuild only when a source changed.
"use strict";
const fs = require("fs");
const Module = require("module");
const path = require("path");
const vm = require("vm");

const root = path.join(__dirname, "..");

function newestMtime(p) {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((f) => newestMtime(path.join(p, f))));
}

/**
 * Requires a bundle through V8's code cache, kept beside it (`<bundle>.v8cache`). Compiling a 3 MB bundle
 * was about a quarter of a synth's CPU time; with the cache a synth costs little more than require('cdktf')
 * (npm run bench: "synth CPU over the floor's CPU"). V8 checks the cache against the source and its own
 * version and flags, and refuses one that does not match; a missing or refused cache is written when the
 * process exits, with every function compiled by then, so the next run finds them all. A script compiled
 * this way cannot run import() on Node 20 (only with an experimental flag), so only bundles without one
 * use it (`codeCache` below; the build refuses a dynamic import left in such a bundle).
 */
function requireWithCodeCache(file) {
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // No cache yet: written at exit.
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8")), {
    filename: file,
    cachedData,
  });
  if (!cachedData || script.cachedDataRejected) {
    process.once("exit", () => {
      const staging = `${cacheFile}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(staging, script.createCachedData());
        fs.renameSync(staging, cacheFile);
      } catch {
        fs.rmSync(staging, { force: true });
      }
    });
  }
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  require.cache[file] = mod;
  script.runInThisContext().call(mod.exports, mod.exports, (id) => mod.require(id), mod, file, path.dirname(file));
  mod.loaded = true;
  return mod.exports;
}

/**
 * @param {{ entry: string, bundle: string, inputs: string[], codeCache?: boolean }} spec paths relative to the
 *   project root; `codeCache`: load through V8's code cache (requireWithCodeCache), for a bundle with no import()
 */
function bundler(spec) {
  const bundle = path.join(root, spec.bundle);
  const stale = () => {
    if (!fs.existsSync(bundle)) return true;
    const built = fs.statSync(bundle).mtimeMs;
    return spec.inputs.some((p) => fs.existsSync(path.join(root, p)) && newestMtime(path.join(root, p)) > built);
  };
  const build = () => {
    // Written beside the bundle, then renamed: a run starting meanwhile never loads a half-written file.
    const staging = `${bundle}.${process.pid}.tmp`;
    try {
      const { metafile } = require("esbuild").buildSync({
        entryPoints: [path.join(root, spec.entry)],
        metafile: Boolean(spec.codeCache),
        outfile: staging,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        // ES module builds first: jsonc-parser's CommonJS build loads its parts dynamically, which a bundle cannot.
        mainFields: ["module", "main"],
        logLevel: "warning",
      });
      const dynamic = Object.values(metafile?.outputs ?? {}).flatMap((o) => o.imports.filter((i) => i.kind === "dynamic-import").map((i) => i.path));
      if (dynamic.length) throw new Error(`${spec.bundle}: import() of ${dynamic.join(", ")}, which a code-cached bundle cannot run on Node 20`);
      fs.renameSync(staging, bundle);
      // A cache of the old bundle would only be refused: gone with it.
      fs.rmSync(`${bundle}.v8cache`, { force: true });
    } finally {
      fs.rmSync(staging, { force: true });
    }
  };
  /** The bundle's exports, rebuilt first if a source changed. */
  const load = () => {
    if (stale()) build();
    return spec.codeCache ? requireWithCodeCache(bundle) : require(bundle);
  };
  return { bundle, stale, build, load };
}

module.exports = { bundler, requireWithCodeCache };
