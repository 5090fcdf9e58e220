// The real `npm run doctor` and `npm run drill` processes, as a user or CI runs them, where AWS cannot
// be reached: a closed loopback port, or no credentials at all. Nothing but loopback is contacted:
// the instance metadata address is disabled, and the only endpoint given is 127.0.0.1:9.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..", "..");
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-doctor-process-"));
  fs.writeFileSync(
    path.join(dir, "ses-guard.json"),
    JSON.stringify({
      accountId: "123456789012",
      regions: ["us-east-1", "eu-west-1"],
      alarms: { emails: ["ops@example.com"] },
      notifications: { identities: ["example.com"] },
    }),
  );
  // Built once here (when a source changed), so the processes below only run their bundle.
  for (const script of ["doctor.js", "drill.js"]) {
    const bundle = require(path.join(root, "scripts", script));
    if (bundle.stale()) bundle.build();
  }
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A clean environment: no AWS settings from the machine running the tests. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
    AWS_CONFIG_FILE: "/nonexistent",
    ...extra,
  };
}

function run(script: string, args: string[], extra: Record<string, string>) {
  const r = spawnSync(process.execPath, [path.join(root, "scripts", script), ...args], { cwd: dir, env: env(extra), encoding: "utf8", timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.trimEnd().split("\n").filter(Boolean) };
}

const FAKE_KEYS = { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnrFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

test("doctor against a closed loopback endpoint: exit 2, one line saying it cannot reach AWS", () => {
  const r = run("doctor.js", [], { ...FAKE_KEYS, AWS_ENDPOINT_URL: "http://127.0.0.1:9" });
  expect(r.stdout).toBe("");
  expect(r.stderr).toHaveLength(1);
  expect(r.stderr[0]).toMatch(
    /^ses-guard doctor: could not check: cannot reach the sts endpoint in us-east-1 \(AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:9\): ECONNREFUSED/,
  );
  expect(r.status).toBe(2);
});

test("doctor with no credentials at all: exit 2, one line naming credentials", () => {
  const r = run("doctor.js", [], {});
  expect(r.stdout).toBe("");
  expect(r.stderr).toEqual([expect.stringMatching(/^ses-guard doctor: could not check: no AWS credentials found: set AWS_PROFILE/)]);
  expect(r.status).toBe(2);
});

test("drill with no credentials: exit 2, one line, nothing sent", () => {
  const r = run("drill.js", ["--yes", "--from", "sender@example.com"], {});
  expect(r.stdout).toBe("");
  expect(r.stderr).toEqual([expect.stringMatching(/^ses-guard drill: could not check: no AWS credentials found/)]);
  expect(r.status).toBe(2);
});

test("npm scripts run these entry points", () => {
  const scripts = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;
  expect(scripts.doctor).toBe("node scripts/doctor.js");
  expect(scripts.drill).toBe("node scripts/drill.js");
});

test("the synth bundle's sources include no AWS SDK and no doctor code", () => {
  // The same entry and resolution as scripts/bundle.js; cdktf and the provider left out for speed.
  const result = require("esbuild").buildSync({
    entryPoints: [path.join(root, "main.ts")],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "cjs",
    mainFields: ["module", "main"],
    external: ["cdktf", "@cdktf/*", "constructs"],
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs).toContain("modules/app/cli.ts");
  expect(inputs.filter((i) => i.includes("@aws-sdk") || i.includes("@smithy") || i.startsWith("modules/doctor/"))).toEqual([]);
});
