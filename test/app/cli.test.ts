// The command line: config discovery, bad input (one clear line, non-zero exit, nothing written), determinism.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, MAX_CONFIG_BYTES, synthesize } from "../../modules/app/cli";
import { parseConfig, SesGuardConfig } from "../../modules/app/config";
import { filesUnder } from "../support/files";

const root = path.join(__dirname, "..", "..");
const minimal = JSON.parse(fs.readFileSync(path.join(root, "examples", "minimal.json"), "utf8"));
delete minimal.$schema;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-cli-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, env, dir, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n"), errLines: err };
}

function writeConfig(value: unknown, name = "config.json"): string {
  fs.writeFileSync(path.join(dir, name), typeof value === "string" ? value : JSON.stringify(value));
  return name;
}

const stackJson = (out = "cdktf.out", stack = "ses-guard-us-east-1") =>
  JSON.parse(fs.readFileSync(path.join(dir, out, "stacks", stack, "cdk.tf.json"), "utf8"));

describe("config discovery", () => {
  test("without a config file it synthesizes the embedded example and says so", () => {
    const r = run([]);
    expect(r.code).toBe(0);
    expect(r.err).toContain("embedded example");
    const json = stackJson();
    expect(Object.keys(json.resource.aws_ses_identity_notification_topic.notifications_identities.for_each)).toContain("example.com/Bounce");
  });

  test("ses-guard.json in the working directory is used", () => {
    writeConfig({ ...minimal, name: "from-cwd" }, "ses-guard.json");
    const r = run([]);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain("embedded example");
    expect(stackJson("cdktf.out", "from-cwd-us-east-1").resource.aws_sns_topic.alarms_topic.name).toBe("from-cwd-alarms");
  });

  test("SES_GUARD_CONFIG names another file, and --config wins over it", () => {
    writeConfig({ ...minimal, name: "from-env" }, "env.json");
    writeConfig({ ...minimal, name: "from-flag" }, "flag.json");
    expect(run([], { SES_GUARD_CONFIG: "env.json" }).code).toBe(0);
    expect(fs.existsSync(path.join(dir, "cdktf.out", "stacks", "from-env-us-east-1"))).toBe(true);
    expect(run(["--config", "flag.json", "--out", "o2"], { SES_GUARD_CONFIG: "env.json" }).code).toBe(0);
    expect(fs.readdirSync(path.join(dir, "o2", "stacks"))).toEqual(["from-flag-us-east-1"]);
  });

  test("CDKTF_OUTDIR (set by cdktf synth) chooses the output folder; --out wins", () => {
    writeConfig(minimal);
    expect(run(["-c", "config.json"], { CDKTF_OUTDIR: path.join(dir, "via-env") }).code).toBe(0);
    expect(fs.existsSync(path.join(dir, "via-env", "manifest.json"))).toBe(true);
    expect(run(["-c", "config.json", "--out=via-flag"], { CDKTF_OUTDIR: path.join(dir, "via-env2") }).code).toBe(0);
    expect(fs.existsSync(path.join(dir, "via-flag", "manifest.json"))).toBe(true);
    expect(fs.existsSync(path.join(dir, "via-env2"))).toBe(false);
  });

  test("the local state file lives beside the project, outside the regenerated output", () => {
    writeConfig(minimal);
    expect(run(["--config", "config.json"]).code).toBe(0);
    const statePath = stackJson().terraform.backend.local.path;
    expect(statePath).toBe("../../../terraform.ses-guard-us-east-1.tfstate");
    expect(path.resolve(dir, "cdktf.out", "stacks", "ses-guard-us-east-1", statePath)).toBe(path.join(dir, "terraform.ses-guard-us-east-1.tfstate"));
  });

  test("--help prints usage and writes nothing", () => {
    const r = run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("--config FILE");
    expect(fs.existsSync(path.join(dir, "cdktf.out"))).toBe(false);
  });
});

test("two synths of the same config are byte-identical", () => {
  writeConfig(JSON.parse(fs.readFileSync(path.join(root, "examples", "full.json"), "utf8")));
  expect(run(["--config", "config.json", "--out", "a"]).code).toBe(0);
  expect(run(["--config", "config.json", "--out", "b"]).code).toBe(0);
  const a = filesUnder(path.join(dir, "a"));
  expect(Object.keys(a).length).toBeGreaterThanOrEqual(2);
  expect(filesUnder(path.join(dir, "b"))).toEqual(a);
});

test("a level above the AWS review threshold is accepted with a warning naming it", () => {
  writeConfig({ ...minimal, alarms: { ...minimal.alarms, bounceRatePercent: { warning: 4, critical: 7 } } });
  const r = run(["--config", "config.json"]);
  expect(r.code).toBe(0);
  expect(r.err).toMatch(/warning: alarms\.bounceRatePercent\.critical is 7 %, above the 5 %/);
  expect(stackJson().resource.aws_cloudwatch_metric_alarm.alarms_bounce_rate_critical.threshold).toBe(0.07);
});

describe("bad input: one clear line, non-zero exit, previous output intact", () => {
  const withMinimal = (patch: (c: any) => void) => {
    const c = structuredClone(minimal);
    patch(c);
    return c;
  };
  const cases: Array<[string, string | object, RegExp]> = [
    ["malformed JSON", '{ "accountId": "123456789012",\n  "alarms": { ', /config\.json: not valid JSON at line 2, column \d+/],
    ["not an object", "[1, 2]", /\(top level\): got \[1,2\]; allowed: a value of type object/],
    ["unknown key", withMinimal((c) => (c.alarm = {})), /unknown key "alarm"; allowed keys: .*alarms/],
    ["wrong type", withMinimal((c) => (c.alarms.periodSeconds = "900")), /alarms\.periodSeconds: got "900"; allowed: a value of type number/],
    [
      "invalid e-mail",
      withMinimal((c) => (c.alarms.emails = ["ops @example.com"])),
      /alarms\.emails\[0\]: got "ops @example\.com"; allowed: an e-mail address/,
    ],
    [
      "identity neither domain nor address",
      withMinimal((c) => (c.notifications.identities = ["not a domain"])),
      /notifications\.identities\[0\]: got "not a domain"; allowed: an SES identity/,
    ],
    [
      "invalid bucket name",
      withMinimal((c) => (c.archive = { bucketName: "My.Bucket" })),
      /archive\.bucketName: got "My\.Bucket"; allowed: an S3 bucket name: lower-case/,
    ],
    [
      "threshold out of range",
      withMinimal((c) => (c.alarms.bounceRatePercent = { critical: 100 })),
      /alarms\.bounceRatePercent\.critical: got 100; allowed: a percentage greater than 0 and less than 100/,
    ],
    [
      "warning not below critical",
      withMinimal((c) => (c.alarms.complaintRatePercent = { warning: 0.1, critical: 0.1 })),
      /alarms\.complaintRatePercent\.warning: got 0\.1; allowed: a warning level below the critical level/,
    ],
    [
      "lifecycle S3 would reject",
      withMinimal((c) => (c.archive = { lifecycle: { transitions: [{ days: 10, storageClass: "STANDARD_IA" }] } })),
      /archive\.lifecycle\.transitions\[0\]\.days: got 10; allowed: at least 30 days for STANDARD_IA/,
    ],
    [
      "unknown event type",
      withMinimal((c) => (c.archive = { eventTypes: ["BOUNCE", "OPENED"] })),
      /archive\.eventTypes\[1\]: got "OPENED"; allowed: one of "SEND", "REJECT"/,
    ],
    ["missing account ID", withMinimal((c) => delete c.accountId), /accountId: got nothing; allowed: a value \(required\) of type string/],
    [
      "import ID of the wrong shape",
      withMinimal((c) => (c.adopt = { "us-east-1": { alarmTopic: "ses-guard-alarms" } })),
      /adopt\.us-east-1\.alarmTopic: got "ses-guard-alarms"; allowed: an SNS topic ARN/,
    ],
    ["region SES does not serve", withMinimal((c) => (c.regions = ["us-east-7"])), /regions\[0\]: got "us-east-7"; allowed: one of "us-east-1"/],
  ];

  test.each(cases)("%s", (_name, content, message) => {
    writeConfig(minimal, "good.json");
    expect(run(["--config", "good.json"]).code).toBe(0);
    const before = filesUnder(path.join(dir, "cdktf.out"));

    writeConfig(content);
    const r = run(["--config", "config.json"]);
    expect(r.code).toBe(1);
    expect(r.errLines).toHaveLength(1);
    expect(r.err).toMatch(/^ses-guard: error: /);
    expect(r.err).toMatch(message);
    expect(filesUnder(path.join(dir, "cdktf.out"))).toEqual(before);
    // good.json's synth recorded its stacks; the refused one records nothing.
    expect(fs.readdirSync(dir).sort()).toEqual(["cdktf.out", "config.json", "good.json", "good.stacks.json"]);
  });

  test("a missing config file names the path", () => {
    const r = run(["--config", "nope.json"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nope\.json: config file not found/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test("a file larger than the limit is refused before parsing", () => {
    writeConfig(" ".repeat(MAX_CONFIG_BYTES + 1));
    const r = run(["--config", "config.json"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`${MAX_CONFIG_BYTES + 1} bytes; allowed: a config file of at most ${MAX_CONFIG_BYTES} bytes`));
  });

  test.each([
    [["--verbose"], /unknown argument "--verbose"; allowed: --config FILE, --out DIR, --forget-stack STACK, --forget-bucket STACK, --help/],
    [["--forget-stack"], /--forget-stack: got no value; allowed: a stack name, such as ses-guard-eu-west-1/],
    [["--config"], /--config: got no value; allowed: a file path/],
    [["--out", "--config", "x.json"], /--out: got no value; allowed: a directory path/],
  ])("CLI flags %j exit 2 with a usage message", (argv, message) => {
    const r = run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe("the built command (npm run synth path)", () => {
  beforeAll(() => {
    // Rebuilt only if a source changed since the bundle (npm test builds it before jest starts).
    const app = require("../../scripts/synth") as { stale(): boolean; build(): void };
    if (app.stale()) app.build();
  });

  test("bad config: exit 1, one line per problem on stderr, no stack trace", () => {
    writeConfig(JSON.stringify({ accountId: "12345" }));
    const r = spawnSync(process.execPath, [path.join(root, "dist", "main.js"), "--config", "config.json"], { cwd: dir, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ses-guard: error: config\.json: accountId: got "12345"; allowed: a 12-digit AWS account ID/);
    expect(lines[1]).toBe("ses-guard: error: config.json: alarms: got nothing; allowed: a value (required) of type object");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test("the bundled command writes the same bytes as the library", () => {
    writeConfig(minimal);
    const r = spawnSync(process.execPath, [path.join(root, "dist", "main.js"), "--config", "config.json", "--out", "bundled"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(run(["--config", "config.json", "--out", "library"]).code).toBe(0);
    expect(filesUnder(path.join(dir, "bundled"))).toEqual(filesUnder(path.join(dir, "library")));
  });
});

describe("the output folder is replaced whole, so only a synth's own folder may be", () => {
  test.each([
    ["a file", () => fs.writeFileSync(path.join(dir, "out"), "keep me"), "which exists and is not a folder"],
    [
      "a folder of other things",
      () => {
        fs.mkdirSync(path.join(dir, "out"));
        fs.writeFileSync(path.join(dir, "out", "notes.txt"), "keep me");
      },
      "which exists and is a folder that no synth wrote",
    ],
  ])("--out naming %s is refused and left untouched", (_what, make, message) => {
    make();
    const before = fs.statSync(path.join(dir, "out")).isDirectory() ? filesUnder(path.join(dir, "out")) : fs.readFileSync(path.join(dir, "out"), "utf8");
    const r = run(["--out", "out"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`output folder: got "out", ${message}`);
    const after = fs.statSync(path.join(dir, "out")).isDirectory() ? filesUnder(path.join(dir, "out")) : fs.readFileSync(path.join(dir, "out"), "utf8");
    expect(after).toEqual(before);
  });

  test("a character device such as /dev/null is refused, not replaced", () => {
    const r = run(["--out", "/dev/null"]);
    expect(r.code).toBe(2);
    expect(fs.statSync("/dev/null").isCharacterDevice()).toBe(true);
  });

  test("an empty folder and a previous synth's folder are fine", () => {
    fs.mkdirSync(path.join(dir, "empty"));
    expect(run(["--out", "empty"]).code).toBe(0);
    expect(run(["--out", "empty"]).code).toBe(0);
    expect(fs.existsSync(path.join(dir, "empty", "manifest.json"))).toBe(true);
  });
});

describe("file encodings", () => {
  test("a UTF-8 byte-order mark (as Notepad writes) is accepted", () => {
    fs.writeFileSync(path.join(dir, "config.json"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(minimal))]));
    expect(run(["--config", "config.json"]).code).toBe(0);
  });

  test("a file that is not UTF-8 is named as such, on one line", () => {
    fs.writeFileSync(path.join(dir, "config.json"), Buffer.from('{"accountId": "12345678901\xe9"}', "latin1"));
    const r = run(["--config", "config.json"]);
    expect(r.code).toBe(1);
    expect(r.errLines).toEqual(["ses-guard: error: config.json: not UTF-8 text; allowed: a JSON file saved as UTF-8"]);
  });
});

/** Outputs synthesized once per config and copied into each test's folder: a synth costs about half a second. */
const templates = new Map<string, string>();
afterAll(() => {
  for (const t of templates.values()) fs.rmSync(t, { recursive: true, force: true });
});
function previousOutput(config: object): void {
  const key = JSON.stringify(config);
  if (!templates.has(key)) {
    const t = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-cli-template-"));
    fs.writeFileSync(path.join(t, "config.json"), key);
    expect(main(["--config", "config.json"], {}, t, { out: () => undefined, err: () => undefined })).toBe(0);
    templates.set(key, t);
  }
  fs.cpSync(path.join(templates.get(key)!, "cdktf.out"), path.join(dir, "cdktf.out"), { recursive: true });
}

describe("terraform's working files survive a re-synth", () => {
  const stackDir = (stack = "ses-guard-us-east-1") => path.join(dir, "cdktf.out", "stacks", stack);
  /** What `terraform init` and a user leave in a stack folder. */
  const working = {
    ".terraform/providers/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws": "binary",
    ".terraform/terraform.tfstate": '{"backend":{"type":"local"}}',
    ".terraform.lock.hcl": 'provider "registry.terraform.io/hashicorp/aws" {}',
    "offline_override.tf.json": '{"provider":{"aws":{"skip_credentials_validation":true}}}',
    "override.tf": "# mine",
    "terraform.tfstate.d/staging/terraform.tfstate": '{"resources":[]}',
  };
  /** The working files, and two that are not terraform's (a saved plan is stale after a synth). */
  const putWorkingFiles = () => {
    for (const [file, content] of Object.entries({ ...working, plan: "stale plan", "notes.txt": "not terraform's" })) {
      fs.mkdirSync(path.dirname(path.join(stackDir(), file)), { recursive: true });
      fs.writeFileSync(path.join(stackDir(), file), content);
    }
  };
  const kept = () => Object.fromEntries(Object.entries(filesUnder(stackDir())).filter(([f]) => f !== "cdk.tf.json"));

  test("the lock file, .terraform/, override files and workspaces move into the new output; nothing else does", () => {
    previousOutput(minimal);
    putWorkingFiles();
    writeConfig({ ...minimal, alarms: { ...minimal.alarms, bounceRatePercent: { warning: 3, critical: 5 } } });
    expect(run(["--config", "config.json"]).code).toBe(0);
    expect(kept()).toEqual(working);
    expect(stackJson().resource.aws_cloudwatch_metric_alarm.alarms_bounce_rate_warning.threshold).toBe(0.03);
  });

  test("a synth that fails while building leaves the old output and its working files as they were", () => {
    previousOutput(minimal);
    putWorkingFiles();
    const before = filesUnder(path.join(dir, "cdktf.out"));
    const broken = { ...parseConfig(minimal, "config.json"), alarms: undefined } as unknown as SesGuardConfig;
    expect(() => synthesize(broken, path.join(dir, "cdktf.out"), dir)).toThrow();
    expect(filesUnder(path.join(dir, "cdktf.out"))).toEqual(before);
    expect(fs.readdirSync(dir)).toEqual(["cdktf.out"]);
  });

  test("a folder holding only committed lock files (a fresh clone) is a synth's output, and its lock files are kept", () => {
    fs.mkdirSync(stackDir(), { recursive: true });
    fs.writeFileSync(path.join(stackDir(), ".terraform.lock.hcl"), working[".terraform.lock.hcl"]);
    writeConfig(minimal);
    expect(run(["--config", "config.json"]).code).toBe(0);
    expect(fs.readFileSync(path.join(stackDir(), ".terraform.lock.hcl"), "utf8")).toBe(working[".terraform.lock.hcl"]);
    expect(fs.existsSync(path.join(dir, "cdktf.out", "manifest.json"))).toBe(true);
    // Anything else in such a folder still makes it not a synth's.
    fs.rmSync(path.join(dir, "cdktf.out", "manifest.json"));
    fs.writeFileSync(path.join(stackDir(), "main.tf"), "# mine");
    expect(run(["--config", "config.json"]).code).toBe(2);
  });
});

describe("a stack the config drops (a region removed) is not dropped while its state still manages resources", () => {
  const twoRegions = { ...minimal, regions: ["us-east-1", "eu-west-1"] };
  const euStack = path.join("cdktf.out", "stacks", "ses-guard-eu-west-1");
  const euState = "terraform.ses-guard-eu-west-1.tfstate";
  const state = (...resources: object[]) => JSON.stringify({ version: 4, terraform_version: "1.11.4", serial: 3, lineage: "x", outputs: {}, resources });
  const managed = (type: string, instances = 1) => ({
    mode: "managed",
    type,
    name: "x",
    provider: 'provider["registry.terraform.io/hashicorp/aws"]',
    instances: Array.from({ length: instances }, () => ({ attributes: {} })),
  });

  /** A previous synth of both regions, eu-west-1's state (if any), and a config without eu-west-1; returns the output's files. */
  function dropEuWithState(content: string | undefined, extra: object = {}) {
    previousOutput({ ...twoRegions, ...extra });
    if (content !== undefined) fs.writeFileSync(path.join(dir, euState), content);
    writeConfig({ ...minimal, ...extra });
    return filesUnder(path.join(dir, "cdktf.out"));
  }

  test("local state with resources: exit 1, one line naming the stack and both ways out, nothing written", () => {
    const before = dropEuWithState(
      state(managed("aws_sns_topic", 2), managed("aws_s3_bucket"), { mode: "data", type: "aws_caller_identity", name: "me", instances: [{}] }),
    );
    const r = run(["--config", "config.json"]);
    expect(r.code).toBe(1);
    expect(r.errLines).toEqual([
      `ses-guard: error: config.json: regions: stack "ses-guard-eu-west-1" is no longer synthesized, but its state still manages resources: ${euState} (3 resources); removing its folder would leave them in AWS, managed by nobody; allowed: destroy them first (cd ${euStack} && terraform destroy), or drop the stack anyway with --forget-stack ses-guard-eu-west-1`,
    ]);
    expect(filesUnder(path.join(dir, "cdktf.out"))).toEqual(before);
    expect(fs.readdirSync(dir).sort()).toEqual(["cdktf.out", "config.json", euState]);
  });

  test("a changed name drops every stack: the message names that field; a state that is not JSON stops the synth too", () => {
    dropEuWithState("not a state");
    writeConfig({ ...twoRegions, name: "mail" });
    const r = run(["--config", "config.json"]);
    expect(r.code).toBe(1);
    expect(r.errLines).toEqual([expect.stringMatching(/^ses-guard: error: config\.json: name: stack "ses-guard-eu-west-1" is no longer synthesized, but /)]);
    expect(r.err).toContain(`${euState} (which cannot be read as a Terraform state)`);
  });

  test("--forget-stack drops it with a warning; the state file is kept", () => {
    const content = state(managed("aws_sns_topic"));
    dropEuWithState(content);
    const r = run(["--config", "config.json", "--forget-stack", "ses-guard-eu-west-1", "--forget-stack=typo-us-east-2"]);
    expect(r.code).toBe(0);
    expect(r.errLines).toEqual([
      `ses-guard: warning: stack "ses-guard-eu-west-1" is no longer synthesized and --forget-stack drops it: what its state ${euState} (1 resource) manages stays in AWS, managed by nobody; the state file is kept`,
      "ses-guard: warning: --forget-stack typo-us-east-2: not a stack this synth drops; ignored",
    ]);
    expect(fs.readdirSync(path.join(dir, "cdktf.out", "stacks"))).toEqual(["ses-guard-us-east-1"]);
    expect(fs.readFileSync(path.join(dir, euState), "utf8")).toBe(content);
  });

  test("a state emptied by terraform destroy (or none): the folder goes quietly", () => {
    dropEuWithState(state());
    expect(run(["--config", "config.json"])).toMatchObject({ code: 0, err: "" });
    expect(fs.readdirSync(path.join(dir, "cdktf.out", "stacks"))).toEqual(["ses-guard-us-east-1"]);
  });

  test("a remote backend cannot be read here: the synth stops unless --forget-stack confirms the drop", () => {
    const s3 = { backend: { type: "s3", bucket: "acme-tfstate", key: "ses-guard/{stack}.tfstate", region: "us-east-1" } };
    const before = dropEuWithState(undefined, s3);
    const r = run(["--config", "config.json"]);
    expect(r.code).toBe(1);
    expect(r.errLines).toEqual([
      `ses-guard: error: config.json: regions: stack "ses-guard-eu-west-1" is no longer synthesized, and its state is in the s3 backend, which ses-guard cannot read: resources it still manages would stay in AWS, managed by nobody; allowed: decommission it first (README: Removing a region), then drop it with --forget-stack ses-guard-eu-west-1`,
    ]);
    expect(filesUnder(path.join(dir, "cdktf.out"))).toEqual(before);

    const forgotten = run(["--config", "config.json", "--forget-stack", "ses-guard-eu-west-1"]);
    expect(forgotten.code).toBe(0);
    expect(forgotten.errLines).toEqual([
      `ses-guard: warning: stack "ses-guard-eu-west-1" is no longer synthesized and --forget-stack drops it: whatever its state in the s3 backend still manages stays in AWS, managed by nobody`,
    ]);
    expect(fs.readdirSync(path.join(dir, "cdktf.out", "stacks"))).toEqual(["ses-guard-us-east-1"]);
  });
});
