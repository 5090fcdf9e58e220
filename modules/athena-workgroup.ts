import { Construct } from "constructs";
import { AthenaNamedQuery } from "@cdktf/provider-aws/lib/athena-named-query";
import { AthenaWorkgroup as AthenaWorkgroupResource } from "@cdktf/provider-aws/lib/athena-workgroup";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { Op, Token } from "cdktf";
import { ArnScope } from "./shared/arn";
import { RULES } from "./shared/rules";
import { attributeOf, chooseIfSet, Condition, countWhen, isToken } from "./shared/expressions";
import { addBucketBaseline } from "./bucket-baseline";
import { bucketNameProblem } from "./app/config";
import { NamedQuery } from "./shared/named-queries";

export interface AthenaWorkgroupProps extends ArnScope {
  /** Workgroup name: 1 to 128 letters, digits, `.`, `_` or `-`. */
  readonly workgroupName: string;
  /** The bucket query results go to; created here. */
  readonly resultsBucketName: string;
  /**
   * Days after which query results are deleted (they hold recipient addresses).
   * @default 30
   */
  readonly resultsExpirationDays?: number;
  /**
   * Athena cancels a query once it has scanned this many MiB (at least 10).
   * @default 10240
   */
  readonly bytesScannedCutoffPerQueryMiB?: number;
  /**
   * Customer-managed KMS key for query results (workgroup SSE_KMS and the bucket's default encryption).
   * @default - SSE-S3
   */
  readonly kmsKeyArn?: string;
  /**
   * Existing bucket that receives S3 server access logs of the results bucket.
   * @default - no access logging
   */
  readonly accessLogBucketName?: string;
  /**
   * Saved queries in the workgroup.
   * @default - none
   */
  readonly namedQueries?: readonly NamedQuery[];
  /**
   * Glue database the saved queries run in; required with `namedQueries`.
   * @default - none
   */
  readonly database?: string;
  /**
   * The region's partition, when the region is a Terraform token.
   * @default - partitionOf(region)
   */
  readonly partition?: string;
  /**
   * Terraform condition under which every resource here exists (`count`).
   * @default - always
   */
  readonly condition?: Condition;
}

const BYTES_PER_MIB = 1024 * 1024;

/**
 * An Athena workgroup for investigating the event archive, its results bucket and saved queries.
 *
 * The workgroup enforces its settings (users cannot send results elsewhere or unencrypted), pins
 * Athena engine version 3 (the Trino dialect the saved queries are written and tested in), caps
 * each query's scan, and publishes query metrics to CloudWatch. Results go to a private bucket of
 * their own: public access blocked, ACLs disabled, encrypted, TLS only, expired after
 * `resultsExpirationDays`. It is disposable output, so unlike the archive it carries no
 * `prevent_destroy` and may be destroyed with what it holds (`force_destroy`).
 */
export class AthenaWorkgroup extends Construct {
  public readonly workgroup: AthenaWorkgroupResource;
  public readonly workgroupName: string;
  public readonly resultsBucket: S3Bucket;
  public readonly resultsBucketName: string;
  public readonly namedQueries: AthenaNamedQuery[] = [];

  constructor(scope: Construct, id: string, props: AthenaWorkgroupProps) {
    super(scope, id);
    const expiration = props.resultsExpirationDays ?? 30;
    const cutoff = props.bytesScannedCutoffPerQueryMiB ?? 10240;
    // Tokens (the plain module's variables) are checked by the module's validation blocks instead.
    if (!isToken(props.workgroupName) && !/^[A-Za-z0-9._-]{1,128}$/.test(props.workgroupName)) {
      throw new Error(`AthenaWorkgroup workgroupName: got ${JSON.stringify(props.workgroupName)}; allowed: 1 to 128 letters, digits, ., _ or -`);
    }
    const problem = !isToken(props.resultsBucketName) && bucketNameProblem(props.resultsBucketName);
    if (problem) throw new Error(`AthenaWorkgroup resultsBucketName: got ${JSON.stringify(props.resultsBucketName)}; allowed: ${problem}`);
    if (!isToken(expiration) && !RULES.investigationResultsExpirationDays.holds(expiration)) {
      throw new Error(`AthenaWorkgroup resultsExpirationDays: got ${expiration}; allowed: ${RULES.investigationResultsExpirationDays.allowed}`);
    }
    if (!isToken(cutoff) && !(RULES.bytesScannedCutoffMin.holds(cutoff) && RULES.bytesScannedCutoffMax.holds(cutoff))) {
      const rule = RULES.bytesScannedCutoffMin.holds(cutoff) ? RULES.bytesScannedCutoffMax : RULES.bytesScannedCutoffMin;
      throw new Error(`AthenaWorkgroup bytesScannedCutoffPerQueryMiB: got ${cutoff}; allowed: ${rule.allowed}`);
    }
    const queries = props.namedQueries ?? [];
    if (queries.length && !props.database) {
      throw new Error("AthenaWorkgroup database: got nothing; allowed: the Glue database the namedQueries run in");
    }
    const ids = new Set<string>();
    for (const q of queries) {
      if (ids.has(q.id)) throw new Error(`AthenaWorkgroup namedQueries: got ${JSON.stringify(q.id)} twice; allowed: each id once`);
      ids.add(q.id);
      if (isToken(q.name) || isToken(q.description) || isToken(q.sql)) continue;
      if (q.name.length < 1 || q.name.length > 128)
        throw new Error(`AthenaWorkgroup namedQueries ${q.id} name: got ${q.name.length} characters; allowed: 1 to 128`);
      if (q.description.length > 1024)
        throw new Error(`AthenaWorkgroup namedQueries ${q.id} description: got ${q.description.length} characters; allowed: at most 1024`);
      if (q.sql.length < 1 || q.sql.length > 262144)
        throw new Error(`AthenaWorkgroup namedQueries ${q.id} sql: got ${q.sql.length} characters; allowed: 1 to 262144`);
    }
    this.workgroupName = props.workgroupName;
    this.resultsBucketName = props.resultsBucketName;

    const counted = countWhen(this, props.condition);
    this.resultsBucket = new S3Bucket(this, "ResultsBucket", {
      ...counted,
      bucket: props.resultsBucketName,
      // Query output, re-creatable by running the query again: removing the workgroup removes it too.
      forceDestroy: true,
    });
    const bucket = attributeOf(this.resultsBucket, "id");
    addBucketBaseline(this, "ResultsBucket", {
      owner: "AthenaWorkgroup",
      bucket: this.resultsBucket,
      bucketName: props.resultsBucketName,
      region: props.region,
      partition: props.partition,
      kmsKeyArn: props.kmsKeyArn,
      accessLogBucketName: props.accessLogBucketName,
      condition: props.condition,
    });
    new S3BucketLifecycleConfiguration(this, "ResultsBucketLifecycle", {
      ...counted,
      bucket,
      rule: [
        { id: "expire-query-results", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: expiration }] },
        // Athena writes large results in parts; a query cancelled mid-write leaves them behind.
        { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: [{ prefix: "" }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }] },
      ],
    });

    this.workgroup = new AthenaWorkgroupResource(this, "Resource", {
      ...counted,
      name: props.workgroupName,
      description: "ses-guard: investigate the SES event archive (saved queries under Saved queries)",
      state: "ENABLED",
      configuration: {
        // Clients cannot override the output location or turn result encryption off.
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: isToken(cutoff) ? Token.asNumber(Op.mul(cutoff, BYTES_PER_MIB)) : cutoff * BYTES_PER_MIB,
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucketName}/`,
          expectedBucketOwner: props.accountId,
          // SSE_KMS with a key (a nullable token key: as Terraform finds it), else SSE_S3.
          encryptionConfiguration: { encryptionOption: chooseIfSet(this, props.kmsKeyArn, "SSE_KMS", "SSE_S3"), kmsKeyArn: props.kmsKeyArn },
        },
      },
      // Athena checks the output location when the workgroup is created.
      dependsOn: [this.resultsBucket],
    });

    for (const q of queries) {
      this.namedQueries.push(
        new AthenaNamedQuery(this, q.id, {
          ...counted,
          name: q.name,
          description: q.description,
          database: props.database!,
          // The attribute orders the query after the workgroup.
          workgroup: attributeOf(this.workgroup, "name"),
          query: q.sql,
        }),
      );
    }
  }
}
