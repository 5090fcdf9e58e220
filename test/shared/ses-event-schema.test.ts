// The Glue table's schema against SES's published example events (test/ses-event-samples/).
import * as fs from "fs";
import * as path from "path";
import { HiveType, hiveType, PARTITION_KEYS, SES_EVENT_COLUMNS, typeAtPath } from "../../modules/shared/ses-event-schema";

const samplesDir = path.join(__dirname, "..", "ses-event-samples");
const samples = fs
  .readdirSync(samplesDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((file) => ({ file, doc: JSON.parse(fs.readFileSync(path.join(samplesDir, file), "utf8")) as Record<string, unknown> }));

/** The OpenX JSON SerDe with case.insensitive (the table's setting) lower-cases every key. */
function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]));
  return value;
}

/** Where a JSON value does not fit a Hive type (the SerDe would fail or read NULL); missing and null fit anything. */
function misfits(value: unknown, type: HiveType, at: string): string[] {
  if (value === undefined || value === null) return [];
  switch (type.kind) {
    case "string":
      return typeof value === "string" ? [] : [`${at}: ${JSON.stringify(value)} is not a string`];
    case "bigint":
      return Number.isInteger(value) ? [] : [`${at}: ${JSON.stringify(value)} is not an integer`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${at}: ${JSON.stringify(value)} is not a boolean`];
    case "array":
      return Array.isArray(value) ? value.flatMap((v, i) => misfits(v, type.of, `${at}[${i}]`)) : [`${at}: not an array`];
    case "map":
      return typeof value === "object" && !Array.isArray(value)
        ? Object.entries(value as object).flatMap(([k, v]) => misfits(v, type.value, `${at}{${k}}`))
        : [`${at}: not an object`];
    case "struct":
      return typeof value === "object" && !Array.isArray(value)
        ? type.fields.flatMap((f) => misfits((value as Record<string, unknown>)[f.name], f.type, `${at}.${f.name}`))
        : [`${at}: not an object`];
  }
}

/** Every struct field path of a type, for coverage (`[]` into arrays; maps are leaves). */
function fieldPaths(type: HiveType, at: string): string[] {
  if (type.kind === "array") return fieldPaths(type.of, `${at}[]`);
  if (type.kind === "struct") return type.fields.flatMap((f) => [`${at}.${f.name}`, ...fieldPaths(f.type, `${at}.${f.name}`)]);
  return [];
}

function present(doc: unknown, fieldPath: string): boolean {
  let values: unknown[] = [doc];
  for (const segment of fieldPath.split(".")) {
    const arrays = (segment.match(/\[\]/g) ?? []).length;
    const name = segment.replace(/\[\]/g, "");
    values = values.flatMap((v) => (v && typeof v === "object" && !Array.isArray(v) && name in v ? [(v as Record<string, unknown>)[name]] : []));
    for (let i = 0; i < arrays; i++) values = values.flatMap((v) => (Array.isArray(v) ? v : []));
  }
  return values.some((v) => v !== undefined && v !== null);
}

describe("SES event samples (from the SES developer guide's examples)", () => {
  test("one per event type (and a second bounce, with several recipients), including the seven ses-guard archives by default", () => {
    const types = samples.map((s) => s.doc.eventType).sort();
    expect(types).toEqual([
      "Bounce",
      "Bounce",
      "Click",
      "Complaint",
      "Delivery",
      "DeliveryDelay",
      "Open",
      "Reject",
      "Rendering Failure",
      "Send",
      "Subscription",
    ]);
  });

  test("each carries the mail object and the event's own object", () => {
    const own: Record<string, string> = {
      Bounce: "bounce",
      Complaint: "complaint",
      Delivery: "delivery",
      Send: "send",
      Reject: "reject",
      Open: "open",
      Click: "click",
      "Rendering Failure": "failure",
      DeliveryDelay: "deliveryDelay",
      Subscription: "subscription",
    };
    for (const { file, doc } of samples) {
      expect([file, Object.keys(doc).sort()]).toEqual([file, ["eventType", "mail", own[doc.eventType as string]].sort()]);
    }
  });
});

describe("the table schema", () => {
  test("has a column for every top-level key of every sample, except Send's always-empty send object", () => {
    const columns = new Set(SES_EVENT_COLUMNS.map((c) => c.name));
    const missing = samples.flatMap(({ file, doc }) =>
      Object.keys(lowerKeys(doc) as object)
        .filter((k) => !columns.has(k))
        .map((k) => `${file}: ${k}`),
    );
    expect(missing).toEqual(["send.json: send"]);
    expect((samples.find((s) => s.file === "send.json")!.doc as { send: object }).send).toEqual({});
  });

  test("reads every sample without a type mismatch (each present field has the schema's type)", () => {
    const problems = samples.flatMap(({ file, doc }) => {
      const row = lowerKeys(doc) as Record<string, unknown>;
      return SES_EVENT_COLUMNS.flatMap((c) => misfits(row[c.name], c.type, `${file}: ${c.name}`));
    });
    expect(problems).toEqual([]);
  });

  test("every field it declares is in some sample, except those SES documents but its examples leave out", () => {
    // Fields in SES's "Contents of event data" reference that none of its examples carries.
    const documentedNotInExamples = ["complaint.complaintsubtype", "delivery.remotemtaip", "deliverydelay.reportingmta"];
    const rows = samples.map((s) => lowerKeys(s.doc));
    const unseen = SES_EVENT_COLUMNS.flatMap((c) => fieldPaths(c.type, c.name)).filter((p) => !rows.some((r) => present(r, p)));
    expect(unseen).toEqual(documentedNotInExamples);
  });

  test("field names are lower case, as the SerDe reads keys, and unique within each struct", () => {
    const walk = (type: HiveType, at: string): string[] => {
      if (type.kind === "array") return walk(type.of, at);
      if (type.kind === "map") return walk(type.value, at);
      if (type.kind !== "struct") return [];
      const names = type.fields.map((f) => f.name);
      return [
        ...names.filter((n) => n !== n.toLowerCase() || !/^[a-z][a-z0-9_]*$/.test(n)).map((n) => `${at}.${n}: not lower case`),
        ...names.filter((n, i) => names.indexOf(n) !== i).map((n) => `${at}.${n}: twice`),
        ...type.fields.flatMap((f) => walk(f.type, `${at}.${f.name}`)),
      ];
    };
    expect(SES_EVENT_COLUMNS.flatMap((c) => walk(c.type, c.name))).toEqual([]);
    const names = SES_EVENT_COLUMNS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => (PARTITION_KEYS as readonly { name: string }[]).some((k) => k.name === n))).toEqual([]);
  });

  test("renders Hive type strings for Glue", () => {
    const column = (name: string) => hiveType(SES_EVENT_COLUMNS.find((c) => c.name === name)!.type);
    expect(column("eventtype")).toBe("string");
    expect(column("reject")).toBe("struct<reason:string>");
    expect(column("bounce")).toBe(
      "struct<bouncetype:string,bouncesubtype:string,bouncedrecipients:array<struct<emailaddress:string,action:string,status:string,diagnosticcode:string>>,timestamp:string,feedbackid:string,reportingmta:string>",
    );
    expect(column("mail")).toContain(",tags:map<string,array<string>>>");
    expect(column("delivery")).toContain("processingtimemillis:bigint");
  });

  test("typeAtPath resolves dotted paths and [] into arrays, and nothing else", () => {
    expect(typeAtPath("bounce.bouncedrecipients[].emailaddress")).toEqual({ kind: "string" });
    expect(typeAtPath("mail.destination[]")).toEqual({ kind: "string" });
    expect(typeAtPath("mail.tags")?.kind).toBe("map");
    expect(typeAtPath("bounce.bouncedrecipients.emailaddress")).toBeUndefined();
    expect(typeAtPath("bounce.nosuchfield")).toBeUndefined();
    expect(typeAtPath("nosuchcolumn")).toBeUndefined();
    expect(typeAtPath("Bounce.bounceType")).toBeUndefined();
  });
});
