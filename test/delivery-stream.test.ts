import { TerraformOutput, Testing } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogStream } from "@cdktf/provider-aws/lib/cloudwatch-log-stream";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KinesisFirehoseDeliveryStream } from "@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream";
import { DeliveryStream, DeliveryStreamProps } from "../modules/delivery-stream";

const STREAM_ARN = "arn:aws:firehose:us-east-1:123456789012:deliverystream/shop-events";
const BUCKET_ARN = "arn:aws:s3:::shop-archive";
const LOG_STREAM_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/kinesisfirehose/shop-events:log-stream:DestinationDelivery";

function props(overrides: Partial<DeliveryStreamProps> = {}): DeliveryStreamProps {
  return {
    accountId: "123456789012",
    region: "us-east-1",
    streamName: "shop-events",
    // A reference-like value, to tell it apart from the ARN built from the name.
    bucket: { bucketName: "shop-archive", bucketArn: "${aws_s3_bucket.archive.arn}" },
    ...overrides,
  };
}

function synth(overrides: Partial<DeliveryStreamProps> = {}): string {
  return Testing.synthScope((scope) => {
    new DeliveryStream(scope, "Stream", props(overrides));
  });
}

function resources(synthesized: string, type: { tfResourceType: string }): Record<string, any> {
  return JSON.parse(synthesized).resource?.[type.tfResourceType] ?? {};
}

function onlyEntry(synthesized: string, type: { tfResourceType: string }): [string, any] {
  const entries = Object.entries(resources(synthesized, type));
  expect(entries).toHaveLength(1);
  return entries[0];
}

function only(synthesized: string, type: { tfResourceType: string }): any {
  return onlyEntry(synthesized, type)[1];
}

function s3Config(synthesized: string): any {
  return only(synthesized, KinesisFirehoseDeliveryStream).extended_s3_configuration;
}

function rolePolicyStatements(synthesized: string): any[] {
  return JSON.parse(only(synthesized, IamRolePolicy).policy).Statement;
}

const asList = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

describe("DeliveryStream stream", () => {
  test("is a named extended_s3 stream", () => {
    const stream = only(synth(), KinesisFirehoseDeliveryStream);
    expect(stream.name).toBe("shop-events");
    expect(stream.destination).toBe("extended_s3");
  });

  test("writes GZIP to the given bucket with the role", () => {
    const out = synth();
    const [roleId] = onlyEntry(out, IamRole);
    const config = s3Config(out);
    expect(config.compression_format).toBe("GZIP");
    expect(config.bucket_arn).toBe("${aws_s3_bucket.archive.arn}");
    expect(config.role_arn).toBe(`\${aws_iam_role.${roleId}.arn}`);
  });

  test("partitions objects by date under events/", () => {
    const { prefix } = s3Config(synth());
    expect(prefix).toBe("events/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/");
  });

  test("takes a custom prefix before the date", () => {
    expect(s3Config(synth({ prefix: "ses/" })).prefix).toBe("ses/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/");
  });

  test("sets an error prefix, which Firehose requires once the prefix has expressions", () => {
    const { error_output_prefix } = s3Config(synth());
    expect(error_output_prefix).toMatch(/^errors\//);
    expect(error_output_prefix).toContain("!{firehose:error-output-type}");
    expect(error_output_prefix).toContain("!{timestamp:yyyy}");
  });

  test("buffers 900 s / 128 MiB by default", () => {
    const config = s3Config(synth());
    expect(config.buffering_interval).toBe(900);
    expect(config.buffering_size).toBe(128);
  });

  test("takes buffering overrides", () => {
    const config = s3Config(synth({ bufferingIntervalSeconds: 60, bufferingSizeMiB: 5 }));
    expect(config.buffering_interval).toBe(60);
    expect(config.buffering_size).toBe(5);
  });

  test("accepts a zero buffering interval", () => {
    expect(s3Config(synth({ bufferingIntervalSeconds: 0 })).buffering_interval).toBe(0);
  });

  test("encrypts the stream at rest", () => {
    expect(only(synth(), KinesisFirehoseDeliveryStream).server_side_encryption).toEqual({ enabled: true, key_type: "AWS_OWNED_CMK" });
  });

  test("is created after its role policy", () => {
    const out = synth();
    const [policyId] = onlyEntry(out, IamRolePolicy);
    expect(only(out, KinesisFirehoseDeliveryStream).depends_on).toEqual([`aws_iam_role_policy.${policyId}`]);
  });

  test("exposes the ARN built from the name and the resource's ARN attribute", () => {
    let construct!: DeliveryStream;
    const out = Testing.synthScope((scope) => {
      construct = new DeliveryStream(scope, "Stream", props());
      new TerraformOutput(scope, "attribute", { value: construct.arnAttribute });
    });
    const [streamId] = onlyEntry(out, KinesisFirehoseDeliveryStream);
    expect(construct.streamArn).toBe(STREAM_ARN);
    expect(construct.streamName).toBe("shop-events");
    expect(JSON.parse(out).output.attribute.value).toBe(`\${aws_kinesis_firehose_delivery_stream.${streamId}.arn}`);
  });
});

describe("DeliveryStream logging", () => {
  test("logs delivery errors to its log group and stream", () => {
    const out = synth();
    const [groupId] = onlyEntry(out, CloudwatchLogGroup);
    const [streamId] = onlyEntry(out, CloudwatchLogStream);
    expect(s3Config(out).cloudwatch_logging_options).toEqual({
      enabled: true,
      log_group_name: `\${aws_cloudwatch_log_group.${groupId}.name}`,
      log_stream_name: `\${aws_cloudwatch_log_stream.${streamId}.name}`,
    });
  });

  test("the log group is named after the stream and kept 30 days", () => {
    expect(synth()).toHaveResourceWithProperties(CloudwatchLogGroup, {
      name: "/aws/kinesisfirehose/shop-events",
      retention_in_days: 30,
    });
  });

  test("the log stream is DestinationDelivery in that group", () => {
    const out = synth();
    const [groupId] = onlyEntry(out, CloudwatchLogGroup);
    expect(out).toHaveResourceWithProperties(CloudwatchLogStream, {
      name: "DestinationDelivery",
      log_group_name: `\${aws_cloudwatch_log_group.${groupId}.name}`,
    });
  });

  test("takes a retention override", () => {
    expect(synth({ logRetentionDays: 90 })).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: 90 });
  });
});

describe("DeliveryStream role", () => {
  function trust(out: string): any {
    const doc = JSON.parse(only(out, IamRole).assume_role_policy);
    expect(doc.Statement).toHaveLength(1);
    return doc.Statement[0];
  }

  test("is named <streamName>-<region> by default", () => {
    expect(only(synth(), IamRole).name).toBe("shop-events-us-east-1");
  });

  test("takes a role name", () => {
    expect(only(synth({ roleName: "custom-role" }), IamRole).name).toBe("custom-role");
  });

  test("trusts firehose.amazonaws.com only", () => {
    const statement = trust(synth());
    expect(statement.Effect).toBe("Allow");
    expect(statement.Principal).toEqual({ Service: "firehose.amazonaws.com" });
    expect(statement.Action).toBe("sts:AssumeRole");
  });

  test("trusts it only for this account, by the external ID Firehose presents (it presents no source ARN)", () => {
    expect(trust(synth()).Condition).toEqual({ StringEquals: { "sts:ExternalId": "123456789012" } });
  });

  test("its policy is attached to the role", () => {
    const out = synth();
    const [roleId] = onlyEntry(out, IamRole);
    expect(only(out, IamRolePolicy).role).toBe(`\${aws_iam_role.${roleId}.id}`);
  });

  test("its policy allows exactly the S3 actions Firehose needs and logs:PutLogEvents", () => {
    const actions = rolePolicyStatements(synth()).flatMap((s) => asList(s.Action));
    expect(actions.sort()).toEqual([
      "logs:PutLogEvents",
      "s3:AbortMultipartUpload",
      "s3:GetBucketLocation",
      "s3:GetObject",
      "s3:ListBucket",
      "s3:ListBucketMultipartUploads",
      "s3:PutObject",
    ]);
  });

  test("its policy only allows, with no wildcard action and no '*' resource", () => {
    for (const statement of rolePolicyStatements(synth())) {
      expect(statement.Effect).toBe("Allow");
      for (const action of asList(statement.Action)) expect(action).not.toContain("*");
      for (const resource of asList(statement.Resource)) expect(resource).not.toBe("*");
    }
  });

  test("object actions apply to the bucket's objects, bucket actions to the bucket, log writes to its log stream", () => {
    const byAction = new Map<string, string[]>();
    for (const s of rolePolicyStatements(synth())) for (const a of asList(s.Action)) byAction.set(a, asList(s.Resource));
    for (const a of ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]) expect(byAction.get(a)).toEqual([`${BUCKET_ARN}/*`]);
    for (const a of ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]) expect(byAction.get(a)).toEqual([BUCKET_ARN]);
    expect(byAction.get("logs:PutLogEvents")).toEqual([LOG_STREAM_ARN]);
  });
});

describe("DeliveryStream validation", () => {
  test.each([-1, 901, 1.5])("bufferingIntervalSeconds %p", (bufferingIntervalSeconds) => {
    expect(() => synth({ bufferingIntervalSeconds })).toThrow(
      `DeliveryStream bufferingIntervalSeconds: got ${bufferingIntervalSeconds}; allowed: a whole number from 0 to 900`,
    );
  });

  test.each([0, 129, 2.5])("bufferingSizeMiB %p", (bufferingSizeMiB) => {
    expect(() => synth({ bufferingSizeMiB })).toThrow(`DeliveryStream bufferingSizeMiB: got ${bufferingSizeMiB}; allowed: a whole number from 1 to 128`);
  });

  test.each([0, 31, 10000])("logRetentionDays %p", (logRetentionDays) => {
    expect(() => synth({ logRetentionDays })).toThrow(`DeliveryStream logRetentionDays: got ${logRetentionDays}; allowed: one of 1, 3, 5, 7, 14, 30`);
  });
});

describe("DeliveryStream with a customer-managed key", () => {
  const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  test("may use the key only through S3 in its region, for this bucket", () => {
    const kms = rolePolicyStatements(synth({ kmsKeyArn: KEY })).find((s) => s.Sid === "EncryptObjectsThroughS3");
    expect(kms.Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(kms.Resource).toBe(KEY);
    expect(kms.Condition.StringEquals["kms:ViaService"]).toBe("s3.us-east-1.amazonaws.com");
  });

  test("conditions on the bucket ARN, the encryption context S3 uses with a Bucket Key, never on object ARNs", () => {
    // With a Bucket Key, S3 asks KMS with context aws:s3:arn = the bucket ARN; a condition on
    // "<bucket>/*" would make KMS refuse every PUT and Firehose drop the data after 24 h of retries.
    const kms = rolePolicyStatements(synth({ kmsKeyArn: KEY })).find((s) => s.Sid === "EncryptObjectsThroughS3");
    expect(kms.Condition.StringEquals["kms:EncryptionContext:aws:s3:arn"]).toBe(BUCKET_ARN);
    expect(JSON.stringify(kms.Condition)).not.toContain(`${BUCKET_ARN}/`);
  });

  test("encrypts the stream and its objects with the key", () => {
    const stream = only(synth({ kmsKeyArn: KEY }), KinesisFirehoseDeliveryStream);
    expect(stream.server_side_encryption).toEqual({ enabled: true, key_type: "CUSTOMER_MANAGED_CMK", key_arn: KEY });
    expect(stream.extended_s3_configuration.kms_key_arn).toBe(KEY);
  });

  test("refuses a key named by alias: IAM cannot name a key by alias in the role's policy", () => {
    const alias = "arn:aws:kms:us-east-1:123456789012:alias/archive";
    expect(() => synth({ kmsKeyArn: alias })).toThrow(
      `DeliveryStream kmsKeyArn: got "${alias}"; allowed: a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias`,
    );
  });

  test("without a key, the role gets no KMS permission at all", () => {
    expect(
      rolePolicyStatements(synth())
        .flatMap((s) => asList(s.Action))
        .filter((a) => a.startsWith("kms:")),
    ).toEqual([]);
  });
});
