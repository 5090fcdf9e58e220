import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { s3BucketArn } from "./arn";
import { bucketNameProblem } from "./config";
import { policyDocument, renderPolicy } from "./policy-document";

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
  const bucket = props.bucket.id;
  const arn = s3BucketArn(props.region, props.bucketName);
  new S3BucketPublicAccessBlock(scope, `${idPrefix}PublicAccessBlock`, { bucket, ...ALL_PUBLIC_ACCESS_BLOCKED });
  new S3BucketOwnershipControls(scope, `${idPrefix}OwnershipControls`, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
  new S3BucketServerSideEncryptionConfigurationA(scope, `${idPrefix}Encryption`, {
    bucket,
    rule: [
      {
        applyServerSideEncryptionByDefault: props.kmsKeyArn ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn } : { sseAlgorithm: "AES256" },
        // Bucket keys cut KMS requests (and cost) by orders of magnitude.
        bucketKeyEnabled: true,
      },
    ],
  });
  new S3BucketPolicy(scope, `${idPrefix}Policy`, { bucket, policy: denyInsecureTransportPolicy(arn) });
  if (props.accessLogBucketName) {
    const problem = bucketNameProblem(props.accessLogBucketName);
    if (problem) throw new Error(`${props.owner} accessLogBucketName: got ${JSON.stringify(props.accessLogBucketName)}; allowed: ${problem}`);
    new S3BucketLoggingA(scope, `${idPrefix}AccessLogging`, {
      bucket,
      targetBucket: props.accessLogBucketName,
      targetPrefix: props.accessLogPrefix ?? `s3-access/${props.bucketName}/`,
    });
  }
}
