// `npm run doctor` as a command: the error mapping (exit 2, one line), the report, its flags and the
// policy it prints. No AWS: aws-sdk-client-mock.
import { DescribeDeliveryStreamCommand } from "@aws-sdk/client-firehose";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { GetAccountCommand, GetEmailIdentityCommand } from "@aws-sdk/client-sesv2";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadConfigFile } from "../../modules/app/cli";
import { OPERATIONS } from "../../modules/doctor/aws";
import { CheckResult, CHECKS } from "../../modules/doctor/checks";
import { doctorMain } from "../../modules/doctor/cli";
import { cannotCheck } from "../../modules/doctor/errors";
import { policyActions, policyFor } from "../../modules/doctor/policy";
import { regionTarget } from "../../modules/doctor/target";
import { SesGuardConfig } from "../../modules/app/config";
import { ACCOUNT, awsError, CHAIN, callsMade, healthy, mocks, NOW, resetMocks, testConfig } from "./doctor-mocks";

let cfg: SesGuardConfig;
beforeEach(() => {
  resetMocks();
  cfg = testConfig();
  healthy(cfg);
});

// ---------------------------------------------------------------- error mapping

describe("could not check: one line, exit status 2", () => {
  const site = { service: "sesv2", operation: "GetAccount", region: "us-east-1", action: "ses:GetAccount" };

  test("no credentials", () => {
    const e = Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
    expect(cannotCheck(e, site)).toMatchObject({ kind: "credentials", message: expect.stringContaining("no AWS credentials found") });
  });

  test("rejected or expired credentials", () => {
    expect(cannotCheck(awsError("ExpiredToken", "The security token included in the request is expired", 403), site)).toMatchObject({
      kind: "credentials",
      message: expect.stringContaining("ExpiredToken"),
    });
  });

  test("connection refused, unknown host, timeout", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED", $metadata: { attempts: 3 } });
    expect(cannotCheck(refused, site)).toMatchObject({ kind: "unreachable", message: expect.stringContaining("cannot reach the sesv2 endpoint in us-east-1") });
    expect(cannotCheck(Object.assign(new Error("getaddrinfo ENOTFOUND email.us-east-1.amazonaws.com"), { code: "ENOTFOUND" }), site)?.kind).toBe("unreachable");
    expect(cannotCheck(Object.assign(new Error("socket timed out"), { name: "TimeoutError" }), site)?.kind).toBe("unreachable");
  });

  test("access denied names the missing permission: IAM's, or the call's own action", () => {
    const iam = awsError(
      "AccessDeniedException",
      "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ses:GetAccount on resource: * because no identity-based policy allows the ses:GetAccount action",
      403,
    );
    expect(cannotCheck(iam, site)).toMatchObject({
      kind: "access-denied",
      missingPermission: "ses:GetAccount",
      message: expect.stringMatching(
        /^access denied: missing permission ses:GetAccount on \* \(sesv2 GetAccount in us-east-1\); npm run doctor -- --print-policy/,
      ),
    });
    const bare = awsError("AuthorizationErrorException", "Authorization error", 403);
    expect(
      cannotCheck(bare, { service: "sns", operation: "ListSubscriptionsByTopic", region: "eu-west-1", action: "sns:ListSubscriptionsByTopic" }),
    ).toMatchObject({ kind: "access-denied", missingPermission: "sns:ListSubscriptionsByTopic" });
    expect(
      cannotCheck(awsError("AccessDenied", "Access Denied", 403), { service: "s3", operation: "ListObjectsV2", region: "us-east-1", action: "s3:ListBucket" })
        ?.missingPermission,
    ).toBe("s3:ListBucket");
  });

  test("throttling after the SDK's retries", () => {
    expect(cannotCheck(awsError("ThrottlingException", "Rate exceeded"), site)).toMatchObject({
      kind: "throttled",
      message: "throttled by sesv2 GetAccount in us-east-1 (ThrottlingException) after 3 attempts; run again in a minute",
    });
    expect(cannotCheck(awsError("TooManyRequestsException", "Too many requests"), site)?.kind).toBe("throttled");
  });

  test("not-found answers are left to the check", () => {
    expect(cannotCheck(awsError("NotFoundException"), site, (n) => n === "NotFoundException")).toBeUndefined();
  });

  test.each([
    [
      "AccessDenied",
      awsError("AccessDeniedException", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ses:GetAccount on resource: *", 403),
      /missing permission ses:GetAccount/,
    ],
    ["throttling", awsError("TooManyRequestsException", "Too Many Requests", 429), /throttled by sesv2 GetAccount in us-east-1/],
    ["connection refused", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }), /cannot reach the sesv2 endpoint/],
  ])("%s in one check: that check's line fails with the reason (and on stderr), the others run; exit 2", async (_what, error, line) => {
    mocks.sesv2.on(GetAccountCommand).rejects(error);
    const { code, out, err } = await cli([]);
    expect(code).toBe(2);
    const failed = out.split("\n").filter((l) => l.startsWith("FAIL"));
    expect(failed).toEqual([expect.stringMatching(/^FAIL {2}us-east-1 {2}check account: could not check: /)]);
    expect(failed[0]).toMatch(line);
    expect(out).toMatch(/^PASS {2}us-east-1 {2}configuration set ses-guard reputation metrics: on$/m);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^ses-guard doctor: could not check: /);
    expect(err[0]).toMatch(line);
  });

  test("credentials the caller check cannot use: one line, nothing on stdout, exit 2 (nothing else can be checked)", async () => {
    mocks.sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }));
    const { code, out, err } = await cli([]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toEqual([expect.stringMatching(/^ses-guard doctor: could not check: cannot reach the sts endpoint in us-east-1/)]);
  });

  test("an answer no check expects fails that check only, never a stack trace; a real failure elsewhere still exits 1", async () => {
    mocks.firehose.on(DescribeDeliveryStreamCommand).rejects(awsError("InvalidArgumentException", "1 validation error detected"));
    const { code, out, err } = await cli([]);
    expect(code).toBe(2);
    const message =
      "could not check: unexpected answer from firehose DescribeDeliveryStream in us-east-1: InvalidArgumentException: 1 validation error detected";
    expect(err).toEqual([`ses-guard doctor: ${message} (us-east-1)`]);
    expect(out).toContain(`FAIL  us-east-1  check stream: ${message}`);
    expect(out).toMatch(/^PASS {2}us-east-1 {2}archive s3:/m);
    mocks.sesv2
      .on(GetEmailIdentityCommand, { EmailIdentity: "example.com" })
      .resolves({ IdentityType: "DOMAIN", VerifiedForSendingStatus: false, VerificationStatus: "FAILED" });
    expect((await cli([])).code).toBe(1);
  });
});

// ---------------------------------------------------------------- CLI

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-doctor-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeConfig(raw: unknown, name = "ses-guard.json"): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof raw === "string" ? raw : JSON.stringify(raw));
  return file;
}

const RAW: Record<string, unknown> = {
  accountId: ACCOUNT,
  regions: ["us-east-1"],
  alarms: { emails: ["ops@example.com"] },
  notifications: { identities: ["example.com", "billing@example.com"], emails: ["bounces@example.com"] },
  suppression: { accountLevel: ["BOUNCE", "COMPLAINT"] },
};

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string[] }> {
  if (!argv.includes("--config") && !env.SES_GUARD_CONFIG) argv = ["--config", writeConfig(RAW), ...argv];
  let out = "";
  const err: string[] = [];
  const code = await doctorMain(argv, { out: (t) => (out += t), err: (l) => err.push(l), env, cwd: dir, now: () => NOW });
  return { code, out, err };
}

describe("npm run doctor", () => {
  test("a healthy guard: a line per check, a summary, exit 0", async () => {
    const { code, out, err } = await cli([]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ses-guard doctor: account 123456789012, region us-east-1 \(.*ses-guard\.json\)$/);
    expect(lines.slice(1, -1).every((l) => /^PASS {2}/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe(`ses-guard doctor: ${lines.length - 2} passed, 0 warnings, 0 failed`);
  });

  test("a failure: exit 1, the fix under its line", async () => {
    mocks.sesv2
      .on(GetEmailIdentityCommand, { EmailIdentity: "example.com" })
      .resolves({ IdentityType: "DOMAIN", VerifiedForSendingStatus: false, VerificationStatus: "FAILED" });
    const { code, out } = await cli([]);
    expect(code).toBe(1);
    const lines = out.split("\n");
    const i = lines.findIndex((l) => l.startsWith("FAIL  us-east-1  identity example.com: not verified for sending (verification FAILED)"));
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toMatch(/^ +fix: publish the DKIM CNAME records of example.com/);
    expect(lines.at(-2)).toMatch(/, 1 failed$/);
  });

  test("warnings alone exit 0", async () => {
    mocks.s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    const { code, out } = await cli([]);
    expect(out).toMatch(/^WARN {2}us-east-1 {2}archive .*: no events in the last 168 hours/m);
    expect(code).toBe(0);
  });

  test("--format json: the same checks, for CI", async () => {
    mocks.sesv2
      .on(GetEmailIdentityCommand, { EmailIdentity: "example.com" })
      .resolves({ IdentityType: "DOMAIN", VerifiedForSendingStatus: false, VerificationStatus: "PENDING" });
    const text = await cli([]);
    const json = await cli(["--format", "json"]);
    expect(json.code).toBe(text.code);
    const report = JSON.parse(json.out);
    expect(report).toMatchObject({ tool: "ses-guard doctor", accountId: ACCOUNT, regions: ["us-east-1"], exitCode: 1, checkedAt: NOW.toISOString() });
    const textLines = text.out.split("\n").filter((l) => /^(PASS|WARN|FAIL)/.test(l));
    expect(report.results).toHaveLength(textLines.length);
    expect(report.summary).toEqual({ pass: textLines.length - 1, warn: 0, fail: 1 });
    expect(report.results.find((r: CheckResult) => r.status === "fail")).toMatchObject({
      check: "identities",
      region: "us-east-1",
      subject: "identity example.com",
      fix: expect.any(String),
    });
  });

  test("--format json when it cannot check: exit 2, one line on stderr, the reason as JSON", async () => {
    mocks.sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
    const { code, out, err } = await cli(["--format", "json"]);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(JSON.parse(out)).toMatchObject({ exitCode: 2, cannotCheck: { kind: "credentials" } });
  });

  test("--verbose prints every API call made", async () => {
    const { err } = await cli(["--verbose"]);
    expect(err[0]).toMatch(/^api: us-east-1 sts GetCallerIdentity \d+ ms ok$/);
    for (const op of [
      "sesv2 GetAccount",
      "ses GetIdentityNotificationAttributes",
      "firehose DescribeDeliveryStream",
      "s3 ListObjectsV2",
      "sns ListSubscriptionsByTopic",
      "cloudwatch DescribeAlarms",
      "cloudwatch GetMetricData",
    ]) {
      expect(err.some((l) => l.includes(` ${op} `))).toBe(true);
    }
    expect(err).toHaveLength(callsMade().length);
  });

  test("--region limits the check to a configured region; another region is a usage error", async () => {
    const raw = { ...RAW, regions: ["us-east-1", "eu-west-1"] };
    const file = writeConfig(raw, "two.json");
    healthy(testConfig({ regions: ["us-east-1", "eu-west-1"] }));
    const one = await cli(["--config", file, "--region", "eu-west-1", "--format", "json"]);
    expect(JSON.parse(one.out).regions).toEqual(["eu-west-1"]);
    expect(
      new Set(
        JSON.parse(one.out)
          .results.filter((r: CheckResult) => r.region)
          .map((r: CheckResult) => r.region),
      ),
    ).toEqual(new Set(["eu-west-1"]));
    const bad = await cli(["--config", file, "--region", "ap-south-1"]);
    expect(bad).toMatchObject({
      code: 2,
      out: "",
      err: ['ses-guard doctor: error: --region: got "ap-south-1"; allowed: one of the config\'s regions (us-east-1, eu-west-1)'],
    });
  });

  test("bad flags: one line, exit 2, no AWS call", async () => {
    for (const argv of [["--format", "yaml"], ["--frobnicate"], ["--max-event-age-hours", "0"], ["--config"]]) {
      const { code, out, err } = await cli(argv);
      expect([argv.join(" "), code, out, err.length]).toEqual([argv.join(" "), 2, "", 1]);
      expect(err[0]).toMatch(/^ses-guard doctor: error: .*allowed: /);
    }
    expect(callsMade()).toEqual([]);
  });

  test("a bad config: synth's one-line message, exit 1; no config at all is an error, not the embedded example", async () => {
    const broken = writeConfig('{ "accountId": "123", }', "broken.json");
    let expected = "";
    try {
      loadConfigFile(broken, "broken.json");
    } catch (e) {
      expected = (e as Error).message;
    }
    expect(expected).not.toBe("");
    const bad = await cli([], { SES_GUARD_CONFIG: "broken.json" });
    expect(bad).toMatchObject({ code: 1, out: "", err: [`ses-guard doctor: error: ${expected}`] });
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-doctor-none-"));
    let err: string[] = [];
    const code = await doctorMain([], { out: () => undefined, err: (l) => (err = [...err, l]), env: {}, cwd: empty, now: () => NOW });
    fs.rmSync(empty, { recursive: true });
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain("no config: got no --config, no $SES_GUARD_CONFIG and no ./ses-guard.json");
    expect(callsMade()).toEqual([]);
  });

  test("--help lists every check", async () => {
    const { code, out } = await cli(["--help"]);
    expect(code).toBe(0);
    for (const c of CHECKS) expect(out).toContain(`  - ${c.id}: `);
  });
});

// ---------------------------------------------------------------- policy

describe("--print-policy", () => {
  test("prints a read-only policy of exactly the actions the checks call, scoped to the config's resources, without calling AWS", async () => {
    const chain = { ...RAW, chat: CHAIN.chat, autoPause: CHAIN.autoPause };
    const { code, out } = await cli(["--print-policy", "--config", writeConfig(chain, "chain.json")]);
    expect(code).toBe(0);
    expect(callsMade()).toEqual([]);
    const policy = JSON.parse(out);
    const actions = policyActions(policy);
    const declared = [
      ...new Set(
        CHECKS.flatMap((c) => c.calls)
          .map((c) => OPERATIONS.get(c.command)!.action)
          .filter((a): a is string => !!a),
      ),
    ].sort();
    expect(actions).toEqual(declared);
    for (const a of actions) expect(a).toMatch(/^[a-z0-9]+:(Get|List|Describe)[A-Za-z]+$/);
    const resources = (action: string) => [policy.Statement.find((s: { Action: string }) => s.Action === action).Resource].flat();
    expect(resources("ses:GetConfigurationSet")).toEqual(["arn:aws:ses:us-east-1:123456789012:configuration-set/ses-guard"]);
    expect(resources("ses:GetEmailIdentity")).toEqual([
      "arn:aws:ses:us-east-1:123456789012:identity/billing@example.com",
      "arn:aws:ses:us-east-1:123456789012:identity/example.com",
    ]);
    expect(resources("s3:ListBucket")).toEqual(["arn:aws:s3:::ses-guard-events-123456789012-us-east-1"]);
    expect(resources("sns:ListSubscriptionsByTopic")).toHaveLength(2);
    // 4 account, 4 configuration set, 2 archive and 2 dead-letter queue (chat, pause) alarms.
    expect(resources("cloudwatch:DescribeAlarms")).toHaveLength(12);
    expect(resources("ses:GetAccount")).toEqual(["*"]);
    expect(resources("ssm:DescribeDocument")).toEqual([
      "arn:aws:ssm:us-east-1:123456789012:document/ses-guard-pause-sending",
      "arn:aws:ssm:us-east-1:123456789012:document/ses-guard-resume-sending",
    ]);
    expect(resources("events:ListTargetsByRule")).toEqual(["arn:aws:events:us-east-1:123456789012:rule/ses-guard-*"]);
    expect(resources("s3:GetObject")).toEqual(["arn:aws:s3:::ses-guard-events-123456789012-us-east-1/events/us-east-1/*"]);
  });

  test("an encrypted archive: kms:Decrypt through S3 only, for the bypass check's reads", async () => {
    const { out } = await cli(["--print-policy", "--config", writeConfig({ ...RAW, encryption: { archive: true } }, "encrypted.json")]);
    const kms = JSON.parse(out).Statement.find((s: { Action: string }) => s.Action === "kms:Decrypt");
    expect(kms).toMatchObject({ Resource: "*", Condition: { StringEquals: { "kms:ViaService": ["s3.us-east-1.amazonaws.com"] } } });
  });

  test("without notifications, no identity or topic permissions beyond the alarm topic", () => {
    const quiet = testConfig({ notifications: { enabled: false } });
    const policy = policyFor(
      CHECKS.flatMap((c) => c.calls),
      [regionTarget(quiet, "us-east-1")],
    );
    expect(policyActions(policy)).not.toContain("ses:GetEmailIdentity");
    expect(policyActions(policy)).not.toContain("ses:GetIdentityNotificationAttributes");
    expect(policy.Statement.find((s) => s.Action === "sns:ListSubscriptionsByTopic")?.Resource).toBe("arn:aws:sns:us-east-1:123456789012:ses-guard-alarms");
  });

  test("docs/doctor-and-drill.md shows the same actions", () => {
    const section = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "doctor-and-drill.md"), "utf8");
    const block = /```json\n(\{\n {2}"Version": "2012-10-17"[\s\S]*?\n\})\n```/.exec(section);
    expect(block).not.toBeNull();
    const shown = JSON.parse(block![1]);
    const declared = [
      ...new Set(
        CHECKS.flatMap((c) => c.calls)
          .map((c) => OPERATIONS.get(c.command)!.action)
          .filter((a): a is string => !!a),
      ),
    ].sort();
    // Beside the declared calls, only the archive key's kms:Decrypt (examples/full.json encrypts the archive).
    expect(policyActions(shown).filter((a) => a !== "kms:Decrypt")).toEqual(declared);
  });
});
