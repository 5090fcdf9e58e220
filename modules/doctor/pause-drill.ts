/**
 * `drill --pause`: the whole action chain on the configuration set, for real. It sets the set's
 * critical alarm to ALARM; EventBridge starts the pause runbook, which turns the set's sending off;
 * the drill then starts the resume runbook and sets the alarm back to OK. The alarm must end in OK:
 * with treat_missing_data = ignore an alarm left in ALARM stays there, and a real breach then makes
 * no new state change, so nothing would pause (CloudWatch User Guide, "Configuring how CloudWatch
 * alarms treat missing data").
 */
import type { DescribeAlarmsCommandOutput } from "@aws-sdk/client-cloudwatch";
import { DescribeAlarmsCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import type { GetConfigurationSetCommandOutput } from "@aws-sdk/client-sesv2";
import { GetConfigurationSetCommand } from "@aws-sdk/client-sesv2";
import type { AutomationExecutionMetadata, DescribeAutomationExecutionsCommandOutput, StartAutomationExecutionCommandOutput } from "@aws-sdk/client-ssm";
import { DescribeAutomationExecutionsCommand, StartAutomationExecutionCommand } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { ScopedApi } from "./aws";
import type { CallSpec } from "./check-kit";
import { PolicyStatement } from "./policy";
import { RegionTarget } from "./target";

/** The alarm --pause sets: the configuration set's own bounce-rate critical alarm (the first one the pause rule watches). */
export const pauseAlarm = (t: RegionTarget): string => t.autoPause!.criticalAlarms[0];
const alarmArn = (t: RegionTarget) => `arn:${t.partition}:cloudwatch:${t.region}:${t.accountId}:alarm:${pauseAlarm(t)}`;
/** The role both runbooks run as (modules/auto-pause.ts); starting one passes it to Systems Manager. */
export const automationRoleArn = (t: RegionTarget) => `arn:${t.partition}:iam::${t.accountId}:role/${t.namePrefix}-pause-automation-${t.region}`;

/** The calls --pause makes, for its scoped API and its --print-policy. */
export function pauseDrillCalls(): CallSpec[] {
  return [
    { command: GetCallerIdentityCommand, resources: () => [] },
    { command: GetConfigurationSetCommand, resources: (t) => [t.configurationSetArn] },
    { command: DescribeAlarmsCommand, resources: (t) => [alarmArn(t)] },
    { command: SetAlarmStateCommand, resources: (t) => [alarmArn(t)] },
    // Service Authorization Reference, AWS Systems Manager: DescribeAutomationExecutions has no resource type.
    { command: DescribeAutomationExecutionsCommand, resources: () => ["*"] },
    {
      command: StartAutomationExecutionCommand,
      resources: (t) => [`arn:${t.partition}:ssm:${t.region}:${t.accountId}:automation-definition/${t.autoPause!.resumeRunbook}:*`],
    },
  ];
}

/** Starting a runbook that names an assume role needs iam:PassRole on it (Systems Manager User Guide, "Running an automation with a service role"). */
export function pauseDrillPassRole(targets: readonly RegionTarget[]): PolicyStatement[] {
  return [
    {
      Sid: "PassAutomationRole",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: targets.length === 1 ? automationRoleArn(targets[0]) : targets.map(automationRoleArn),
      Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
    },
  ];
}

export interface PauseStep {
  readonly status: "pass" | "fail";
  readonly subject: string;
  readonly detail: string;
  readonly fix?: string;
}

export interface PauseDrillOptions {
  /** How long to wait for each runbook execution. */
  readonly timeoutSeconds: number;
  readonly pollSeconds: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** One line per step, as it happens. */
  readonly log: (line: string) => void;
  /** Stops a wait early (Ctrl-C); sending is still resumed and the alarm set back to OK. */
  readonly signal?: AbortSignal;
}

export interface PauseDrillResult {
  readonly runId: string;
  readonly steps: readonly PauseStep[];
  readonly elapsedSeconds: number;
}

export const pauseDrillPassed = (r: PauseDrillResult) => r.steps.length > 0 && r.steps.every((s) => s.status === "pass");

/** Systems Manager API Reference, AutomationExecution: the statuses an execution ends in. */
const SUCCEEDED = new Set(["Success", "CompletedWithSuccess"]);
const ENDED_BADLY = new Set(["Failed", "TimedOut", "Cancelled", "CompletedWithFailure", "Rejected", "Exited", "ChangeCalendarOverrideRejected"]);

type Wait = { execution?: AutomationExecutionMetadata; timedOut: boolean; aborted: boolean };

/** Polls until an execution matching `filters` ends (or the timeout, or an abort). */
async function waitForExecution(
  t: RegionTarget,
  api: ScopedApi,
  options: PauseDrillOptions,
  filters: { Key: "DocumentNamePrefix" | "ExecutionId" | "StartTimeAfter"; Values: string[] }[],
  accept: (e: AutomationExecutionMetadata) => boolean,
): Promise<Wait> {
  const deadline = options.now() + options.timeoutSeconds * 1000;
  let seen: AutomationExecutionMetadata | undefined;
  for (;;) {
    const out: DescribeAutomationExecutionsCommandOutput = await api.send(t.region, new DescribeAutomationExecutionsCommand({ Filters: filters }));
    seen = (out.AutomationExecutionMetadataList ?? []).filter(accept).sort((a, b) => +(b.ExecutionStartTime ?? 0) - +(a.ExecutionStartTime ?? 0))[0] ?? seen;
    const status = seen?.AutomationExecutionStatus ?? "";
    if (SUCCEEDED.has(status) || ENDED_BADLY.has(status)) return { execution: seen, timedOut: false, aborted: false };
    if (options.signal?.aborted) return { execution: seen, timedOut: false, aborted: true };
    const now = options.now();
    if (now >= deadline) return { execution: seen, timedOut: true, aborted: false };
    await options.sleep(Math.min(options.pollSeconds * 1000, deadline - now));
  }
}

function executionStep(subject: string, waited: Wait, timeoutSeconds: number, fix: string): PauseStep {
  const e = waited.execution;
  const id = e?.AutomationExecutionId ? `execution ${e.AutomationExecutionId}` : "no execution";
  const status = e?.AutomationExecutionStatus;
  if (status && SUCCEEDED.has(status)) return { status: "pass", subject, detail: `${id}: ${status}` };
  if (waited.aborted) return { status: "fail", subject, detail: `stopped while waiting (${id}${status ? `, ${status}` : ""})`, fix: "run the drill again" };
  if (waited.timedOut) return { status: "fail", subject, detail: `${id}${status ? ` still ${status}` : " started"} after ${timeoutSeconds} s`, fix };
  return { status: "fail", subject, detail: `${id}: ${status}${e?.FailureMessage ? `: ${e.FailureMessage}` : ""}`, fix };
}

async function sendingEnabled(t: RegionTarget, api: ScopedApi): Promise<boolean | undefined> {
  const set: GetConfigurationSetCommandOutput = await api.send(t.region, new GetConfigurationSetCommand({ ConfigurationSetName: t.configurationSet }));
  return set.SendingOptions?.SendingEnabled;
}

export async function runPauseDrill(t: RegionTarget, api: ScopedApi, runId: string, options: PauseDrillOptions): Promise<PauseDrillResult> {
  const pause = t.autoPause!;
  const alarm = pauseAlarm(t);
  const started = options.now();
  const steps: PauseStep[] = [];
  const step = (s: PauseStep) => {
    steps.push(s);
    options.log(`${s.status === "pass" ? "ok" : "FAILED"}: ${s.subject}: ${s.detail}`);
  };
  const done = (): PauseDrillResult => ({ runId, steps, elapsedSeconds: Math.round((options.now() - started) / 1000) });

  // Before changing anything: a set already paused, or an alarm really in ALARM, is left alone.
  if ((await sendingEnabled(t, api)) === false) {
    step({
      status: "fail",
      subject: `configuration set ${t.configurationSet}`,
      detail: "sending is paused already: the drill changed nothing (resuming would undo a pause someone or an alarm made)",
      fix: `npm run doctor shows why; once fixed: ${pause.resumeCommand}`,
    });
    return done();
  }
  const described: DescribeAlarmsCommandOutput = await api.send(t.region, new DescribeAlarmsCommand({ AlarmNames: [alarm], AlarmTypes: ["MetricAlarm"] }));
  const before = described.MetricAlarms?.[0]?.StateValue;
  if (!before || before === "ALARM") {
    step({
      status: "fail",
      subject: `alarm ${alarm}`,
      detail: before ? "in ALARM for real: the drill changed nothing" : `not found in ${t.region}: the drill changed nothing`,
      fix: before ? `README, "Investigating an alarm"` : "npm run doctor",
    });
    return done();
  }

  await api.send(
    t.region,
    new SetAlarmStateCommand({
      AlarmName: alarm,
      StateValue: "ALARM",
      StateReason: `ses-guard drill ${runId}: testing the automatic pause, not a real bounce rate`,
    }),
  );
  step({
    status: "pass",
    subject: `alarm ${alarm}`,
    detail: `set to ALARM (was ${before}): EventBridge rule ${pause.ruleName} should start ${pause.pauseRunbook}`,
  });
  try {
    // EventBridge starts the runbook within seconds of the state change; a minute of clock skew allowed.
    const paused = await waitForExecution(
      t,
      api,
      options,
      [
        { Key: "DocumentNamePrefix", Values: [pause.pauseRunbook] },
        { Key: "StartTimeAfter", Values: [new Date(started - 60_000).toISOString()] },
      ],
      (e) => e.DocumentName === pause.pauseRunbook,
    );
    step(
      executionStep(
        `pause runbook ${pause.pauseRunbook}`,
        paused,
        options.timeoutSeconds,
        `npm run doctor checks rule ${pause.ruleName} and the runbooks; aws ssm describe-automation-executions --filters Key=DocumentNamePrefix,Values=${pause.pauseRunbook} --region ${t.region} shows failures`,
      ),
    );
    const enabled = await sendingEnabled(t, api);
    step(
      enabled === false
        ? { status: "pass", subject: `configuration set ${t.configurationSet}`, detail: "sending disabled (SendingOptions.SendingEnabled false)" }
        : {
            status: "fail",
            subject: `configuration set ${t.configurationSet}`,
            detail: `sending still enabled after the pause runbook`,
            fix: `the runbook's role may lack ses:PutConfigurationSetSendingOptions: run terraform apply for the stack of ${t.region}`,
          },
    );
  } finally {
    // Always: the set was sending before the drill, and the alarm must leave ALARM.
    await resume(t, api, options, step);
    await api.send(
      t.region,
      new SetAlarmStateCommand({ AlarmName: alarm, StateValue: "OK", StateReason: `ses-guard drill ${runId}: back to OK after testing the automatic pause` }),
    );
    step({ status: "pass", subject: `alarm ${alarm}`, detail: "set back to OK: the next real breach is a new transition to ALARM" });
  }
  return done();
}

async function resume(t: RegionTarget, api: ScopedApi, options: PauseDrillOptions, step: (s: PauseStep) => void): Promise<void> {
  const pause = t.autoPause!;
  const fix = `resume by hand: ${pause.resumeCommand}`;
  const started: StartAutomationExecutionCommandOutput = await api.send(t.region, new StartAutomationExecutionCommand({ DocumentName: pause.resumeRunbook }));
  const id = started.AutomationExecutionId ?? "";
  options.log(`started ${pause.resumeRunbook}: execution ${id}`);
  // Not stopped by Ctrl-C: the set must send again.
  const waited = await waitForExecution(
    t,
    api,
    { ...options, signal: undefined },
    [{ Key: "ExecutionId", Values: [id] }],
    (e) => e.AutomationExecutionId === id,
  );
  step(executionStep(`resume runbook ${pause.resumeRunbook}`, waited, options.timeoutSeconds, fix));
  const enabled = await sendingEnabled(t, api);
  step(
    enabled === false
      ? { status: "fail", subject: `configuration set ${t.configurationSet}`, detail: "sending still disabled after the resume runbook", fix }
      : { status: "pass", subject: `configuration set ${t.configurationSet}`, detail: "sending enabled again" },
  );
}
