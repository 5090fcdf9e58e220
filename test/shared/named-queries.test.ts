// The saved Athena queries: valid Trino SQL, reading only columns the table has, at paths real SES events have.
import * as fs from "fs";
import * as path from "path";
import { NamedQuery, namedQueries, NamedQueryContext, READABLE_DAYS_NOTE } from "../../modules/shared/named-queries";
import { SES_EVENT_COLUMNS } from "../../modules/shared/ses-event-schema";
import { sqlReferences, valuesAtPath } from "../support/sql-references";
import { trinoSyntaxErrors } from "../support/trino-sql";

const CTX: NamedQueryContext = { database: "acme_mail_events", table: "ses_events", lookbackDays: 14, campaignTag: "Campaign" };
const queries = namedQueries(CTX);
const byId = (id: string) => queries.find((q) => q.id === id)!;

const samplesDir = path.join(__dirname, "..", "ses-event-samples");
const samples = fs
  .readdirSync(samplesDir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(fs.readFileSync(path.join(samplesDir, f), "utf8")) as { eventType: string });

const cases = queries.map((q) => [q.id, q] as const);

test("the investigations the issue asks for, each once", () => {
  expect(queries.map((q) => q.id)).toEqual([
    "HardBouncesByRecipient",
    "HardBouncesByDomain",
    "ComplaintsByRecipient",
    "BounceRateByConfigurationSet",
    "BounceRateByCampaign",
    "SuppressionCandidates",
    "DeliveryDelaysByDomain",
  ]);
  expect(new Set(queries.map((q) => q.name)).size).toBe(queries.length);
});

describe.each(cases)("%s", (_id, query: NamedQuery) => {
  test("parses as Trino SQL (Athena engine version 3), with Trino's own grammar", () => {
    expect(trinoSyntaxErrors(query.sql)).toEqual([]);
  });

  test("references only table columns, partition keys and its own aliases", () => {
    const refs = sqlReferences(query.sql, CTX);
    expect(refs.problems).toEqual([]);
    expect(refs.columnPaths.length).toBeGreaterThan(0);
  });

  test("every column path it reads exists, non-null, in an SES example event, at the path the schema says", () => {
    const refs = sqlReferences(query.sql, CTX);
    const missing = refs.columnPaths.filter((p) => !samples.some((doc) => valuesAtPath(doc, p).length > 0));
    // In SES's "Contents of event data" reference (null, or OnAccountSuppressionList), in none of its examples.
    expect(missing.filter((p) => p !== "complaint.complaintsubtype")).toEqual([]);
  });

  test("compares eventtype only with values SES writes, and looks up tags SES sets", () => {
    const refs = sqlReferences(query.sql, CTX);
    const written = new Set(samples.map((s) => s.eventType));
    expect(refs.eventTypes.filter((t) => !written.has(t))).toEqual([]);
    for (const { path: mapPath, key } of refs.mapKeys.filter((k) => k.key.startsWith("ses:"))) {
      // Every event of the types the query reads carries it (the examples all do).
      const relevant = refs.eventTypes.length ? samples.filter((s) => refs.eventTypes.includes(s.eventType)) : samples;
      for (const doc of relevant) expect([doc.eventType, valuesAtPath(doc, mapPath).some((m) => key in (m as object))]).toEqual([doc.eventType, true]);
    }
  });

  test("scans only the days it asks about: every read of the table filters on the dt partition", () => {
    const reads = query.sql.split(`FROM ${CTX.database}.${CTX.table}`).length - 1;
    const filters = query.sql.split(`dt >= date_format(current_date - INTERVAL '${CTX.lookbackDays}' DAY, '%Y/%m/%d')`).length - 1;
    expect(reads).toBeGreaterThan(0);
    expect(filters).toBe(reads);
    expect(sqlReferences(query.sql, CTX).partitionKeys).toContain("dt");
  });

  test("fits Athena's limits for a named query", () => {
    expect(query.name.length).toBeLessThanOrEqual(128);
    expect(query.description.length).toBeLessThanOrEqual(1024);
    expect(query.sql.length).toBeLessThanOrEqual(262144);
    expect(query.id).toMatch(/^[A-Z][A-Za-z]+$/);
  });
});

describe("the checks can fail", () => {
  test("the Trino parser rejects broken SQL", () => {
    expect(trinoSyntaxErrors("SELECT count(* FROM t").length).toBeGreaterThan(0);
    expect(trinoSyntaxErrors(byId("HardBouncesByRecipient").sql.replace("GROUP BY", "GROUP")).length).toBeGreaterThan(0);
  });

  test("a column the schema does not have is reported", () => {
    const sql = byId("HardBouncesByDomain").sql.replace("bounce.bouncesubtype", "bounce.bouncesubtypes");
    expect(sqlReferences(sql, CTX).problems).toEqual(["bounce.bouncesubtypes: not a column path of the schema"]);
  });

  test("an UNNEST whose aliases do not match the struct's fields is reported", () => {
    const sql = byId("HardBouncesByDomain").sql.replace("AS r (emailaddress, action, status, diagnosticcode)", "AS r (emailaddress)");
    expect(sqlReferences(sql, CTX).problems[0]).toMatch(/^UNNEST\(bounce\.bouncedrecipients\) AS r\(emailaddress\): the schema's element has fields/);
  });

  test("an unknown identifier is reported", () => {
    expect(sqlReferences(`SELECT recipient FROM ${CTX.database}.${CTX.table}`, CTX).problems).toEqual([
      "recipient: not a column, partition key, alias or keyword",
    ]);
  });

  test("a path real events do not have is caught by the samples check", () => {
    const columns = SES_EVENT_COLUMNS.map((c) =>
      c.name === "bounce" && c.type.kind === "struct"
        ? { ...c, type: { ...c.type, fields: [...c.type.fields, { name: "bouncedrecipient", type: { kind: "string" as const } }] } }
        : c,
    );
    const refs = sqlReferences(`SELECT bounce.bouncedrecipient FROM ${CTX.database}.${CTX.table} WHERE dt > ''`, CTX, columns);
    expect(refs.problems).toEqual([]);
    expect(samples.some((doc) => valuesAtPath(doc, "bounce.bouncedrecipient").length > 0)).toBe(false);
  });
});

describe("namedQueries", () => {
  test("writes the database, table, look-back and campaign tag (matched without case: SES keeps the sender's case) into the SQL", () => {
    expect(byId("HardBouncesByRecipient").sql).toContain("FROM acme_mail_events.ses_events");
    expect(byId("HardBouncesByRecipient").sql).toContain("INTERVAL '14' DAY");
    expect(byId("HardBouncesByRecipient").description).toContain("the last 14 days");
    expect(byId("BounceRateByCampaign").sql).toContain("element_at(flatten(map_values(map_filter(mail.tags, (k, v) -> lower(k) = 'campaign'))), 1)");
    expect(byId("BounceRateByCampaign").sql).not.toContain("element_at(mail.tags, ");
    expect(namedQueries({ ...CTX, lookbackDays: 1 })[0].description).toContain("the last 1 day (");
  });

  test("hard bounces are permanent bounces SES tried to deliver; suppression candidates prefer COMPLAINT", () => {
    for (const id of ["HardBouncesByRecipient", "HardBouncesByDomain", "SuppressionCandidates", "BounceRateByConfigurationSet", "BounceRateByCampaign"]) {
      expect(byId(id).sql).toContain(
        "eventtype = 'Bounce' AND bounce.bouncetype = 'Permanent' AND coalesce(bounce.bouncesubtype, '') <> 'OnAccountSuppressionList'",
      );
    }
    for (const id of ["ComplaintsByRecipient", "SuppressionCandidates", "BounceRateByConfigurationSet"]) {
      expect(byId(id).sql).toContain("eventtype = 'Complaint' AND coalesce(complaint.complaintsubtype, '') <> 'OnAccountSuppressionList'");
    }
    expect(byId("SuppressionCandidates").sql).toContain("max(reason) AS reason");
    expect(byId("DeliveryDelaysByDomain").sql).toContain("eventtype = 'DeliveryDelay'");
  });

  test("is deterministic", () => {
    expect(namedQueries(CTX)).toEqual(queries);
  });

  test.each([
    [{ database: "Acme" }, 'namedQueries database: got "Acme"; allowed: lower-case letters, digits and _ (not starting with a digit)'],
    [{ table: "ses-events" }, 'namedQueries table: got "ses-events"; allowed: lower-case letters, digits and _ (not starting with a digit)'],
    [{ lookbackDays: 0 }, "namedQueries lookbackDays: got 0; allowed: a whole number from 1 to 3653"],
    [{ lookbackDays: 1.5 }, "namedQueries lookbackDays: got 1.5; allowed: a whole number from 1 to 3653"],
    [{ campaignTag: "it's" }, `namedQueries campaignTag: got "it's"; allowed: an SES message tag name: 1 to 256 letters, digits, _ or -`],
  ])("refuses %j", (override, message) => {
    expect(() => namedQueries({ ...CTX, ...override })).toThrow(message);
  });
});

describe("descriptions", () => {
  test("each says the answers stop where the archive moves events to a class Athena skips", () => {
    for (const q of namedQueries(CTX)) expect(q.description.endsWith(READABLE_DAYS_NOTE)).toBe(true);
  });

  test("fit Athena's 1024-character limit for a saved query's description", () => {
    for (const q of namedQueries(CTX)) expect(q.description.length).toBeLessThanOrEqual(1024);
  });
});
