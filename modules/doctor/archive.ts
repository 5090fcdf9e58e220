/**
 * Reading the archive's layout: `events/<region>/YYYY/MM/DD/` (UTC, Firehose's arrival time)
 * holding gzip'd objects of SES event records, one JSON document per line.
 */
import { gunzipSync } from "zlib";
import type { ListObjectsV2CommandOutput } from "@aws-sdk/client-s3";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { ScopedApi } from "./aws";

const DAY_MS = 24 * 3600 * 1000;

/** `events/us-east-1/2025/03/07/` for the UTC day of `at`. */
export function dayPrefix(eventsPrefix: string, at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${eventsPrefix}${at.getUTCFullYear()}/${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/`;
}

/** Day prefixes from `from`'s UTC day to `to`'s, oldest first. */
export function dayPrefixesBetween(eventsPrefix: string, from: Date, to: Date): string[] {
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const out: string[] = [];
  for (let t = start; t <= to.getTime(); t += DAY_MS) out.push(dayPrefix(eventsPrefix, new Date(t)));
  return out;
}

export interface ArchiveObject {
  readonly key: string;
  readonly lastModified: Date;
  /** Bytes, as stored (gzip'd). */
  readonly size: number;
}

/** Stops a runaway listing: a day at 900 s buffering holds about 100 objects, not 20,000. */
const MAX_PAGES = 20;

/** Every object under a prefix (paginated). */
export async function listObjects(api: ScopedApi, region: string, bucket: string, prefix: string): Promise<ArchiveObject[]> {
  const objects: ArchiveObject[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await api.send<ListObjectsV2CommandOutput>(region, new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of out.Contents ?? []) {
      if (o.Key && o.LastModified) objects.push({ key: o.Key, lastModified: new Date(o.LastModified), size: o.Size ?? 0 });
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
    if (!token) break;
  }
  return objects;
}

/**
 * The newest object under the events prefix within `days` days before `now`, looking at today
 * first and going back one day prefix at a time, so a busy archive costs one listing.
 */
export async function newestObject(
  api: ScopedApi,
  region: string,
  bucket: string,
  eventsPrefix: string,
  now: Date,
  days: number,
): Promise<ArchiveObject | undefined> {
  for (let back = 0; back <= days; back++) {
    const objects = await listObjects(api, region, bucket, dayPrefix(eventsPrefix, new Date(now.getTime() - back * DAY_MS)));
    if (objects.length) return objects.reduce((a, b) => (b.lastModified > a.lastModified ? b : a));
  }
  return undefined;
}

/** One SES event record, the fields the drill reads. */
export interface EventRecord {
  readonly eventType?: string;
  readonly mail?: { readonly messageId?: string; readonly destination?: readonly string[]; readonly timestamp?: string };
}

/**
 * The records in one archive object. SES ends each record it publishes to Firehose with a newline;
 * records written back to back without one are split too, and a line that is not JSON is skipped.
 */
export function parseEventRecords(body: Uint8Array): EventRecord[] {
  let text: string;
  try {
    text = gunzipSync(body).toString("utf8");
  } catch {
    // Not gzip'd (an object written by something else): read it as it is.
    text = Buffer.from(body).toString("utf8");
  }
  const records: EventRecord[] = [];
  for (const chunk of splitJsonDocuments(text)) {
    try {
      const value = JSON.parse(chunk) as unknown;
      if (value && typeof value === "object" && !Array.isArray(value)) records.push(value as EventRecord);
    } catch {
      // A truncated or foreign line: not an event.
    }
  }
  return records;
}

/** Top-level `{...}` documents in order, tracking strings so braces inside them do not count. */
function splitJsonDocuments(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && depth > 0 && --depth === 0) {
      out.push(text.slice(start, i + 1));
    }
  }
  return out;
}

/** SES's `eventType` values as the config's event type names (`Rendering Failure` is RENDERING_FAILURE). */
export function configEventType(eventType: string): string {
  const special: Record<string, string> = { "Rendering Failure": "RENDERING_FAILURE", DeliveryDelay: "DELIVERY_DELAY" };
  return special[eventType] ?? eventType.toUpperCase();
}
