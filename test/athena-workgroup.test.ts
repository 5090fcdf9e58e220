import { Testing } from "cdktf";
import { AthenaNamedQuery } from "@cdktf/provider-aws/lib/athena-named-query";
import { AthenaWorkgroup as AthenaWorkgroupResource } from "@cdktf/provider-aws/lib/athena-workgroup";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { AthenaWorkgroup, AthenaWorkgroupProps } from "../modules/athena-workgroup";
import { NamedQuery, namedQueries } from "../modules/shared/named-queries";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const QUERIES = namedQueries({ database: "shop_events", table: "ses_events", lookbackDays: 7, campaignTag: "campaign" });

function props(overrides: Partial<AthenaWorkgroupProps> = {}): AthenaWorkgroupProps {
  return { accountId: "123456789012", region: "us-east-1", workgroupName: "shop-investigations", resultsBucketName: "shop-athena-results", ...overrides };
}

function synth(overrides: Partial<AthenaWorkgroupProps> = {}): string {
  return Testing.synthScope((scope) => {
    new AthenaWorkgroup(scope, "Athena", props(overrides));
  });
}

function resources(synthesized: string, type: { tfResourceType: string }): Record<string, any> {
  return JSON.parse(synthesized).resource?.[type.tfResourceType] ?? {};
}

function only(synthesized: string, type: { tfResourceType: string }): any {
  const list = Object.values(resources(synthesized, type));
  expect(list).toHaveLength(1);
  return list[0];
}

function bucketRef(synthesized: string): string {
  return `\${aws_s3_bucket.${Object.keys(resources(synthesized, S3Bucket))[0]}.id}`;
}

describe("AthenaWorkgroup workgroup", () => {
  test("enforces its configuration, pins engine 3, publishes metrics, caps the scan (10240 MiB by default)", () => {
    const wg = only(synth(), AthenaWorkgroupResource);
    expect(wg.name).toBe("shop-investigations");
    expect(wg.state).toBe("ENABLED");
    expect(wg.configuration).toMatchObject({
      enforce_workgroup_configuration: true,
      publish_cloudwatch_metrics_enabled: true,
      bytes_scanned_cutoff_per_query: 10240 * 1024 * 1024,
      engine_version: { selected_engine_version: "Athena engine version 3" },
    });
    expect(only(synth({ bytesScannedCutoffPerQueryMiB: 10 }), AthenaWorkgroupResource).configuration.bytes_scanned_cutoff_per_query).toBe(10485760);
  });

  test("sends results to the results bucket, of this account, SSE-S3 by default", () => {
    expect(only(synth(), AthenaWorkgroupResource).configuration.result_configuration).toEqual({
      output_location: "s3://shop-athena-results/",
      expected_bucket_owner: "123456789012",
      encryption_configuration: { encryption_option: "SSE_S3" },
    });
  });

  test("with a key: SSE_KMS results and an SSE-KMS bucket", () => {
    const out = synth({ kmsKeyArn: KEY });
    expect(only(out, AthenaWorkgroupResource).configuration.result_configuration.encryption_configuration).toEqual({
      encryption_option: "SSE_KMS",
      kms_key_arn: KEY,
    });
    expect(only(out, S3BucketServerSideEncryptionConfigurationA).rule[0].apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: "aws:kms",
      kms_master_key_id: KEY,
    });
  });

  test("is created after its results bucket", () => {
    const out = synth();
    expect(only(out, AthenaWorkgroupResource).depends_on).toEqual([`aws_s3_bucket.${Object.keys(resources(out, S3Bucket))[0]}`]);
  });
});

describe("AthenaWorkgroup results bucket", () => {
  test("is named resultsBucketName and goes with the workgroup (force_destroy, no prevent_destroy)", () => {
    const bucket = only(synth(), S3Bucket);
    expect(bucket).toMatchObject({ bucket: "shop-athena-results", force_destroy: true });
    expect(bucket.lifecycle).toBeUndefined();
  });

  test("is private: public access blocked, ACLs disabled, TLS only", () => {
    const out = synth();
    const bucket = bucketRef(out);
    expect(out).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      bucket,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(out).toHaveResourceWithProperties(S3BucketOwnershipControls, { bucket, rule: { object_ownership: "BucketOwnerEnforced" } });
    const policy = JSON.parse(only(out, S3BucketPolicy).policy);
    expect(policy.Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["arn:aws:s3:::shop-athena-results", "arn:aws:s3:::shop-athena-results/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("is encrypted with SSE-S3 and a bucket key by default", () => {
    expect(only(synth(), S3BucketServerSideEncryptionConfigurationA).rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" }, bucket_key_enabled: true },
    ]);
  });

  test("expires results after 30 days by default, and aborts incomplete uploads after a day", () => {
    const rules = only(synth(), S3BucketLifecycleConfiguration).rule;
    expect(rules).toEqual([
      { id: "expire-query-results", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: 30 }] },
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: [{ prefix: "" }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
      },
    ]);
    expect(only(synth({ resultsExpirationDays: 3 }), S3BucketLifecycleConfiguration).rule[0].expiration).toEqual([{ days: 3 }]);
  });

  test("logs access to the access-log bucket when given, under its own prefix", () => {
    expect(resources(synth(), S3BucketLoggingA)).toEqual({});
    expect(only(synth({ accessLogBucketName: "shop-logs" }), S3BucketLoggingA)).toMatchObject({
      target_bucket: "shop-logs",
      target_prefix: "s3-access/shop-athena-results/",
    });
  });
});

describe("AthenaWorkgroup saved queries", () => {
  test("none by default", () => {
    expect(resources(synth(), AthenaNamedQuery)).toEqual({});
  });

  test("one named query per entry, in the workgroup (referenced) and database", () => {
    const out = synth({ namedQueries: QUERIES, database: "shop_events" });
    const created = Object.values(resources(out, AthenaNamedQuery));
    expect(created.map((q) => q.name).sort()).toEqual(QUERIES.map((q) => q.name).sort());
    for (const expected of QUERIES) {
      const q = created.find((c) => c.name === expected.name);
      expect(q).toMatchObject({ database: "shop_events", query: expected.sql, description: expected.description });
      expect(q.workgroup).toMatch(/^\$\{aws_athena_workgroup\.[A-Za-z0-9_]+\.name\}$/);
    }
  });
});

describe("AthenaWorkgroup validation", () => {
  const query = (o: Partial<NamedQuery>): NamedQuery => ({ ...QUERIES[0], ...o });
  test.each([
    [{ workgroupName: "bad name" }, 'AthenaWorkgroup workgroupName: got "bad name"; allowed: 1 to 128 letters, digits, ., _ or -'],
    [{ resultsBucketName: "Bad" }, 'AthenaWorkgroup resultsBucketName: got "Bad"; allowed: lower-case letters, digits and hyphens'],
    [{ resultsExpirationDays: 0 }, "AthenaWorkgroup resultsExpirationDays: got 0; allowed: a whole number from 1 to 3650"],
    [
      { bytesScannedCutoffPerQueryMiB: 9 },
      "AthenaWorkgroup bytesScannedCutoffPerQueryMiB: got 9; allowed: at least 10 MiB (Athena's smallest per-query limit)",
    ],
    [{ bytesScannedCutoffPerQueryMiB: 10.5 }, "AthenaWorkgroup bytesScannedCutoffPerQueryMiB: got 10.5"],
    [{ accessLogBucketName: "x" }, 'AthenaWorkgroup accessLogBucketName: got "x"; allowed: 3 to 63 characters'],
    [{ namedQueries: QUERIES }, "AthenaWorkgroup database: got nothing; allowed: the Glue database the namedQueries run in"],
    [{ namedQueries: [QUERIES[0], QUERIES[0]], database: "d" }, 'AthenaWorkgroup namedQueries: got "HardBouncesByRecipient" twice; allowed: each id once'],
    [
      { namedQueries: [query({ name: "x".repeat(129) })], database: "d" },
      "AthenaWorkgroup namedQueries HardBouncesByRecipient name: got 129 characters; allowed: 1 to 128",
    ],
    [
      { namedQueries: [query({ description: "x".repeat(1025) })], database: "d" },
      "AthenaWorkgroup namedQueries HardBouncesByRecipient description: got 1025 characters; allowed: at most 1024",
    ],
    [{ namedQueries: [query({ sql: "" })], database: "d" }, "AthenaWorkgroup namedQueries HardBouncesByRecipient sql: got 0 characters; allowed: 1 to 262144"],
  ])("refuses %j", (override, message) => {
    expect(() => synth(override as Partial<AthenaWorkgroupProps>)).toThrow(message);
  });
});
