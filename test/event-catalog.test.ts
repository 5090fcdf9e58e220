import { Testing } from "cdktf";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { EventCatalog, EventCatalogProps } from "../modules/event-catalog";
import { hiveType, SES_EVENT_COLUMNS } from "../modules/shared/ses-event-schema";

function props(overrides: Partial<EventCatalogProps> = {}): EventCatalogProps {
  return { databaseName: "shop_events", bucketName: "shop-ses-archive", regions: ["us-east-1"], ...overrides };
}

function synth(overrides: Partial<EventCatalogProps> = {}): string {
  return Testing.synthScope((scope) => {
    new EventCatalog(scope, "Catalog", props(overrides));
  });
}

function only(synthesized: string, type: { tfResourceType: string }): any {
  const list = Object.values(JSON.parse(synthesized).resource?.[type.tfResourceType] ?? {});
  expect(list).toHaveLength(1);
  return list[0];
}

describe("EventCatalog database", () => {
  test("is named databaseName", () => {
    expect(synth()).toHaveResourceWithProperties(GlueCatalogDatabase, { name: "shop_events" });
  });
});

describe("EventCatalog table", () => {
  test("is an external table in the database (referenced, so created after it), named ses_events by default", () => {
    const table = only(synth(), GlueCatalogTable);
    expect(table).toMatchObject({ name: "ses_events", table_type: "EXTERNAL_TABLE" });
    expect(table.database_name).toMatch(/^\$\{aws_glue_catalog_database\.[a-z_0-9A-F]+\.name\}$/);
    expect(only(synth({ tableName: "events" }), GlueCatalogTable).name).toBe("events");
  });

  test("reads gzip'd JSON lines with the OpenX SerDe, keys lower-cased, malformed lines skipped", () => {
    const sd = only(synth(), GlueCatalogTable).storage_descriptor;
    expect(sd).toMatchObject({
      location: "s3://shop-ses-archive/events/",
      input_format: "org.apache.hadoop.mapred.TextInputFormat",
      output_format: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      ser_de_info: {
        serialization_library: "org.openx.data.jsonserde.JsonSerDe",
        parameters: { "case.insensitive": "TRUE", "ignore.malformed.json": "TRUE" },
      },
    });
    expect(only(synth(), GlueCatalogTable).parameters).toMatchObject({ classification: "json", compressionType: "gzip", EXTERNAL: "TRUE" });
  });

  test("has the SES event schema's columns, as Hive types, with comments", () => {
    const columns = only(synth(), GlueCatalogTable).storage_descriptor.columns;
    expect(columns).toEqual(SES_EVENT_COLUMNS.map((c) => ({ name: c.name, type: hiveType(c.type), comment: c.comment })));
    expect(columns.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(["eventtype", "mail", "bounce", "complaint", "delivery", "reject", "deliverydelay", "failure"]),
    );
  });

  test("is partitioned by region and dt, both strings", () => {
    expect(only(synth(), GlueCatalogTable).partition_keys.map((k: { name: string; type: string }) => [k.name, k.type])).toEqual([
      ["region", "string"],
      ["dt", "string"],
    ]);
  });

  test("projects partitions: region enum, dt date yyyy/MM/dd back as far as Athena can read, template on the stream's layout", () => {
    const p = only(synth({ regions: ["us-east-1", "eu-west-1"], queryableDays: 400 }), GlueCatalogTable).parameters;
    expect(p).toMatchObject({
      "projection.enabled": "true",
      "projection.region.type": "enum",
      "projection.region.values": "us-east-1,eu-west-1",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy/MM/dd",
      "projection.dt.range": "NOW-400DAYS,NOW",
      "projection.dt.interval": "1",
      "projection.dt.interval.unit": "DAYS",
      // Terraform JSON: $$ is a literal $, so Athena sees ${region}.
      "storage.location.template": "s3://shop-ses-archive/events/$${region}/$${dt}/",
    });
  });

  test("defaults: 729 days (the default expiration less one), events/ prefix; a custom prefix moves location and template", () => {
    expect(only(synth(), GlueCatalogTable).parameters["projection.dt.range"]).toBe("NOW-729DAYS,NOW");
    const t = only(synth({ eventsPrefix: "ses/archive/" }), GlueCatalogTable);
    expect(t.storage_descriptor.location).toBe("s3://shop-ses-archive/ses/archive/");
    expect(t.parameters["storage.location.template"]).toBe("s3://shop-ses-archive/ses/archive/$${region}/$${dt}/");
  });

  test("exposes names", () => {
    Testing.synthScope((scope) => {
      const c = new EventCatalog(scope, "Catalog", props());
      expect([c.databaseName, c.tableName]).toEqual(["shop_events", "ses_events"]);
    });
  });
});

describe("EventCatalog validation", () => {
  test.each([
    [
      { databaseName: "shop-events" },
      'EventCatalog databaseName: got "shop-events"; allowed: 1 to 255 lower-case letters, digits or _, not starting with a digit',
    ],
    [{ databaseName: "Shop" }, 'EventCatalog databaseName: got "Shop"'],
    [{ tableName: "1events" }, 'EventCatalog tableName: got "1events"'],
    [{ bucketName: "Bad_Bucket" }, 'EventCatalog bucketName: got "Bad_Bucket"; allowed: lower-case letters'],
    [{ eventsPrefix: "events" }, 'EventCatalog eventsPrefix: got "events"; allowed: a key prefix ending in /'],
    [{ eventsPrefix: "/events/" }, 'EventCatalog eventsPrefix: got "/events/"'],
    [{ regions: [] }, "EventCatalog regions: got []; allowed: one or more AWS regions"],
    [{ regions: ["us-east-1", "mars-1"] }, 'EventCatalog regions: got "mars-1"; allowed: AWS regions such as eu-west-1'],
    [{ regions: ["us-east-1", "us-east-1"] }, 'EventCatalog regions: got ["us-east-1","us-east-1"]; allowed: each region once'],
    [{ queryableDays: -1 }, "EventCatalog queryableDays: got -1; allowed: a whole number of at least 0"],
    [{ queryableDays: 2.5 }, "EventCatalog queryableDays: got 2.5"],
  ])("refuses %j", (override, message) => {
    expect(() => synth(override as Partial<EventCatalogProps>)).toThrow(message);
  });
});
