// The pause and resume runbooks and the pause announcement as plain objects (auto-pause.ts renders them).
import {
  ANNOUNCEMENT_INPUT_PATHS,
  INPUT_TEMPLATE_MAX_CHARS,
  pauseAnnouncementTransformer,
  pauseRunbook,
  resumeRunbook,
  sendingRunbook,
} from "../../modules/shared/runbooks";
import { renderTransformer } from "../support/eventbridge";

const ROLE = "arn:aws:iam::123456789012:role/shop-pause-automation-us-east-1";
const NAMES = { configurationSetName: "shop-mail", pauseRunbookName: "shop-pause-sending", resumeRunbookName: "shop-resume-sending" };
const EVENT = { detail: { alarmName: "shop-bounce-rate-critical" }, region: "eu-west-1", time: "2026-01-02T03:04:05Z" };

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

describe("pause announcement", () => {
  const rendered = (scope: "configurationSet" | "account") =>
    JSON.parse(renderTransformer(pauseAnnouncementTransformer({ scope, ...NAMES }), EVENT)) as { [key: string]: any };

  test("a custom notification naming the alarm, when it fired, the runbook and what it paused where", () => {
    expect(rendered("configurationSet")).toEqual({
      version: "1.0",
      source: "custom",
      content: {
        textType: "client-markdown",
        title: ":rotating_light: SES sending paused: critical alarm shop-bounce-rate-critical is in ALARM",
        description:
          "Critical alarm *shop-bounce-rate-critical* went to ALARM at 2026-01-02T03:04:05Z.\n" +
          "ses-guard started runbook `shop-pause-sending` to pause sending for configuration set `shop-mail` in eu-west-1.",
        nextSteps: [
          "Check the execution: `aws ssm describe-automation-executions --filters Key=DocumentNamePrefix,Values=shop-pause-sending --region eu-west-1`",
          "Find the cause with the saved Athena queries (Athena console, Saved queries): hard bounces and complaints by recipient, domain and campaign.",
          "Once fixed, resume sending: `aws ssm start-automation-execution --document-name shop-resume-sending --region eu-west-1`",
        ],
        keywords: ["ses-guard", "SES paused", "shop-bounce-rate-critical"],
      },
    });
  });

  test("with scope account it names the whole account, not the configuration set", () => {
    const { description } = rendered("account").content;
    expect(description).toContain("to pause sending for the whole account in eu-west-1.");
    expect(description).not.toContain("shop-mail");
  });

  test("takes only the alarm name, region and time from the event", () => {
    expect(pauseAnnouncementTransformer({ scope: "account", ...NAMES }).inputPathsMap).toEqual(ANNOUNCEMENT_INPUT_PATHS);
    expect(ANNOUNCEMENT_INPUT_PATHS).toEqual({ alarmName: "$.detail.alarmName", region: "$.region", time: "$.time" });
  });

  test.each(["shop<mail", "shop>mail"])("refuses a name with < or > (%s), which EventBridge would read as a placeholder", (configurationSetName) => {
    const props = { scope: "configurationSet" as const, ...NAMES, configurationSetName };
    expect(() => pauseAnnouncementTransformer(props)).toThrow(
      `pause announcement: got a name with < or > in it; allowed: names without them (${JSON.stringify(props)})`,
    );
  });

  test("refuses a template over EventBridge's 8192 characters, and takes one of exactly that length", () => {
    const length = (pauseRunbookName: string) => pauseAnnouncementTransformer({ scope: "account", ...NAMES, pauseRunbookName }).inputTemplate.length;
    const base = length("");
    // The pause runbook's name appears three times in the template.
    const fits = "p".repeat(Math.floor((INPUT_TEMPLATE_MAX_CHARS - base) / 3));
    const room = INPUT_TEMPLATE_MAX_CHARS - length(fits);
    expect(room).toBeGreaterThanOrEqual(0);
    const exact = { scope: "account" as const, ...NAMES, pauseRunbookName: fits, resumeRunbookName: NAMES.resumeRunbookName + "r".repeat(room) };
    expect(pauseAnnouncementTransformer(exact).inputTemplate).toHaveLength(INPUT_TEMPLATE_MAX_CHARS);
    const over = { ...exact, resumeRunbookName: exact.resumeRunbookName + "r" };
    expect(() => pauseAnnouncementTransformer(over)).toThrow(
      `pause announcement: got ${INPUT_TEMPLATE_MAX_CHARS + 1} characters; allowed: at most ${INPUT_TEMPLATE_MAX_CHARS} (shorter names)`,
    );
    expect(INPUT_TEMPLATE_MAX_CHARS).toBe(8192);
  });
});
