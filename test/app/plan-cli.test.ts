// npm run plan -- --offline without terraform: what each stack's throwaway copy holds, the environment
// terraform gets, the command line, and the command's steps and messages against a stand-in terraform.
// test/app/plan-integration.test.ts runs it through real terraform.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { offlineEnv, offlineOverride, OVERRIDE_FILE, planSummary, pluginCache, prepareCopy, readStack } from "../../modules/app/offline-plan";
import { parsePlanArgs, planMain } from "../../modules/app/plan-cli";
import { filesUnder } from "../support/files";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-plan-cli-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const SWITCHES = { skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, skip_region_validation: true };
const REQUIRED = { aws: { source: "aws", version: "5.100.0" } };

/** A stack folder as cdktf writes it (provider blocks as a list), with extra files. */
function stackDir(name: string, json: Record<string, unknown>, files: Record<string, string> = {}, root = path.join(dir, "cdktf.out", "stacks")): string {
  const d = path.join(root, name);
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, "cdk.tf.json"), JSON.stringify(json));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
    fs.writeFileSync(path.join(d, f), text);
  }
  return d;
}

const slackLike = (backend: Record<string, unknown> = { backend: { local: { path: "../../../terraform.s.tfstate" } } }) => ({
  provider: { aws: [{ region: "us-east-1" }, { alias: "chatbot", region: "us-east-2" }] },
  terraform: { ...backend, required_providers: REQUIRED },
  resource: { aws_sns_topic: { t: { name: "t" } } },
});

describe("the throwaway copy", () => {
  test("every aws provider block gets the switches, the alias included; the backend becomes a local state in the copy", () => {
    expect(offlineOverride(["", "chatbot"], "/w")).toMatchObject({
      provider: { aws: [SWITCHES, { alias: "chatbot", ...SWITCHES }] },
      terraform: { backend: { local: { path: path.join("/w", "offline-plan.tfstate") } } },
    });
    const src = stackDir("s", slackLike());
    const copy = prepareCopy(src, path.join(dir, "work", "s"));
    expect(copy.aliases).toEqual(["", "chatbot"]);
    const override = JSON.parse(fs.readFileSync(path.join(dir, "work", "s", OVERRIDE_FILE), "utf8"));
    expect(override.provider.aws).toEqual([SWITCHES, { alias: "chatbot", ...SWITCHES }]);
    expect(override.terraform.backend).toEqual({ local: { path: path.join(dir, "work", "s", "offline-plan.tfstate") } });
  });

  test("a stack with only aliased blocks gets no default block (an override would create one)", () => {
    const src = stackDir("a", { provider: { aws: [{ alias: "x", region: "eu-west-1" }] }, terraform: { required_providers: REQUIRED } });
    expect(readStack(src).aliases).toEqual(["x"]);
    expect(offlineOverride(["x"], "/w").provider).toEqual({ aws: [{ alias: "x", ...SWITCHES }] });
  });

  test("a provider block written as an object (hand-written JSON) counts too", () => {
    expect(readStack(stackDir("o", { provider: { aws: { region: "eu-west-1" } } })).aliases).toEqual([""]);
  });

  test.each([
    ["s3", { backend: { s3: { bucket: "b", key: "k", region: "eu-west-1" } } }, { remote: "s3" }],
    ["cloud", { cloud: { organization: "o", workspaces: { name: "w" } } }, { remote: "HCP Terraform (cloud)" }],
    ["local with a path", { backend: { local: { path: "../../../terraform.s.tfstate" } } }, { local: "STACK/../../../terraform.s.tfstate" }],
    ["no backend (local, in the folder)", {}, { local: "STACK/terraform.tfstate" }],
  ])("where the state is: %s", (_name, backend, state) => {
    const src = stackDir("s", slackLike(backend));
    const want = "local" in state ? { local: path.resolve(state.local.replace("STACK", src)) } : state;
    expect(readStack(src).state).toEqual(want);
  });

  test("copied: configuration, lock file, the user's own override files; not: working state, old state, our own override left over", () => {
    const src = stackDir("s", slackLike(), {
      ".terraform.lock.hcl": "# lock",
      "offline_override.tf.json": "{}",
      "assets/x.txt": "asset",
      ".terraform/providers/p": "binary",
      ".terraform.tfstate.lock.info": "{}",
      "terraform.tfstate": "{}",
      "terraform.tfstate.backup": "{}",
      "terraform.tfstate.d/dev/terraform.tfstate": "{}",
      [OVERRIDE_FILE]: "stale",
    });
    const before = filesUnder(src);
    prepareCopy(src, path.join(dir, "work", "s"));
    expect(Object.keys(filesUnder(path.join(dir, "work", "s"))).sort()).toEqual(
      [".terraform.lock.hcl", "assets/x.txt", "cdk.tf.json", "offline_override.tf.json", OVERRIDE_FILE].sort(),
    );
    expect(fs.readFileSync(path.join(dir, "work", "s", OVERRIDE_FILE), "utf8")).not.toBe("stale");
    expect(filesUnder(src)).toEqual(before);
  });

  test("import blocks are taken out of the copy only, and counted", () => {
    const json = {
      ...slackLike(),
      import: [
        { to: "aws_sns_topic.t", id: "arn:aws:sns:us-east-1:123456789012:t" },
        { to: "x.y", id: "y" },
      ],
    };
    const src = stackDir("s", json);
    const copy = prepareCopy(src, path.join(dir, "work", "s"));
    expect(copy.imports).toBe(2);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "work", "s", "cdk.tf.json"), "utf8")).import).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(path.join(src, "cdk.tf.json"), "utf8")).import).toHaveLength(2);
  });

  test("a local state is copied in (read, never written); a remote backend's is not", () => {
    fs.mkdirSync(path.join(dir, "cdktf.out", "stacks"), { recursive: true });
    fs.writeFileSync(path.join(dir, "terraform.s.tfstate"), '{"version":4}');
    expect(prepareCopy(stackDir("s", slackLike()), path.join(dir, "work", "s")).stateCopied).toBe(true);
    // Not as terraform.tfstate, which init would take for a local state to migrate (and empty).
    expect(fs.readFileSync(path.join(dir, "work", "s", "offline-plan.tfstate"), "utf8")).toBe('{"version":4}');
    expect(fs.existsSync(path.join(dir, "work", "s", "terraform.tfstate"))).toBe(false);
    const remote = prepareCopy(stackDir("r", slackLike({ backend: { s3: { bucket: "b" } } })), path.join(dir, "work", "r"));
    expect(remote.stateCopied).toBe(false);
    expect(fs.readdirSync(path.join(dir, "work", "r")).filter((f) => f.endsWith(".tfstate"))).toEqual([]);
  });
});

test("terraform's environment: fake credentials, none of the user's AWS settings, the user's terraform settings but the working-folder ones", () => {
  const env = offlineEnv({
    PATH: "/bin",
    AWS_PROFILE: "prod",
    AWS_ACCESS_KEY_ID: "AKIAREAL",
    AWS_SESSION_TOKEN: "t",
    AWS_REGION: "eu-west-1",
    TF_CLI_CONFIG_FILE: "/mirror.tfrc",
    TF_PLUGIN_CACHE_DIR: "/cache",
    TF_WORKSPACE: "prod",
    TF_DATA_DIR: "/data",
  });
  expect(env).toEqual({
    PATH: "/bin",
    TF_CLI_CONFIG_FILE: "/mirror.tfrc",
    TF_PLUGIN_CACHE_DIR: "/cache",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_CONFIG_FILE: os.devNull,
    AWS_SHARED_CREDENTIALS_FILE: os.devNull,
    AWS_EC2_METADATA_DISABLED: "true",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
  });
});

describe("the provider plugin cache", () => {
  test("the user's own (TF_PLUGIN_CACHE_DIR, or plugin_cache_dir in the CLI config) is left alone", () => {
    expect(pluginCache({ TF_PLUGIN_CACHE_DIR: "/mine" }, dir, path.join(dir, "w"))).toEqual({});
    fs.writeFileSync(path.join(dir, "cli.tfrc"), 'disable_checkpoint = true\n  plugin_cache_dir = "/x"\n');
    expect(pluginCache({ TF_CLI_CONFIG_FILE: path.join(dir, "cli.tfrc") }, dir, path.join(dir, "w"))).toEqual({});
    fs.writeFileSync(path.join(dir, ".terraformrc"), 'plugin_cache_dir = "/y"\n');
    expect(pluginCache({ HOME: dir }, dir, path.join(dir, "w"))).toEqual({});
  });

  test("else the project's node_modules/.cache/ses-guard/, or the work folder outside a project", () => {
    const env = { HOME: dir, TF_CLI_CONFIG_FILE: path.join(dir, "none.tfrc") };
    expect(pluginCache(env, dir, path.join(dir, "w"))).toEqual({
      dir: path.join(dir, "w", "terraform-plugins"),
      locks: path.join(dir, "w", "terraform-locks"),
    });
    fs.mkdirSync(path.join(dir, "node_modules"));
    const cache = path.join(dir, "node_modules", ".cache", "ses-guard");
    expect(pluginCache(env, dir, path.join(dir, "w"))).toEqual({ dir: path.join(cache, "terraform-plugins"), locks: path.join(cache, "terraform-locks") });
    expect(fs.statSync(path.join(cache, "terraform-plugins")).isDirectory()).toBe(true);
  });
});

test.each([
  ["Plan: 3 to add, 0 to change, 0 to destroy.", "\nTerraform will perform...\n\nPlan: 3 to add, 0 to change, 0 to destroy.\n\nChanges to Outputs:\n"],
  ["No changes. Your infrastructure matches the configuration.", "\nNo changes. Your infrastructure matches the configuration.\n"],
  ["Changes to Outputs only.", "\nChanges to Outputs:\n  + x = 1\n"],
  ["planned (terraform printed no summary line)", "something else\n"],
])("planSummary: %s", (summary, stdout) => {
  expect(planSummary(stdout)).toBe(summary);
});

describe("the command line", () => {
  test("--offline is required: the message names the command and what to run for a plan with credentials", () => {
    expect(() => parsePlanArgs([], {})).toThrow(
      "--offline: not given; allowed: npm run plan -- --offline (for a plan with your own credentials and state, run terraform init and terraform plan in each stack folder)",
    );
    expect(parsePlanArgs(["--help"], {}).help).toBe(true);
  });

  test("npm run plan --offline (no --): npm took it, and says so", () => {
    expect(() => parsePlanArgs([], { npm_lifecycle_event: "plan", npm_config_offline: "true" })).toThrow(
      "npm took --offline for itself: write npm run plan -- --offline",
    );
  });

  test("defaults: cdktf.out, else $CDKTF_OUTDIR; --out and --stack", () => {
    expect(parsePlanArgs(["--offline"], {})).toEqual({ outdir: "cdktf.out", stacks: [], verbose: false, help: false });
    expect(parsePlanArgs(["--offline"], { CDKTF_OUTDIR: "o" }).outdir).toBe("o");
    expect(parsePlanArgs(["--offline", "-o", "x", "--stack", "a", "--stack=b", "--verbose"], { CDKTF_OUTDIR: "o" })).toEqual({
      outdir: "x",
      stacks: ["a", "b"],
      verbose: true,
      help: false,
    });
  });
});

/** A stand-in terraform: logs each call (folder, arguments, what it was given), and fails where told. */
function fakeTerraform(): { bin: string; log: () => string[] } {
  const bin = path.join(dir, "terraform");
  const log = path.join(dir, "terraform.log");
  fs.writeFileSync(
    bin,
    `#!/bin/sh
echo "$(basename "$PWD") $1 key=$AWS_ACCESS_KEY_ID profile=$AWS_PROFILE cache=$TF_PLUGIN_CACHE_DIR lock=$(cat .terraform.lock.hcl 2>/dev/null)" >> "${log}"
case "$1" in
  version) echo "Terraform v1.11.4" ;;
  init) [ "$FAIL_INIT" = "$(basename "$PWD")" ] && { echo "Error: init broke" >&2; exit 1; }
        [ -f .terraform.lock.hcl ] || echo "lock-from-$(basename "$PWD")" > .terraform.lock.hcl ;;
  plan) [ "$FAIL_PLAN" = "$(basename "$PWD")" ] && { echo "Error: plan broke" >&2; exit 1; }
        echo "  # aws_sns_topic.t will be created"; echo "Plan: 1 to add, 0 to change, 0 to destroy." ;;
esac
`,
    { mode: 0o755 },
  );
  return { bin, log: () => fs.readFileSync(log, "utf8").trim().split("\n") };
}

async function plan(argv: string[], env: NodeJS.ProcessEnv = {}, terraformBin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await planMain(
    argv,
    { PATH: process.env.PATH, HOME: dir, ...env },
    dir,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    {
      concurrency: 2,
      terraformBin,
    },
  );
  return { code, out, err };
}

describe("planMain against a stand-in terraform", () => {
  test("init one stack at a time, then plan; a stack without a lock file gets the one an earlier init wrote; the output folder untouched", async () => {
    const tfBin = fakeTerraform();
    fs.mkdirSync(path.join(dir, "node_modules"));
    stackDir("b-stack", slackLike(), { ".terraform.lock.hcl": "own-lock" });
    stackDir("a-stack", slackLike({ backend: { s3: { bucket: "b" } } }));
    stackDir("c-stack", { ...slackLike(), import: [{ to: "aws_sns_topic.t", id: "t" }] });
    const before = filesUnder(path.join(dir, "cdktf.out"));
    const r = await plan(["--offline"], { AWS_PROFILE: "prod" }, tfBin.bin);
    expect(r.err).toEqual([]);
    expect(r.out).toEqual([
      "ses-guard plan: a-stack: Plan: 1 to add, 0 to change, 0 to destroy. (from an empty state: the s3 backend is not read offline)",
      "ses-guard plan: b-stack: Plan: 1 to add, 0 to change, 0 to destroy. (from an empty state: no local state yet)",
      "ses-guard plan: c-stack: Plan: 1 to add, 0 to change, 0 to destroy. (from an empty state: no local state yet; without its 1 import block: an import reads the real resource, which an offline plan cannot, so those resources show as creates)",
      "ses-guard plan: 3 stacks planned offline; cdktf.out is unchanged",
    ]);
    expect(r.code).toBe(0);
    const cache = path.join(dir, "node_modules", ".cache", "ses-guard", "terraform-plugins");
    const calls = tfBin.log();
    expect(calls[0]).toMatch(/^\S+ version /);
    // Inits in stack order; the planning ones may interleave.
    expect(calls.filter((c) => / init /.test(c))).toEqual([
      `a-stack init key=AKIAIOSFODNN7EXAMPLE profile= cache=${cache} lock=`,
      `b-stack init key=AKIAIOSFODNN7EXAMPLE profile= cache=${cache} lock=own-lock`,
      `c-stack init key=AKIAIOSFODNN7EXAMPLE profile= cache=${cache} lock=lock-from-a-stack`,
    ]);
    expect(calls.filter((c) => / plan /.test(c))).toHaveLength(3);
    expect(fs.readdirSync(path.join(dir, "node_modules", ".cache", "ses-guard", "terraform-locks"))).toHaveLength(1);
    expect(filesUnder(path.join(dir, "cdktf.out"))).toEqual(before);
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("ses-guard-plan-") && fs.existsSync(path.join(os.tmpdir(), f, "a-stack")))).toEqual([]);
  });

  test("--stack plans only those; --verbose prints terraform's plan before each summary", async () => {
    const tfBin = fakeTerraform();
    stackDir("a-stack", slackLike());
    stackDir("b-stack", slackLike());
    const r = await plan(["--offline", "--stack", "b-stack", "--verbose"], {}, tfBin.bin);
    expect(r.out).toEqual([
      "    # aws_sns_topic.t will be created\n  Plan: 1 to add, 0 to change, 0 to destroy.",
      "ses-guard plan: b-stack: Plan: 1 to add, 0 to change, 0 to destroy. (from an empty state: no local state yet)",
      "ses-guard plan: 1 stack planned offline; cdktf.out is unchanged",
    ]);
    expect(tfBin.log().some((c) => c.startsWith("a-stack"))).toBe(false);
  });

  test("a failed init or plan: the stack, the step and terraform's message; the others still planned; exit 1", async () => {
    const tfBin = fakeTerraform();
    for (const s of ["a-stack", "b-stack", "c-stack"]) stackDir(s, slackLike());
    const r = await plan(["--offline"], { FAIL_INIT: "a-stack", FAIL_PLAN: "c-stack" }, tfBin.bin);
    expect(r.err).toEqual([
      "ses-guard plan: error: a-stack: terraform init failed (exit 1) (from an empty state: no local state yet):",
      "  Error: init broke",
      "ses-guard plan: error: c-stack: terraform plan failed (exit 1) (from an empty state: no local state yet):",
      "  Error: plan broke",
      "ses-guard plan: error: 2 of 3 stacks did not plan offline: a-stack, c-stack",
    ]);
    expect(r.out).toEqual(["ses-guard plan: b-stack: Plan: 1 to add, 0 to change, 0 to destroy. (from an empty state: no local state yet)"]);
    expect(r.code).toBe(1);
  });

  test.each([
    [
      "no output folder",
      [],
      'ses-guard plan: error: --out: got "cdktf.out", which holds no synthesized stack (stacks/<stack>/cdk.tf.json); allowed: a synth\'s output folder (run npm run synth first)',
    ],
    ["a stack it does not hold", ["--stack", "nope"], 'ses-guard plan: error: --stack: got "nope"; allowed: a stack in cdktf.out: a-stack'],
    [
      "terraform missing",
      ["--bin", "/nonexistent/terraform"],
      "ses-guard plan: error: terraform: not found on PATH; allowed: terraform on PATH, of a version the stacks' required_version accepts (https://developer.hashicorp.com/terraform/install)",
    ],
  ])("exit 2, one line: %s", async (name, argv, line) => {
    if (name !== "no output folder") stackDir("a-stack", slackLike());
    const bin = argv[0] === "--bin" ? argv[1] : fakeTerraform().bin;
    const r = await plan(["--offline", ...(argv[0] === "--bin" ? [] : argv)], {}, bin);
    expect(r).toEqual({ code: 2, out: [], err: [line] });
  });
});
