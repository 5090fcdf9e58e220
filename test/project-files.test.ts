// The project's own files that users rely on beside the code: what git ignores and what it keeps,
// what a fresh `npm ci` runs, and what `npm run bench` records.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), "utf8"));

const inGitCheckout = spawnSync("git", ["rev-parse", "--is-inside-work-tree"], { cwd: root, encoding: "utf8" }).stdout?.trim() === "true";
if (!inGitCheckout) console.warn("Skipping the .gitignore tests: not a git checkout.");

(inGitCheckout ? describe : describe.skip)(".gitignore", () => {
  /** What git decides for a path, existing or not (--no-index: as if nothing were tracked). */
  function ignored(file: string): boolean {
    const r = spawnSync("git", ["check-ignore", "-q", "--no-index", file], { cwd: root, encoding: "utf8" });
    if (r.status !== 0 && r.status !== 1) throw new Error(`git check-ignore ${file} failed: ${r.stderr}`);
    return r.status === 0;
  }

  test("ses-guard.json, the config the README tells users to write and commit, is not ignored", () => {
    expect(ignored("ses-guard.json")).toBe(false);
  });

  test("each stack's .terraform.lock.hcl in cdktf.out/ can be committed; the rest of the output and Terraform's state are ignored", () => {
    expect(ignored("cdktf.out/stacks/ses-guard-us-east-1/.terraform.lock.hcl")).toBe(false);
    for (const file of [
      "cdktf.out/manifest.json",
      "cdktf.out/stacks/ses-guard-us-east-1/cdk.tf.json",
      "cdktf.out/stacks/ses-guard-us-east-1/.terraform/providers/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws",
      "cdktf.out/stacks/ses-guard-us-east-1/offline_override.tf.json",
      "cdktf.out/stacks/ses-guard-us-east-1/plan",
      "other/cdktf.out/stacks/ses-guard-us-east-1/.terraform.lock.hcl",
      "terraform.ses-guard-us-east-1.tfstate",
    ]) {
      expect([file, ignored(file)]).toEqual([file, true]);
    }
  });
});

describe("a fresh npm ci", () => {
  test("every dependency with an install script has a decision in allowScripts, so npm 11 installs without warnings", () => {
    const allow = readJson("package.json").allowScripts ?? {};
    const withScripts = Object.entries(readJson("package-lock.json").packages as Record<string, { hasInstallScript?: boolean }>)
      .filter(([, p]) => p.hasInstallScript)
      .map(([at]) => at.replace(/^.*node_modules\//, ""));
    expect(withScripts.length).toBeGreaterThan(0);
    expect(withScripts.filter((name) => typeof allow[name] !== "boolean")).toEqual([]);
  });

  test("the packages whose scripts are denied work without them: esbuild and swc from their platform packages, node-pty from its prebuilds", () => {
    expect(require("esbuild").transformSync("let a: number = 1", { loader: "ts" }).code).toBe("let a = 1;\n");
    expect(require("@swc/core").transformSync("let a: number = 1", { jsc: { parser: { syntax: "typescript" }, target: "es2022" } }).code).toBe("let a = 1;\n");
    expect(typeof require("@cdktf/node-pty-prebuilt-multiarch").spawn).toBe("function");
  });
});

describe("npm run bench", () => {
  const { commandLine } = require("../scripts/bench.js") as { commandLine: (cmd: string, argv: string[], work: string) => string };
  const work = path.join(os.tmpdir(), "ses-guard-bench-AbC123");

  test("records commands with node as node, project files relative to the project and temporary files under <tmp>", () => {
    expect(
      commandLine(
        process.execPath,
        [path.join(root, "scripts", "synth.js"), "--config", path.join(work, "scale-1x1.json"), "--out", path.join(work, "out")],
        work,
      ),
    ).toBe("node scripts/synth.js --config <tmp>/scale-1x1.json --out <tmp>/out");
    expect(commandLine(path.join(root, "node_modules", ".bin", "jest"), ["--testPathPattern", "integration|corpus"], work)).toBe(
      "node_modules/.bin/jest --testPathPattern integration|corpus",
    );
    expect(commandLine("npm", ["run", "synth"], work)).toBe("npm run synth");
  });

  test("the committed bench/results.json names no path of the machine it ran on", () => {
    const commands = (readJson("bench/results.json").cases as Array<{ command: string }>).map((c) => c.command);
    expect(commands.length).toBeGreaterThan(10);
    expect(commands.filter((c) => c.split(" ").some((token) => path.isAbsolute(token)))).toEqual([]);
  });
});
