// `npm run drill`: sends to the mailbox simulator (mocked), waits on a fake clock for the events in
// gzip'd JSON-lines archive objects built from test/ses-event-samples/, reports what arrived.
import { DescribeAlarmsCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { SendEmailCommand } from "@aws-sdk/client-sesv2";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dayPrefix, parseEventRecords } from "../../modules/doctor/archive";
import { Api, ApiOptions } from "../../modules/doctor/aws";
import { drillMain } from "../../modules/doctor/drill-cli";
import { DRILL_TAG, SIMULATOR } from "../../modules/doctor/drill";
import { policyActions } from "../../modules/doctor/policy";
import { regionTarget } from "../../modules/doctor/target";
import { ACCOUNT, alarmLike, archiveObject, awsError, body, healthy, mocks, NOW, resetMocks, sampleEvent, testConfig } from "./doctor-mocks";

const RAW = { accountId: ACCOUNT, regions: ["us-east-1", "eu-west-1"], alarms: { emails: ["ops@example.com"] }, notifications: { enabled: false } };
const cfg = testConfig(RAW as never);
const t = regionTarget(cfg, "us-east-1");
const PREFIX = dayPrefix(t.eventsPrefix, NOW);

let dir: string;
let configFile: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-drill-"));
  configFile = path.join(dir, "ses-guard.json");
  fs.writeFileSync(configFile, JSON.stringify(RAW));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Message IDs SES returns, one per simulator address. */
const messageId = (address: string) => `0100018e${address.split("@")[0].padEnd(8, "x")}-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000`;
const ids = Object.fromEntries(SIMULATOR.map((s) => [s.address.split("@")[0], messageId(s.address)]));

interface Stored {
  readonly key: string;
  /** Seconds after NOW at which Firehose writes it (negative: before the drill). */
  readonly at: number;
  readonly bytes: Uint8Array;
}
let clock: number;
let stored: Stored[];

function store(at: number, records: object[], separator = "\n"): void {
  stored.push({
    key: `${PREFIX}ses-guard-events-1-2025-03-07-12-${String(stored.length).padStart(2, "0")}-00-${stored.length}`,
    at,
    bytes: archiveObject(records, separator),
  });
}

beforeEach(() => {
  resetMocks();
  healthy(cfg);
  clock = NOW.getTime();
  stored = [];
  mocks.sesv2
    .on(SendEmailCommand)
    .callsFake((input: { Destination: { ToAddresses: string[] } }) => ({ MessageId: messageId(input.Destination.ToAddresses[0]) }));
  mocks.s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => {
    const visible = stored.filter((o) => NOW.getTime() + o.at * 1000 <= clock && o.key.startsWith(input.Prefix));
    return {
      KeyCount: visible.length,
      IsTruncated: false,
      Contents: visible.map((o) => ({ Key: o.key, LastModified: new Date(NOW.getTime() + o.at * 1000), Size: o.bytes.length })),
    };
  });
  mocks.s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const o = stored.find((x) => x.key === input.Key);
    if (!o) throw awsError("NoSuchKey", "The specified key does not exist.", 404);
    return { Body: body(o.bytes), ContentType: "application/octet-stream" };
  });
  // Written before the drill: never read.
  store(-600, [sampleEvent("send", "older-message")]);
  // Firehose's first object after its 900 s buffer; the complaint's own events in a later one,
  // written back to back with no newline between the records.
  store(905, [
    sampleEvent("send", ids.success),
    sampleEvent("delivery", ids.success),
    sampleEvent("send", ids.bounce),
    sampleEvent("bounce", ids.bounce),
    sampleEvent("send", ids.complaint),
    sampleEvent("send", ids.suppressionlist),
    sampleEvent("bounce", ids.suppressionlist),
    sampleEvent("send", "someone-elses-message"),
  ]);
});

async function drill(argv: string[], over: { signalAfterSeconds?: number; api?: (a: Api) => void } = {}) {
  let out = "";
  const err: string[] = [];
  const abort = new AbortController();
  const code = await drillMain(argv.includes("--config") ? argv : ["--config", configFile, ...argv], {
    out: (text) => (out += text),
    err: (line) => err.push(line),
    env: {},
    cwd: dir,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
      if (over.signalAfterSeconds !== undefined && clock - NOW.getTime() >= over.signalAfterSeconds * 1000) abort.abort();
    },
    signal: abort.signal,
    makeApi: (options: ApiOptions) => {
      const api = new Api(options);
      over.api?.(api);
      return api;
    },
  });
  return { code, out, err, elapsedSeconds: (clock - NOW.getTime()) / 1000 };
}

const SEND = ["--yes", "--from", "sender@example.com"];

describe("npm run drill", () => {
  test("sends to each simulator address through the configuration set and reports the event types that arrived", async () => {
    store(1010, [sampleEvent("delivery", ids.complaint), sampleEvent("complaint", ids.complaint)], "");
    const { code, out } = await drill(SEND);
    const sends = mocks.sesv2.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(sends.map((s) => s.Destination?.ToAddresses)).toEqual(SIMULATOR.map((s) => [s.address]));
    for (const s of sends) {
      expect(s).toMatchObject({
        FromEmailAddress: "sender@example.com",
        ConfigurationSetName: "ses-guard",
        EmailTags: [{ Name: DRILL_TAG, Value: "20250307T120000Z" }],
      });
    }
    expect(out).toContain("PASS  success@simulator.amazonses.com (delivered): arrived SEND, DELIVERY\n");
    expect(out).toContain("PASS  bounce@simulator.amazonses.com (hard bounce): arrived SEND, BOUNCE\n");
    expect(out).toContain("PASS  complaint@simulator.amazonses.com (complaint): arrived SEND, DELIVERY, COMPLAINT\n");
    expect(out).toContain("PASS  suppressionlist@simulator.amazonses.com (on the suppression list): arrived SEND, BOUNCE\n");
    expect(out).toMatch(/ses-guard drill: passed: 4 of 4 messages archived with their events in \d+ s/);
    expect(code).toBe(0);
    // The object written before the first send is never fetched.
    expect(mocks.s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toHaveLength(2);
  });

  test("waits with a progress line, and fails after the timeout naming what is missing", async () => {
    const { code, out, err, elapsedSeconds } = await drill([...SEND, "--timeout-seconds", "1200"]);
    expect(code).toBe(1);
    expect(out).toContain("FAIL  complaint@simulator.amazonses.com (complaint): arrived SEND; missing COMPLAINT after 1200 s");
    expect(out).toMatch(/fix: npm run doctor checks .* --timeout-seconds 1500/);
    expect(out).toContain("ses-guard drill: failed: 3 of 4 messages archived");
    expect(elapsedSeconds).toBeGreaterThanOrEqual(1200);
    const progress = err.filter((l) => l.includes("waiting"));
    // Without a terminal: a line a minute, not one per poll.
    expect(progress.length).toBeGreaterThanOrEqual(15);
    expect(progress.length).toBeLessThan(1200 / 15);
    expect(progress.at(-1)).toMatch(/waiting 20:00 of 20:00: 7 of 8 events arrived, 1 archive objects read$/);
  });

  test("the default timeout is the buffering interval plus a margin; less than the interval is refused", async () => {
    const { code, out } = await drill(SEND);
    expect(code).toBe(1);
    expect(out).toContain("missing COMPLAINT after 1200 s");
    const short = await drill([...SEND, "--timeout-seconds", "600"]);
    expect(short).toMatchObject({ code: 2, out: "", err: ['ses-guard drill: error: --timeout-seconds: got "600"; allowed: a whole number from 900 to 10800'] });
    expect(mocks.sesv2.commandCalls(SendEmailCommand)).toHaveLength(SIMULATOR.length);
  });

  test("only the event types the archive keeps are awaited", async () => {
    const narrow = { ...RAW, archive: { eventTypes: ["SEND", "BOUNCE"] } };
    const file = path.join(dir, "narrow.json");
    fs.writeFileSync(file, JSON.stringify(narrow));
    const { code, out } = await drill(["--config", file, ...SEND]);
    expect(out).toContain("PASS  complaint@simulator.amazonses.com (complaint): arrived SEND\n");
    expect(code).toBe(0);
  });

  test("a message SES refuses is a failure with its reason, and nothing is awaited for it", async () => {
    mocks.sesv2
      .on(SendEmailCommand)
      .rejects(awsError("MessageRejected", "Email address is not verified. The following identities failed the check in region US-EAST-1: sender@example.com"));
    const { code, out } = await drill(SEND);
    expect(code).toBe(1);
    expect(out).toContain("FAIL  success@simulator.amazonses.com (delivered): refused by SES: MessageRejected: Email address is not verified.");
    expect(out).toContain("the sender must be verified in us-east-1");
    expect(mocks.s3.calls()).toHaveLength(0);
  });

  test("--alarm sets the warning alarm to ALARM, then puts it back after the wait", async () => {
    store(1010, [sampleEvent("complaint", ids.complaint)]);
    let api!: Api;
    const { code, out } = await drill([...SEND, "--alarm"], { api: (a) => (api = a) });
    expect(code).toBe(0);
    const states = mocks.cloudwatch.commandCalls(SetAlarmStateCommand).map((c) => [c.args[0].input.AlarmName, c.args[0].input.StateValue]);
    expect(states).toEqual([
      ["ses-guard-bounce-rate-warning", "ALARM"],
      ["ses-guard-bounce-rate-warning", "OK"],
    ]);
    const order = api.calls.map((c) => c.operation);
    expect(order.lastIndexOf("ListObjectsV2")).toBeLessThan(order.lastIndexOf("SetAlarmState"));
    expect(order.indexOf("SetAlarmState")).toBeLessThan(order.indexOf("ListObjectsV2"));
    expect(out).toContain("PASS  alarm ses-guard-bounce-rate-warning: set to ALARM, then restored to OK");
  });

  test("--alarm leaves an alarm that is really in ALARM alone", async () => {
    store(1010, [sampleEvent("complaint", ids.complaint)]);
    mocks.cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarmLike(t, "ses-guard-bounce-rate-warning", { StateValue: "ALARM" })] });
    const { code, out } = await drill([...SEND, "--alarm"]);
    expect(mocks.cloudwatch.commandCalls(SetAlarmStateCommand)).toHaveLength(0);
    expect(out).toContain("already in ALARM, left as it is");
    expect(code).toBe(0);
  });

  test("stopped early (Ctrl-C): the alarm is still restored", async () => {
    const { code } = await drill([...SEND, "--alarm"], { signalAfterSeconds: 60 });
    expect(code).toBe(1);
    expect(mocks.cloudwatch.commandCalls(SetAlarmStateCommand).map((c) => c.args[0].input.StateValue)).toEqual(["ALARM", "OK"]);
  });

  test("without --yes it says what it would send and exits 2, sending nothing", async () => {
    const { code, out, err } = await drill(["--from", "sender@example.com", "--alarm"]);
    expect(code).toBe(2);
    for (const s of SIMULATOR) expect(out).toContain(`send from sender@example.com to ${s.address}`);
    expect(out).toContain("set alarm ses-guard-bounce-rate-warning to ALARM");
    expect(out).toContain("never counts toward the reputation metrics");
    expect(err).toEqual(["ses-guard drill: nothing sent: add --yes to send"]);
    expect(mocks.sesv2.calls()).toHaveLength(0);
    expect(mocks.sts.calls()).toHaveLength(0);
  });

  test("bad flags: one line, exit 2", async () => {
    for (const argv of [
      ["--yes"],
      ["--yes", "--from", "not an address"],
      ["--yes", "--from", "a@example.com", "--region", "ap-south-1"],
      ["--yes", "--from", "a@example.com", "--timeout-seconds", "soon"],
    ]) {
      const { code, err } = await drill(argv);
      expect([argv.join(" "), code, err.length]).toEqual([argv.join(" "), 2, 1]);
      expect(err[0]).toMatch(/^ses-guard drill: error: .*allowed: /);
    }
    expect(mocks.sesv2.calls()).toHaveLength(0);
  });

  test("--region picks another configured region", async () => {
    await drill([...SEND, "--region", "eu-west-1", "--timeout-seconds", "900"]);
    const calls = mocks.sesv2.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(4);
    expect(await (calls[0].thisValue as { config: { region: () => Promise<string> } }).config.region()).toBe("eu-west-1");
    expect(mocks.s3.commandCalls(ListObjectsV2Command)[0].args[0].input.Prefix).toBe(dayPrefix("events/eu-west-1/", NOW));
  });

  test("credentials of another account: nothing sent, exit 1", async () => {
    mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: "999999999999", Arn: "arn:aws:iam::999999999999:user/x" });
    const { code, out } = await drill(SEND);
    expect(code).toBe(1);
    expect(out).toContain("999999999999");
    expect(mocks.sesv2.calls()).toHaveLength(0);
  });

  test("a missing permission: one line naming it, exit 2", async () => {
    mocks.sesv2
      .on(SendEmailCommand)
      .rejects(
        awsError(
          "AccessDeniedException",
          "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ses:SendEmail on resource: arn:aws:ses:us-east-1:123456789012:identity/example.com",
          403,
        ),
      );
    const { code, out, err } = await drill(SEND);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err.filter((l) => l.includes("could not check"))).toEqual([
      "ses-guard drill: could not check: access denied: missing permission ses:SendEmail on arn:aws:ses:us-east-1:123456789012:identity/example.com (sesv2 SendEmail in us-east-1); npm run doctor -- --print-policy prints the read-only policy the doctor needs",
    ]);
  });

  test("--print-policy: send, read the archive; the alarm and the KMS key only when needed", async () => {
    const plain = JSON.parse((await drill(["--from", "sender@example.com", "--print-policy"])).out);
    expect(policyActions(plain)).toEqual(["s3:GetObject", "s3:ListBucket", "ses:SendEmail"]);
    const send = plain.Statement.find((s: { Action: string }) => s.Action === "ses:SendEmail");
    expect(send.Resource).toEqual([
      "arn:aws:ses:us-east-1:123456789012:configuration-set/ses-guard",
      "arn:aws:ses:us-east-1:123456789012:identity/example.com",
      "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com",
    ]);
    expect(plain.Statement.find((s: { Action: string }) => s.Action === "s3:GetObject").Resource).toBe(`${t.bucketArn}/events/us-east-1/*`);
    const alarm = JSON.parse((await drill(["--from", "sender@example.com", "--print-policy", "--alarm"])).out);
    expect(policyActions(alarm)).toEqual(["cloudwatch:DescribeAlarms", "cloudwatch:SetAlarmState", "s3:GetObject", "s3:ListBucket", "ses:SendEmail"]);
    const encrypted = path.join(dir, "encrypted.json");
    fs.writeFileSync(encrypted, JSON.stringify({ ...RAW, encryption: { archive: true } }));
    const kms = JSON.parse((await drill(["--config", encrypted, "--from", "sender@example.com", "--print-policy"])).out);
    expect(kms.Statement.at(-1)).toMatchObject({ Action: "kms:Decrypt", Condition: { StringEquals: { "kms:ViaService": ["s3.us-east-1.amazonaws.com"] } } });
    expect(mocks.sts.calls()).toHaveLength(0);
  });
});

describe("archive records", () => {
  const records = [sampleEvent("send", "a"), sampleEvent("bounce", "a")];

  test("one JSON record per line, gzip'd", () => {
    expect(parseEventRecords(archiveObject(records)).map((r) => [r.eventType, r.mail?.messageId])).toEqual([
      ["Send", "a"],
      ["Bounce", "a"],
    ]);
  });

  test("records back to back without a newline, a line that is not JSON, an object not gzip'd", () => {
    expect(parseEventRecords(archiveObject(records, "")).map((r) => r.eventType)).toEqual(["Send", "Bounce"]);
    const mixed = Buffer.from(`${JSON.stringify(records[0])}\nnot json at all\n{"eventType": "Delivery", "mail": {"messageId": "b}"}}\n`);
    expect(parseEventRecords(mixed).map((r) => r.eventType)).toEqual(["Send", "Delivery"]);
  });
});
