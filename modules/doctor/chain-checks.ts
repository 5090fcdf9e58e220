/**
 * The doctor's checks of the action chain: the configuration set's destination to the default
 * event bus, the EventBridge rules that relay events to chat and start the pause runbook, and the
 * runbooks themselves. Read-only, like every check.
 */
import type { ListRulesCommandOutput, ListTargetsByRuleCommandOutput, Rule, Target } from "@aws-sdk/client-eventbridge";
import { ListRulesCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import type { GetConfigurationSetEventDestinationsCommandOutput } from "@aws-sdk/client-sesv2";
import { GetConfigurationSetEventDestinationsCommand } from "@aws-sdk/client-sesv2";
import type { DescribeDocumentCommandOutput } from "@aws-sdk/client-ssm";
import { DescribeDocumentCommand } from "@aws-sdk/client-ssm";
import { isNotFound } from "./aws";
import { allPages, APPLY, Check, CheckResult, result, sameSet } from "./check-kit";
import { EVENT_BUS_DESTINATION_NAME, RegionTarget } from "./target";

// ---------------------------------------------------------------- event bus destination

export const eventBusDestinationCheck: Check = {
  id: "event-bus-destination",
  scope: "region",
  summary:
    "with chat: the configuration set's destination to the default event bus is enabled and matches the chat events' types (sesv2 GetConfigurationSetEventDestinations)",
  calls: [{ command: GetConfigurationSetEventDestinationsCommand, resources: (t) => (t.chat ? [t.configurationSetArn] : []) }],
  async run(ctx) {
    const t = ctx.target;
    if (!t.chat) return [];
    const subject = `event destination ${EVENT_BUS_DESTINATION_NAME}`;
    let out: GetConfigurationSetEventDestinationsCommandOutput;
    try {
      out = await ctx.api.send(t.region, new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: t.configurationSet }));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      return [result(ctx, "event-bus-destination", "fail", subject, `configuration set ${t.configurationSet} not found in ${t.region}`, APPLY(t))];
    }
    const d = out.EventDestinations?.find((x) => x.Name === EVENT_BUS_DESTINATION_NAME);
    if (!d) {
      const names = out.EventDestinations?.map((x) => x.Name).join(", ") || "none";
      return [
        result(ctx, "event-bus-destination", "fail", subject, `not on ${t.configurationSet} (it has: ${names}): no SES event reaches the chat rules`, APPLY(t)),
      ];
    }
    const problems: string[] = [];
    if (d.Enabled !== true) problems.push("disabled");
    const bus = d.EventBridgeDestination?.EventBusArn;
    if (bus !== t.chat.eventBusArn) problems.push(`sends to ${bus ?? "no event bus"}, not ${t.chat.eventBusArn}`);
    const { missing } = sameSet([...(d.MatchingEventTypes ?? [])], [...t.chat.eventTypes]);
    if (missing.length) problems.push(`does not match ${missing.join(", ")}, which chat.sesEventTypes relays`);
    return [
      problems.length
        ? result(ctx, "event-bus-destination", "fail", subject, problems.join("; "), APPLY(t))
        : result(ctx, "event-bus-destination", "pass", subject, `enabled, ${(d.MatchingEventTypes ?? []).join(", ")} to the default event bus`),
    ];
  },
};

// ---------------------------------------------------------------- rules

/** Rules ses-guard makes in a region when chat or autoPause is on. */
const hasRules = (t: RegionTarget) => Boolean(t.chat || t.autoPause);
const ruleArnPattern = (t: RegionTarget) => `arn:${t.partition}:events:${t.region}:${t.accountId}:rule/${t.namePrefix}-*`;

/** EventBridge User Guide, "Disabling or deleting a rule": a rule in any state but DISABLED matches events. */
const isEnabled = (rule: Rule) => rule.State !== undefined && rule.State !== "DISABLED";

export const rulesCheck: Check = {
  id: "rules",
  scope: "region",
  summary:
    "with chat or autoPause: every EventBridge rule named <name>-* on the default bus is enabled and has targets; the chat rules and the pause rule exist and aim at the topic and the runbook (events ListRules, ListTargetsByRule)",
  calls: [
    { command: ListRulesCommand, resources: (t) => (hasRules(t) ? ["*"] : []) },
    { command: ListTargetsByRuleCommand, resources: (t) => (hasRules(t) ? [ruleArnPattern(t)] : []) },
  ],
  async run(ctx) {
    const t = ctx.target;
    if (!hasRules(t)) return [];
    const rules: Rule[] = await allPages(
      (token) => ctx.api.send<ListRulesCommandOutput>(t.region, new ListRulesCommand({ NamePrefix: `${t.namePrefix}-`, NextToken: token, Limit: 100 })),
      (page) => page.Rules,
    );
    const targetsOf = (rule: string): Promise<Target[]> =>
      allPages(
        (token) => ctx.api.send<ListTargetsByRuleCommandOutput>(t.region, new ListTargetsByRuleCommand({ Rule: rule, NextToken: token })),
        (page) => page.Targets,
      );
    const out: CheckResult[] = [];
    const chatRules = rules.filter((r) => r.Name?.startsWith(`${t.namePrefix}-chat-`));
    if (t.chat && !chatRules.length) {
      out.push(result(ctx, "rules", "fail", `chat rules ${t.namePrefix}-chat-*`, `none in ${t.region}: SES events never reach chat`, APPLY(t)));
    }
    const pauseRule = t.autoPause?.ruleName;
    if (pauseRule && !rules.some((r) => r.Name === pauseRule)) {
      out.push(result(ctx, "rules", "fail", `rule ${pauseRule}`, `not found in ${t.region}: a critical alarm pauses nothing`, APPLY(t)));
    }
    const lines = await Promise.all(
      rules.map(async (rule): Promise<CheckResult> => {
        const name = rule.Name ?? "?";
        const subject = `rule ${name}`;
        if (!isEnabled(rule)) {
          return result(
            ctx,
            "rules",
            "fail",
            subject,
            `${rule.State ?? "state unknown"}: it acts on nothing`,
            `aws events enable-rule --name ${name} --region ${t.region}`,
          );
        }
        const targets = await targetsOf(name);
        if (!targets.length) return result(ctx, "rules", "fail", subject, "enabled, but without targets: it acts on nothing", APPLY(t));
        const arns = targets.map((x) => x.Arn ?? "?");
        if (name === pauseRule && !arns.some((a) => a.includes(`:automation-definition/${t.autoPause!.pauseRunbook}:`))) {
          return result(ctx, "rules", "fail", subject, `targets ${arns.join(", ")}, not runbook ${t.autoPause!.pauseRunbook}`, APPLY(t));
        }
        if (t.chat && name.startsWith(`${t.namePrefix}-chat-`) && !arns.includes(t.chat.sesEventsTopicArn)) {
          return result(ctx, "rules", "fail", subject, `targets ${arns.join(", ")}, not ${t.chat.sesEventsTopicArn}`, APPLY(t));
        }
        return result(
          ctx,
          "rules",
          "pass",
          subject,
          `enabled, ${targets.length} target${targets.length === 1 ? "" : "s"} (${targets.map((x) => x.Id).join(", ")})`,
        );
      }),
    );
    return [...out, ...lines];
  },
};

// ---------------------------------------------------------------- runbooks

const documentArn = (t: RegionTarget, name: string) => `arn:${t.partition}:ssm:${t.region}:${t.accountId}:document/${name}`;

export const runbooksCheck: Check = {
  id: "runbooks",
  scope: "region",
  summary: "with autoPause: the pause and resume runbooks exist as active Automation documents (ssm DescribeDocument)",
  calls: [
    {
      command: DescribeDocumentCommand,
      resources: (t) => (t.autoPause ? [t.autoPause.pauseRunbook, t.autoPause.resumeRunbook].map((n) => documentArn(t, n)) : []),
    },
  ],
  async run(ctx) {
    const t = ctx.target;
    const pause = t.autoPause;
    if (!pause) return [];
    return Promise.all(
      [
        { name: pause.pauseRunbook, role: "pauses sending when a critical alarm fires" },
        { name: pause.resumeRunbook, role: "resumes sending" },
      ].map(async ({ name, role }): Promise<CheckResult> => {
        const subject = `runbook ${name}`;
        let out: DescribeDocumentCommandOutput;
        try {
          out = await ctx.api.send(t.region, new DescribeDocumentCommand({ Name: name }));
        } catch (e) {
          if (!isNotFound(e)) throw e;
          return result(ctx, "runbooks", "fail", subject, `not found in ${t.region}: nothing ${role}`, APPLY(t));
        }
        const d = out.Document;
        if (d?.DocumentType !== "Automation" || d.Status !== "Active") {
          return result(
            ctx,
            "runbooks",
            "fail",
            subject,
            `type ${d?.DocumentType ?? "?"}, status ${d?.Status ?? "?"}${d?.StatusInformation ? ` (${d.StatusInformation})` : ""}; an active Automation document is needed`,
            APPLY(t),
          );
        }
        return result(ctx, "runbooks", "pass", subject, `active Automation document (version ${d.DefaultVersion ?? "?"}), ${role}`);
      }),
    );
  },
};
