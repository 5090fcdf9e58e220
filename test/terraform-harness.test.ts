// Proves the offline Terraform harness works on a tiny hand-written root module.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { copyStackToTemp, describeTerraform, detectTerraform, terraform, tf } from "./support/terraform";
import { initValidateTogether, relocateResources, StateResource, writeCombinedRoot } from "./support/combined-root";

jest.setTimeout(300_000);

const AWS_VERSION = "5.100.0";

/** A cdktf-like root module: pinned aws provider, offline-safe provider block, one topic, one output. */
function rootModule(extra: { backend?: unknown; topicArgs?: Record<string, unknown> } = {}) {
  return {
    terraform: {
      required_providers: { aws: { source: "hashicorp/aws", version: AWS_VERSION } },
      ...(extra.backend ? { backend: extra.backend } : {}),
    },
    provider: {
      aws: [
        {
          region: "eu-west-1",
          access_key: "AKIAIOSFODNN7EXAMPLE",
          secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
          skip_region_validation: true,
        },
      ],
    },
    variable: { topic_name: { type: "string" } },
    resource: {
      aws_sns_topic: { alarms: { name: "${var.topic_name}", ...extra.topicArgs } },
    },
    output: { topic_name: { value: "${aws_sns_topic.alarms.name}" } },
  };
}

/** Writes a module as a fake synthesized stack dir, then copies it the way tests of real stacks will. */
function stackWith(module: object): string {
  const stackDir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-harness-src-"));
  fs.writeFileSync(path.join(stackDir, "cdk.tf.json"), JSON.stringify(module, null, 2));
  fs.mkdirSync(path.join(stackDir, ".terraform")); // stale working state must not be copied
  const dir = copyStackToTemp(stackDir);
  fs.rmSync(stackDir, { recursive: true, force: true });
  return dir;
}

describe("detectTerraform", () => {
  it("reports a wrong SES_GUARD_TF_MIRROR instead of searching elsewhere", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-empty-mirror-"));
    try {
      const info = detectTerraform({ ...process.env, SES_GUARD_TF_MIRROR: empty });
      expect(info.available).toBe(false);
      expect(info.reason).toMatch(/SES_GUARD_TF_MIRROR|terraform was not found/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it("reports a missing terraform binary", () => {
    const info = detectTerraform({ ...process.env, PATH: "" });
    expect(info).toEqual({ available: false, reason: "terraform was not found on PATH" });
  });
});

describe("the root that stacks are planned together in (no terraform run)", () => {
  const stack = (region: string, extra: object = {}) => ({
    terraform: { required_providers: { aws: { source: "aws", version: AWS_VERSION } }, backend: { s3: { bucket: "b", key: "k", region } } },
    provider: { aws: [{ region, default_tags: [{ tags: { team: "mail" } }] }] },
    resource: { aws_sns_topic: { alarms: { name: `alarms-${region}` } } },
    ...extra,
  });
  const read = (root: string, file: string) => JSON.parse(fs.readFileSync(path.join(root, file), "utf8"));

  it("moves each stack's provider block to the root, one configuration per distinct block, with the offline switches", () => {
    const providerOf = new Map<string, string>();
    const root = writeCombinedRoot({ a: stackWith(stack("eu-west-1")), b: stackWith(stack("us-east-1")), c: stackWith(stack("eu-west-1")) }, { providerOf });
    const main = read(root, "main.tf.json");
    expect(main.module).toEqual({
      a: { source: "./a", providers: { aws: "aws.p0" } },
      b: { source: "./b", providers: { aws: "aws.p1" } },
      c: { source: "./c", providers: { aws: "aws.p0" } },
    });
    expect(main.provider.aws.map((p: { alias: string; region: string }) => [p.alias, p.region])).toEqual([
      ["p0", "eu-west-1"],
      ["p1", "us-east-1"],
    ]);
    expect(main.provider.aws[0]).toMatchObject({
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      default_tags: [{ tags: { team: "mail" } }],
    });
    expect([...providerOf]).toEqual([
      ["a", "p0"],
      ["b", "p1"],
      ["c", "p0"],
    ]);
    // Each child keeps its resources and its provider requirement, and loses its provider block and backend.
    const a = read(root, "a/cdk.tf.json");
    expect(a.provider).toBeUndefined();
    expect(a.terraform).toEqual({ required_providers: { aws: { source: "aws", version: AWS_VERSION } } });
    expect(a.resource).toEqual(stack("eu-west-1").resource);
    expect(main.terraform.backend).toEqual({ local: { path: path.join(root, "harness.tfstate") } });
  });

  it("moves aliased blocks to the root too, which the child then declares, and relocates a stack's state onto them", () => {
    const chat = { alias: "chatbot", region: "us-east-2" };
    const withChat = (region: string) => ({ ...stack(region), provider: { aws: [{ region }, chat] } });
    const providers = new Map<string, Record<string, string>>();
    const root = writeCombinedRoot(
      { a: stackWith(withChat("us-east-1")), b: stackWith(withChat("eu-west-1")) },
      { providers, providerSettings: (name) => ({ tag: name === "a" ? "x" : "y" }) },
    );
    const main = read(root, "main.tf.json");
    // The settings are part of what makes a block distinct: a's and b's chat blocks stay apart.
    expect(main.provider.aws.map((p: { alias: string; region: string; tag: string }) => [p.alias, p.region, p.tag])).toEqual([
      ["p0", "us-east-1", "x"],
      ["p1", "us-east-2", "x"],
      ["p2", "eu-west-1", "y"],
      ["p3", "us-east-2", "y"],
    ]);
    expect(main.module.b.providers).toEqual({ aws: "aws.p2", "aws.chatbot": "aws.p3" });
    expect(read(root, "b/cdk.tf.json").terraform.required_providers.aws.configuration_aliases).toEqual(["aws.chatbot"]);
    const state: StateResource[] = [
      { mode: "managed", type: "aws_sns_topic", name: "t", provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [] },
      {
        mode: "managed",
        type: "aws_chatbot_slack_channel_configuration",
        name: "c",
        provider: 'provider["registry.terraform.io/hashicorp/aws"].chatbot',
        instances: [],
      },
    ];
    expect(relocateResources(state, "b", providers.get("b")).map((r) => [r.module, r.provider])).toEqual([
      ["module.b", 'provider["registry.terraform.io/hashicorp/aws"].p2'],
      ["module.b", 'provider["registry.terraform.io/hashicorp/aws"].p3'],
    ]);
  });

  it("keeps the import blocks of the stack that is the root, and refuses them in a child unless told to drop them", () => {
    const imports = { import: [{ to: "aws_sns_topic.alarms", id: "arn:aws:sns:eu-west-1:123456789012:x" }] };
    const main = read(writeCombinedRoot({ b: stackWith(stack("us-east-1")) }, { rootStack: stackWith(stack("eu-west-1", imports)) }), "main.tf.json");
    expect(main.import).toEqual(imports.import);
    expect(main.resource).toEqual(stack("eu-west-1").resource);
    expect(main.provider.aws.map((p: { alias?: string; region: string }) => [p.alias, p.region])).toEqual([
      [undefined, "eu-west-1"],
      ["p0", "us-east-1"],
    ]);
    expect(main.provider.aws[0].skip_credentials_validation).toBe(true);
    const withImports = stackWith(stack("us-east-1", imports));
    expect(() => writeCombinedRoot({ b: withImports })).toThrow(/has import blocks, which only a root module may hold/);
    expect(read(writeCombinedRoot({ b: withImports }, { dropImports: true }), "b/cdk.tf.json").import).toBeUndefined();
  });
});

describeTerraform("terraform harness (offline, real terraform)", () => {
  // Real plans through this harness are the integration suites' job (every example, the review scenarios);
  // here only what they do not show: init links the mirror instead of copying it, failures carry diagnostics.
  let dir: string;

  beforeAll(async () => {
    // A backend that needs AWS does not stop init -backend=false (validate is what the test below runs).
    dir = stackWith(rootModule({ backend: { s3: { bucket: "not-reachable", key: "state", region: "eu-west-1" } } }));
    const init = await terraform(dir, ["init", "-backend=false", "-input=false", "-no-color"]);
    if (init.code !== 0) throw new Error(init.stderr);
  });

  it("found terraform and an aws mirror with the pinned version", () => {
    expect(tf.mirrorDir).toBeDefined();
    expect(tf.awsVersions).toContain(AWS_VERSION);
  });

  it("init -backend=false links the provider from the mirror (no 700 MB copy) and locks it", () => {
    expect(fs.existsSync(path.join(dir, "cdk.tf.json"))).toBe(true);
    const providerDir = path.join(dir, ".terraform/providers/registry.terraform.io/hashicorp/aws", AWS_VERSION, tf.platform ?? "");
    expect(fs.lstatSync(providerDir).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, ".terraform.lock.hcl"), "utf8")).toMatch(/h1:/);
  });

  it("returns non-zero exit codes instead of throwing", async () => {
    const res = await terraform(dir, ["not-a-command"]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).not.toMatch(/Unable to open CLI configuration file/);
  });

  it("validates stacks together, a stack as the root, and throws with terraform's diagnostics", async () => {
    // terraform_data needs no provider, so this costs no provider start.
    const child = { resource: { terraform_data: { x: { input: "a", no_such_argument: true } } } };
    const own = { resource: { terraform_data: { y: { input: "b" } } } };
    const error = await initValidateTogether({ child: stackWith(child) }, { rootStack: stackWith(own) }).then(
      () => new Error("validate passed"),
      (e: Error) => e,
    );
    expect(error.message).toMatch(
      /^terraform validate failed in \S+combined-\S+\nerror: Extraneous JSON object property \(child\/cdk\.tf\.json:1\)\n.*no_such_argument/,
    );
    const root = /^terraform validate failed in (\S+)/.exec(error.message)![1];
    expect(JSON.parse(fs.readFileSync(path.join(root, "main.tf.json"), "utf8")).resource).toEqual(own.resource);
  });
});
