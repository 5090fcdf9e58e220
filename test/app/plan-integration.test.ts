// npm run plan -- --offline through real terraform and the aws provider, found through the harness's CLI config
// (TF_CLI_CONFIG_FILE: a filesystem mirror, as a user's own mirror would be), with no credentials and an AWS
// profile that does not exist in the environment it is given. One example per provider and backend layout;
// SES_GUARD_PLAN_EVERY_EXAMPLE=1 plans every stack of every example (18 stacks: 49 to 66 s on two busy cores,
// which npm test cannot afford beside the combined plan of test/app/integration.test.ts).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../../modules/app/cli";
import { parseConfig } from "../../modules/app/config";
import { planMain } from "../../modules/app/plan-cli";
import { describeTerraform, harnessCliConfig } from "../support/terraform";
import { exampleConfigs } from "../support/files";

jest.setTimeout(300_000);

const examplesDir = path.join(__dirname, "..", "..", "examples");
const EVERY_EXAMPLE = process.env.SES_GUARD_PLAN_EVERY_EXAMPLE === "1" || process.env.SES_GUARD_TEST_TIER === "extended";

/**
 * The layouts the offline plan treats differently, each in an example: its first stack is planned. An s3
 * backend gets the same override as the cloud block (test/app/plan-cli.test.ts), and a backend replacing a
 * backend is the harness's own way (test/support/terraform.ts), so backend-s3.json waits for the full run.
 */
const LAYOUTS: Record<string, string> = {
  "slack.json": "a second, aliased provider block: the chat API in us-east-2",
  "adopt.json": "import blocks, and a local state the plan starts from",
  "backend-cloud.json": "a cloud block (HCP Terraform), replaced by a backend",
};
const examples = EVERY_EXAMPLE ? exampleConfigs(examplesDir) : Object.keys(LAYOUTS);

/** A stack the adopted example's last apply left: one topic ses-guard no longer has, so the plan destroys it. */
const ADOPT_STATE = {
  version: 4,
  terraform_version: "1.11.4",
  serial: 3,
  lineage: "5f1b1d2c-0000-4000-8000-000000000001",
  outputs: {},
  resources: [
    {
      mode: "managed",
      type: "aws_sns_topic",
      name: "retired_topic",
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [
        {
          schema_version: 0,
          attributes: { id: "arn:aws:sns:us-east-1:123456789012:retired", arn: "arn:aws:sns:us-east-1:123456789012:retired", name: "retired" },
        },
      ],
    },
  ],
  check_results: null,
};

/** Every file under a folder with its bytes (node_modules/, the plugin cache, aside). */
function tree(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.name === "node_modules") continue;
      if (e.isDirectory()) walk(p);
      else files[path.relative(folder, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(folder);
  return files;
}

/** What the user's shell would hand the command: no AWS or terraform settings but the mirror's CLI config, and a profile that does not exist. */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|TF_|npm_)/i.test(k)));
  return { ...env, TF_CLI_CONFIG_FILE: harnessCliConfig(), AWS_PROFILE: "ses-guard-no-such-profile", GOGC: process.env.GOGC ?? "400" };
}

interface Run {
  code: number;
  out: string[];
  err: string[];
  /** The planned stack folders: name -> the example and its cdk.tf.json. */
  stacks: Map<string, { example: string; json: { import?: unknown[]; provider: { aws: Array<{ alias?: string }> }; resource: Record<string, object> } }>;
  before: Record<string, string>;
  after: Record<string, string>;
  project: string;
  seconds: number;
}

describeTerraform("npm run plan -- --offline, through real terraform", () => {
  let work: string;
  let run: Promise<Run>;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-plan-it-"));
    run = (async () => {
      // The project a user plans in: the synth's output (stacks gathered from several examples), the state beside it.
      const project = path.join(work, "project");
      fs.mkdirSync(path.join(project, "node_modules"), { recursive: true });
      const stacks: Run["stacks"] = new Map();
      for (const file of examples) {
        const base = file.replace(/\.json$/, "");
        const config = parseConfig(JSON.parse(fs.readFileSync(path.join(examplesDir, file), "utf8")), file);
        const dirs = synthesize(config, path.join(work, "synth", base, "cdktf.out"), path.join(work, "synth", base));
        for (const dir of EVERY_EXAMPLE ? dirs : dirs.slice(0, 1)) {
          // Stack names repeat across examples (ses-guard-us-east-1): the folder names the example too.
          const name = `${base}--${path.basename(dir)}`;
          fs.cpSync(dir, path.join(project, "cdktf.out", "stacks", name), { recursive: true });
          stacks.set(name, { example: file, json: JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8")) });
        }
      }
      // The stack's local backend points three folders up from its folder: the project.
      fs.writeFileSync(path.join(project, "terraform.legacy-us-east-1.tfstate"), JSON.stringify(ADOPT_STATE, null, 2));
      const before = tree(project);
      const out: string[] = [];
      const err: string[] = [];
      const started = Date.now();
      const code = await planMain(["--offline"], userEnv(), project, { out: (l) => out.push(l), err: (l) => err.push(l) }, { concurrency: 2 });
      const seconds = (Date.now() - started) / 1000;
      console.log(`npm run plan -- --offline: ${stacks.size} stacks in ${seconds.toFixed(1)} s`);
      return { code, out, err, stacks, before, after: tree(project), project, seconds };
    })();
    run.catch(() => undefined); // reported by the tests
  });

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test("every layout is among the stacks planned", async () => {
    const { stacks } = await run;
    const jsons = [...stacks.values()].map((s) => s.json);
    expect(jsons.some((j) => j.provider.aws.some((p) => p.alias === "chatbot"))).toBe(true);
    expect(jsons.some((j) => (j.import ?? []).length > 0)).toBe(true);
    expect(Object.keys(LAYOUTS).every((f) => [...stacks.values()].some((s) => s.example === f))).toBe(true);
  });

  test("every stack plans: exit 0, nothing on stderr, one summary line per stack in order, then the count", async () => {
    const { code, out, err, stacks } = await run;
    expect(err).toEqual([]);
    const names = [...stacks.keys()].sort();
    expect(out.map((l) => /^ses-guard plan: ([^:]+): Plan: \d+ to add, 0 to change, \d+ to destroy\. \(/.exec(l)?.[1] ?? l)).toEqual([
      ...names,
      `ses-guard plan: ${names.length} stacks planned offline; cdktf.out is unchanged`,
    ]);
    expect(code).toBe(0);
  });

  test("each plan creates at least one instance of every resource block, and destroys nothing the state does not hold", async () => {
    const { out, stacks } = await run;
    for (const [name, { json }] of stacks) {
      const line = out.find((l) => l.startsWith(`ses-guard plan: ${name}: `))!;
      const [, add, destroy] = /Plan: (\d+) to add, 0 to change, (\d+) to destroy/.exec(line)!.map(Number);
      const blocks = Object.values(json.resource).reduce((n, byName) => n + Object.keys(byName).length, 0);
      expect({ name, enough: add >= blocks, destroy }).toEqual({ name, enough: true, destroy: name.startsWith("adopt--") ? 1 : 0 });
    }
  });

  test("what each plan started from and left out is said on its line", async () => {
    const { out } = await run;
    const line = (prefix: string) => out.find((l) => l.startsWith(`ses-guard plan: ${prefix}`)) ?? "";
    expect(line("slack--")).toMatch(/\(from an empty state: no local state yet\)$/);
    expect(line("adopt--")).toMatch(
      /\(against a copy of terraform\.legacy-us-east-1\.tfstate; without its 5 import blocks: an import reads the real resource, which an offline plan cannot, so those resources show as creates\)$/,
    );
    if (EVERY_EXAMPLE) expect(line("backend-s3--")).toMatch(/\(from an empty state: the s3 backend is not read offline\)$/);
    expect(line("backend-cloud--")).toMatch(/\(from an empty state: the HCP Terraform \(cloud\) backend is not read offline\)$/);
  });

  test("the project is byte-identical afterwards: no override file, lock file, .terraform/ or state written, import blocks still there", async () => {
    const { before, after, stacks } = await run;
    expect(after).toEqual(before);
    expect([...stacks.values()].find((s) => s.example === "adopt.json")!.json.import).toHaveLength(5);
  });

  test("the provider comes once into the project's plugin cache, with the lock file the next run starts from", async () => {
    const { project } = await run;
    const cache = path.join(project, "node_modules", ".cache", "ses-guard");
    expect(fs.readdirSync(path.join(cache, "terraform-plugins", "registry.terraform.io", "hashicorp", "aws"))).toEqual(["5.100.0"]);
    const locks = fs.readdirSync(path.join(cache, "terraform-locks"));
    expect(locks).toHaveLength(1);
    expect(fs.readFileSync(path.join(cache, "terraform-locks", locks[0]), "utf8")).toMatch(
      /provider "registry\.terraform\.io\/hashicorp\/aws"[\s\S]*version\s+= "5\.100\.0"/,
    );
  });
});
