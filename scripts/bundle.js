// Shared by the npm scripts: bundle a TypeScript entry with esbuild only when a source changed.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");

function newestMtime(p) {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((f) => newestMtime(path.join(p, f))));
}

/**
 * @param {{ entry: string, bundle: string, inputs: string[] }} spec paths relative to the project root
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
      require("esbuild").buildSync({
        entryPoints: [path.join(root, spec.entry)],
        outfile: staging,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        // ES module builds first: jsonc-parser's CommonJS build loads its parts dynamically, which a bundle cannot.
        mainFields: ["module", "main"],
        logLevel: "warning",
      });
      fs.renameSync(staging, bundle);
    } finally {
      fs.rmSync(staging, { force: true });
    }
  };
  /** The bundle's exports, rebuilt first if a source changed. */
  const load = () => {
    if (stale()) build();
    return require(bundle);
  };
  return { bundle, stale, build, load };
}

module.exports = { bundler };
