import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SsmDocument } from "@cdktf/provider-aws/lib/ssm-document";
import { arn, ArnScope, partitionOf, TopicRef } from "./shared/arn";
import { attributeOf, choose, Condition, countWhen, expression, hclOf, isToken } from "./shared/expressions";
import { RULES } from "./shared/rules";
import { pauseAnnounceRuleName, pauseRuleName, runbookFailedRuleName } from "./shared/names";
import { policyDocument, renderPolicy, serviceTrustPolicy } from "./shared/policy-document";
import { PAUSE_SCOPES, PauseScope, SES_PAUSE_ACTIONS, sendingRunbook } from "./shared/runbooks";
import { automationStatusPattern, pausedAnnouncementTransformer, RUNBOOK_FAILED_STATUSES, runbookFailureTransformer } from "./shared/runbook-events";
import { EventDeadLetterQueue } from "./event-dead-letter-queue";

export interface AutoPauseProps extends ArnScope {
  /** Prefix of every name here: runbooks, roles and rule. */
  readonly namePrefix: string;
  /**
   * What a pause stops: messages sent with `configurationSetName`, or the whole account in this region.
   * @default "configurationSet"
   */
  readonly scope?: PauseScope;
  /** The configuration set paused with scope `configurationSet` (named in the runbooks either way). */
  readonly configurationSetName: string;
  /** The critical alarms whose ALARM state pauses sending (ARNs built from their names). */
  readonly alarmArns: readonly string[];
  /**
   * Topic where a pause is announced once the pause runbook succeeded, as an Amazon Q Developer custom
   * notification. Its policy must let events.amazonaws.com publish for `announceRuleArn`.
   * @default - no announcement
   */
  readonly announceTopic?: TopicRef;
  /**
   * Topic told when a runbook fails and when an event could not be delivered: its policy must let
   * events.amazonaws.com publish for `failedRuleArn`, and our CloudWatch alarms.
   */
  readonly alarmTopic: TopicRef;
  /**
   * Terraform condition under which every resource here exists (`count`).
   * @default - always
   */
  readonly condition?: Condition;
}

/**
 * Pauses SES sending when a critical reputation alarm goes to ALARM, without a Lambda: an EventBridge
 * rule on the alarms' state changes starts an SSM Automation runbook that makes the one SES API call.
 * A person resumes sending with the resume runbook (`resumeCommand`) once the cause is fixed.
 * The pause is announced once the runbook succeeded; a pause or resume run that fails is reported on
 * `alarmTopic`; every target's undelivered events go to a dead-letter queue an alarm watches.
 */
export class AutoPause extends Construct {
  public readonly pauseRunbook: SsmDocument;
  public readonly resumeRunbook: SsmDocument;
  /** The role both runbooks run as. */
  public readonly automationRole: IamRole;
  /** The role EventBridge starts the pause runbook with. */
  public readonly eventsRole: IamRole;
  public readonly rule: CloudwatchEventRule;
  /** Built from the name: the events role's trust and the dead-letter queue's policy condition on it. */
  public readonly ruleArn: string;
  /** The rule on the pause runbook's success that announces the pause (with `announceTopic`). */
  public readonly announceRule?: CloudwatchEventRule;
  public readonly announceRuleArn: string;
  /** The rule that reports a pause or resume runbook that failed, timed out or was cancelled. */
  public readonly failedRule: CloudwatchEventRule;
  public readonly failedRuleArn: string;
  /** Where every target here sends the events it could not deliver, with its alarm. */
  public readonly deadLetterQueue: EventDeadLetterQueue;
  public readonly pauseRunbookName: string;
  public readonly resumeRunbookName: string;
  /** The AWS CLI command that resumes sending. */
  public readonly resumeCommand: string;

  constructor(scope: Construct, id: string, props: AutoPauseProps) {
    super(scope, id);
    const pauseScope = props.scope ?? "configurationSet";
    // Tokens (the plain module's variables) are checked by the module's validation blocks instead.
    if (!isToken(pauseScope) && !(PAUSE_SCOPES as readonly string[]).includes(pauseScope)) {
      throw new Error(`AutoPause scope: got ${JSON.stringify(pauseScope)}; allowed: ${PAUSE_SCOPES.map((s) => JSON.stringify(s)).join(" or ")}`);
    }
    if (!isToken(props.namePrefix) && !RULES.runbookNamePrefix.holds(props.namePrefix)) {
      throw new Error(`AutoPause namePrefix: got ${JSON.stringify(props.namePrefix)}; allowed: ${RULES.runbookNamePrefix.allowed}`);
    }
    if (!isToken(props.alarmArns) && props.alarmArns.length === 0) {
      throw new Error("AutoPause alarmArns: got []; allowed: one or more CloudWatch alarm ARNs");
    }
    // Chosen here for a literal scope, by Terraform for a token one.
    const isAccount = isToken(pauseScope) ? expression(this, `(${hclOf(this, pauseScope)} == "account")`) : pauseScope === "account";
    const byScope = (forAccount: string, forConfigurationSet: string): string => choose(this, isAccount, forAccount, forConfigurationSet);
    const bothScopes = (build: (scope: PauseScope) => string) =>
      byScope(
        build("account"),
        // Stryker disable next-line StringLiteral: equivalent: the runbook and announcement builders take every scope but "account" as a configuration set's.
        build("configurationSet"),
      );

    const partition = props.partition ?? partitionOf(props.region);
    this.pauseRunbookName = `${props.namePrefix}-pause-sending`;
    this.resumeRunbookName = `${props.namePrefix}-resume-sending`;
    this.resumeCommand = `aws ssm start-automation-execution --document-name ${this.resumeRunbookName} --region ${props.region}`;
    const automationRoleName = `${props.namePrefix}-pause-automation-${props.region}`;
    // Built from the name, so the runbooks and the PassRole statement are known at plan time.
    const automationRoleArn = `arn:${partition}:iam::${props.accountId}:role/${automationRoleName}`;
    const ruleName = pauseRuleName(props.namePrefix);
    this.ruleArn = arn(props, "events", `rule/${ruleName}`);
    this.announceRuleArn = arn(props, "events", `rule/${pauseAnnounceRuleName(props.namePrefix)}`);
    this.failedRuleArn = arn(props, "events", `rule/${runbookFailedRuleName(props.namePrefix)}`);
    const counted = countWhen(this, props.condition);
    this.deadLetterQueue = new EventDeadLetterQueue(this, "DeadLetterQueue", {
      accountId: props.accountId,
      region: props.region,
      partition: props.partition,
      queueName: `${props.namePrefix}-pause-dlq`,
      sourceRuleArns: [this.ruleArn, ...(props.announceTopic ? [this.announceRuleArn] : []), this.failedRuleArn],
      alarmTopic: props.alarmTopic,
      what: "the auto-pause chain's events (runbook start, pause announcement, runbook failure report)",
      condition: props.condition,
    });
    const failureHandling = this.deadLetterQueue.targetSettings();

    const runbook = (enabled: boolean) =>
      bothScopes((scope) =>
        JSON.stringify(sendingRunbook({ scope, configurationSetName: props.configurationSetName, assumeRoleArn: automationRoleArn, enabled })),
      );
    this.pauseRunbook = new SsmDocument(this, "PauseRunbook", {
      ...counted,
      name: this.pauseRunbookName,
      documentType: "Automation",
      documentFormat: "JSON",
      content: runbook(false),
    });
    this.resumeRunbook = new SsmDocument(this, "ResumeRunbook", {
      ...counted,
      name: this.resumeRunbookName,
      documentType: "Automation",
      documentFormat: "JSON",
      content: runbook(true),
    });

    this.automationRole = new IamRole(this, "AutomationRole", {
      ...counted,
      name: automationRoleName,
      description: `Lets SSM Automation runbooks ${this.pauseRunbookName} and ${this.resumeRunbookName} turn SES sending off and on`,
      // Systems Manager User Guide, "Create the service roles for Automation": aws:SourceArn is the
      // automation execution's ARN, unknown before it starts.
      assumeRolePolicy: renderPolicy(serviceTrustPolicy("ssm.amazonaws.com", props.accountId, arn(props, "ssm", "automation-execution/*"))),
    });
    new IamRolePolicy(this, "AutomationPolicy", {
      ...counted,
      name: "change-ses-sending",
      role: attributeOf(this.automationRole, "id"),
      policy: renderPolicy(
        policyDocument({
          Sid: "ChangeSesSending",
          Effect: "Allow",
          Action: byScope(SES_PAUSE_ACTIONS.account, SES_PAUSE_ACTIONS.configurationSet),
          // Service Authorization Reference, Amazon Simple Email Service v2: PutAccountSendingAttributes
          // supports no resource type (so "*"); PutConfigurationSetSendingOptions takes the configuration set.
          Resource: byScope("*", arn(props, "ses", `configuration-set/${props.configurationSetName}`)),
        }),
      ),
    });

    this.eventsRole = new IamRole(this, "EventsRole", {
      ...counted,
      name: `${props.namePrefix}-pause-trigger-${props.region}`,
      description: `Lets EventBridge rule ${ruleName} start SSM Automation runbook ${this.pauseRunbookName}`,
      // EventBridge User Guide, "Cross-service confused deputy prevention": for rule targets,
      // aws:SourceArn is the rule's ARN.
      assumeRolePolicy: renderPolicy(serviceTrustPolicy("events.amazonaws.com", props.accountId, this.ruleArn)),
    });
    const eventsPolicy = new IamRolePolicy(this, "EventsPolicy", {
      ...counted,
      name: "start-pause-runbook",
      role: attributeOf(this.eventsRole, "id"),
      policy: renderPolicy(
        policyDocument(
          {
            Sid: "StartPauseRunbook",
            Effect: "Allow",
            Action: "ssm:StartAutomationExecution",
            // Service Authorization Reference, "Actions, resources, and condition keys for AWS Systems
            // Manager", StartAutomationExecution: resource types automation-definition* (required) and
            // document. EventBridge's target ARN is automation-definition/<name>:$DEFAULT; the Systems
            // Manager User Guide's policy examples name document/<name>. Both name this one runbook.
            Resource: [arn(props, "ssm", `automation-definition/${this.pauseRunbookName}:*`), arn(props, "ssm", `document/${this.pauseRunbookName}`)],
          },
          {
            // Starting a runbook that names an assume role passes that role to Systems Manager.
            Sid: "PassAutomationRole",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: automationRoleArn,
            Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
          },
        ),
      ),
    });

    // CloudWatch User Guide, "Alarm events and EventBridge": "CloudWatch Alarm State Change" events
    // name the alarm's ARN in `resources` and the new state in `detail.state.value`.
    // Stryker disable next-line StringLiteral: equivalent: any placeholder works whose JSON text appears nowhere else in the pattern, as "" does not.
    const ALARM_ARNS = "ALARM_ARNS";
    const pattern = JSON.stringify({
      source: ["aws.cloudwatch"],
      "detail-type": ["CloudWatch Alarm State Change"],
      resources: isToken(props.alarmArns) ? ALARM_ARNS : [...props.alarmArns],
      detail: { state: { value: ["ALARM"] } },
    });
    this.rule = new CloudwatchEventRule(this, "Rule", {
      ...counted,
      name: ruleName,
      description: `ses-guard: starts runbook ${this.pauseRunbookName} when a critical reputation alarm goes to ALARM`,
      // A token list becomes a list expression inside the pattern.
      eventPattern: isToken(props.alarmArns)
        ? pattern.replace(JSON.stringify(ALARM_ARNS), () => "${jsonencode(" + hclOf(this, props.alarmArns) + ")}")
        : pattern,
    });
    const ruleNameAttribute = attributeOf(this.rule, "name");

    new CloudwatchEventTarget(this, "PauseTarget", {
      ...counted,
      rule: ruleNameAttribute,
      targetId: "pause-sending",
      arn: arn(props, "ssm", `automation-definition/${this.pauseRunbookName}:$DEFAULT`),
      roleArn: attributeOf(this.eventsRole, "arn"),
      // Without an input EventBridge passes the whole event, which Automation would take as runbook
      // parameters (EventBridge User Guide, "Amazon EventBridge targets"); the runbook has none.
      input: "{}",
      ...failureHandling,
      // The first ALARM after apply finds the runbook and the permission to start it.
      dependsOn: [this.pauseRunbook, eventsPolicy],
    });

    // Announced on the pause runbook's Success, not on the alarm: only once the SES call succeeded.
    if (props.announceTopic) {
      const announcement = (scope: PauseScope) =>
        pausedAnnouncementTransformer({
          scope,
          configurationSetName: props.configurationSetName,
          pauseRunbookName: this.pauseRunbookName,
          resumeRunbookName: this.resumeRunbookName,
        });
      this.announceRule = new CloudwatchEventRule(this, "AnnounceRule", {
        ...counted,
        name: pauseAnnounceRuleName(props.namePrefix),
        description: `ses-guard: announces that runbook ${this.pauseRunbookName} paused sending`,
        eventPattern: JSON.stringify(automationStatusPattern([this.pauseRunbookName], ["Success"])),
      });
      new CloudwatchEventTarget(this, "AnnounceTarget", {
        ...counted,
        rule: attributeOf(this.announceRule, "name"),
        targetId: "announce-pause",
        arn: props.announceTopic.arn,
        inputTransformer: {
          // Stryker disable next-line StringLiteral: equivalent: the input paths are the same for either scope.
          inputPaths: { ...announcement("configurationSet").inputPathsMap },
          inputTemplate: bothScopes((scope) => announcement(scope).inputTemplate),
        },
        ...failureHandling,
      });
    }

    // Wherever a runbook is, a run that leaves sending unchanged is reported.
    this.failedRule = new CloudwatchEventRule(this, "FailedRule", {
      ...counted,
      name: runbookFailedRuleName(props.namePrefix),
      description: `ses-guard: reports runs of ${this.pauseRunbookName} or ${this.resumeRunbookName} that ended ${RUNBOOK_FAILED_STATUSES.join(", ")}`,
      eventPattern: JSON.stringify(automationStatusPattern([this.pauseRunbookName, this.resumeRunbookName], RUNBOOK_FAILED_STATUSES)),
    });
    const failure = runbookFailureTransformer({ pauseRunbookName: this.pauseRunbookName, resumeRunbookName: this.resumeRunbookName });
    new CloudwatchEventTarget(this, "FailedTarget", {
      ...counted,
      rule: attributeOf(this.failedRule, "name"),
      targetId: "report-runbook-failure",
      arn: props.alarmTopic.arn,
      inputTransformer: { inputPaths: failure.inputPathsMap, inputTemplate: failure.inputTemplate },
      ...failureHandling,
    });
  }
}
