/**
 * The SSM Automation runbooks that pause and resume SES sending, and the chat announcement of a
 * pause, as plain objects: auto-pause.ts renders them, tests parse them back.
 *
 * The runbooks take no parameters: what they act on is fixed in the document, so whoever may start
 * one cannot point it at another configuration set.
 */
// Type-only: the step inputs are checked against the SDK's request shapes, and the synth bundle
// does not pull in the SDK.
import type { PutAccountSendingAttributesRequest, PutConfigurationSetSendingOptionsRequest } from "@aws-sdk/client-sesv2";
import { INPUT_TEMPLATE_MAX_CHARS, InputTransformer } from "./ses-chat-events";

export const PAUSE_SCOPES = ["configurationSet", "account"] as const;
/** What a pause stops: messages sent with one configuration set, or all of the account's in the region. */
export type PauseScope = (typeof PAUSE_SCOPES)[number];

/** The IAM action behind each scope's API call (the same action pauses and resumes). */
export const SES_PAUSE_ACTIONS: Readonly<Record<PauseScope, string>> = {
  configurationSet: "ses:PutConfigurationSetSendingOptions",
  account: "ses:PutAccountSendingAttributes",
};

export type SendingApiInputs =
  | ({ readonly Service: "sesv2"; readonly Api: "PutConfigurationSetSendingOptions" } & PutConfigurationSetSendingOptionsRequest)
  | ({ readonly Service: "sesv2"; readonly Api: "PutAccountSendingAttributes" } & PutAccountSendingAttributesRequest);

export interface AutomationStep {
  readonly name: string;
  readonly action: "aws:executeAwsApi";
  /** A throttled call is retried rather than leaving sending on. */
  readonly maxAttempts: number;
  readonly inputs: SendingApiInputs;
}

/** An Automation document, schema version 0.3. */
export interface AutomationDocument {
  readonly schemaVersion: "0.3";
  readonly description: string;
  readonly assumeRole: string;
  readonly mainSteps: readonly AutomationStep[];
}

export interface SendingRunbookProps {
  readonly scope: PauseScope;
  /** Used with scope `configurationSet`; named in the description either way. */
  readonly configurationSetName: string;
  /** The role Automation assumes (an ARN known at plan time). */
  readonly assumeRoleArn: string;
  /** `false` pauses sending, `true` resumes it. */
  readonly enabled: boolean;
}

/** The runbook that turns sending off (`enabled: false`) or back on (`enabled: true`). */
export function sendingRunbook(props: SendingRunbookProps): AutomationDocument {
  const what = props.scope === "account" ? "the whole account (every configuration set)" : `configuration set \`${props.configurationSetName}\``;
  const description = props.enabled
    ? `ses-guard: resumes Amazon SES sending for ${what}. Run it after fixing what raised the alarm. ` +
      // SES API v2 reference, PutAccountSendingAttributes: "If AWS paused your account's ability to
      // send email, you can't use this operation to resume your account's ability to send email."
      "It cannot lift a pause that AWS imposed on the account; that takes AWS's review."
    : `ses-guard: pauses Amazon SES sending for ${what}. Started by EventBridge when a critical reputation alarm goes to ALARM.`;
  return {
    schemaVersion: "0.3",
    description,
    assumeRole: props.assumeRoleArn,
    mainSteps: [
      {
        name: props.enabled ? "ResumeSending" : "PauseSending",
        action: "aws:executeAwsApi",
        maxAttempts: 3,
        inputs: sendingApiInputs(props.scope, props.configurationSetName, props.enabled),
      },
    ],
  };
}

export const pauseRunbook = (props: Omit<SendingRunbookProps, "enabled">): AutomationDocument => sendingRunbook({ ...props, enabled: false });
export const resumeRunbook = (props: Omit<SendingRunbookProps, "enabled">): AutomationDocument => sendingRunbook({ ...props, enabled: true });

function sendingApiInputs(scope: PauseScope, configurationSetName: string, enabled: boolean): SendingApiInputs {
  if (scope === "account") {
    const input: PutAccountSendingAttributesRequest = { SendingEnabled: enabled };
    return { Service: "sesv2", Api: "PutAccountSendingAttributes", ...input };
  }
  const input: PutConfigurationSetSendingOptionsRequest = { ConfigurationSetName: configurationSetName, SendingEnabled: enabled };
  return { Service: "sesv2", Api: "PutConfigurationSetSendingOptions", ...input };
}

/** Values the announcement takes from the "CloudWatch Alarm State Change" event. */
export const ANNOUNCEMENT_INPUT_PATHS = {
  alarmName: "$.detail.alarmName",
  region: "$.region",
  time: "$.time",
} as const;

export { INPUT_TEMPLATE_MAX_CHARS };

export interface PauseAnnouncementProps {
  readonly scope: PauseScope;
  readonly configurationSetName: string;
  readonly pauseRunbookName: string;
  readonly resumeRunbookName: string;
}

/**
 * An EventBridge input transformer that turns the alarm's state-change event into an Amazon Q
 * Developer in chat applications custom notification ("Custom notifications" in its admin guide:
 * version "1.0", source "custom"), published to the announcement topic.
 */
export function pauseAnnouncementTransformer(props: PauseAnnouncementProps): InputTransformer {
  // Not the state's reason: free text (set-alarm-state takes any), and EventBridge inserts text into a
  // JSON string without escaping it, so a quote in it would break the message.
  const [alarmName, region, time] = (["alarmName", "region", "time"] as const).map((name) => `<${name}>`);
  const what = props.scope === "account" ? "the whole account" : `configuration set \`${props.configurationSetName}\``;
  const notification = {
    version: "1.0",
    source: "custom",
    content: {
      textType: "client-markdown",
      title: `:rotating_light: SES sending paused: critical alarm ${alarmName} is in ALARM`,
      description:
        `Critical alarm *${alarmName}* went to ALARM at ${time}.\n` +
        `ses-guard started runbook \`${props.pauseRunbookName}\` to pause sending for ${what} in ${region}.`,
      nextSteps: [
        `Check the execution: \`aws ssm describe-automation-executions --filters Key=DocumentNamePrefix,Values=${props.pauseRunbookName} --region ${region}\``,
        "Find the cause with the saved Athena queries (Athena console, Saved queries): hard bounces and complaints by recipient, domain and campaign.",
        `Once fixed, resume sending: \`aws ssm start-automation-execution --document-name ${props.resumeRunbookName} --region ${region}\``,
      ],
      keywords: ["ses-guard", "SES paused", alarmName],
    },
  };
  const inputTemplate = JSON.stringify(notification);
  // EventBridge has no escape for < and >: outside a placeholder they would be read as one.
  // Stryker disable next-line StringLiteral: equivalent: any replacement without < or > finds the same strays.
  const outside = inputTemplate.replace(/<(alarmName|region|time)>/g, "");
  if (/[<>]/.test(outside)) {
    throw new Error(`pause announcement: got a name with < or > in it; allowed: names without them (${JSON.stringify(props)})`);
  }
  if (inputTemplate.length > INPUT_TEMPLATE_MAX_CHARS) {
    throw new Error(`pause announcement: got ${inputTemplate.length} characters; allowed: at most ${INPUT_TEMPLATE_MAX_CHARS} (shorter names)`);
  }
  return { inputPathsMap: { ...ANNOUNCEMENT_INPUT_PATHS }, inputTemplate };
}
