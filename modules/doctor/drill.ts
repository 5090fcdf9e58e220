/**
 * The drill: an end-to-end test of one region's guard. It sends through the configuration set to
 * the SES mailbox simulator, waits for those messages' events to land in the archive, and reports
 * which event types arrived; optionally it also flips the warning alarm to ALARM and back, so the
 * team sees an alarm mail arrive.
 *
 * Mailbox simulator mail is billed like any other, counts against the sending rate but not the
 * daily quota, and never affects the reputation metrics (SES Developer Guide, "Using the mailbox
 * simulator": https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html#send-email-simulator).
 */
import type { DescribeAlarmsCommandOutput } from "@aws-sdk/client-cloudwatch";
import { DescribeAlarmsCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import type { GetObjectCommandOutput } from "@aws-sdk/client-s3";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { SendEmailCommandOutput } from "@aws-sdk/client-sesv2";
import { SendEmailCommand } from "@aws-sdk/client-sesv2";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { configEventType, dayPrefixesBetween, listObjects, parseEventRecords } from "./archive";
import { isSendRefused, ScopedApi } from "./aws";
import type { CallSpec } from "./checks";
import { archiveKmsStatements } from "./policy";
import { RegionTarget } from "./target";

export interface SimulatorScenario {
  readonly address: string;
  readonly scenario: string;
  /** Event types (config names) that prove the path works for this address. */
  readonly proves: readonly string[];
}

/** SES Developer Guide, "Using the mailbox simulator": each address's fixed outcome. */
export const SIMULATOR: readonly SimulatorScenario[] = [
  { address: "success@simulator.amazonses.com", scenario: "delivered", proves: ["SEND", "DELIVERY"] },
  { address: "bounce@simulator.amazonses.com", scenario: "hard bounce", proves: ["SEND", "BOUNCE"] },
  { address: "complaint@simulator.amazonses.com", scenario: "complaint", proves: ["SEND", "COMPLAINT"] },
  // SES answers as if the address were on the suppression list: a hard bounce.
  { address: "suppressionlist@simulator.amazonses.com", scenario: "on the suppression list", proves: ["SEND", "BOUNCE"] },
];

/** The message tag that marks drill mail in the archive (and in Athena). */
export const DRILL_TAG = "ses-guard-drill";

/** Between sends: a sandbox account may send one message a second (SES Developer Guide, "Service quotas"). */
export const SEND_SPACING_MS = 1100;

const identityArns = (t: RegionTarget, from: string | undefined) => {
  const arn = (id: string) => `arn:${t.partition}:ses:${t.region}:${t.accountId}:identity/${id}`;
  // SES authorizes SendEmail against the address's own identity or its domain's, whichever is verified.
  return from ? [arn(from), arn(from.slice(from.lastIndexOf("@") + 1))] : [arn("*")];
};

/** The alarm --alarm flips: the bounce-rate warning. */
export const warningAlarm = (t: RegionTarget) => t.reputationAlarms.find((a) => a.metric === "BounceRate" && a.level === "warning")!;
const alarmArn = (t: RegionTarget) => `arn:${t.partition}:cloudwatch:${t.region}:${t.accountId}:alarm:${warningAlarm(t).name}`;

/** The calls the drill makes, for its scoped API and its --print-policy. */
export function drillCalls(from: string | undefined, alarm: boolean): CallSpec[] {
  return [
    { command: GetCallerIdentityCommand, resources: () => [] },
    { command: SendEmailCommand, resources: (t) => [...identityArns(t, from), t.configurationSetArn] },
    { command: ListObjectsV2Command, resources: (t) => [t.bucketArn] },
    { command: GetObjectCommand, resources: (t) => [`${t.bucketArn}/${t.eventsPrefix}*`] },
    ...(alarm
      ? [
          { command: DescribeAlarmsCommand, resources: (t: RegionTarget) => [alarmArn(t)] },
          { command: SetAlarmStateCommand, resources: (t: RegionTarget) => [alarmArn(t)] },
        ]
      : []),
  ];
}

/** Reading an SSE-KMS archive also needs the key, through S3 only. */
export const drillKmsStatements = archiveKmsStatements;

export interface DrillProgress {
  readonly elapsedSeconds: number;
  readonly timeoutSeconds: number;
  /** Event types seen so far over all messages, and how many are awaited in all. */
  readonly seen: number;
  readonly awaited: number;
  readonly objectsRead: number;
}

export interface DrillOptions {
  readonly from: string;
  readonly timeoutSeconds: number;
  readonly pollSeconds: number;
  readonly alarm: boolean;
  /** Milliseconds since the epoch; injected so tests run on a fake clock. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly progress: (p: DrillProgress) => void;
  /** One line per step (sent, alarm set), as it happens. */
  readonly log: (line: string) => void;
  /** Stops the wait early (Ctrl-C); the alarm is still restored. */
  readonly signal?: AbortSignal;
}

export interface DrillMessage {
  readonly address: string;
  readonly scenario: string;
  readonly messageId?: string;
  /** Why SES refused it, when it did. */
  readonly refused?: string;
  /** Event types awaited: what proves the scenario, among archive.eventTypes. */
  readonly awaited: readonly string[];
  /** Event types that arrived (config names), in arrival order. */
  readonly arrived: string[];
}

export interface DrillAlarm {
  readonly name: string;
  /** The state before the drill; ALARM means it was left alone. */
  readonly before: string;
  readonly set: boolean;
  readonly restored: boolean;
}

export interface DrillResult {
  readonly runId: string;
  readonly messages: readonly DrillMessage[];
  readonly alarm?: DrillAlarm;
  readonly elapsedSeconds: number;
  readonly timedOut: boolean;
  readonly aborted: boolean;
}

export function drillPassed(result: DrillResult): boolean {
  return (
    result.messages.every((m) => !m.refused && m.awaited.every((e) => m.arrived.includes(e))) &&
    (!result.alarm || result.alarm.before === "ALARM" || result.alarm.set)
  );
}

function runIdOf(ms: number): string {
  // Tag values allow letters, digits, _ and - only.
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

export async function runDrill(t: RegionTarget, api: ScopedApi, options: DrillOptions): Promise<DrillResult> {
  const started = options.now();
  const runId = runIdOf(started);
  const configured = t.eventTypes as readonly string[];
  const messages: DrillMessage[] = [];
  let alarm: DrillAlarm | undefined;
  const alarmName = warningAlarm(t).name;

  for (const [i, s] of SIMULATOR.entries()) {
    if (i > 0) await options.sleep(SEND_SPACING_MS);
    const awaited = s.proves.filter((e) => configured.includes(e));
    try {
      const out = await api.send<SendEmailCommandOutput>(
        t.region,
        new SendEmailCommand({
          FromEmailAddress: options.from,
          Destination: { ToAddresses: [s.address] },
          ConfigurationSetName: t.configurationSet,
          EmailTags: [{ Name: DRILL_TAG, Value: runId }],
          Content: {
            Simple: {
              Subject: { Data: `ses-guard drill ${runId}: ${s.scenario}` },
              Body: {
                Text: { Data: `Sent by npm run drill to the SES mailbox simulator (${s.scenario}) to test the ses-guard event archive. Nobody reads it.` },
              },
            },
          },
        }),
      );
      messages.push({ ...s, messageId: out.MessageId, awaited, arrived: [] });
      options.log(`sent to ${s.address} (${s.scenario}): message ${out.MessageId}`);
    } catch (e) {
      if (!isSendRefused(e) && (e as { name?: string })?.name !== "NotFoundException") throw e;
      const reason = `${(e as Error).name}: ${(e as Error).message}`;
      messages.push({ ...s, refused: reason, awaited, arrived: [] });
      options.log(`SES refused the message to ${s.address}: ${reason}`);
    }
  }

  if (options.alarm) {
    const described = await api.send<DescribeAlarmsCommandOutput>(
      t.region,
      new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ["MetricAlarm"] }),
    );
    const before = described.MetricAlarms?.[0]?.StateValue ?? "missing";
    if (before === "missing") {
      alarm = { name: alarmName, before, set: false, restored: false };
      options.log(`alarm ${alarmName} not found in ${t.region}: run npm run doctor`);
    } else if (before === "ALARM") {
      // Really in ALARM: leave it, or the restore would hide a real breach.
      alarm = { name: alarmName, before, set: false, restored: false };
      options.log(`alarm ${alarmName} is in ALARM already: left as it is`);
    } else {
      await api.send(
        t.region,
        new SetAlarmStateCommand({
          AlarmName: alarmName,
          StateValue: "ALARM",
          StateReason: `ses-guard drill ${runId}: testing the alarm notification path, not a real bounce rate`,
        }),
      );
      alarm = { name: alarmName, before, set: true, restored: false };
      options.log(`alarm ${alarmName} set to ALARM: its topic's subscribers get an ALARM mail now`);
    }
  }

  let waited: { timedOut: boolean; aborted: boolean };
  try {
    waited = await waitForEvents(
      t,
      api,
      options,
      started,
      messages.filter((m) => m.messageId),
    );
  } finally {
    if (alarm?.set) {
      // With missing data treated as "ignore" (modules/reputation-alarms.ts) CloudWatch would keep
      // the alarm in ALARM until SES publishes a rate: put it back as it was.
      const reason = `ses-guard drill ${runId}: restoring the state before the drill`;
      await api.send(t.region, new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: alarm.before as "OK" | "INSUFFICIENT_DATA", StateReason: reason }));
      alarm = { ...alarm, restored: true };
      options.log(`alarm ${alarmName} restored to ${alarm.before}${alarm.before === "OK" ? " (an OK mail follows)" : ""}`);
    }
  }
  return { runId, messages, alarm, elapsedSeconds: Math.round((options.now() - started) / 1000), ...waited };
}

/** Polls the archive for the messages' events until all arrived, the timeout, or an abort. */
async function waitForEvents(
  t: RegionTarget,
  api: ScopedApi,
  options: DrillOptions,
  started: number,
  pending: DrillMessage[],
): Promise<{ timedOut: boolean; aborted: boolean }> {
  const byId = new Map(pending.map((m) => [m.messageId!, m]));
  const awaited = pending.reduce((n, m) => n + m.awaited.length, 0);
  const seenKeys = new Set<string>();
  const deadline = started + options.timeoutSeconds * 1000;
  let objectsRead = 0;
  const done = () => pending.every((m) => m.awaited.every((e) => m.arrived.includes(e)));
  const seen = () => pending.reduce((n, m) => n + m.awaited.filter((e) => m.arrived.includes(e)).length, 0);
  while (!done()) {
    if (options.signal?.aborted) return { timedOut: false, aborted: true };
    // Firehose files objects by arrival day (UTC); a drill near midnight spans two.
    for (const prefix of dayPrefixesBetween(t.eventsPrefix, new Date(started), new Date(options.now()))) {
      const objects = await listObjects(api, t.bucketRegion, t.bucket, prefix);
      // An object written before the first send cannot hold its events (a minute of clock skew allowed).
      for (const o of objects.filter((o) => !seenKeys.has(o.key) && o.lastModified.getTime() >= started - 60_000)) {
        seenKeys.add(o.key);
        const got = await api.send<GetObjectCommandOutput>(t.bucketRegion, new GetObjectCommand({ Bucket: t.bucket, Key: o.key }));
        objectsRead++;
        const body = got.Body ? await got.Body.transformToByteArray() : new Uint8Array();
        for (const record of parseEventRecords(body)) {
          const message = record.mail?.messageId ? byId.get(record.mail.messageId) : undefined;
          const type = record.eventType ? configEventType(record.eventType) : undefined;
          if (message && type && !message.arrived.includes(type)) message.arrived.push(type);
        }
      }
    }
    const now = options.now();
    options.progress({ elapsedSeconds: Math.round((now - started) / 1000), timeoutSeconds: options.timeoutSeconds, seen: seen(), awaited, objectsRead });
    if (done()) break;
    if (now >= deadline) return { timedOut: true, aborted: false };
    await options.sleep(Math.min(options.pollSeconds * 1000, deadline - now));
  }
  return { timedOut: false, aborted: false };
}
