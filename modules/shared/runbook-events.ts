/**
 * What EventBridge sees of the pause and resume runbooks' executions, and the chat notifications
 * built from it: "sending paused" once the pause runbook succeeded, and a report of a runbook that
 * failed, timed out or was cancelled. Plain data: auto-pause.ts renders it, tests parse it back.
 *
 * Systems Manager User Guide, "Amazon EventBridge event examples for Systems Manager" (Automation
 * Execution Status-change Notification): source "aws.ssm", detail-type "EC2 Automation Execution
 * Status-change Notification", detail.Definition the runbook's name, detail.Status the execution's
 * status (AutomationExecutionStatus in the API Reference), detail.ExecutionId its ID.
 */
import { INPUT_TEMPLATE_MAX_CHARS, InputTransformer } from "./ses-chat-events";
import type { PauseScope } from "./runbooks";

/** What the notifications name: the pause's scope and the runbooks. */
export interface PauseAnnouncementProps {
  readonly scope: PauseScope;
  readonly configurationSetName: string;
  readonly pauseRunbookName: string;
  readonly resumeRunbookName: string;
}

export const AUTOMATION_STATUS_DETAIL_TYPE = "EC2 Automation Execution Status-change Notification";

/** The end states that leave the job undone (AutomationExecutionStatus; Success is the one that does it). */
export const RUNBOOK_FAILED_STATUSES = ["Failed", "TimedOut", "Cancelled"] as const;

/** An event pattern for executions of the named runbooks reaching one of `statuses`. */
export function automationStatusPattern(runbookNames: readonly string[], statuses: readonly string[]): Record<string, unknown> {
  return {
    source: ["aws.ssm"],
    "detail-type": [AUTOMATION_STATUS_DETAIL_TYPE],
    detail: { Definition: [...runbookNames], Status: [...statuses] },
  };
}

/**
 * Values the notifications take from the status event. All are set by AWS (IDs, names, a status
 * word, times), none is free text: none can hold a quote that would break the JSON template.
 */
export const AUTOMATION_INPUT_PATHS = {
  executionId: "$.detail.ExecutionId",
  runbook: "$.detail.Definition",
  status: "$.detail.Status",
  region: "$.region",
  time: "$.time",
} as const;

type Placeholder = keyof typeof AUTOMATION_INPUT_PATHS;
const p = (name: Placeholder) => `<${name}>`;

function transformer(what: string, notification: unknown): InputTransformer {
  const inputTemplate = JSON.stringify(notification);
  // EventBridge has no escape for < and >: outside a placeholder they would be read as one.
  // Stryker disable next-line StringLiteral: equivalent: any replacement without < or > finds the same strays.
  const outside = inputTemplate.replace(new RegExp(`<(${Object.keys(AUTOMATION_INPUT_PATHS).join("|")})>`, "g"), "");
  if (/[<>]/.test(outside)) throw new Error(`${what}: got a name with < or > in it; allowed: names without them`);
  if (inputTemplate.length > INPUT_TEMPLATE_MAX_CHARS) {
    throw new Error(`${what}: got ${inputTemplate.length} characters; allowed: at most ${INPUT_TEMPLATE_MAX_CHARS} (shorter names)`);
  }
  const used = Object.entries(AUTOMATION_INPUT_PATHS).filter(([name]) => inputTemplate.includes(`<${name}>`));
  return { inputPathsMap: Object.fromEntries(used), inputTemplate };
}

/**
 * "Sending paused", as an Amazon Q Developer custom notification ("Custom notifications" in its admin
 * guide: version "1.0", source "custom"), from the pause runbook's Success event: sent only once the
 * SES call succeeded.
 */
export function pausedAnnouncementTransformer(props: PauseAnnouncementProps): InputTransformer {
  const what = props.scope === "account" ? "the whole account" : `configuration set \`${props.configurationSetName}\``;
  return transformer("pause announcement", {
    version: "1.0",
    source: "custom",
    content: {
      textType: "client-markdown",
      title: `:octagonal_sign: SES sending paused for ${props.scope === "account" ? "the account" : props.configurationSetName} in ${p("region")}`,
      description:
        `Runbook \`${props.pauseRunbookName}\` paused sending for ${what} in ${p("region")} at ${p("time")}, ` +
        "because a critical reputation alarm went to ALARM (its notification names it).",
      nextSteps: [
        `Check the execution: \`aws ssm get-automation-execution --automation-execution-id ${p("executionId")} --region ${p("region")}\``,
        "Find the cause with the saved Athena queries (Athena console, Saved queries): hard bounces and complaints by recipient, domain and campaign.",
        `Once fixed, resume sending: \`aws ssm start-automation-execution --document-name ${props.resumeRunbookName} --region ${p("region")}\``,
      ],
      keywords: ["ses-guard", "SES paused"],
    },
  });
}

export interface RunbookFailureProps {
  readonly pauseRunbookName: string;
  readonly resumeRunbookName: string;
}

/** A pause or resume runbook execution that ended Failed, TimedOut or Cancelled, as a custom notification. */
export function runbookFailureTransformer(props: RunbookFailureProps): InputTransformer {
  return transformer("runbook failure report", {
    version: "1.0",
    source: "custom",
    content: {
      textType: "client-markdown",
      title: `:x: ses-guard runbook ${p("runbook")} ended ${p("status")} in ${p("region")}`,
      description:
        `Execution ${p("executionId")} of runbook \`${p("runbook")}\` ended ${p("status")} at ${p("time")}: it did not change SES sending. ` +
        `If it is \`${props.pauseRunbookName}\`, sending is NOT paused; if \`${props.resumeRunbookName}\`, sending is still paused.`,
      nextSteps: [
        `See why: \`aws ssm get-automation-execution --automation-execution-id ${p("executionId")} --region ${p("region")}\``,
        `Then run it again: \`aws ssm start-automation-execution --document-name ${p("runbook")} --region ${p("region")}\``,
      ],
      keywords: ["ses-guard", "runbook failed"],
    },
  });
}
