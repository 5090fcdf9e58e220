// Proves the offline Terraform harness works on a tiny hand-written root module.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  copyStackToTemp,
  describeTerraform,
  detectTerraform,
  initValidateTogether,
  sharedDir,
  terraform,
  tf,
} from "./support/terraform";

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

  it("validates stacks together, a stack with import blocks as the root, and throws with terraform's diagnostics", async () => {
    const withImport = { ...rootModule(), import: [{ to: "aws_sns_topic.alarms", id: "arn:aws:sns:eu-west-1:123456789012:x" }] };
    const child = rootModule({ topicArgs: { no_such_argument: true } });
    delete (child as { variable?: unknown }).variable;
    child.resource.aws_sns_topic.alarms.name = "fixed";
    const error = await initValidateTogether({ child: stackWith(child) }, true, false, undefined, stackWith(withImport)).then(
      () => new Error("validate passed"),
      (e: Error) => e,
    );
    expect(error.message).toMatch(/^terraform validate failed in \S+combined-\S+\nerror: Extraneous JSON object property \(child\/cdk\.tf\.json:1\)\n.*no_such_argument/);
    // The root is the stack with the import block, its backend replaced and the child called beside its own resources.
    const root = /^terraform validate failed in (\S+)/.exec(error.message)![1];
    expect(path.dirname(root)).toBe(sharedDir());
    const main = JSON.parse(fs.readFileSync(path.join(root, "main.tf.json"), "utf8"));
    expect(main.import).toEqual(withImport.import);
    expect(Object.keys(main.resource.aws_sns_topic)).toEqual(["alarms"]);
    expect(main.module).toEqual({ child: { source: "./child", providers: { aws: "aws.p0" } } });
    expect(main.terraform.backend).toEqual({ local: { path: expect.stringMatching(/harness\.tfstate$/) } });
  });
});
