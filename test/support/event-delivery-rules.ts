/**
 * The policy suite's rules for EventBridge delivery (POLICY_RULES spreads them): every target has a
 * dead-letter queue and a retry policy, every such queue is encrypted, watched by an alarm, and takes
 * messages only from our rules. Kept apart from policy-rules.ts, which holds the rest.
 */
import type { PolicyRule, StackJson } from "./policy-rules";

type Resources = Record<string, Record<string, any>>;
const resourcesOf = (json: StackJson, type: string): Resources => json.resource?.[type] ?? {};
const statementsOf = (policy: unknown): Array<Record<string, any>> => (typeof policy === "string" ? JSON.parse(policy).Statement : []);
const listOf = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const noTargets = (json: StackJson) =>
  Object.keys(resourcesOf(json, "aws_cloudwatch_event_target")).length ? undefined : "this stack has no EventBridge target";
const noQueues = (json: StackJson) => (Object.keys(resourcesOf(json, "aws_sqs_queue")).length ? undefined : "this stack has no SQS queue");

/** The aws_sqs_queue address a target's dead_letter_config names, e.g. `aws_sqs_queue.X` from `${one(aws_sqs_queue.X[*].arn)}`. */
export function deadLetterQueueOf(target: Record<string, any>): string | undefined {
  return /aws_sqs_queue\.(\w+)/.exec(String(target.dead_letter_config?.arn ?? ""))?.[1];
}

export const EVENT_DELIVERY_RULES: readonly PolicyRule[] = [
  {
    id: "EVENT_TARGETS_DEAD_LETTERED",
    checkIds: ["ses-guard (silent event loss)"],
    title: "Every EventBridge target has a retry policy and a dead-letter queue of this stack, and an alarm watches that queue",
    notApplicable: ({ json }) => noTargets(json),
    check: ({ json }) => {
      const queues = resourcesOf(json, "aws_sqs_queue");
      const alarms = Object.values(resourcesOf(json, "aws_cloudwatch_metric_alarm"));
      return Object.entries(resourcesOf(json, "aws_cloudwatch_event_target")).flatMap(([n, t]) => {
        const queue = deadLetterQueueOf(t);
        const watched = queue && alarms.some((a) => a.namespace === "AWS/SQS" && a.dimensions?.QueueName === queues[queue]?.name && a.threshold === 0);
        return [
          ...(t.retry_policy?.maximum_event_age_in_seconds && t.retry_policy?.maximum_retry_attempts !== undefined
            ? []
            : [`aws_cloudwatch_event_target.${n}: no retry policy`]),
          ...(queue && queues[queue] ? [] : [`aws_cloudwatch_event_target.${n}: no dead-letter queue of this stack`]),
          ...(watched ? [] : [`aws_cloudwatch_event_target.${n}: no alarm on its dead-letter queue`]),
        ];
      });
    },
    breaks: (json) => {
      const [t] = Object.values(resourcesOf(json, "aws_cloudwatch_event_target"));
      delete t.dead_letter_config;
    },
  },
  {
    id: "SQS_ENCRYPTED",
    checkIds: ["CKV_AWS_27"],
    title: "SQS queues are encrypted at rest (SSE-SQS or a KMS key)",
    notApplicable: ({ json }) => noQueues(json),
    check: ({ json }) =>
      Object.entries(resourcesOf(json, "aws_sqs_queue"))
        .filter(([, q]) => q.sqs_managed_sse_enabled !== true && !q.kms_master_key_id)
        .map(([n]) => `aws_sqs_queue.${n}: not encrypted`),
    breaks: (json) => {
      const [q] = Object.values(resourcesOf(json, "aws_sqs_queue"));
      q.sqs_managed_sse_enabled = false;
    },
  },
  {
    id: "SQS_SENDERS_SCOPED",
    checkIds: ["ses-guard (confused deputy)", "CKV_AWS_168"],
    title: "Queue policies let only events.amazonaws.com send, for this account (aws:SourceAccount) and our named rules (aws:SourceArn)",
    notApplicable: ({ json }) => noQueues(json),
    check: ({ json, config }) =>
      Object.entries(resourcesOf(json, "aws_sqs_queue_policy")).flatMap(([n, p]) =>
        statementsOf(p.policy)
          .filter((s) => s.Effect === "Allow")
          .filter((s) => {
            const sources = listOf(s.Condition?.ArnEquals?.["aws:SourceArn"]);
            // Each source one of our rules, named in full (no wildcard).
            const ours = (arn: string) => new RegExp(`:rule/${config.name}-[^*]+$`).test(arn);
            return (
              s.Principal?.Service !== "events.amazonaws.com" ||
              listOf(s.Action).join() !== "sqs:SendMessage" ||
              !s.Condition?.StringEquals?.["aws:SourceAccount"] ||
              sources.length === 0 ||
              !sources.every(ours)
            );
          })
          .map(() => `aws_sqs_queue_policy.${n}: an Allow not limited to EventBridge sending for our rules in this account`),
      ),
    breaks: (json) => {
      const [p] = Object.values(resourcesOf(json, "aws_sqs_queue_policy"));
      p.policy = p.policy.replace(/,"Condition":\{.*\}\}\]\}$/, "}]}");
    },
  },
];
