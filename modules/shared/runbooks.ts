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
