/**
 * ARNs built from known inputs rather than resource attributes, so policies
 * are fully known at plan time and a reviewer sees them in `terraform plan`.
 */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

export interface ArnScope {
  readonly accountId: string;
  readonly region: string;
  /**
   * The region's partition; given when the region is a Terraform token (see `partitionExpression`).
   * @default - partitionOf(region)
   */
  readonly partition?: string;
}

export function arn(scope: ArnScope, service: string, resource: string): string {
  return `arn:${scope.partition ?? partitionOf(scope.region)}:${service}:${scope.region}:${scope.accountId}:${resource}`;
}

export function s3BucketArn(region: string, bucketName: string, partition = partitionOf(region)): string {
  return `arn:${partition}:s3:::${bucketName}`;
}

/** Anything with an ARN: a topic we create, or one the user brings. */
export interface TopicRef {
  readonly arn: string;
}

/** AWS-managed keys (`alias/aws/...`) cannot grant CloudWatch or SES access. */
export function awsManagedKeyProblem(keyRef: string): string | undefined {
  return /(^|:)alias\/aws\//.test(keyRef)
    ? "a customer-managed KMS key: AWS-managed keys such as alias/aws/sns cannot let CloudWatch alarms or SES encrypt, so their notifications would silently never arrive (Trivy AWS-0136)"
    : undefined;
}

/**
 * A key named by alias cannot stand in an IAM policy's Resource (IAM User Guide, "Resources, actions
 * and condition keys for AWS KMS": key ARNs only; AWS KMS Developer Guide, "Using aliases to control
 * access": an alias ARN in a policy's Resource matches nothing), and ses-guard writes the key into
 * the Firehose role's policy; so every key is given by its key ARN.
 */
export function kmsAliasProblem(keyRef: string): string | undefined {
  return /(^|:)alias\//.test(keyRef)
    ? "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias: IAM policies cannot name a key by alias; `aws kms describe-key --key-id alias/<name>` prints the key's ARN"
    : undefined;
}
