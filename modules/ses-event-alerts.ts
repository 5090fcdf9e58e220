import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { arn, ArnScope, awsManagedKeyProblem, TopicRef } from "./shared/arn";
import { attributeOf, Condition, hclOf, isToken, numberExpression } from "./shared/expressions";
import { policyDocument, renderPolicy, renderPolicyWithList, topicPublisher } from "./shared/policy-document";
import { CHAT_EVENT_TYPES, ChatEventType, chatRules, ChatNextSteps, transformerProblems } from "./shared/ses-chat-events";
import { EventDeadLetterQueue } from "./event-dead-letter-queue";
import { sesEventsTopicName } from "./shared/names";

export interface SesEventAlertsProps extends ArnScope {
  /** Prefix of the topic and rule names. */
  readonly namePrefix: string;
  /** Only events of messages sent with this configuration set are relayed. */
  readonly configurationSetName: string;
  /**
   * Events relayed; a token list gives every type a rule that exists while the list holds it.
   * @default - DEFAULT_CHAT_EVENT_TYPES: permanent bounces and complaints
   */
  readonly types: readonly ChatEventType[];
  /** Customer-managed key of the topic; its policy must let events.amazonaws.com use it. */
  readonly kmsKeyArn: string;
  /** Topic told when a message could not be delivered (the dead-letter queue's alarm). */
  readonly alarmTopic: TopicRef;
  /** What each message tells the reader to run next. */
  readonly nextSteps: Omit<ChatNextSteps, "configurationSetName">;
  /**
   * Terraform condition under which all of it exists (the plain module's switch).
   * @default - always
   */
  readonly condition?: Condition;
}

/**
 * SES events as chat messages without code: rules on the default event bus (where the
 * configuration set's EventBridge destination delivers) turn each chosen event into an Amazon Q
 * Developer custom notification, published to an encrypted topic that chat channels subscribe to.
 */
export class SesEventAlerts extends Construct {
  public readonly topic: SnsTopic;
  public readonly topicName: string;
  public readonly rules: readonly CloudwatchEventRule[];
  /** Where the chat targets' failed events go, with its alarm. */
  public readonly deadLetterQueue: EventDeadLetterQueue;

  constructor(scope: Construct, id: string, props: SesEventAlertsProps) {
    super(scope, id);
    const problem = awsManagedKeyProblem(props.kmsKeyArn);
    if (problem) throw new Error(`SesEventAlerts kmsKeyArn: got ${JSON.stringify(props.kmsKeyArn)}; allowed: ${problem}`);
    const tokenTypes = isToken(props.types);
    if (!tokenTypes) {
      if (props.types.length === 0) throw new Error(`SesEventAlerts types: got []; allowed: one or more of ${CHAT_EVENT_TYPES.join(", ")}`);
      for (const type of props.types) {
        if (!(CHAT_EVENT_TYPES as readonly string[]).includes(type)) {
          throw new Error(`SesEventAlerts types: got ${JSON.stringify(type)}; allowed: ${CHAT_EVENT_TYPES.join(", ")}`);
        }
      }
    }
    const counted = (extra?: string) => {
      const parts = [props.condition && hclOf(this, props.condition), extra].filter(Boolean);
      return parts.length ? { count: numberExpression(this, `${parts.join(" && ")} ? 1 : 0`) } : {};
    };

    this.topicName = sesEventsTopicName(props.namePrefix);
    this.topic = new SnsTopic(this, "Topic", { ...counted(), name: this.topicName, kmsMasterKeyId: props.kmsKeyArn });
    const topicArn = arn(props, "sns", this.topicName);
    const ruleName = (suffix: string) => `${props.namePrefix}-chat-${suffix}`;
    // A token list: a rule per type, each existing while the list holds its type.
    const chosen = chatRules(tokenTypes ? CHAT_EVENT_TYPES : props.types, { ...props.nextSteps, configurationSetName: props.configurationSetName });

    // Only our rules, each by its ARN (EventBridge User Guide, "Amazon SNS permissions": aws:SourceArn is the rule's).
    const ruleArnPrefix = arn(props, "events", `rule/${ruleName("")}`);
    // Stryker disable next-line StringLiteral: equivalent: any placeholder works whose JSON text appears nowhere else in the policy, as "" does not.
    const sourceArns = "SOURCE_RULE_ARNS";
    const doc = policyDocument(
      topicPublisher(
        "AllowOurEventBridgeRules",
        "events.amazonaws.com",
        topicArn,
        props.accountId,
        tokenTypes ? sourceArns : chosen.map((r) => `${ruleArnPrefix}${r.suffix}`),
      ),
    );
    // A token list: the same ARNs, in the same order, built by Terraform.
    const ruleArnsHcl = tokenTypes
      ? `flatten([for t in ${hclOf(this, props.types)} : [for suffix in ["", "-no-subject"] : "\${${hclOf(this, ruleArnPrefix)}}\${lower(replace(t, "_", "-"))}\${suffix}"]])`
      : undefined;
    new SnsTopicPolicy(this, "TopicPolicy", {
      ...counted(),
      // The topic's own attribute (its one instance's while counted), as the stack has it: the same plan from the module.
      arn: attributeOf(this.topic, "arn"),
      policy: ruleArnsHcl ? renderPolicyWithList(doc, sourceArns, ruleArnsHcl) : renderPolicy(doc),
      dependsOn: [this.topic],
    });
    this.deadLetterQueue = new EventDeadLetterQueue(this, "DeadLetterQueue", {
      accountId: props.accountId,
      region: props.region,
      partition: props.partition,
      queueName: `${props.namePrefix}-chat-dlq`,
      sourceRuleArns: chosen.map((r) => `${ruleArnPrefix}${r.suffix}`),
      sourceRuleArnsHcl: ruleArnsHcl,
      alarmTopic: props.alarmTopic,
      what: "SES events to chat",
      condition: props.condition,
    });

    const rules: CloudwatchEventRule[] = [];
    for (const rule of chosen) {
      const problems = transformerProblems(rule.inputTransformer);
      if (problems.length && !isToken(rule.inputTransformer.inputTemplate)) {
        throw new Error(`SesEventAlerts ${rule.suffix}: the input transformer has ${problems.join("; ")}`);
      }
      const exists = counted(tokenTypes ? `contains(${hclOf(this, props.types)}, ${JSON.stringify(rule.type)})` : undefined);
      const idBase = rule.suffix.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
      const eventRule = new CloudwatchEventRule(this, `${idBase}Rule`, {
        ...exists,
        name: ruleName(rule.suffix),
        description: `ses-guard: ${rule.type.toLowerCase().replace(/_/g, " ")} events of configuration set ${props.configurationSetName} (${rule.variant === "subject" ? "with a Subject header" : "without one"}) to chat`,
        eventPattern: JSON.stringify(rule.eventPattern),
      });
      new CloudwatchEventTarget(this, `${idBase}Target`, {
        ...exists,
        rule: attributeOf(eventRule, "name"),
        targetId: "chat-topic",
        arn: topicArn,
        inputTransformer: { inputPaths: rule.inputTransformer.inputPathsMap, inputTemplate: rule.inputTransformer.inputTemplate },
        ...this.deadLetterQueue.targetSettings(),
        dependsOn: [this.topic],
      });
      rules.push(eventRule);
    }
    this.rules = rules;
  }
}
