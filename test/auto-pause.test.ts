import { App, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SsmDocument } from "@cdktf/provider-aws/lib/ssm-document";
import { AutoPause, AutoPauseProps } from "../modules/auto-pause";
import { SES_PAUSE_ACTIONS } from "../modules/shared/runbooks";
import { INPUT_TEMPLATE_MAX_CHARS } from "../modules/shared/ses-chat-events";
import { pausedAnnouncementTransformer, runbookFailureTransformer } from "../modules/shared/runbook-events";
import { renderTransformer } from "./support/eventbridge";
import { automationEvent } from "./support/ssm-events";

const ACCOUNT = "123456789012";
const ALARM_ARNS = [
  `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:shop-bounce-rate-critical`,
  `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:shop-complaint-rate-critical`,
];
const AUTOMATION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/shop-pause-automation-us-east-1`;
const RULE_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:rule/shop-pause-on-critical`;
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:shop-alarms`;
const ALARM_TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:shop-watch`;

type Type = { tfResourceType: string };

function props(overrides: Partial<AutoPauseProps> = {}): AutoPauseProps {
  return {
    accountId: ACCOUNT,
    region: "us-east-1",
    namePrefix: "shop",
    configurationSetName: "shop",
    alarmArns: ALARM_ARNS,
    alarmTopic: { arn: ALARM_TOPIC_ARN },
    ...overrides,
  };
}

function synthWith(overrides: Partial<AutoPauseProps> = {}): { out: string; pause: AutoPause } {
  let pause: AutoPause | undefined;
  const out = Testing.synthScope((scope) => {
    pause = new AutoPause(scope, "Pause", props(overrides));
  });
  return { out, pause: pause! };
}

const synth = (overrides: Partial<AutoPauseProps> = {}) => synthWith(overrides).out;

function resources(out: string, type: Type): Record<string, any> {
  return JSON.parse(out).resource?.[type.tfResourceType] ?? {};
}

/** The resource of `type` with construct ID `id`, and its Terraform name. */
function byId(out: string, type: Type, id: string): [string, any] {
  const entries = Object.entries(resources(out, type)).filter(([name]) => new RegExp(`_${id}_[0-9A-F]{8}$`).test(name));
  expect(entries).toHaveLength(1);
  return entries[0];
}

const resource = (out: string, type: Type, id: string) => byId(out, type, id)[1];
const document = (out: string, id: "PauseRunbook" | "ResumeRunbook") => JSON.parse(resource(out, SsmDocument, id).content);
const statements = (policy: string) => JSON.parse(policy).Statement;

/** An IAM ARN pattern (`*` any run of characters) as a test of one ARN. */
const arnMatches = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(value);

/** EventBridge matching for patterns of value lists and nested objects (all this rule uses). */
function patternMatches(pattern: Record<string, unknown>, event: Record<string, any>): boolean {
  return Object.entries(pattern).every(([key, wanted]) => {
    const value = event?.[key];
    if (Array.isArray(wanted)) return (Array.isArray(value) ? value : [value]).some((v) => wanted.includes(v));
    return patternMatches(wanted as Record<string, unknown>, value);
  });
}

/** A "CloudWatch Alarm State Change" event, shaped as in the CloudWatch User Guide ("Alarm events and EventBridge"). */
function alarmEvent(alarmArn: string, state: string): Record<string, any> {
  const alarmName = alarmArn.split(":alarm:")[1];
  return {
    version: "0",
    id: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    account: ACCOUNT,
    time: "2019-10-02T17:04:40Z",
    region: "us-east-1",
    resources: [alarmArn],
    detail: {
      alarmName,
      state: {
        value: state,
        // Quotes and a backslash test the escaping; "->" is what CloudWatch writes.
        reason:
          'Threshold Crossed: 1 out of the last 1 datapoints [0.11 (02/10/19 16:59:00)] was greater than or equal to the threshold (0.1) (minimum 1 datapoint for OK -> ALARM transition) "quoted" \\',
        timestamp: "2019-10-02T17:04:40.985+0000",
      },
      previousState: { value: "OK" },
    },
  };
}

/** What EventBridge sends (test/support/eventbridge.ts: values inserted as EventBridge documents it). */
const render = (transformer: { input_paths: Record<string, string>; input_template: string }, event: Record<string, any>): string =>
  renderTransformer({ inputPathsMap: transformer.input_paths, inputTemplate: transformer.input_template }, event);

test("refuses a name prefix SSM reserves for document names", () => {
  expect(() => synth({ namePrefix: "amzn-mail" })).toThrow(
    'AutoPause namePrefix: got "amzn-mail"; allowed: a name that does not start with aws, amazon or amzn',
  );
});

describe("AutoPause pause runbook", () => {
  test("is an Automation document in JSON named <namePrefix>-pause-sending", () => {
    expect(resource(synth(), SsmDocument, "PauseRunbook")).toMatchObject({ name: "shop-pause-sending", document_type: "Automation", document_format: "JSON" });
  });

  test("is schema 0.3 with one step that turns the configuration set's sending off", () => {
    const doc = document(synth(), "PauseRunbook");
    expect(doc.schemaVersion).toBe("0.3");
    expect(doc.mainSteps).toHaveLength(1);
    expect(doc.mainSteps[0]).toMatchObject({ name: "PauseSending", action: "aws:executeAwsApi" });
    expect(doc.mainSteps[0].inputs).toEqual({
      Service: "sesv2",
      Api: "PutConfigurationSetSendingOptions",
      ConfigurationSetName: "shop",
      SendingEnabled: false,
    });
  });

  test("with scope account turns the account's sending off, naming no configuration set", () => {
    expect(document(synth({ scope: "account" }), "PauseRunbook").mainSteps[0].inputs).toEqual({
      Service: "sesv2",
      Api: "PutAccountSendingAttributes",
      SendingEnabled: false,
    });
  });

  test("runs as the automation role, by an ARN built from its name (known at plan time)", () => {
    const out = synth();
    expect(document(out, "PauseRunbook").assumeRole).toBe(AUTOMATION_ROLE_ARN);
    expect(AUTOMATION_ROLE_ARN.endsWith(`:role/${resource(out, IamRole, "AutomationRole").name}`)).toBe(true);
  });

  test("takes the partition from the region", () => {
    expect(document(synth({ region: "cn-north-1" }), "PauseRunbook").assumeRole).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/shop-pause-automation-cn-north-1`);
  });

  test("has no parameters a caller could override", () => {
    const out = synth();
    expect(document(out, "PauseRunbook").parameters).toBeUndefined();
    expect(resource(out, SsmDocument, "PauseRunbook").content).not.toContain("{{");
  });
});

describe("AutoPause resume runbook", () => {
  test("is named <namePrefix>-resume-sending", () => {
    expect(resource(synth(), SsmDocument, "ResumeRunbook")).toMatchObject({
      name: "shop-resume-sending",
      document_type: "Automation",
      document_format: "JSON",
    });
  });

  test("is schema 0.3 with one step that turns the configuration set's sending back on, as the automation role", () => {
    const doc = document(synth(), "ResumeRunbook");
    expect(doc).toMatchObject({ schemaVersion: "0.3", assumeRole: AUTOMATION_ROLE_ARN });
    expect(doc.parameters).toBeUndefined();
    expect(doc.mainSteps).toHaveLength(1);
    expect(doc.mainSteps[0]).toMatchObject({ name: "ResumeSending", action: "aws:executeAwsApi" });
    expect(doc.mainSteps[0].inputs).toEqual({ Service: "sesv2", Api: "PutConfigurationSetSendingOptions", ConfigurationSetName: "shop", SendingEnabled: true });
  });

  test("with scope account turns the account's sending back on", () => {
    expect(document(synth({ scope: "account" }), "ResumeRunbook").mainSteps[0].inputs).toEqual({
      Service: "sesv2",
      Api: "PutAccountSendingAttributes",
      SendingEnabled: true,
    });
  });

  test("resumeCommand starts it in the stack's region", () => {
    expect(synthWith().pause.resumeCommand).toBe("aws ssm start-automation-execution --document-name shop-resume-sending --region us-east-1");
  });
});

describe("AutoPause automation role", () => {
  test("is named <namePrefix>-pause-automation-<region>, and says which runbooks use it", () => {
    expect(resource(synth(), IamRole, "AutomationRole")).toMatchObject({
      name: "shop-pause-automation-us-east-1",
      description: "Lets SSM Automation runbooks shop-pause-sending and shop-resume-sending turn SES sending off and on",
    });
  });

  test("trusts only Systems Manager, for automation executions in this account and region", () => {
    expect(statements(resource(synth(), IamRole, "AutomationRole").assume_role_policy)).toEqual([
      {
        Sid: "AllowServiceForThisResourceOnly",
        Effect: "Allow",
        Principal: { Service: "ssm.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnLike: { "aws:SourceArn": `arn:aws:ssm:us-east-1:${ACCOUNT}:automation-execution/*` },
        },
      },
    ]);
  });

  test("its policy is attached to it and allows only PutConfigurationSetSendingOptions on the one configuration set", () => {
    const out = synth();
    const [roleName] = byId(out, IamRole, "AutomationRole");
    const policy = resource(out, IamRolePolicy, "AutomationPolicy");
    expect(policy.role).toBe(`\${aws_iam_role.${roleName}.id}`);
    expect(policy.name).toBe("change-ses-sending");
    expect(statements(policy.policy)).toEqual([
      {
        Sid: "ChangeSesSending",
        Effect: "Allow",
        Action: "ses:PutConfigurationSetSendingOptions",
        Resource: `arn:aws:ses:us-east-1:${ACCOUNT}:configuration-set/shop`,
      },
    ]);
  });

  test("with scope account its policy allows only PutAccountSendingAttributes, which takes no resource", () => {
    expect(statements(resource(synth({ scope: "account" }), IamRolePolicy, "AutomationPolicy").policy)).toEqual([
      { Sid: "ChangeSesSending", Effect: "Allow", Action: "ses:PutAccountSendingAttributes", Resource: "*" },
    ]);
  });

  test.each(["configurationSet", "account"] as const)("with scope %s its policy allows exactly the API both runbooks call", (scope) => {
    const out = synth({ scope });
    const [statement] = statements(resource(out, IamRolePolicy, "AutomationPolicy").policy);
    for (const id of ["PauseRunbook", "ResumeRunbook"] as const) expect(`ses:${document(out, id).mainSteps[0].inputs.Api}`).toBe(statement.Action);
    expect(statement.Action).toBe(SES_PAUSE_ACTIONS[scope]);
  });
});

describe("AutoPause events role", () => {
  test("is named <namePrefix>-pause-trigger-<region>, and says what it starts", () => {
    expect(resource(synth(), IamRole, "EventsRole")).toMatchObject({
      name: "shop-pause-trigger-us-east-1",
      description: "Lets EventBridge rule shop-pause-on-critical start SSM Automation runbook shop-pause-sending",
    });
  });

  test("trusts only EventBridge, for this rule in this account", () => {
    const { out, pause } = synthWith();
    expect(pause.ruleArn).toBe(RULE_ARN);
    expect(statements(resource(out, IamRole, "EventsRole").assume_role_policy)).toEqual([
      {
        Sid: "AllowServiceForThisResourceOnly",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": RULE_ARN } },
      },
    ]);
  });

  test("its policy allows only starting the pause runbook and passing the automation role to Systems Manager", () => {
    const out = synth();
    const [roleName] = byId(out, IamRole, "EventsRole");
    const policy = resource(out, IamRolePolicy, "EventsPolicy");
    expect(policy.role).toBe(`\${aws_iam_role.${roleName}.id}`);
    expect(policy.name).toBe("start-pause-runbook");
    expect(statements(policy.policy)).toEqual([
      {
        Sid: "StartPauseRunbook",
        Effect: "Allow",
        Action: "ssm:StartAutomationExecution",
        Resource: [
          `arn:aws:ssm:us-east-1:${ACCOUNT}:automation-definition/shop-pause-sending:*`,
          `arn:aws:ssm:us-east-1:${ACCOUNT}:document/shop-pause-sending`,
        ],
      },
      {
        Sid: "PassAutomationRole",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: AUTOMATION_ROLE_ARN,
        Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
      },
    ]);
  });

  test("its policy covers the pause target's ARN and not the resume runbook's", () => {
    const out = synth();
    const [start] = statements(resource(out, IamRolePolicy, "EventsPolicy").policy);
    const covers = (value: string) => start.Resource.some((pattern: string) => arnMatches(pattern, value));
    expect(covers(resource(out, CloudwatchEventTarget, "PauseTarget").arn)).toBe(true);
    // The document ARN the Systems Manager User Guide's examples name, for the pause runbook only.
    expect(covers(`arn:aws:ssm:us-east-1:${ACCOUNT}:document/shop-pause-sending`)).toBe(true);
    expect(covers(`arn:aws:ssm:us-east-1:${ACCOUNT}:automation-definition/shop-resume-sending:$DEFAULT`)).toBe(false);
    expect(covers(`arn:aws:ssm:us-east-1:${ACCOUNT}:document/shop-resume-sending`)).toBe(false);
  });
});

describe("AutoPause rule", () => {
  const pattern = (out: string) => JSON.parse(resource(out, CloudwatchEventRule, "Rule").event_pattern);

  test("is named <namePrefix>-pause-on-critical, on the default bus, with the ARN ruleArn names", () => {
    const rule = resource(synth(), CloudwatchEventRule, "Rule");
    expect(rule.name).toBe("shop-pause-on-critical");
    expect(rule.description).toBe("ses-guard: starts runbook shop-pause-sending when a critical reputation alarm goes to ALARM");
    expect(rule.event_bus_name).toBeUndefined();
    expect(RULE_ARN.endsWith(`:rule/${rule.name}`)).toBe(true);
  });

  test("matches the given alarms' changes to ALARM, and nothing else", () => {
    expect(pattern(synth())).toEqual({
      source: ["aws.cloudwatch"],
      "detail-type": ["CloudWatch Alarm State Change"],
      resources: ALARM_ARNS,
      detail: { state: { value: ["ALARM"] } },
    });
  });

  test("a given alarm going to ALARM matches; the same alarm going to OK, or another alarm, does not", () => {
    const p = pattern(synth());
    expect(ALARM_ARNS.map((a) => patternMatches(p, alarmEvent(a, "ALARM")))).toEqual([true, true]);
    expect(patternMatches(p, alarmEvent(ALARM_ARNS[0], "OK"))).toBe(false);
    expect(patternMatches(p, alarmEvent(ALARM_ARNS[0], "INSUFFICIENT_DATA"))).toBe(false);
    expect(patternMatches(p, alarmEvent(`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:shop-bounce-rate-warning`, "ALARM"))).toBe(false);
  });
});

describe("AutoPause pause target", () => {
  test("starts the pause runbook's default version through the events role", () => {
    const out = synth();
    const [ruleName] = byId(out, CloudwatchEventRule, "Rule");
    const [roleName] = byId(out, IamRole, "EventsRole");
    expect(resource(out, CloudwatchEventTarget, "PauseTarget")).toMatchObject({
      rule: `\${aws_cloudwatch_event_rule.${ruleName}.name}`,
      target_id: "pause-sending",
      arn: `arn:aws:ssm:us-east-1:${ACCOUNT}:automation-definition/shop-pause-sending:$DEFAULT`,
      role_arn: `\${aws_iam_role.${roleName}.arn}`,
    });
  });

  test("passes no parameters (without an input EventBridge would pass the whole event)", () => {
    expect(JSON.parse(resource(synth(), CloudwatchEventTarget, "PauseTarget").input)).toEqual({});
  });

  test("is created after the pause runbook and the permission to start it", () => {
    const out = synth();
    expect(resource(out, CloudwatchEventTarget, "PauseTarget").depends_on).toEqual([
      `aws_ssm_document.${byId(out, SsmDocument, "PauseRunbook")[0]}`,
      `aws_iam_role_policy.${byId(out, IamRolePolicy, "EventsPolicy")[0]}`,
    ]);
  });

  test("without announceTopic, the only targets are the runbook start and the failure report", () => {
    const out = synth();
    expect(
      Object.values(resources(out, CloudwatchEventTarget))
        .map((t) => t.target_id)
        .sort(),
    ).toEqual(["pause-sending", "report-runbook-failure"]);
    expect(Object.keys(resources(out, CloudwatchEventRule))).toHaveLength(2);
  });
});

describe("AutoPause announcement", () => {
  const announce = (overrides: Partial<AutoPauseProps> = {}) => synthWith({ announceTopic: { arn: TOPIC_ARN }, ...overrides });
  const transformer = (out: string) => resource(out, CloudwatchEventTarget, "AnnounceTarget").input_transformer;
  const rendered = (out: string) => JSON.parse(render(transformer(out), automationEvent("shop-pause-sending", "Success")));
  const pattern = (out: string) => JSON.parse(resource(out, CloudwatchEventRule, "AnnounceRule").event_pattern);

  test("goes to the topic from its own rule <namePrefix>-pause-announce, not from the alarm rule", () => {
    const { out, pause } = announce();
    const [ruleName, rule] = byId(out, CloudwatchEventRule, "AnnounceRule");
    expect(rule.name).toBe("shop-pause-announce");
    expect(pause.announceRuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/shop-pause-announce`);
    expect(resource(out, CloudwatchEventTarget, "AnnounceTarget")).toMatchObject({
      arn: TOPIC_ARN,
      rule: `\${aws_cloudwatch_event_rule.${ruleName}.name}`,
      target_id: "announce-pause",
    });
  });

  test("fires only when the pause runbook succeeded: not on the alarm, a failed pause, or the resume runbook", () => {
    const p = pattern(announce().out);
    expect(patternMatches(p, automationEvent("shop-pause-sending", "Success"))).toBe(true);
    for (const status of ["Failed", "TimedOut", "Cancelled", "InProgress", "Pending"]) {
      expect([status, patternMatches(p, automationEvent("shop-pause-sending", status))]).toEqual([status, false]);
    }
    expect(patternMatches(p, automationEvent("shop-resume-sending", "Success"))).toBe(false);
    expect(patternMatches(p, alarmEvent(ALARM_ARNS[0], "ALARM"))).toBe(false);
  });

  test("takes only values AWS sets (execution ID, region, time) from the event", () => {
    expect(transformer(announce().out).input_paths).toEqual({ executionId: "$.detail.ExecutionId", region: "$.region", time: "$.time" });
  });

  test("renders, for a sample Success event, as an Amazon Q Developer custom notification saying what was paused where", () => {
    const notification = rendered(announce().out);
    expect(notification).toMatchObject({ version: "1.0", source: "custom", content: { textType: "client-markdown" } });
    expect(notification.content.title).toBe(":octagonal_sign: SES sending paused for shop in us-east-1");
    expect(notification.content.description).toContain("`shop-pause-sending` paused sending for configuration set `shop` in us-east-1 at 2024-11-29T19:43:35Z");
  });

  test("with scope account says the whole account is paused", () => {
    expect(rendered(announce({ scope: "account" }).out).content.description).toContain("paused sending for the whole account in us-east-1");
  });

  test("its next steps check this execution, point to the saved queries and resume with resumeCommand", () => {
    const { out, pause } = announce();
    const [check, investigate, resume] = rendered(out).content.nextSteps;
    expect(check).toContain("aws ssm get-automation-execution --automation-execution-id 333ba70b-2333-48db-b17e-a5e69c6f4d1c --region us-east-1");
    expect(investigate).toContain("saved Athena queries");
    expect(resume).toContain(pause.resumeCommand);
  });

  test("its template has no < or > outside placeholders, every placeholder has a path, and it fits EventBridge's limit", () => {
    const { input_paths, input_template } = transformer(announce().out);
    const placeholders = [...input_template.matchAll(/<([^<>]*)>/g)].map((m) => m[1]);
    expect(new Set(placeholders)).toEqual(new Set(Object.keys(input_paths)));
    expect(input_template.replace(/<[^<>]*>/g, "")).not.toMatch(/[<>]/);
    expect(input_template.length).toBeLessThanOrEqual(INPUT_TEMPLATE_MAX_CHARS);
  });

  test("refuses names that would put < or > in the template", () => {
    expect(() =>
      pausedAnnouncementTransformer({ scope: "configurationSet", configurationSetName: "shop<b>", pauseRunbookName: "p", resumeRunbookName: "r" }),
    ).toThrow("pause announcement: got a name with < or > in it");
    expect(() => runbookFailureTransformer({ pauseRunbookName: "p>", resumeRunbookName: "r" })).toThrow("runbook failure report: got a name with < or > in it");
  });
});

describe("AutoPause with Terraform tokens", () => {
  function tokenPause(): Record<string, Record<string, any>> {
    const stack = new TerraformStack(new App({ skipValidation: true }), "tokens");
    const v = (name: string) => new TerraformVariable(stack, name, {});
    new AutoPause(stack, "Pause", {
      accountId: v("account").stringValue,
      region: v("region").stringValue,
      partition: v("partition").stringValue,
      namePrefix: v("prefix").stringValue,
      scope: v("scope").stringValue as never,
      configurationSetName: v("set").stringValue,
      alarmArns: v("alarms").listValue,
      announceTopic: { arn: v("topic").stringValue },
      alarmTopic: { arn: v("alarm-topic").stringValue },
      condition: v("on").booleanValue as never,
    });
    return JSON.parse(Testing.synth(stack)).resource;
  }
  // Synthesized in each test, not when the file loads: mutation testing then runs only the tests that reach a mutant.
  const all = () =>
    Object.entries(tokenPause()).flatMap(([type, byName]) => Object.entries(byName).map(([name, config]) => [`${type}.${name}`, config] as const));
  const one = (type: Type, id: string) => Object.entries(tokenPause()[type.tfResourceType]).find(([name]) => name.includes(`_${id}_`))![1];

  test("condition gives every resource a count", () => {
    const resources = all();
    // Runbooks, roles, policies, 3 rules, 3 targets, and the dead-letter queue, its policy and alarm.
    expect(resources.map(([address]) => address)).toHaveLength(15);
    for (const [address, config] of resources) expect([address, config.count]).toEqual([address, "${var.on ? 1 : 0}"]);
  });

  test("with a condition, references go through the one counted instance", () => {
    expect(one(CloudwatchEventTarget, "PauseTarget").role_arn).toMatch(/^\$\{one\(aws_iam_role\.\w+\[\*\]\.arn\)\}$/);
    expect(one(IamRolePolicy, "AutomationPolicy").role).toMatch(/^\$\{one\(aws_iam_role\.\w+\[\*\]\.id\)\}$/);
  });

  test("a token scope makes Terraform choose each runbook's content", () => {
    for (const id of ["PauseRunbook", "ResumeRunbook"]) {
      const content: string = one(SsmDocument, id).content;
      expect(content).toMatch(/^\$\{\(var\.scope == "account"\) \? ".*PutAccountSendingAttributes.*" : ".*PutConfigurationSetSendingOptions.*"\}$/);
      // Tokens inside the chosen JSON stay interpolations.
      expect(content).toContain('\\"ConfigurationSetName\\":\\"${var.set}\\"');
    }
  });

  test("a token scope makes Terraform choose the automation policy's action and resource", () => {
    const policy: string = one(IamRolePolicy, "AutomationPolicy").policy;
    expect(policy).toContain('"Action":"${(var.scope == "account") ? "ses:PutAccountSendingAttributes" : "ses:PutConfigurationSetSendingOptions"}"');
    expect(policy).toContain(
      '"Resource":"${(var.scope == "account") ? "*" : "arn:${var.partition}:ses:${var.region}:${var.account}:configuration-set/${var.set}"}"',
    );
  });

  test("a token list of alarms becomes a list expression in the pattern", () => {
    expect(one(CloudwatchEventRule, "Rule").event_pattern).toContain('"resources":${jsonencode(var.alarms)}');
  });
});

describe("AutoPause validation", () => {
  test("an unknown scope", () => {
    expect(() => synth({ scope: "region" as never })).toThrow('AutoPause scope: got "region"; allowed: "configurationSet" or "account"');
  });

  test("no alarms", () => {
    expect(() => synth({ alarmArns: [] })).toThrow("AutoPause alarmArns: got []; allowed: one or more CloudWatch alarm ARNs");
  });
});
