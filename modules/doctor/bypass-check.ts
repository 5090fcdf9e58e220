/**
 * Sends that bypass the configuration set: the account's `Send` count (AWS/SES, no dimension: SES
 * publishes it for the account, free) against the Send events of the set in the archive over the
 * same day. SES publishes no per-set send count of its own: per-set counts exist only through a
 * CloudWatch event destination, a custom metric ses-guard does not create (SES Developer Guide, "Set
 * up a CloudWatch event destination for event publishing"); the archive's Send events are the set's
 * own record of every message sent with it (SES Developer Guide, "Monitoring your Amazon SES sending
 * activity": Send is the event of a successful send request).
 */
import type { GetMetricDataCommandOutput } from "@aws-sdk/client-cloudwatch";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { GetObjectCommandOutput } from "@aws-sdk/client-s3";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { ArchiveObject, dayPrefixesBetween, listObjects, parseEventRecords } from "./archive";
import { isNotFound } from "./aws";
import { ANY, APPLY, Check, result } from "./check-kit";
import { RegionTarget } from "./target";

/** Read at most this much of the archive for one region: a day at moderate volume is far less. */
export const BYPASS_MAX_OBJECTS = 300;
export const BYPASS_MAX_MIB = 256;
/** After the buffering interval, SES's publishing and Firehose's delivery: events newer than this may not be archived yet. */
export const BYPASS_LAG_SECONDS = 600;
const PERIOD_SECONDS = 300;

const archivesSends = (t: RegionTarget) => (t.eventTypes as readonly string[]).includes("SEND");

/** The day measured: it ends before the newest events, which may still be buffered; whole periods. */
export function bypassWindow(t: RegionTarget, now: Date): { start: Date; end: Date } {
  const period = PERIOD_SECONDS * 1000;
  const end = Math.floor((now.getTime() - (t.bufferingIntervalSeconds + BYPASS_LAG_SECONDS) * 1000) / period) * period;
  return { start: new Date(end - 24 * 3_600_000), end: new Date(end) };
}

export const bypassCheck: Check = {
  id: "bypass",
  scope: "region",
  summary:
    "sends that bypass the configuration set: the account's Send metric against the set's Send events in the archive over the last day; those sends are neither archived nor seen by the set's alarms (cloudwatch GetMetricData, s3 ListObjectsV2, GetObject)",
  calls: [
    { command: GetMetricDataCommand, resources: (t) => (archivesSends(t) ? ANY() : []) },
    { command: ListObjectsV2Command, resources: (t) => (archivesSends(t) ? [t.bucketArn] : []) },
    { command: GetObjectCommand, resources: (t) => (archivesSends(t) ? [`${t.bucketArn}/${t.eventsPrefix}*`] : []) },
  ],
  async run(ctx) {
    const t = ctx.target;
    const subject = `sends without configuration set ${t.configurationSet}`;
    if (!archivesSends(t)) {
      return [
        result(
          ctx,
          "bypass",
          "warn",
          subject,
          "not measured: archive.eventTypes leaves SEND out, so the archive cannot count the set's sends",
          "add SEND to archive.eventTypes",
        ),
      ];
    }
    const { start, end } = bypassWindow(t, ctx.now);
    const span = `${start.toISOString()} to ${end.toISOString()}`;
    const metric: GetMetricDataCommandOutput = await ctx.api.send(
      t.region,
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: end,
        MetricDataQueries: [
          { Id: "send", MetricStat: { Metric: { Namespace: "AWS/SES", MetricName: "Send" }, Period: PERIOD_SECONDS, Stat: "Sum" }, ReturnData: true },
        ],
      }),
    );
    const accountSends = Math.round((metric.MetricDataResults?.find((r) => r.Id === "send")?.Values ?? []).reduce((a, b) => a + b, 0));
    if (accountSends === 0) return [result(ctx, "bypass", "pass", subject, `none: the account sent nothing in ${t.region} from ${span}`)];

    let objects: ArchiveObject[] = [];
    try {
      for (const prefix of dayPrefixesBetween(t.eventsPrefix, start, ctx.now)) {
        objects.push(...(await listObjects(ctx.api, t.bucketRegion, t.bucket, prefix)));
      }
    } catch (e) {
      if (!isNotFound(e)) throw e;
      return [result(ctx, "bypass", "fail", subject, `bucket ${t.bucket} not found: none of the ${accountSends} sends is archived`, APPLY(t))];
    }
    // An object written before the window cannot hold its events.
    objects = objects.filter((o) => o.lastModified >= start);
    const bytes = objects.reduce((n, o) => n + o.size, 0);
    if (objects.length > BYPASS_MAX_OBJECTS || bytes > BYPASS_MAX_MIB * 1024 * 1024) {
      return [
        result(
          ctx,
          "bypass",
          "warn",
          subject,
          `not measured: the account sent ${accountSends} messages from ${span}, and the archive holds ${objects.length} objects (${Math.round(bytes / 1048576)} MiB) for that day, more than the doctor reads (${BYPASS_MAX_OBJECTS} objects, ${BYPASS_MAX_MIB} MiB)`,
          `count the day's Send events with Athena (eventtype = 'Send') and compare with the account's Send metric`,
        ),
      ];
    }
    let setSends = 0;
    for (const o of objects) {
      const got: GetObjectCommandOutput = await ctx.api.send(t.bucketRegion, new GetObjectCommand({ Bucket: t.bucket, Key: o.key }));
      const body = got.Body ? await got.Body.transformToByteArray() : new Uint8Array();
      for (const record of parseEventRecords(body)) {
        const at = record.mail?.timestamp ? Date.parse(record.mail.timestamp) : NaN;
        if (record.eventType === "Send" && at >= start.getTime() && at < end.getTime()) setSends++;
      }
    }
    const bypassed = accountSends - setSends;
    if (bypassed <= 0) {
      return [
        result(ctx, "bypass", "pass", subject, `none: ${accountSends} sends in ${t.region} from ${span}, ${setSends} of them archived as sent with the set`),
      ];
    }
    const percent = +((bypassed / accountSends) * 100).toPrecision(3);
    return [
      result(
        ctx,
        "bypass",
        "warn",
        subject,
        `${bypassed} of ${accountSends} sends (${percent} %) in ${t.region} from ${span} did not use it (the archive holds ${setSends}): they are not archived, not relayed to chat, and the set's own alarms and pause do not see them (the account's alarms do)`,
        `find the senders (CloudTrail: SendEmail and SendRawEmail without ConfigurationSetName; SMTP users) and make them pass ConfigurationSetName="${t.configurationSet}" or header "X-SES-CONFIGURATION-SET: ${t.configurationSet}", or make it each identity's default: aws sesv2 put-email-identity-configuration-set-attributes --email-identity <identity> --configuration-set-name ${t.configurationSet} --region ${t.region}`,
      ),
    ];
  },
};
