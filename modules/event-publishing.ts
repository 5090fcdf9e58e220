import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Sesv2ConfigurationSet } from "@cdktf/provider-aws/lib/sesv2-configuration-set";
import { Sesv2ConfigurationSetEventDestination } from "@cdktf/provider-aws/lib/sesv2-configuration-set-event-destination";
import { arn, ArnScope } from "./shared/arn";
import { DEFAULT_EVENT_TYPES, SES_EVENT_TYPES, SES_REGIONS, SesEventType, SuppressionReason } from "./app/config";
import { choose, Condition, countWhen, expression, hclOf, isNullable, isSetHcl, isToken } from "./shared/expressions";
import { policyDocument, renderPolicy, serviceTrustPolicy } from "./shared/policy-document";
import { checkSuppressionReasons } from "./suppression";

/** A Firehose stream SES can publish to. */
export interface DeliveryStreamRef {
  readonly streamName: string;
  /** Built from the name, so policies are known at plan time. */
  readonly streamArn: string;
  /** The stream resource's ARN attribute (orders creation after the stream), or `streamArn`. */
  readonly arnAttribute?: string;
}

export interface EventPublishingProps extends ArnScope {
  /** SES v2 configuration set name; senders pass it with every message. */
  readonly configurationSetName: string;
  /**
   * The set already exists and is not managed here: only the event destination and role are created.
   * @default false
   */
  readonly existingConfigurationSet?: boolean;
  /** The stream events go to. */
  readonly deliveryStream: DeliveryStreamRef;
  /**
   * Event types published.
   * @default - SEND, REJECT, BOUNCE, COMPLAINT, DELIVERY, DELIVERY_DELAY, RENDERING_FAILURE
   */
  readonly eventTypes?: readonly SesEventType[];
  /**
   * Refuse delivery over an unencrypted connection (configuration set TLS policy REQUIRE).
   * @default true
   */
  readonly requireTls?: boolean | Condition;
  /**
   * Name of the IAM role SES assumes (IAM names are global: keep the region in it).
   * @default `<configurationSetName>-ses-events-<region>`
   */
  readonly roleName?: string;
  /**
   * The set's own suppression reasons (`suppression_options`), overriding the account level for
   * messages sent with it; an empty list means no automatic suppression for them. Not possible
   * with `existingConfigurationSet`.
   * @default - none: the set follows the account-level suppression list
   */
  readonly suppressedReasons?: readonly SuppressionReason[];
  /**
   * Also publish these event types to the region's default event bus (the only bus SES accepts:
   * SES API Reference v2, "EventBridgeDestination"), for rules that relay them to chat.
   * @default - none
   */
  readonly eventBridge?: {
    readonly eventTypes: readonly SesEventType[];
    /** Terraform condition under which the destination exists. @default - always */
    readonly condition?: Condition;
  };
}

/**
 * The configuration set and its event destination: SES publishes every
 * matching event to the archive's Firehose stream through a scoped role.
 */
export class EventPublishing extends Construct {
  /** Absent when the set exists already (`existingConfigurationSet`). */
  public readonly configurationSet?: Sesv2ConfigurationSet;
  public readonly configurationSetName: string;
  public readonly eventDestination: Sesv2ConfigurationSetEventDestination;
  public readonly role: IamRole;
  /** The role's permissions; whatever must wait until SES can publish depends on it. */
  public readonly rolePolicy: IamRolePolicy;
  /** Present with `eventBridge`. */
  public readonly eventBridgeDestination?: Sesv2ConfigurationSetEventDestination;

  constructor(scope: Construct, id: string, props: EventPublishingProps) {
    super(scope, id);
    const eventTypes = props.eventTypes ?? DEFAULT_EVENT_TYPES;
    // Tokens (the plain module's variables) are checked by the module's validation blocks instead.
    if (!isToken(eventTypes) && eventTypes.length === 0) {
      throw new Error(`EventPublishing eventTypes: got []; allowed: one or more of ${SES_EVENT_TYPES.join(", ")}`);
    }
    for (const type of isToken(eventTypes) ? [] : eventTypes) {
      if (!(SES_EVENT_TYPES as readonly string[]).includes(type)) {
        throw new Error(`EventPublishing eventTypes: got ${JSON.stringify(type)}; allowed: ${SES_EVENT_TYPES.join(", ")}`);
      }
    }
    if (props.suppressedReasons) {
      if (!isToken(props.suppressedReasons)) checkSuppressionReasons("EventPublishing suppressedReasons", props.suppressedReasons);
      if (props.existingConfigurationSet) {
        throw new Error(
          `EventPublishing suppressedReasons: got ${JSON.stringify(props.suppressedReasons)}; allowed: nothing with existingConfigurationSet (the set is not managed here)`,
        );
      }
    }
    this.configurationSetName = props.configurationSetName;
    const configurationSetArn = arn(props, "ses", `configuration-set/${props.configurationSetName}`);

    if (!props.existingConfigurationSet) {
      this.configurationSet = new Sesv2ConfigurationSet(this, "ConfigurationSet", {
        configurationSetName: props.configurationSetName,
        // Per-set Reputation.* metrics, next to the account-level ones the alarms watch.
        reputationOptions: { reputationMetricsEnabled: true },
        deliveryOptions: {
          tlsPolicy: choose(this, props.requireTls ?? true, "REQUIRE", "OPTIONAL"),
        },
        suppressionOptions: props.suppressedReasons && !isNullable(props.suppressedReasons) ? { suppressedReasons: [...props.suppressedReasons] } : undefined,
        lifecycle: isToken(props.region)
          ? {
              // A region from the provider (the plain module) is checked at plan time, as config.ts checks a literal one.
              precondition: [
                {
                  condition: expression(this, `contains(${JSON.stringify(SES_REGIONS)}, ${hclOf(this, props.region)})`),
                  errorMessage: `the provider's region: got \${jsonencode(${hclOf(this, props.region)})}; allowed: a region with SES: ${SES_REGIONS.join(", ")}`,
                },
              ],
            }
          : undefined,
      });
      // A sending pause (ses-guard's auto-pause, or yours) is not undone by the next apply: without
      // this, Terraform would plan sending_options back to its configured state and resume sending.
      this.configurationSet.addOverride("lifecycle.ignore_changes", ["sending_options"]);
      if (isNullable(props.suppressedReasons)) {
        // A token list may be null at plan time: the set then follows the account level, as without reasons.
        this.configurationSet.addOverride("dynamic.suppression_options", {
          for_each: "${" + `${isSetHcl(this, props.suppressedReasons)} ? [${hclOf(this, props.suppressedReasons)}] : []` + "}",
          content: { suppressed_reasons: "${suppression_options.value}" },
        });
      }
    }

    this.role = new IamRole(this, "Role", {
      name: props.roleName ?? `${props.configurationSetName}-ses-events-${props.region}`,
      description: `Lets SES configuration set ${props.configurationSetName} publish events to Firehose stream ${props.deliveryStream.streamName}`,
      assumeRolePolicy: renderPolicy(serviceTrustPolicy("ses.amazonaws.com", props.accountId, configurationSetArn)),
    });
    this.rolePolicy = new IamRolePolicy(this, "RolePolicy", {
      name: "publish-to-firehose",
      role: this.role.id,
      policy: renderPolicy(
        policyDocument({
          Sid: "PutEventRecords",
          Effect: "Allow",
          Action: "firehose:PutRecordBatch",
          Resource: props.deliveryStream.streamArn,
        }),
      ),
    });

    this.eventDestination = new Sesv2ConfigurationSetEventDestination(this, "EventDestination", {
      // The attribute, when ours, orders the destination after the set.
      configurationSetName: this.configurationSet?.configurationSetName ?? props.configurationSetName,
      eventDestinationName: "archive-to-firehose",
      eventDestination: {
        // The provider defaults this to false: an archive that silently receives nothing.
        enabled: true,
        matchingEventTypes: [...eventTypes],
        kinesisFirehoseDestination: {
          deliveryStreamArn: props.deliveryStream.arnAttribute ?? props.deliveryStream.streamArn,
          iamRoleArn: this.role.arn,
        },
      },
      // SES tests the role when the destination is created.
      dependsOn: [this.rolePolicy],
    });

    if (props.eventBridge) {
      const types = props.eventBridge.eventTypes;
      if (!isToken(types) && types.length === 0) throw new Error("EventPublishing eventBridge.eventTypes: got []; allowed: one or more SES event types");
      this.eventBridgeDestination = new Sesv2ConfigurationSetEventDestination(this, "EventBridgeDestination", {
        ...countWhen(this, props.eventBridge.condition),
        configurationSetName: this.configurationSet?.configurationSetName ?? props.configurationSetName,
        eventDestinationName: "events-to-eventbridge",
        eventDestination: {
          enabled: true,
          matchingEventTypes: [...types],
          eventBridgeDestination: { eventBusArn: arn(props, "events", "event-bus/default") },
        },
      });
    }
  }
}
