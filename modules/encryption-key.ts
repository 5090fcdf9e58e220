import { Construct } from "constructs";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { partitionOf } from "./shared/arn";
import { attributeOf, Condition, countWhen, hclOf, isToken } from "./shared/expressions";
import { policyDocument, renderPolicy, renderPolicyWithOptionalStatement } from "./shared/policy-document";

export interface EncryptionKeyProps {
  /** The account that owns the key; its IAM policies decide who else may use it. */
  readonly accountId: string;
  /** Region of the key (keys are regional). */
  readonly region: string;
  /** Alias, without the `alias/` prefix. */
  readonly aliasName: string;
  /**
   * The region's partition, when the region is a Terraform token.
   * @default - partitionOf(region)
   */
  readonly partition?: string;
  /**
   * Terraform condition under which the key exists (`count`); `keyArn` is then null without it.
   * @default - always
   */
  readonly condition?: Condition;
  /**
   * Days before a scheduled deletion happens (7 to 30).
   * @default 30
   */
  readonly deletionWindowInDays?: number;
  /**
   * Also let EventBridge encrypt (rules that publish chat notifications and pause announcements).
   * @default false
   */
  readonly eventBridge?: boolean | Condition;
  /**
   * Terraform refuses a plan that would destroy the key (`lifecycle { prevent_destroy }`): a deleted
   * key leaves whatever it encrypted unreadable.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * A customer-managed KMS key for SNS topics that CloudWatch alarms and SES
 * publish to. The AWS-managed `alias/aws/sns` key cannot be used for that: its
 * policy cannot be changed to let those services encrypt, so delivery fails
 * without an error anyone sees.
 */
export class EncryptionKey extends Construct {
  public readonly key: KmsKey;
  public readonly keyArn: string;
  public readonly alias: KmsAlias;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const window = props.deletionWindowInDays ?? 30;
    if (!isToken(window) && (!Number.isInteger(window) || window < 7 || window > 30)) {
      throw new Error(`EncryptionKey deletionWindowInDays: got ${window}; allowed: a whole number from 7 to 30`);
    }
    // Service statements follow AWS's documented form: CloudWatch's calls carry no caller-account
    // context, so conditions on it make alarm delivery fail.
    const publishers = (sid: string, service: string) => ({
      Sid: sid,
      Effect: "Allow" as const,
      Principal: { Service: service },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
    });
    const counted = countWhen(this, props.condition);
    const eventBridge = props.eventBridge ?? false;
    // Amazon SNS Developer Guide, "Enable compatibility between event sources from AWS services and
    // encrypted topics": the publishing service needs the key; the subscriber (chat) does not, since
    // SNS decrypts before it delivers.
    const eventsSid = "EventBridgePublishesToEncryptedTopics";
    const doc = policyDocument(
      {
        Sid: "AccountAdministersThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${props.partition ?? partitionOf(props.region)}:iam::${props.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      publishers("CloudWatchAlarmsPublishToEncryptedTopics", "cloudwatch.amazonaws.com"),
      ...(eventBridge === false ? [] : [publishers(eventsSid, "events.amazonaws.com")]),
      publishers("SesPublishesToEncryptedTopics", "ses.amazonaws.com"),
    );
    this.key = new KmsKey(this, "Resource", {
      ...counted,
      description: `ses-guard: encrypts SNS topics that CloudWatch alarms and SES publish to (${props.region})`,
      enableKeyRotation: true,
      deletionWindowInDays: window,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
      policy: isToken(eventBridge) ? renderPolicyWithOptionalStatement(doc, eventsSid, hclOf(this, eventBridge)) : renderPolicy(doc),
    });
    this.keyArn = attributeOf(this.key, "arn");
    this.alias = new KmsAlias(this, "Alias", { ...counted, name: `alias/${props.aliasName}`, targetKeyId: attributeOf(this.key, "key_id") });
  }
}
