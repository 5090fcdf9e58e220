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

export { awsManagedKeyProblem, kmsAliasProblem } from "./rules";
