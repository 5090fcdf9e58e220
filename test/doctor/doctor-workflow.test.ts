// The scheduled GitHub Actions example for the doctor: it parses, runs on a schedule with OIDC and
// read-only permissions, and its step script, run here with a stand-in `npm`, writes the summary
// and passes the doctor's exit status on.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { CheckResult } from "../../modules/doctor/checks";
import { CannotCheckError } from "../../modules/doctor/errors";
import { cannotCheckJson, jsonReport } from "../../modules/doctor/report";

const file = path.join(__dirname, "..", "..", "examples", "github-actions", "ses-guard-doctor.yml");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: { schedule?: { cron: string }[]; workflow_dispatch?: unknown };
  permissions: Record<string, string>;
  jobs: Record<string, { "runs-on": string; steps: Step[] }>;
}
const workflow = parseYaml(fs.readFileSync(file, "utf8")) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
const doctorStep = steps.find((s) => s.run?.includes("npm run --silent doctor"))!;

test("runs on a schedule and on demand, with OIDC and read-only repository access", () => {
  expect(workflow.on.schedule?.[0].cron).toMatch(/^(\S+\s+){4}\S+$/);
  expect(Object.keys(workflow.on)).toContain("workflow_dispatch");
  expect(workflow.permissions).toEqual({ contents: "read", "id-token": "write" });
});

test("uses only real, current actions, pinned to a major version, and assumes the doctor's role", () => {
  const uses = steps.map((s) => s.uses).filter((u): u is string => !!u);
  expect(uses).toEqual(["actions/checkout@v4", "actions/setup-node@v4", "aws-actions/configure-aws-credentials@v4"]);
  expect(steps.find((s) => s.uses?.startsWith("aws-actions/"))?.with?.["role-to-assume"]).toBe("${{ vars.SES_GUARD_DOCTOR_ROLE_ARN }}");
  expect(steps.some((s) => s.run?.trim() === "npm ci")).toBe(true);
  expect(doctorStep.run).toContain("npm run --silent doctor -- --format json > doctor.json");
});

describe("the doctor step's script", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-doctor-workflow-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs the step with an `npm` that prints `stdout`, `stderr` and exits `code`, as the doctor would. */
  function runStep(stdout: string, stderr: string, code: number) {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(dir, "out.txt"), stdout);
    fs.writeFileSync(path.join(dir, "err.txt"), stderr);
    fs.writeFileSync(path.join(bin, "npm"), `#!/bin/sh\ncat "${dir}/out.txt"\ncat "${dir}/err.txt" >&2\nexit ${code}\n`, { mode: 0o755 });
    const summary = path.join(dir, "summary.md");
    const r = spawnSync("bash", ["-e", "-c", doctorStep.run!], {
      cwd: dir,
      env: { PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`, GITHUB_STEP_SUMMARY: summary },
      encoding: "utf8",
    });
    return { status: r.status, stdout: r.stdout, summary: fs.existsSync(summary) ? fs.readFileSync(summary, "utf8") : "" };
  }

  const header = { accountId: "123456789012", regions: ["us-east-1"], config: "ses-guard.json", checkedAt: new Date("2025-03-07T06:17:00Z") };
  const results: CheckResult[] = [
    { check: "caller", status: "pass", subject: "account 123456789012", detail: "credentials of arn:aws:sts::123456789012:assumed-role/ses-guard-doctor/x" },
    {
      check: "topics",
      region: "us-east-1",
      status: "warn",
      subject: "alarm topic ses-guard-alarms",
      detail: "1 confirmed | pending confirmation: b@example.com",
      fix: "confirm it",
    },
    {
      check: "identities",
      region: "us-east-1",
      status: "fail",
      subject: "identity example.com",
      detail: "not verified for sending",
      fix: "publish the DKIM records",
    },
  ];

  test("a failed check: a table in the summary, an error annotation, exit 1", () => {
    const r = runStep(jsonReport(header, results), "", 1);
    expect(r.status).toBe(1);
    expect(r.summary).toContain("### ses-guard doctor: 1 passed, 1 warnings, 1 failed");
    expect(r.summary).toContain("| FAIL | us-east-1 | identity example.com | not verified for sending | publish the DKIM records |");
    expect(r.summary).toContain("1 confirmed \\| pending confirmation: b@example.com");
    expect(r.stdout).toContain("::error::ses-guard doctor: a check failed");
  });

  test("all passed: exit 0, no annotation", () => {
    const r = runStep(jsonReport(header, results.slice(0, 2)), "", 0);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain("::error::");
    expect(r.summary).toContain("1 passed, 1 warnings, 0 failed");
  });

  test("could not check: the doctor's one line as the annotation, exit 2", () => {
    const e = new CannotCheckError("access-denied", "access denied: missing permission ses:GetAccount", "ses:GetAccount");
    const line = "ses-guard doctor: could not check: access denied: missing permission ses:GetAccount";
    const r = runStep(cannotCheckJson(header, e), `${line}\n`, 2);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(`::error::${line}`);
    expect(r.summary).toContain("could not check");
  });

  test("a bad config (no report): the error in the summary, exit 1", () => {
    const r = runStep("", "ses-guard doctor: error: ses-guard.json: config file not found\n", 1);
    expect(r.status).toBe(1);
    expect(r.summary).toContain("did not run");
    expect(r.summary).toContain("config file not found");
  });
});

test("./help lists both commands", () => {
  const help = spawnSync("bash", [path.join(__dirname, "..", "..", "help")], { encoding: "utf8" }).stdout;
  expect(help).toMatch(/^ {4}npm run doctor {2,}\S/m);
  expect(help).toMatch(/^ {4}npm run drill -- --yes --from SENDER$/m);
});
