import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { s3BucketArn } from "./shared/arn";
import { attributeOf, chooseIfSet, Condition, countWhen, hclOf, isNullable, isSetHcl, isToken, numberExpression, orDefault } from "./shared/expressions";
import { bucketNameProblem } from "./app/config";
import { policyDocument, renderPolicy } from "./shared/policy-document";

export interface BucketBaselineProps {
  /** The construct class asking, for error messages (e.g. "ArchiveBucket"). */
  readonly owner: string;
  /** The bucket to lock down. */
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  /** Region of the bucket, for its ARN. */
  readonly region: string;
  /**
   * SSE-KMS with this key.
   * @default - SSE-S3
   */
  readonly kmsKeyArn?: string;
  /**
   * Existing bucket for server access logs.
   * @default - no access logging
   */
  readonly accessLogBucketName?: string;
  /** @default "s3-access/<bucketName>/" */
  readonly accessLogPrefix?: string;
  /**
   * The region's partition, when the region is a Terraform token.
   * @default - partitionOf(region)
   */
  readonly partition?: string;
  /**
   * Terraform condition under which the bucket exists: every baseline resource is counted by it.
   * @default - always
   */
  readonly condition?: Condition;
}

/** All four public access block flags on; shared with the plain module's buckets. */
export const ALL_PUBLIC_ACCESS_BLOCKED = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
} as const;

/** A bucket policy refusing every request made without TLS, on the bucket and its objects. */
export function denyInsecureTransportPolicy(bucketArn: string): string {
  return renderPolicy(
    policyDocument({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    }),
  );
}

/**
 * What every bucket ses-guard creates gets: no public access, no ACLs, default
 * encryption, TLS-only access, optional access logs. The construct IDs are
 * `<idPrefix>PublicAccessBlock` and so on, part of each bucket's resource addresses.
 */
export function addBucketBaseline(scope: Construct, idPrefix: string, props: BucketBaselineProps): void {
  const bucket = attributeOf(props.bucket, "id");
  const arn = s3BucketArn(props.region, props.bucketName, props.partition);
  const counted = countWhen(scope, props.condition);
  new S3BucketPublicAccessBlock(scope, `${idPrefix}PublicAccessBlock`, { ...counted, bucket, ...ALL_PUBLIC_ACCESS_BLOCKED });
  new S3BucketOwnershipControls(scope, `${idPrefix}OwnershipControls`, { ...counted, bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
  new S3BucketServerSideEncryptionConfigurationA(scope, `${idPrefix}Encryption`, {
    ...counted,
    bucket,
    rule: [
      {
        // SSE-KMS with a key, else SSE-S3 (a nullable token key: as Terraform finds it).
        applyServerSideEncryptionByDefault: { sseAlgorithm: chooseIfSet(scope, props.kmsKeyArn, "aws:kms", "AES256"), kmsMasterKeyId: props.kmsKeyArn },
        // Bucket keys cut KMS requests (and cost) by orders of magnitude.
        bucketKeyEnabled: true,
      },
    ],
  });
  new S3BucketPolicy(scope, `${idPrefix}Policy`, { ...counted, bucket, policy: denyInsecureTransportPolicy(arn) });
  if (!props.accessLogBucketName) return;
  const targetPrefix = orDefault(scope, props.accessLogPrefix, `s3-access/${props.bucketName}/`);
  if (isNullable(props.accessLogBucketName)) {
    // A token bucket name may be null: logging exists only while it is set (and the bucket exists).
    const logged = [props.condition && hclOf(scope, props.condition), isSetHcl(scope, props.accessLogBucketName)].filter(Boolean).join(" && ");
    new S3BucketLoggingA(scope, `${idPrefix}AccessLogging`, {
      count: numberExpression(scope, `${logged} ? 1 : 0`),
      bucket,
      targetBucket: props.accessLogBucketName,
      targetPrefix,
    });
    return;
  }
  const problem = !isToken(props.accessLogBucketName) && bucketNameProblem(props.accessLogBucketName);
  if (problem) throw new Error(`${props.owner} accessLogBucketName: got ${JSON.stringify(props.accessLogBucketName)}; allowed: ${problem}`);
  new S3BucketLoggingA(scope, `${idPrefix}AccessLogging`, { ...counted, bucket, targetBucket: props.accessLogBucketName, targetPrefix });
}
