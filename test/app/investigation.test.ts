// investigation and suppression: config, where the catalog lives, and what each stack gets.
import * as fs from "fs";
import * as path from "path";
import { Testing } from "cdktf";
import { AthenaNamedQuery } from "@cdktf/provider-aws/lib/athena-named-query";
import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { Sesv2AccountSuppressionAttributes } from "@cdktf/provider-aws/lib/sesv2-account-suppression-attributes";
import { Sesv2ConfigurationSet } from "@cdktf/provider-aws/lib/sesv2-configuration-set";
import { buildApp } from "../../modules/app/cli";
import { catalogFor, ConfigError, configWarnings, parseConfig, SesGuardConfig } from "../../modules/app/config";
import { Rate } from "../../modules/shared/rate";
import { SesGuard } from "../../modules/ses-guard";
import { SesGuardStack } from "../../modules/app/ses-guard-stack";

const examples = path.join(__dirname, "..", "..", "examples");
const raw = (file: string): Record<string, any> => JSON.parse(fs.readFileSync(path.join(examples, file), "utf8"));
const withInvestigation = (file: string, extra: Record<string, unknown> = {}) =>
  parseConfig({ ...raw(file), investigation: { enabled: true }, ...extra }, file);

function problem(input: unknown): string {
  try {
    parseConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

/** Every stack of a config, synthesized and parsed, by region. */
function stacks(config: SesGuardConfig): Record<string, any> {
  const app = buildApp(config, Testing.app().outdir);
  return Object.fromEntries(
    app.node.children.filter((c): c is SesGuardStack => c instanceof SesGuardStack).map((s) => [s.region, JSON.parse(Testing.synth(s))]),
  );
}
const of = (json: any, type: { tfResourceType: string }): Record<string, any> => json.resource?.[type.tfResourceType] ?? {};

const minimal = raw("minimal.json");

describe("config: investigation", () => {
  test("off by default, with defaults for everything else", () => {
    expect(parseConfig(minimal).investigation).toEqual({
      enabled: false,
      lookbackDays: 7,
      bytesScannedCutoffPerQueryMiB: 10240,
      resultsExpirationDays: 30,
      campaignTag: "campaign",
    });
  });

  test.each([
    [{ lookbackDays: 0 }, "config: investigation.lookbackDays: got 0; allowed: a whole number from 1 to 3653"],
    [{ lookbackDays: 3654 }, "config: investigation.lookbackDays: got 3654; allowed: a whole number from 1 to 3653"],
    [
      { bytesScannedCutoffPerQueryMiB: 5 },
      "config: investigation.bytesScannedCutoffPerQueryMiB: got 5; allowed: at least 10 MiB (Athena's smallest per-query limit)",
    ],
    [{ resultsExpirationDays: 1.5 }, "config: investigation.resultsExpirationDays: got 1.5; allowed: a whole number from 1 to 3650"],
    [{ resultsBucketName: "Results" }, 'config: investigation.resultsBucketName: got "Results"; allowed: an S3 bucket name: lower-case letters'],
    [{ campaignTag: "it's" }, `config: investigation.campaignTag: got "it's"; allowed: an SES message tag name: 1 to 256 letters, digits, _ or -`],
    [{ enabled: "yes" }, 'config: investigation.enabled: got "yes"; allowed: a value of type boolean'],
    [
      { crawler: true },
      'config: investigation: unknown key "crawler"; allowed keys: enabled, lookbackDays, bytesScannedCutoffPerQueryMiB, resultsExpirationDays, resultsBucketName, campaignTag',
    ],
  ])("refuses %j with one line naming the field, the value and what is allowed", (investigation, message) => {
    expect(problem({ ...minimal, investigation: { enabled: true, ...investigation } })).toContain(message);
  });

  test("a fixed results bucket name cannot serve several per-region catalogs", () => {
    expect(problem({ ...raw("bucket-per-region.json"), investigation: { enabled: true, resultsBucketName: "mail-results" } })).toBe(
      'config: investigation.resultsBucketName: got "mail-results"; allowed: no fixed results bucket name with archive.bucketPerRegion and several regions (bucket names are global); leave it unset to get one name per region',
    );
  });

  test("the results bucket is a bucket of its own", () => {
    expect(problem({ ...raw("full.json"), investigation: { enabled: true, resultsBucketName: "acme-ses-event-archive" } })).toContain(
      'config: investigation.resultsBucketName: got "acme-ses-event-archive"; allowed: a bucket of its own: not the archive bucket or the access-log bucket',
    );
    expect(problem({ ...raw("full.json"), investigation: { enabled: true, resultsBucketName: "acme-s3-access-logs" } })).toContain("a bucket of its own");
  });

  test("a name whose derived results bucket breaks S3's rules is refused, only when investigation is on", () => {
    const cfg = { ...minimal, name: "sthree", archive: { bucketName: "my-ses-archive" } };
    expect(() => parseConfig(cfg)).not.toThrow();
    expect(problem({ ...cfg, investigation: { enabled: true } })).toContain(
      'config: name: got "sthree"; allowed: a name that makes a valid Athena results bucket name, but "sthree-athena-123456789012-us-east-1" breaks S3\'s rules',
    );
    expect(() => parseConfig({ ...cfg, investigation: { enabled: true, resultsBucketName: "my-ses-results" } })).not.toThrow();
  });
});

describe("config: suppression", () => {
  test("not managed by default", () => {
    expect(parseConfig(minimal).suppression).toEqual({ accountLevel: null, configurationSet: null });
  });

  test.each([
    [{ accountLevel: ["SPAM"] }, 'config: suppression.accountLevel[0]: got "SPAM"; allowed: one of "BOUNCE", "COMPLAINT"'],
    [{ accountLevel: ["BOUNCE", "BOUNCE"] }, 'config: suppression.accountLevel[1]: got "BOUNCE"; allowed: each reason once; this one is listed twice'],
    [{ configurationSet: "BOUNCE" }, 'config: suppression.configurationSet: got "BOUNCE"; allowed: a value of type array'],
  ])("refuses %j", (suppression, message) => {
    expect(problem({ ...minimal, suppression })).toBe(message);
  });

  test("not the configuration set's options when the set is the user's; the account level is fine", () => {
    expect(problem({ ...raw("bring-your-own.json"), suppression: { configurationSet: ["BOUNCE"] } })).toBe(
      'config: suppression.configurationSet: got ["BOUNCE"]; allowed: null with existing.configurationSetName: that configuration set is yours, so are its suppression options (suppression.accountLevel still applies)',
    );
    expect(() => parseConfig({ ...raw("bring-your-own.json"), suppression: { accountLevel: ["BOUNCE", "COMPLAINT"] } })).not.toThrow();
  });

  test("warns when the account level leaves a reason out", () => {
    expect(configWarnings(parseConfig({ ...minimal, suppression: { accountLevel: ["BOUNCE", "COMPLAINT"] } }))).toEqual([]);
    expect(configWarnings(parseConfig({ ...minimal, suppression: { accountLevel: ["BOUNCE"] } }))).toEqual([
      "suppression.accountLevel leaves out COMPLAINT: SES keeps sending to addresses that complained, in every configured region, which raises the rates AWS reviews",
    ]);
    expect(configWarnings(parseConfig({ ...minimal, suppression: { accountLevel: [] } }))[0]).toContain("leaves out BOUNCE and COMPLAINT");
  });
});

describe("where the catalog lives", () => {
  test("off: nowhere", () => {
    expect(catalogFor(parseConfig(raw("multi-region.json")), "us-east-1")).toBeUndefined();
  });

  test("one shared bucket: the home region, covering every region", () => {
    const cfg = withInvestigation("multi-region.json", { archive: { bucketPerRegion: false } });
    expect(catalogFor(cfg, "us-east-1")).toEqual({
      bucket: "mail-events-123456789012-us-east-1",
      regions: ["us-east-1", "eu-west-1", "ap-southeast-2"],
      resultsBucket: "mail-athena-123456789012-us-east-1",
    });
    expect(catalogFor(cfg, "eu-west-1")).toBeUndefined();
    expect(catalogFor(cfg, "ap-southeast-2")).toBeUndefined();
  });

  test("a bucket per region: each region, covering itself", () => {
    const cfg = withInvestigation("bucket-per-region.json");
    expect(catalogFor(cfg, "eu-central-1")).toEqual({
      bucket: "mail-events-123456789012-eu-central-1",
      regions: ["eu-central-1"],
      resultsBucket: "mail-athena-123456789012-eu-central-1",
    });
    expect(catalogFor(cfg, "eu-west-2")).toEqual({
      bucket: "mail-events-123456789012-eu-west-2",
      regions: ["eu-west-2"],
      resultsBucket: "mail-athena-123456789012-eu-west-2",
    });
  });

  test("the user's bucket: the home region, over that bucket", () => {
    const cfg = parseConfig({ ...raw("bring-your-own.json"), regions: ["us-east-1", "eu-west-1"], investigation: { enabled: true } });
    expect(catalogFor(cfg, "us-east-1")).toEqual({
      bucket: "acme-central-logs",
      regions: ["us-east-1", "eu-west-1"],
      resultsBucket: "byo-athena-123456789012-us-east-1",
    });
    expect(catalogFor(cfg, "eu-west-1")).toBeUndefined();
  });
});

describe("stacks", () => {
  const full = stacks(parseConfig(raw("full.json")))["eu-west-1"];

  test("full.json: table, workgroup, seven saved queries, results bucket, both suppression settings", () => {
    expect(Object.values(of(full, GlueCatalogDatabase)).map((d) => d.name)).toEqual(["acme_mail_events"]);
    const table = Object.values(of(full, GlueCatalogTable))[0];
    expect(table.name).toBe("ses_events");
    expect(table.storage_descriptor.location).toBe("s3://acme-ses-event-archive/events/");
    expect(table.parameters["projection.region.values"]).toBe("eu-west-1");
    // DEEP_ARCHIVE at day 180 (Athena skips it) comes before the 1095-day expiration: the table stops at 179 days.
    expect(table.parameters["projection.dt.range"]).toBe("NOW-179DAYS,NOW");
    const workgroup = of(full, AthenaWorkgroup).athena;
    expect(workgroup.name).toBe("acme-mail-investigations");
    expect(workgroup.configuration.bytes_scanned_cutoff_per_query).toBe(5120 * 1024 * 1024);
    expect(workgroup.configuration.result_configuration.encryption_configuration).toEqual({
      encryption_option: "SSE_KMS",
      kms_key_arn: "${aws_kms_key.encryption_key.arn}",
    });
    expect(Object.keys(of(full, AthenaNamedQuery))).toEqual([
      "athena_bounce_rate_by_campaign",
      "athena_bounce_rate_by_configuration_set",
      "athena_complaints_by_recipient",
      "athena_delivery_delays_by_domain",
      "athena_hard_bounces_by_domain",
      "athena_hard_bounces_by_recipient",
      "athena_suppression_candidates",
    ]);
    for (const q of Object.values(of(full, AthenaNamedQuery))) {
      expect(q.database).toBe("acme_mail_events");
      expect(q.workgroup).toBe("${aws_athena_workgroup.athena.name}");
      expect(q.query).toContain("INTERVAL '14' DAY");
    }
    expect(of(full, S3Bucket).athena_results_bucket).toMatchObject({ bucket: "acme-ses-athena-results", force_destroy: true });
    expect(
      full.resource.aws_s3_bucket_server_side_encryption_configuration.athena_results_bucket_encryption.rule[0].apply_server_side_encryption_by_default,
    ).toEqual({
      sse_algorithm: "aws:kms",
      kms_master_key_id: "${aws_kms_key.encryption_key.arn}",
    });
    expect(full.resource.aws_s3_bucket_logging.athena_results_bucket_access_logging).toMatchObject({ target_bucket: "acme-s3-access-logs" });
    expect(of(full, Sesv2AccountSuppressionAttributes).account_suppression.suppressed_reasons).toEqual(["BOUNCE", "COMPLAINT"]);
    expect(of(full, Sesv2ConfigurationSet).event_publishing_configuration_set.suppression_options).toEqual({ suppressed_reasons: ["BOUNCE", "COMPLAINT"] });
  });

  test("full.json: outputs name the workgroup, database, table and results bucket; next_steps points to Athena", () => {
    expect(full.output.athena_workgroup.value).toBe("acme-mail-investigations");
    expect(full.output.glue_database.value).toBe("acme_mail_events");
    expect(full.output.glue_table.value).toBe("ses_events");
    expect(full.output.athena_results_bucket_name.value).toBe("acme-ses-athena-results");
    expect(full.output.next_steps.value).toContain("open Athena workgroup acme-mail-investigations");
  });

  test("the archive bucket keeps prevent_destroy; the results bucket does not", () => {
    expect(of(full, S3Bucket).archive_bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(of(full, S3Bucket).athena_results_bucket.lifecycle).toBeUndefined();
  });

  test("several regions, one bucket: the catalog only in the home stack; suppression in every region's", () => {
    const all = stacks(withInvestigation("multi-region.json", { archive: { bucketPerRegion: false }, suppression: { accountLevel: ["BOUNCE", "COMPLAINT"] } }));
    expect(Object.values(of(all["us-east-1"], GlueCatalogTable))[0].parameters["projection.region.values"]).toBe("us-east-1,eu-west-1,ap-southeast-2");
    expect(Object.values(of(all["us-east-1"], GlueCatalogTable))[0].parameters["storage.location.template"]).toBe(
      "s3://mail-events-123456789012-us-east-1/events/$${region}/$${dt}/",
    );
    for (const region of ["eu-west-1", "ap-southeast-2"]) {
      expect([
        region,
        Object.keys(of(all[region], GlueCatalogTable)),
        Object.keys(of(all[region], AthenaWorkgroup)),
        Object.keys(of(all[region], S3Bucket)),
      ]).toEqual([region, [], [], []]);
      expect(all[region].output.athena_workgroup).toBeUndefined();
      expect(all[region].output.next_steps.value).not.toContain("Athena");
    }
    for (const region of ["us-east-1", "eu-west-1", "ap-southeast-2"]) {
      expect(Object.values(of(all[region], Sesv2AccountSuppressionAttributes)).map((s) => s.suppressed_reasons)).toEqual([["BOUNCE", "COMPLAINT"]]);
      // Regional: each stack's provider is its own region.
      expect(all[region].provider.aws[0].region).toBe(region);
    }
  });

  test("a bucket per region: each stack its own catalog, workgroup and results bucket", () => {
    const all = stacks(withInvestigation("bucket-per-region.json"));
    for (const region of ["eu-central-1", "eu-west-2"]) {
      const table = Object.values(of(all[region], GlueCatalogTable))[0];
      expect(table.parameters["projection.region.values"]).toBe(region);
      expect(table.storage_descriptor.location).toBe(`s3://mail-events-123456789012-${region}/events/`);
      expect(of(all[region], S3Bucket).athena_results_bucket.bucket).toBe(`mail-athena-123456789012-${region}`);
    }
  });

  test("the user's bucket: the table reads it; ses-guard creates only the results bucket", () => {
    const byo = stacks(withInvestigation("bring-your-own.json"))["us-east-1"];
    expect(Object.values(of(byo, GlueCatalogTable))[0].storage_descriptor.location).toBe("s3://acme-central-logs/events/");
    expect(Object.keys(of(byo, S3Bucket))).toEqual(["athena_results_bucket"]);
  });

  test("other examples are unchanged by default: no Glue, Athena or suppression resources", () => {
    for (const file of ["minimal.json", "default.json", "multi-region.json", "adopt.json"]) {
      for (const json of Object.values(stacks(parseConfig(raw(file), file)))) {
        const types = Object.keys(json.resource);
        expect([file, types.filter((t) => /glue|athena|suppression/.test(t))]).toEqual([file, []]);
        expect(json.resource.aws_sesv2_configuration_set && Object.values<any>(json.resource.aws_sesv2_configuration_set)[0].suppression_options).toBeFalsy();
      }
    }
  });

  test("synthesis is deterministic", () => {
    const cfg = withInvestigation("multi-region.json", { suppression: { accountLevel: ["BOUNCE"], configurationSet: ["COMPLAINT"] } });
    expect(JSON.stringify(stacks(cfg))).toBe(JSON.stringify(stacks(cfg)));
  });
});

describe("SesGuard (library use)", () => {
  const base = {
    namePrefix: "shop",
    accountId: "123456789012",
    region: "us-east-1",
    alarms: {
      emails: ["ops@example.com"],
      bounceRate: { warning: Rate.percent(2), critical: Rate.percent(5) },
      complaintRate: { warning: Rate.percent(0.05), critical: Rate.percent(0.1) },
    },
  };

  test("investigation adds the catalog over its own bucket and the workgroup, named from namePrefix", () => {
    const out = JSON.parse(
      Testing.synthScope((scope) => {
        new AwsProvider(scope, "aws", { region: "us-east-1" });
        const guard = new SesGuard(scope, "Guard", { ...base, investigation: {} });
        expect(guard.eventCatalog?.databaseName).toBe("shop_events");
        expect(guard.athena?.workgroupName).toBe("shop-investigations");
        expect(guard.athena?.resultsBucketName).toBe("shop-athena-123456789012-us-east-1");
        expect(guard.accountSuppression).toBeUndefined();
      }),
    );
    expect(Object.values<any>(out.resource.aws_glue_catalog_table)[0].parameters["storage.location.template"]).toBe(
      "s3://shop-events-123456789012-us-east-1/events/$${region}/$${dt}/",
    );
  });

  test("refuses a custom key prefix the table would not read", () => {
    expect(() =>
      Testing.synthScope((scope) => {
        new SesGuard(scope, "Guard", { ...base, archive: { keyPrefix: "ses/" }, investigation: {} });
      }),
    ).toThrow('SesGuard archive.keyPrefix: got "ses/"; allowed: "events/us-east-1/" with investigation (the table reads events/<region>/)');
    expect(() =>
      Testing.synthScope((scope) => {
        new SesGuard(scope, "Guard", { ...base, archive: { keyPrefix: "ses/" } });
      }),
    ).not.toThrow();
  });
});
