// `npm run drill -- --yes --pause SET`: the automatic pause end to end against mocked AWS that plays
// the chain (alarm -> EventBridge -> pause runbook -> sending off; resume runbook -> sending on), on a
// fake clock.
import { DescribeAlarmsCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { GetConfigurationSetCommand, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { DescribeAutomationExecutionsCommand, StartAutomationExecutionCommand } from "@aws-sdk/client-ssm";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Api, ApiOptions } from "../../modules/doctor/aws";
import { drillMain } from "../../modules/doctor/drill-cli";
import { policyActions } from "../../modules/doctor/policy";
import { regionTarget } from "../../modules/doctor/target";
import { ACCOUNT, alarmLike, callsMade, healthy, mocks, NOW, resetMocks, testConfig } from "./doctor-mocks";

const RAW = {
  accountId: ACCOUNT,
  regions: ["us-east-1"],
  alarms: { emails: ["ops@example.com"] },
  notifications: { enabled: false },
  autoPause: { enabled: true },
};
const cfg = testConfig(RAW as never);
const t = regionTarget(cfg, "us-east-1");
const ALARM = "ses-guard-configuration-set-bounce-rate-critical";

let dir: string;
let configFile: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-pause-"));
  configFile = path.join(dir, "ses-guard.json");
  fs.writeFileSync(configFile, JSON.stringify(RAW));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let clock: number;
/** What the mocked account holds: the set's sending, the alarm's state, the runbooks' executions. */
let state: { sending: boolean; alarm: string; executions: { id: string; document: string; status: string; at: number; failure?: string }[] };
/** How the pause runbook ends once EventBridge starts it (undefined: EventBridge never starts it). */
let pauseOutcome: string | undefined;

beforeEach(() => {
  resetMocks();
  healthy(cfg);
  clock = NOW.getTime();
  pauseOutcome = "Success";
  state = { sending: true, alarm: "OK", executions: [] };
  mocks.sesv2.on(GetConfigurationSetCommand).callsFake(() => ({ ConfigurationSetName: "ses-guard", SendingOptions: { SendingEnabled: state.sending } }));
  mocks.cloudwatch.on(DescribeAlarmsCommand).callsFake(() => ({ MetricAlarms: [alarmLike(t, ALARM, { StateValue: state.alarm as never })] }));
  mocks.cloudwatch.on(SetAlarmStateCommand).callsFake((input: { StateValue: string }) => {
    state.alarm = input.StateValue;
    // EventBridge's rule starts the pause runbook on the transition to ALARM.
    if (input.StateValue === "ALARM" && pauseOutcome)
      state.executions.push({ id: "pause-1", document: t.autoPause!.pauseRunbook, status: "InProgress", at: clock });
    return {};
  });
  mocks.ssm.on(StartAutomationExecutionCommand).callsFake((input: { DocumentName: string }) => {
    state.executions.push({ id: "resume-1", document: input.DocumentName, status: "InProgress", at: clock });
    return { AutomationExecutionId: "resume-1" };
  });
  // Each execution ends on the poll after it started: the pause one as pauseOutcome says, the resume one in Success.
  mocks.ssm.on(DescribeAutomationExecutionsCommand).callsFake((input: { Filters: { Key: string; Values: string[] }[] }) => {
    const by = Object.fromEntries(input.Filters.map((f) => [f.Key, f.Values[0]]));
    const matching = state.executions.filter((e) => (by.ExecutionId ? e.id === by.ExecutionId : e.document.startsWith(by.DocumentNamePrefix)));
    for (const e of matching) {
      if (e.status !== "InProgress" || clock === e.at) continue;
      e.status = e.id === "pause-1" ? pauseOutcome! : "Success";
      if (e.status === "Failed") e.failure = "Step fails when it is executing. Fail message: AccessDenied";
      if (e.status === "Success") state.sending = e.id !== "pause-1";
    }
    return {
      AutomationExecutionMetadataList: matching.map((e) => ({
        AutomationExecutionId: e.id,
        DocumentName: e.document,
        AutomationExecutionStatus: e.status,
        ExecutionStartTime: new Date(e.at),
        FailureMessage: e.failure,
      })),
    };
  });
});

async function drill(argv: string[]) {
  let out = "";
  const err: string[] = [];
  const code = await drillMain(["--config", configFile, ...argv], {
    out: (text) => (out += text),
    err: (line) => err.push(line),
    env: {},
    cwd: dir,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    makeApi: (options: ApiOptions) => new Api(options),
  });
  return { code, out, err };
}

test("happy path: alarm to ALARM, the pause runbook disables sending, the resume runbook enables it, the alarm back to OK; each step printed", async () => {
  const { code, out, err } = await drill(["--yes", "--pause", "ses-guard"]);
  expect(out.trimEnd().split("\n")).toEqual([
    `PASS  alarm ${ALARM}: set to ALARM (was OK): EventBridge rule ses-guard-pause-on-critical should start ses-guard-pause-sending`,
    "PASS  pause runbook ses-guard-pause-sending: execution pause-1: Success",
    "PASS  configuration set ses-guard: sending disabled (SendingOptions.SendingEnabled false)",
    "PASS  resume runbook ses-guard-resume-sending: execution resume-1: Success",
    "PASS  configuration set ses-guard: sending enabled again",
    `PASS  alarm ${ALARM}: set back to OK: the next real breach is a new transition to ALARM`,
    expect.stringMatching(/^ses-guard drill: pause passed in \d+ s \(run 20250307T120000Z\)$/),
  ]);
  expect(code).toBe(0);
  expect(err.filter((l) => /: (ok|FAILED): /.test(l))).toHaveLength(6);
  expect(state).toMatchObject({ sending: true, alarm: "OK" });
  expect(mocks.cloudwatch.commandCalls(SetAlarmStateCommand).map((c) => [c.args[0].input.AlarmName, c.args[0].input.StateValue])).toEqual([
    [ALARM, "ALARM"],
    [ALARM, "OK"],
  ]);
  const filters = mocks.ssm.commandCalls(DescribeAutomationExecutionsCommand)[0].args[0].input.Filters;
  expect(filters).toEqual([
    { Key: "DocumentNamePrefix", Values: ["ses-guard-pause-sending"] },
    { Key: "StartTimeAfter", Values: [new Date(NOW.getTime() - 60_000).toISOString()] },
  ]);
  expect(mocks.sesv2.commandCalls(SendEmailCommand)).toHaveLength(0);
});

test("a pause runbook that fails: that step fails with its message, sending is still resumed and the alarm set back to OK; exit 1", async () => {
  pauseOutcome = "Failed";
  const { code, out } = await drill(["--yes", "--pause", "ses-guard"]);
  expect(code).toBe(1);
  expect(out).toContain("FAIL  pause runbook ses-guard-pause-sending: execution pause-1: Failed: Step fails when it is executing. Fail message: AccessDenied");
  expect(out).toContain("FAIL  configuration set ses-guard: sending still enabled after the pause runbook");
  expect(out).toContain("PASS  resume runbook ses-guard-resume-sending: execution resume-1: Success");
  expect(out).toMatch(/pause failed in \d+ s/);
  expect(state.alarm).toBe("OK");
});

test("a runbook EventBridge never starts: fails after the timeout, still resumes and sets the alarm back", async () => {
  pauseOutcome = undefined;
  const { code, out } = await drill(["--yes", "--pause", "ses-guard", "--timeout-seconds", "60"]);
  expect(code).toBe(1);
  expect(out).toContain("FAIL  pause runbook ses-guard-pause-sending: no execution started after 60 s");
  expect(out).toMatch(/^ {6}fix: npm run doctor checks rule ses-guard-pause-on-critical/m);
  expect(state).toMatchObject({ sending: true, alarm: "OK" });
});

test("changes nothing when the set is already paused or the alarm is in ALARM for real", async () => {
  state.sending = false;
  let r = await drill(["--yes", "--pause", "ses-guard"]);
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/^FAIL {2}configuration set ses-guard: sending is paused already: the drill changed nothing/);
  state.sending = true;
  state.alarm = "ALARM";
  r = await drill(["--yes", "--pause", "ses-guard"]);
  expect(r.out).toMatch(/^FAIL {2}alarm ses-guard-configuration-set-bounce-rate-critical: in ALARM for real: the drill changed nothing/);
  expect(mocks.cloudwatch.commandCalls(SetAlarmStateCommand)).toHaveLength(0);
  expect(mocks.ssm.commandCalls(StartAutomationExecutionCommand)).toHaveLength(0);
});

test("refuses without an explicit configuration set, with another one, with --from, without autoPause or with scope account", async () => {
  const refused = async (argv: string[], config = RAW as object) => {
    fs.writeFileSync(path.join(dir, "other.json"), JSON.stringify(config));
    let err = "";
    const code = await drillMain(["--config", path.join(dir, "other.json"), ...argv], {
      out: () => undefined,
      err: (l) => (err += l),
      env: {},
      cwd: dir,
      now: () => clock,
      sleep: async () => undefined,
    });
    return { code, err };
  };
  expect(await refused(["--yes", "--pause"])).toMatchObject({ code: 2, err: expect.stringContaining("--pause") });
  expect(await refused(["--yes", "--pause", "other-set"])).toEqual({
    code: 2,
    err: 'ses-guard drill: error: --pause: got "other-set"; allowed: "ses-guard", the configuration set of us-east-1 (--region picks another region)',
  });
  expect((await refused(["--yes", "--pause", "ses-guard", "--from", "a@example.com"])).err).toContain("--pause: runs on its own");
  expect((await refused(["--yes", "--pause", "ses-guard"], { ...RAW, autoPause: { enabled: false } })).err).toContain("autoPause.enabled is false");
  expect((await refused(["--yes", "--pause", "ses-guard"], { ...RAW, autoPause: { enabled: true, scope: "account" } })).err).toContain(
    'autoPause.scope is "account"',
  );
  expect(callsMade()).toEqual([]);
});

test("without --yes it says what it would do and changes nothing; --print-policy lists exactly what it calls", async () => {
  const plan = await drill(["--pause", "ses-guard"]);
  expect(plan.code).toBe(2);
  expect(plan.out).toContain(`set alarm ${ALARM} to ALARM`);
  expect(plan.out).toContain("set the alarm back to OK");
  expect(callsMade()).toEqual([]);
  const policy = JSON.parse((await drill(["--pause", "ses-guard", "--print-policy"])).out);
  expect(policyActions(policy)).toEqual([
    "cloudwatch:DescribeAlarms",
    "cloudwatch:SetAlarmState",
    "iam:PassRole",
    "ses:GetConfigurationSet",
    "ssm:DescribeAutomationExecutions",
    "ssm:StartAutomationExecution",
  ]);
  const statement = (action: string) => policy.Statement.find((s: { Action: string }) => s.Action === action);
  expect(statement("cloudwatch:SetAlarmState").Resource).toBe(`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${ALARM}`);
  expect(statement("ssm:StartAutomationExecution").Resource).toBe(`arn:aws:ssm:us-east-1:${ACCOUNT}:automation-definition/ses-guard-resume-sending:*`);
  expect(statement("iam:PassRole")).toMatchObject({
    Resource: `arn:aws:iam::${ACCOUNT}:role/ses-guard-pause-automation-us-east-1`,
    Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
  });
});
