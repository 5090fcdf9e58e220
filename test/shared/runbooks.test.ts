// The pause and resume runbooks, and the notifications of their outcome, as plain objects (auto-pause.ts renders them).
import { pauseRunbook, resumeRunbook, sendingRunbook } from "../../modules/shared/runbooks";
import { pausedAnnouncementTransformer, runbookFailureTransformer } from "../../modules/shared/runbook-events";
import { renderTransformer } from "../support/eventbridge";
import { customNotificationProblems, placeholdersInStrings } from "../support/custom-notification";

const ROLE = "arn:aws:iam::123456789012:role/shop-pause-automation-us-east-1";
const NAMES = { configurationSetName: "shop-mail", pauseRunbookName: "shop-pause-sending", resumeRunbookName: "shop-resume-sending" };

describe("sending runbooks", () => {
  test("pause: one API step, retried on throttling, that turns the configuration set's sending off; its description says when it runs", () => {
    expect(pauseRunbook({ scope: "configurationSet", configurationSetName: "shop-mail", assumeRoleArn: ROLE })).toEqual({
      schemaVersion: "0.3",
      description:
        "ses-guard: pauses Amazon SES sending for configuration set `shop-mail`. Started by EventBridge when a critical reputation alarm goes to ALARM.",
      assumeRole: ROLE,
      mainSteps: [
        {
          name: "PauseSending",
          action: "aws:executeAwsApi",
          maxAttempts: 3,
          inputs: { Service: "sesv2", Api: "PutConfigurationSetSendingOptions", ConfigurationSetName: "shop-mail", SendingEnabled: false },
        },
      ],
    });
  });

  test("resume for the account: says it cannot lift a pause AWS imposed, and turns the account's sending on", () => {
    const doc = resumeRunbook({ scope: "account", configurationSetName: "shop-mail", assumeRoleArn: ROLE });
    expect(doc.description).toBe(
      "ses-guard: resumes Amazon SES sending for the whole account (every configuration set). Run it after fixing what raised the alarm. " +
        "It cannot lift a pause that AWS imposed on the account; that takes AWS's review.",
    );
    expect(doc.mainSteps).toEqual([
      {
        name: "ResumeSending",
        action: "aws:executeAwsApi",
        maxAttempts: 3,
        inputs: { Service: "sesv2", Api: "PutAccountSendingAttributes", SendingEnabled: true },
      },
    ]);
  });

  test("pause and resume differ only in direction", () => {
    const props = { scope: "configurationSet" as const, configurationSetName: "shop-mail", assumeRoleArn: ROLE };
    expect(pauseRunbook(props)).toEqual(sendingRunbook({ ...props, enabled: false }));
    expect(resumeRunbook(props)).toEqual(sendingRunbook({ ...props, enabled: true }));
    expect(resumeRunbook(props).description).toMatch(/^ses-guard: resumes Amazon SES sending for configuration set `shop-mail`\. /);
  });
});

describe("runbook status notifications under EventBridge's documented rendering", () => {
  // Systems Manager User Guide, "Automation Execution Status-change Notification" (event example);
  // hostile where AWS would let anything be: nothing here is free text, which is the point.
  const statusEvent = (definition: string, status: string) => ({
    version: "0",
    id: "11111111-2222-3333-4444-555555555555",
    "detail-type": "EC2 Automation Execution Status-change Notification",
    source: "aws.ssm",
    account: "123456789012",
    time: "2026-01-02T03:04:05Z",
    region: "eu-west-1",
    resources: [`arn:aws:ssm:eu-west-1:123456789012:automation-execution/abcd`],
    detail: { ExecutionId: "4105a4fc-f944-11e6-9d32-0123456789ab", Definition: definition, DefinitionVersion: 1, Status: status, Time: "2026-01-02T03:04:05Z" },
  });
  const templates: [string, { inputPathsMap: Record<string, string>; inputTemplate: string }, string, string][] = [
    ["paused, configuration set", pausedAnnouncementTransformer({ scope: "configurationSet", ...NAMES }), NAMES.pauseRunbookName, "Success"],
    ["paused, account", pausedAnnouncementTransformer({ scope: "account", ...NAMES }), NAMES.pauseRunbookName, "Success"],
    ["failed pause", runbookFailureTransformer(NAMES), NAMES.pauseRunbookName, "Failed"],
    ["timed-out resume", runbookFailureTransformer(NAMES), NAMES.resumeRunbookName, "TimedOut"],
  ];

  test.each(templates)(
    "%s: valid JSON, a custom notification, only AWS-set IDs, names, status words and times inside strings",
    (_name, t, definition, status) => {
      const safe = ["executionId", "runbook", "status", "region", "time"];
      for (const name of placeholdersInStrings(t.inputTemplate)) expect(safe).toContain(name);
      const notification = JSON.parse(renderTransformer(t, statusEvent(definition, status)));
      expect(customNotificationProblems(notification)).toEqual([]);
    },
  );
});
