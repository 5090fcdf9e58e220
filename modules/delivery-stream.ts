import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogStream } from "@cdktf/provider-aws/lib/cloudwatch-log-stream";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KinesisFirehoseDeliveryStream } from "@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream";
import { arn, ArnScope, kmsAliasProblem, s3BucketArn } from "./shared/arn";
import { chooseIfSet, isNullable, isSetHcl, isToken } from "./shared/expressions";
import { LOG_RETENTION_DAYS } from "./app/config";
import { RULES } from "./shared/rules";
import { ConditionBlock, firehoseTrustPolicy, policyDocument, renderPolicy, renderPolicyWithOptionalStatement } from "./shared/policy-document";

/** The bucket a stream writes to: ours or the user's. */
export interface BucketRef {
  readonly bucketName: string;
  /** The bucket's ARN; a reference to our bucket resource orders creation after it. */
  readonly bucketArn: string;
}

export interface DeliveryStreamProps extends ArnScope {
  /** Firehose stream name; also names its role and log group. */
  readonly streamName: string;
  /** Destination bucket. */
  readonly bucket: BucketRef;
  /**
   * Seconds Firehose buffers before writing an object (0 to 900).
   * @default 900
   */
  readonly bufferingIntervalSeconds?: number;
  /**
   * MiB Firehose buffers before writing an object (1 to 128).
   * @default 128
   */
  readonly bufferingSizeMiB?: number;
  /**
   * Retention of the error log group, in days (a value CloudWatch Logs accepts).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Name of the IAM role Firehose assumes (IAM names are global: keep the region in it).
   * @default `<streamName>-<region>`
   */
  readonly roleName?: string;
  /**
   * Key prefix of delivered events (a date path follows).
   * @default "events/"
   */
  readonly prefix?: string;
  /**
   * Key prefix of records Firehose could not deliver (error type and date path follow).
   * @default "errors/"
   */
  readonly errorPrefix?: string;
  /**
   * Customer-managed KMS key for the stream's server-side encryption and the objects it writes.
   * @default - an AWS-owned key for the stream; the bucket's default encryption for objects
   */
  readonly kmsKeyArn?: string;
  /**
   * Terraform refuses any plan that would destroy the stream (`lifecycle { prevent_destroy }`).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

const LOG_STREAM = "DestinationDelivery";

/**
 * The KMS condition for writing through S3 to a bucket with an S3 Bucket Key (every ses-guard
 * bucket with SSE-KMS has one): S3 then asks KMS with the *bucket* ARN as encryption context, not
 * the object's, so a condition on `<bucket>/*` refuses every PUT (Amazon S3 User Guide, "Configuring
 * an S3 Bucket Key": change IAM policies and key policies that condition on the object ARN).
 */
export function s3KmsCondition(region: string, bucketArn: string): ConditionBlock {
  return {
    StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com`, "kms:EncryptionContext:aws:s3:arn": bucketArn },
  };
}

/**
 * A DirectPut Firehose stream that writes gzip'd SES events to S3 under a
 * date-based prefix, failures to a separate prefix, errors to CloudWatch Logs.
 */
export class DeliveryStream extends Construct {
  public readonly stream: KinesisFirehoseDeliveryStream;
  public readonly streamName: string;
  /** Known at plan time, for policies. */
  public readonly streamArn: string;
  /** The stream resource's ARN attribute: referencing it orders creation after the stream. */
  public readonly arnAttribute: string;
  public readonly role: IamRole;
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: DeliveryStreamProps) {
    super(scope, id);
    const interval = props.bufferingIntervalSeconds ?? 900;
    const size = props.bufferingSizeMiB ?? 128;
    const retention = props.logRetentionDays ?? 30;
    const prefix = props.prefix ?? "events/";
    // Tokens (the plain module's variables) are checked by the module's validation blocks instead.
    if (!isToken(interval) && !RULES.bufferingIntervalSeconds.holds(interval)) {
      throw new Error(`DeliveryStream bufferingIntervalSeconds: got ${interval}; allowed: ${RULES.bufferingIntervalSeconds.allowed}`);
    }
    if (!isToken(size) && !RULES.bufferingSizeMiB.holds(size)) {
      throw new Error(`DeliveryStream bufferingSizeMiB: got ${size}; allowed: ${RULES.bufferingSizeMiB.allowed}`);
    }
    const aliasProblem = props.kmsKeyArn && !isToken(props.kmsKeyArn) && kmsAliasProblem(props.kmsKeyArn);
    if (aliasProblem) throw new Error(`DeliveryStream kmsKeyArn: got ${JSON.stringify(props.kmsKeyArn)}; allowed: ${aliasProblem}`);
    if (!isToken(retention) && !(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
      throw new Error(`DeliveryStream logRetentionDays: got ${retention}; allowed: one of ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    // A token key may be null at plan time: then the stream is encrypted as without a key.
    const keyIsToken = isNullable(props.kmsKeyArn);

    this.streamName = props.streamName;
    this.streamArn = arn(props, "firehose", `deliverystream/${props.streamName}`);
    // Policies use the ARN built from the name, so the plan shows them in full.
    const bucketArn = s3BucketArn(props.region, props.bucket.bucketName, props.partition);
    const logGroupName = `/aws/kinesisfirehose/${props.streamName}`;

    this.logGroup = new CloudwatchLogGroup(this, "LogGroup", { name: logGroupName, retentionInDays: retention });
    const logStream = new CloudwatchLogStream(this, "LogStream", { name: LOG_STREAM, logGroupName: this.logGroup.name });

    this.role = new IamRole(this, "Role", {
      name: props.roleName ?? `${props.streamName}-${props.region}`,
      description: `Lets Firehose stream ${props.streamName} write SES events to s3://${props.bucket.bucketName}`,
      assumeRolePolicy: renderPolicy(firehoseTrustPolicy(props.accountId)),
    });
    const policy = policyDocument(
      {
        Sid: "WriteObjects",
        Effect: "Allow",
        Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
        Resource: `${bucketArn}/*`,
      },
      {
        Sid: "FindBucket",
        Effect: "Allow",
        Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
        Resource: bucketArn,
      },
      ...(props.kmsKeyArn
        ? [
            {
              Sid: "EncryptObjectsThroughS3",
              Effect: "Allow" as const,
              Action: ["kms:Decrypt", "kms:GenerateDataKey"],
              Resource: props.kmsKeyArn,
              Condition: s3KmsCondition(props.region, bucketArn),
            },
          ]
        : []),
      {
        Sid: "LogDeliveryErrors",
        Effect: "Allow",
        Action: "logs:PutLogEvents",
        Resource: arn(props, "logs", `log-group:${logGroupName}:log-stream:${LOG_STREAM}`),
      },
    );
    const rolePolicy = new IamRolePolicy(this, "RolePolicy", {
      name: "deliver-to-s3",
      role: this.role.id,
      // A token key may be null at plan time: the statement is kept only while it is set.
      policy: keyIsToken ? renderPolicyWithOptionalStatement(policy, "EncryptObjectsThroughS3", isSetHcl(this, props.kmsKeyArn)) : renderPolicy(policy),
    });

    this.stream = new KinesisFirehoseDeliveryStream(this, "Resource", {
      name: props.streamName,
      destination: "extended_s3",
      // The key when one is given (a nullable token key: as Terraform finds it), else an AWS-owned one.
      serverSideEncryption: { enabled: true, keyType: chooseIfSet(this, props.kmsKeyArn, "CUSTOMER_MANAGED_CMK", "AWS_OWNED_CMK"), keyArn: props.kmsKeyArn },
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
      extendedS3Configuration: {
        roleArn: this.role.arn,
        bucketArn: props.bucket.bucketArn,
        prefix: `${prefix}!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/`,
        // Firehose requires an error prefix once the prefix has expressions.
        errorOutputPrefix: `${props.errorPrefix ?? "errors/"}!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/`,
        bufferingInterval: interval,
        bufferingSize: size,
        // Objects are `*.gz`, one JSON record per line: SES ends each record it publishes to
        // Firehose with a newline, so no AppendDelimiterToRecord processor (event-catalog.ts reads them).
        compressionFormat: "GZIP",
        kmsKeyArn: props.kmsKeyArn,
        cloudwatchLoggingOptions: { enabled: true, logGroupName: this.logGroup.name, logStreamName: logStream.name },
      },
      // Firehose checks its access on create: the policy must exist first.
      dependsOn: [rolePolicy],
    });
    this.arnAttribute = this.stream.arn;
  }
}
