import * as fs from "fs";
import * as path from "path";

/** Every file under a folder with its text, by relative path: equal before and after shows nothing changed. */
export function filesUnder(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files[path.relative(folder, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(folder);
  return files;
}

/** The example configs in a folder, sorted: `<name>.json`, not a synth's record (`<name>.stacks.json`). */
export function exampleConfigs(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^[^.]+\.json$/.test(f))
    .sort();
}
