/**
 * `npm run module`: writes ses-guard as a plain Terraform module folder
 * (see modules/terraform-module/terraform-module.ts). Bundled and run by scripts/module.js.
 */
import * as path from "path";
import { DEFAULT_MODULE_OUTDIR, MODULE_OUTPUTS, writeTerraformModule } from "./terraform-module";
import { parseFlags } from "../shared/args";

const USAGE = `Usage: node scripts/module.js [--out DIR]

Writes ses-guard as a plain Terraform module (JSON files and a README) that an
HCL root module calls with: module "ses_guard" { source = "<DIR>" ... }
  --out DIR  module folder (default: ${DEFAULT_MODULE_OUTDIR}); replaced as a whole,
             so it must be empty or hold a previously generated module
  --help     this text
  --version  the version, and exit`;

/** Output of the CLI, injectable for tests. */
export interface ModuleCliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const defaultIo: ModuleCliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Parses `--out DIR` / `--out=DIR` / `-o DIR` and `--help`; throws a one-line UsageError for anything else. */
export function parseModuleArgs(argv: readonly string[]): { outdir: string; help: boolean } {
  const { flags } = parseFlags(argv, [
    { name: "--out", short: "o", metavar: "DIR", value: "a directory path" },
    { name: "--help", short: "h" },
  ]);
  return { outdir: (flags["--out"] as string | undefined) ?? DEFAULT_MODULE_OUTDIR, help: flags["--help"] === true };
}

/** The CLI; returns the exit status (2 for a bad flag, 1 for any other error) instead of exiting. */
export function main(argv: readonly string[], cwd = process.cwd(), io: ModuleCliIo = defaultIo): number {
  let options: { outdir: string; help: boolean };
  try {
    options = parseModuleArgs(argv);
  } catch (e) {
    io.err(`ses-guard: error: ${(e as Error).message}`);
    return 2;
  }
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  try {
    const dir = writeTerraformModule(path.resolve(cwd, options.outdir));
    io.out(`ses-guard: wrote Terraform module to ${path.relative(cwd, dir) || "."} (outputs: ${MODULE_OUTPUTS.map((o) => o.name).join(", ")})`);
    return 0;
  } catch (e) {
    io.err(`ses-guard: error: ${(e as Error).message}`);
    return 1;
  }
}
