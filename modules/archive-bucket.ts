import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { addBucketBaseline } from "./bucket-baseline";
import type * as z from "zod";
import { bucketNameProblem, lifecycleSchema, parseWith, StorageClass } from "./app/config";
import { Condition, countWhen, hclOf, isToken } from "./shared/expressions";

export interface LifecycleTransition {
  /** Days after creation. */
  readonly days: number;
  /** Target storage class. */
  readonly storageClass: StorageClass;
}

export interface ArchiveLifecycle {
  /**
   * Transitions in ascending order of days.
   * @default - 30 days STANDARD_IA, 90 days GLACIER_IR (Athena can still read it)
   */
  readonly transitions?: readonly LifecycleTransition[];
  /**
   * Days after which archived events are deleted.
   * @default 730
   */
  readonly expirationDays?: number;
  /**
   * Days after which incomplete multipart uploads are aborted.
   * @default 7
   */
  readonly abortIncompleteMultipartUploadDays?: number;
  /**
   * Days a replaced or deleted object's old version is kept (only with versioning).
   * @default 30
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Which small objects may transition: S3's default keeps objects under 128 KB in STANDARD.
   * @default "all_storage_classes_128K"
   */
  readonly transitionMinimumObjectSize?: "all_storage_classes_128K" | "varies_by_storage_class";
}

/**
 * A lifecycle with every field: validated against S3's rules when all its values are literals; with
 * Terraform tokens among them (the plain module's variables, checked by its validation blocks), the
 * given fields over the defaults. `source` names it in a validation error.
 */
export function resolveLifecycle(given: ArchiveLifecycle = {}, source: string): { lifecycle: z.output<typeof lifecycleSchema>; tokens: boolean } {
  if (!Object.values(given).some(isToken)) return { lifecycle: parseWith(lifecycleSchema, given, source), tokens: false };
  const set = Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined));
  return { lifecycle: { ...parseWith(lifecycleSchema, {}, source), ...set }, tokens: true };
}

export interface ArchiveBucketProps {
  /** Globally unique bucket name (S3 rules; no dots). */
  readonly bucketName: string;
  /** Region of the bucket, for its ARN. */
  readonly region: string;
  /**
   * Lifecycle rules, validated against S3's rules.
   * @default - 30 d STANDARD_IA, 90 d GLACIER_IR, expire at 730 d, abort multipart uploads after 7 d
   */
  readonly lifecycle?: ArchiveLifecycle;
  /**
   * Keep old versions of overwritten or deleted objects (expired after `lifecycle.noncurrentVersionExpirationDays`).
   * @default false
   */
  readonly versioning?: boolean | Condition;
  /**
   * Server access logs go to this existing bucket.
   * @default - no access logging
   */
  readonly accessLogBucketName?: string;
  /**
   * Key prefix of the access logs.
   * @default "s3-access/<bucketName>/"
   */
  readonly accessLogPrefix?: string;
  /**
   * Encrypt with this customer-managed KMS key (SSE-KMS) instead of S3-managed keys (SSE-S3).
   * @default - SSE-S3
   */
  readonly kmsKeyArn?: string;
  /**
   * Terraform refuses any plan that would destroy the bucket (`lifecycle { prevent_destroy }`).
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * The region's partition, when the region is a Terraform token.
   * @default - partitionOf(region)
   */
  readonly partition?: string;
}

/**
 * The private, encrypted bucket that keeps SES events: no public access, no
 * ACLs, TLS only, and a lifecycle that moves old events to cheap storage.
 */
export class ArchiveBucket extends Construct {
  public readonly bucket: S3Bucket;
  public readonly bucketName: string;
  /** The bucket resource's ARN attribute. */
  public readonly bucketArn: string;
  public readonly lifecycle: S3BucketLifecycleConfiguration;
  /** Present with `versioning`. */
  public readonly versioning?: S3BucketVersioningA;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    const problem = !isToken(props.bucketName) && bucketNameProblem(props.bucketName);
    if (problem) throw new Error(`ArchiveBucket bucketName: got ${JSON.stringify(props.bucketName)}; allowed: ${problem}`);
    // Tokens (the plain module's variables) are checked by the module's validation blocks instead.
    const { lifecycle } = resolveLifecycle(props.lifecycle, "ArchiveBucket lifecycle");
    this.bucketName = props.bucketName;

    // force_destroy stays false: deleting the archive must never empty it as a side effect.
    this.bucket = new S3Bucket(this, "Resource", {
      bucket: props.bucketName,
      forceDestroy: false,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.bucketArn = this.bucket.arn;
    const bucket = this.bucket.id;
    addBucketBaseline(this, "", {
      owner: "ArchiveBucket",
      bucket: this.bucket,
      bucketName: props.bucketName,
      region: props.region,
      partition: props.partition,
      kmsKeyArn: props.kmsKeyArn,
      accessLogBucketName: props.accessLogBucketName,
      accessLogPrefix: props.accessLogPrefix,
    });
    if (props.versioning) {
      this.versioning = new S3BucketVersioningA(this, "Versioning", {
        ...(isToken(props.versioning) ? countWhen(this, props.versioning as Condition) : {}),
        bucket,
        versioningConfiguration: { status: "Enabled" },
      });
    }
    const dynamicRules = isToken(lifecycle.transitions) || isToken(props.versioning);
    this.lifecycle = new S3BucketLifecycleConfiguration(this, "Lifecycle", {
      bucket,
      // S3's own default, stated so the plan shows it: objects under 128 KB never transition.
      transitionDefaultMinimumObjectSize: lifecycle.transitionMinimumObjectSize,
      // With a token transition list or versioning switch, filled in by the override below.
      rule: dynamicRules
        ? []
        : [
            {
              id: "archive-tiering-and-expiration",
              status: "Enabled",
              filter: [{ prefix: "" }],
              transition: lifecycle.transitions.map((t) => ({ days: t.days, storageClass: t.storageClass })),
              expiration: [{ days: lifecycle.expirationDays }],
              // With versioning, expiry only hides the current version; this removes the old ones.
              noncurrentVersionExpiration: props.versioning ? [{ noncurrentDays: lifecycle.noncurrentVersionExpirationDays }] : undefined,
            },
            {
              id: "abort-incomplete-multipart-uploads",
              status: "Enabled",
              filter: [{ prefix: "" }],
              abortIncompleteMultipartUpload: [{ daysAfterInitiation: lifecycle.abortIncompleteMultipartUploadDays }],
            },
          ],
    });
    if (dynamicRules) this.lifecycle.addOverride("rule", this.rulesWithDynamicBlocks(lifecycle, props.versioning));
  }

  /**
   * The rules with a token transition list or versioning switch: cdktf resolves a `dynamic` block
   * only directly on a resource, not inside a list block (rule[].transition), so they are written
   * as Terraform JSON.
   */
  private rulesWithDynamicBlocks(lifecycle: z.output<typeof lifecycleSchema>, versioning: boolean | Condition | undefined): unknown[] {
    const transitions = isToken(lifecycle.transitions)
      ? hclOf(this, lifecycle.transitions)
      : JSON.stringify(lifecycle.transitions.map((t) => ({ days: t.days, storage_class: t.storageClass })));
    const days = hclOf(this, lifecycle.noncurrentVersionExpirationDays);
    const versioned = isToken(versioning) ? `${hclOf(this, versioning)} ? [${days}] : []` : versioning ? `[${days}]` : "[]";
    const expression = (hcl: string) => "${" + hcl + "}";
    return [
      {
        id: "archive-tiering-and-expiration",
        status: "Enabled",
        filter: [{ prefix: "" }],
        dynamic: {
          transition: {
            for_each: expression(transitions),
            content: { days: expression("transition.value.days"), storage_class: expression("transition.value.storage_class") },
          },
          // With versioning, expiry only hides the current version; this removes the old ones.
          noncurrent_version_expiration: {
            for_each: expression(versioned),
            content: { noncurrent_days: expression("noncurrent_version_expiration.value") },
          },
        },
        expiration: [{ days: lifecycle.expirationDays }],
      },
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: [{ prefix: "" }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: lifecycle.abortIncompleteMultipartUploadDays }],
      },
    ];
  }
}
