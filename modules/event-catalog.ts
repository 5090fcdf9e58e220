import { Construct } from "constructs";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { Token } from "cdktf";
import { bucketNameProblem } from "./app/config";
import { attributeOf, Condition, countWhen, isToken } from "./shared/expressions";
import { hiveType, PARTITION_KEYS, SES_EVENT_COLUMNS } from "./shared/ses-event-schema";

export interface EventCatalogProps {
  /** Glue database: lower-case letters, digits and underscores (what Athena accepts unquoted). */
  readonly databaseName: string;
  /**
   * Glue table.
   * @default "ses_events"
   */
  readonly tableName?: string;
  /** The archive bucket the delivery streams write to. */
  readonly bucketName: string;
  /**
   * Key prefix under which each region's events lie, as `<eventsPrefix><region>/yyyy/MM/dd/`.
   * @default "events/"
   */
  readonly eventsPrefix?: string;
  /** Regions whose streams write to this bucket: the values of the `region` partition. */
  readonly regions: readonly string[];
  /**
   * Days back from today the table's `dt` projection reaches. Keep it to days Athena can read:
   * objects in GLACIER or DEEP_ARCHIVE are skipped without an error, expired ones are gone
   * (`queryableDays` in config.ts derives it from the lifecycle).
   * @default 729
   */
  readonly queryableDays?: number;
  /**
   * Terraform condition under which the catalog exists (`count`).
   * @default - always
   */
  readonly condition?: Condition;
  /**
   * Terraform refuses a plan that would destroy the database or the table (`lifecycle { prevent_destroy }`).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

const NAME = /^[a-z_][a-z0-9_]{0,254}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/**
 * A Glue Data Catalog database and table over the SES event archive, so Athena can query it.
 *
 * The layout stays what the delivery stream writes (`events/<region>/yyyy/MM/dd/`), and the table
 * declares it with partition projection: `region` is an enum of the regions writing to the bucket,
 * `dt` a date (`yyyy/MM/dd`) from `queryableDays` ago to today. Athena computes the partitions from
 * those rules at query time, so a new day, or a new region, is queryable with no crawler, no Lambda
 * and no `MSCK REPAIR TABLE`.
 *
 * Rows are one JSON object per line: SES follows each record it publishes to Firehose with a
 * newline, and Firehose concatenates records as they come, so no `AppendDelimiterToRecord`
 * processor is needed (and none is billed). Objects end in `.gz` (Firehose's extension for GZIP),
 * which Athena decompresses by extension.
 */
export class EventCatalog extends Construct {
  public readonly database: GlueCatalogDatabase;
  public readonly table: GlueCatalogTable;
  public readonly databaseName: string;
  public readonly tableName: string;

  constructor(scope: Construct, id: string, props: EventCatalogProps) {
    super(scope, id);
    const tableName = props.tableName ?? "ses_events";
    const prefix = props.eventsPrefix ?? "events/";
    const days = props.queryableDays ?? 729;
    for (const [key, value] of [
      ["databaseName", props.databaseName],
      ["tableName", tableName],
    ] as const) {
      // Tokens (the plain module's variables) are checked by the module's validation blocks instead.
      if (!isToken(value) && !NAME.test(value)) {
        throw new Error(`EventCatalog ${key}: got ${JSON.stringify(value)}; allowed: 1 to 255 lower-case letters, digits or _, not starting with a digit`);
      }
    }
    const problem = !isToken(props.bucketName) && bucketNameProblem(props.bucketName);
    if (problem) throw new Error(`EventCatalog bucketName: got ${JSON.stringify(props.bucketName)}; allowed: ${problem}`);
    if (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/.test(prefix)) {
      throw new Error(`EventCatalog eventsPrefix: got ${JSON.stringify(prefix)}; allowed: a key prefix ending in / (such as "events/"), not starting with /`);
    }
    if (props.regions.length === 0) throw new Error("EventCatalog regions: got []; allowed: one or more AWS regions");
    for (const region of props.regions) {
      if (!isToken(region) && !REGION.test(region))
        throw new Error(`EventCatalog regions: got ${JSON.stringify(region)}; allowed: AWS regions such as eu-west-1`);
    }
    if (new Set(props.regions).size !== props.regions.length) {
      throw new Error(`EventCatalog regions: got ${JSON.stringify(props.regions)}; allowed: each region once`);
    }
    if (!isToken(days) && (!Number.isInteger(days) || days < 0)) {
      throw new Error(`EventCatalog queryableDays: got ${days}; allowed: a whole number of at least 0`);
    }
    this.databaseName = props.databaseName;
    this.tableName = tableName;
    const location = `s3://${props.bucketName}/${prefix}`;

    const counted = countWhen(this, props.condition);
    const lifecycle = { preventDestroy: props.preventDestroy ?? true };
    this.database = new GlueCatalogDatabase(this, "Database", {
      ...counted,
      lifecycle,
      name: props.databaseName,
      description: `ses-guard: SES events archived in s3://${props.bucketName}/${prefix}, for Athena`,
    });
    this.table = new GlueCatalogTable(this, "Table", {
      ...counted,
      lifecycle,
      // The attribute orders the table after the database.
      databaseName: attributeOf(this.database, "name"),
      name: tableName,
      ...eventTableDefinition({ location, regions: props.regions.join(","), queryableDays: isToken(days) ? Token.asString(days) : String(days) }),
    });
  }
}

/**
 * The table's definition, shared with the plain Terraform module, which passes
 * expressions (`local.region`, `local.queryable_days`) where the construct passes values.
 */
export function eventTableDefinition(opts: { location: string; regions: string; queryableDays: string }) {
  return {
    description: "SES sending events (one JSON object per line, gzip), partitioned by region and day with partition projection",
    tableType: "EXTERNAL_TABLE",
    parameters: {
      EXTERNAL: "TRUE",
      classification: "json",
      compressionType: "gzip",
      "projection.enabled": "true",
      "projection.region.type": "enum",
      "projection.region.values": opts.regions,
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy/MM/dd",
      // Relative to the query's time, and only as far back as Athena can read: it skips objects in
      // GLACIER and DEEP_ARCHIVE without an error (Athena User Guide, "Query restored Amazon S3
      // Glacier objects"), so a longer range would give silently incomplete answers.
      "projection.dt.range": `NOW-${opts.queryableDays}DAYS,NOW`,
      "projection.dt.interval": "1",
      "projection.dt.interval.unit": "DAYS",
      // $$ is Terraform's escape for a literal ${: Athena substitutes the partition values.
      "storage.location.template": `${opts.location}$\${region}/$\${dt}/`,
    },
    partitionKeys: PARTITION_KEYS.map((k) => ({ name: k.name, type: "string", comment: k.comment })),
    storageDescriptor: {
      location: opts.location,
      inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
      outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      serDeInfo: {
        name: "ses-event-json",
        serializationLibrary: "org.openx.data.jsonserde.JsonSerDe",
        parameters: {
          // Lower-cases JSON keys, so `bounceType` is read into the column field `bouncetype`.
          "case.insensitive": "TRUE",
          // A line that is not JSON (none expected) becomes a row of NULLs instead of failing the investigation.
          "ignore.malformed.json": "TRUE",
        },
      },
      columns: SES_EVENT_COLUMNS.map((c) => ({ name: c.name, type: hiveType(c.type), comment: c.comment })),
    },
  };
}
