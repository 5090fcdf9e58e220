import { TerraformOutput, Testing } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { ArchiveBucket, ArchiveBucketProps } from "../modules/archive-bucket";

const NAME = "shop-ses-archive";

function props(overrides: Partial<ArchiveBucketProps> = {}): ArchiveBucketProps {
  return { bucketName: NAME, region: "us-east-1", ...overrides };
}

function synth(overrides: Partial<ArchiveBucketProps> = {}): string {
  return Testing.synthScope((scope) => {
    new ArchiveBucket(scope, "Archive", props(overrides));
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

function bucketIdReference(synthesized: string): string {
  const ids = Object.keys(resources(synthesized, S3Bucket));
  expect(ids).toHaveLength(1);
  return `\${aws_s3_bucket.${ids[0]}.id}`;
}

function rule(synthesized: string, id: string): any {
  const found = only(synthesized, S3BucketLifecycleConfiguration).rule.find((r: any) => r.id === id);
  expect(found).toBeDefined();
  return found;
}

const TIERING = "archive-tiering-and-expiration";
const ABORT = "abort-incomplete-multipart-uploads";

describe("ArchiveBucket bucket", () => {
  test("has the given name and is never force-destroyed", () => {
    const bucket = only(synth(), S3Bucket);
    expect(bucket.bucket).toBe(NAME);
    expect(bucket.force_destroy).toBe(false);
  });

  test("blocks all four kinds of public access", () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      bucket: bucketIdReference(out),
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test("enforces bucket ownership (no ACLs)", () => {
    const out = synth();
    expect(out).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      bucket: bucketIdReference(out),
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
  });

  test("encrypts with SSE-S3 (AES256) by default", () => {
    const out = synth();
    const encryption = only(out, S3BucketServerSideEncryptionConfigurationA);
    expect(encryption.bucket).toBe(bucketIdReference(out));
    expect(encryption.rule).toHaveLength(1);
    expect(encryption.rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
  });

  test("exposes its name, and an ARN that references the bucket resource", () => {
    let construct!: ArchiveBucket;
    const out = Testing.synthScope((scope) => {
      construct = new ArchiveBucket(scope, "Archive", props());
      new TerraformOutput(scope, "bucket_arn", { value: construct.bucketArn });
    });
    expect(construct.bucketName).toBe(NAME);
    const ids = Object.keys(resources(out, S3Bucket));
    expect(JSON.parse(out).output.bucket_arn.value).toBe(`\${aws_s3_bucket.${ids[0]}.arn}`);
  });
});

describe("ArchiveBucket policy", () => {
  function statements(out: string): any[] {
    const policy = only(out, S3BucketPolicy);
    expect(policy.bucket).toBe(bucketIdReference(out));
    return JSON.parse(policy.policy).Statement;
  }

  test("denies every request without TLS", () => {
    const [statement, ...rest] = statements(synth());
    expect(rest).toEqual([]);
    expect(statement.Effect).toBe("Deny");
    expect(statement.Principal).toBe("*");
    expect(statement.Action).toBe("s3:*");
    expect(statement.Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
  });

  test("covers the bucket and every object in it", () => {
    const [statement] = statements(synth());
    expect(statement.Resource).toEqual([`arn:aws:s3:::${NAME}`, `arn:aws:s3:::${NAME}/*`]);
  });

  test("uses the region's partition", () => {
    const [statement] = statements(synth({ region: "us-gov-west-1" }));
    expect(statement.Resource).toEqual([`arn:aws-us-gov:s3:::${NAME}`, `arn:aws-us-gov:s3:::${NAME}/*`]);
  });
});

describe("ArchiveBucket lifecycle defaults", () => {
  test("applies to the bucket, with exactly two rules", () => {
    const out = synth();
    const lifecycle = only(out, S3BucketLifecycleConfiguration);
    expect(lifecycle.bucket).toBe(bucketIdReference(out));
    expect(lifecycle.rule.map((r: any) => r.id)).toEqual([TIERING, ABORT]);
  });

  test("moves to STANDARD_IA at 30 days and GLACIER_IR (which Athena still reads) at 90", () => {
    expect(rule(synth(), TIERING).transition).toEqual([
      { days: 30, storage_class: "STANDARD_IA" },
      { days: 90, storage_class: "GLACIER_IR" },
    ]);
  });

  test("expires events after 730 days", () => {
    expect(rule(synth(), TIERING).expiration).toEqual([{ days: 730 }]);
  });

  test("aborts incomplete multipart uploads after 7 days", () => {
    expect(rule(synth(), ABORT).abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 7 }]);
  });

  test.each([TIERING, ABORT])("rule %s is enabled for the whole bucket", (id) => {
    const r = rule(synth(), id);
    expect(r.status).toBe("Enabled");
    expect(r.filter).toEqual([{ prefix: "" }]);
  });
});

describe("ArchiveBucket custom lifecycle", () => {
  const lifecycle = {
    transitions: [
      { days: 30, storageClass: "ONEZONE_IA" as const },
      { days: 60, storageClass: "GLACIER_IR" as const },
      { days: 150, storageClass: "DEEP_ARCHIVE" as const },
    ],
    expirationDays: 400,
    abortIncompleteMultipartUploadDays: 2,
  };

  test("uses the given transitions in order", () => {
    expect(rule(synth({ lifecycle }), TIERING).transition).toEqual([
      { days: 30, storage_class: "ONEZONE_IA" },
      { days: 60, storage_class: "GLACIER_IR" },
      { days: 150, storage_class: "DEEP_ARCHIVE" },
    ]);
  });

  test("uses the given expiration and multipart clean-up", () => {
    const out = synth({ lifecycle });
    expect(rule(out, TIERING).expiration).toEqual([{ days: 400 }]);
    expect(rule(out, ABORT).abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 2 }]);
  });

  test("fills in defaults for fields not given", () => {
    const out = synth({ lifecycle: { expirationDays: 1000 } });
    expect(rule(out, TIERING).transition).toEqual([
      { days: 30, storage_class: "STANDARD_IA" },
      { days: 90, storage_class: "GLACIER_IR" },
    ]);
    expect(rule(out, TIERING).expiration).toEqual([{ days: 1000 }]);
    expect(rule(out, ABORT).abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 7 }]);
  });

  test("allows expiring without any transition", () => {
    const out = synth({ lifecycle: { transitions: [], expirationDays: 14 } });
    expect(rule(out, TIERING).transition ?? []).toEqual([]);
    expect(rule(out, TIERING).expiration).toEqual([{ days: 14 }]);
  });
});

describe("ArchiveBucket validation", () => {
  test.each([
    ["My_Bucket", "lower-case letters, digits and hyphens"],
    ["my.bucket", "no dots"],
    ["ab", "3 to 63 characters"],
    ["sthree-archive", "a name not starting with a reserved prefix"],
    ["archive--ol-s3", "a name not ending with a reserved suffix"],
  ])("rejects the bucket name %p", (bucketName, allowed) => {
    expect(() => synth({ bucketName })).toThrow(`ArchiveBucket bucketName: got ${JSON.stringify(bucketName)}; allowed: `);
    expect(() => synth({ bucketName })).toThrow(allowed);
  });

  test("rejects transitions out of order", () => {
    const lifecycle = {
      transitions: [
        { days: 90, storageClass: "GLACIER" as const },
        { days: 60, storageClass: "DEEP_ARCHIVE" as const },
      ],
    };
    expect(() => synth({ lifecycle })).toThrow(
      "ArchiveBucket lifecycle: transitions[1].days: got 60; allowed: more days than the transition before it (90 days to GLACIER)",
    );
  });

  test("rejects a class moving back up S3's order", () => {
    const lifecycle = {
      transitions: [
        { days: 30, storageClass: "GLACIER" as const },
        { days: 200, storageClass: "STANDARD_IA" as const },
      ],
    };
    expect(() => synth({ lifecycle })).toThrow('ArchiveBucket lifecycle: transitions[1].storageClass: got "STANDARD_IA"; allowed: a class after GLACIER');
  });

  test("rejects expiration before the last transition's minimum storage", () => {
    const lifecycle = { transitions: [{ days: 90, storageClass: "GLACIER" as const }], expirationDays: 120 };
    expect(() => synth({ lifecycle })).toThrow("ArchiveBucket lifecycle: expirationDays: got 120; allowed: at least 180 days");
  });

  test("rejects an abort period above 365 days", () => {
    expect(() => synth({ lifecycle: { abortIncompleteMultipartUploadDays: 366 } })).toThrow(
      "ArchiveBucket lifecycle: abortIncompleteMultipartUploadDays: got 366; allowed: a whole number from 1 to 365",
    );
  });
});
