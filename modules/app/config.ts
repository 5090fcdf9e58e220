import * as z from "zod";
import {
  awsManagedKeyProblem,
  BUCKET_NAME_RULES,
  bucketNameProblem,
  isDomain,
  isEmailAddress,
  KMS_KEY_ARN,
  kmsAliasProblem,
  kmsKeyRegionText,
  PARTITION,
  PatternRule,
  RangeRule,
  resultsBucketOwnText,
  RULES,
} from "../shared/rules";
import { suggestKey } from "./config-suggest";
import { partitionOf } from "../shared/arn";
import { logicalIdSegment } from "../shared/logical-id";
import { defaultBucketName, defaultResultsBucketName, regionNames, sesEventsTopicName } from "../shared/names";

export { defaultBucketName } from "../shared/names";
import { CHAT_EVENT_TYPES, DEFAULT_CHAT_EVENT_TYPES } from "../shared/ses-chat-events";
import { PAUSE_SCOPES } from "../shared/runbooks";
export { bucketNameProblem, DOMAIN, EMAIL_LOCAL, isDomain, isEmailAddress, KMS_KEY_ARN, MIN_BYTES_SCANNED_CUTOFF_MIB, PARTITION } from "../shared/rules";
import { AWS_REVIEW_LEVEL, implausibleLevelProblem, PLAUSIBLE_FLOOR } from "../shared/rate";

/** The ten event types an SES v2 event destination can match. */
export const SES_EVENT_TYPES = [
  "SEND",
  "REJECT",
  "BOUNCE",
  "COMPLAINT",
  "DELIVERY",
  "OPEN",
  "CLICK",
  "RENDERING_FAILURE",
  "DELIVERY_DELAY",
  "SUBSCRIPTION",
] as const;
export type SesEventType = (typeof SES_EVENT_TYPES)[number];

/** What an investigation needs; OPEN, CLICK and SUBSCRIPTION are engagement data, off by default. */
export const DEFAULT_EVENT_TYPES: readonly SesEventType[] = ["SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY", "RENDERING_FAILURE"];

export const NOTIFICATION_TYPES = ["Bounce", "Complaint", "Delivery"] as const;

/** Why SES puts an address on a suppression list (SuppressionListReason). */
export const SUPPRESSION_REASONS = ["BOUNCE", "COMPLAINT"] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** S3 transition targets in S3's waterfall order: a transition may only move down this list. */
export const STORAGE_CLASSES = ["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

/** Days an object is billed for in a class even if deleted or moved earlier. */
export const MINIMUM_STORAGE_DAYS: Readonly<Record<StorageClass, number>> = {
  STANDARD_IA: 30,
  INTELLIGENT_TIERING: 0,
  ONEZONE_IA: 30,
  GLACIER_IR: 90,
  GLACIER: 90,
  DEEP_ARCHIVE: 180,
};

/**
 * Classes whose objects Athena skips, without an error, until they are restored (Athena User Guide,
 * "Query restored Amazon S3 Glacier objects"). GLACIER_IR needs no restore and stays queryable.
 */
export const ATHENA_UNREADABLE_CLASSES: readonly StorageClass[] = ["GLACIER", "DEEP_ARCHIVE"];

/**
 * Days back from today whose events Athena can read: up to the first transition to a class Athena
 * skips, or the expiration. S3 acts on a rule N days after an object is written, rounded to the next
 * midnight UTC (S3 User Guide, "Lifecycle configuration elements"), so a day's objects can be gone
 * from day N on: the last readable day is N - 1 days back.
 */
export function queryableDays(lifecycle: LifecycleDays): number {
  return Math.min(lifecycle.expirationDays, firstUnreadableTransition(lifecycle)?.days ?? Infinity) - 1;
}

/**
 * `queryableDays` as a Terraform expression, for transitions (`{ days, storage_class }` objects,
 * ascending) and an expiration given as HCL: the same rule, for the plain module.
 */
export function queryableDaysHcl(transitionsHcl: string, expirationDaysHcl: string): string {
  const unreadable = `[for t in ${transitionsHcl} : t.days if contains(${JSON.stringify(ATHENA_UNREADABLE_CLASSES)}, t.storage_class)]`;
  return `length(${unreadable}) > 0 ? min(${expirationDaysHcl}, element(${unreadable}, 0)) - 1 : ${expirationDaysHcl} - 1`;
}

type LifecycleDays = { readonly transitions: readonly { days: number; storageClass: StorageClass }[]; readonly expirationDays: number };

/** The first transition to a class Athena skips, if any (transitions are in ascending order of days). */
function firstUnreadableTransition(lifecycle: LifecycleDays): { days: number; storageClass: StorageClass } | undefined {
  return lifecycle.transitions.find((t) => ATHENA_UNREADABLE_CLASSES.includes(t.storageClass));
}

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Regions with an SES sending endpoint (AWS General Reference, SES endpoints). */
export const SES_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-south-1",
  "ap-south-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-5",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-north-1",
  "eu-south-1",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "sa-east-1",
  "us-gov-east-1",
  "us-gov-west-1",
] as const;
export type SesRegion = (typeof SES_REGIONS)[number];

const email = allowedBy(z.string().refine(isEmailAddress, RULES.email.allowed), RULES.email);

/** The rule a field follows, for the generated reference (`allowed`, which the JSON Schema for editors leaves out). */
function allowedBy<T extends z.ZodType>(schema: T, ...rules: { readonly allowed: string }[]): T {
  return schema.meta({ allowed: rules.map((r) => r.allowed).join("; ") });
}

/** A whole number within a rule's bounds: zod states them (and the JSON Schema shows them), the rule words the message. */
function wholeNumber(rule: RangeRule) {
  const n = z.number().int(rule.allowed).min(rule.min, rule.allowed);
  return allowedBy(rule.max === undefined ? n : n.max(rule.max, rule.allowed), rule);
}

/** A string matching a rule's pattern: the JSON Schema shows the pattern, the rule words the message. */
function matching(rule: PatternRule) {
  return allowedBy(z.string().regex(rule.regex, rule.allowed), rule);
}

const identity = allowedBy(
  z.string().refine((v) => isDomain(v) || isEmailAddress(v), RULES.identity.allowed),
  RULES.identity,
);

/**
 * A list without repeats, case-insensitively and by the Terraform resource
 * name each entry gets (`a.b@x.com` and `a_b@x.com` would share one).
 */
function uniqueList<T extends z.ZodType<string>>(item: T, what: string, min: number) {
  return z
    .array(item)
    .min(min)
    .superRefine((list, ctx) => {
      const seen = new Map<string, string>();
      list.forEach((value, i) => {
        const key = logicalIdSegment(value.toLowerCase());
        const earlier = seen.get(key);
        if (earlier === undefined) seen.set(key, value);
        else if (earlier.toLowerCase() === value.toLowerCase()) {
          ctx.addIssue({ code: "custom", path: [i], input: value, message: `each ${what} once; this one is listed twice` });
        } else {
          ctx.addIssue({
            code: "custom",
            path: [i],
            input: value,
            message: `an ${what} whose Terraform resource name differs from ${JSON.stringify(earlier)}'s (both become "${key}")`,
          });
        }
      });
    });
}

function percent(defaultValue: number, kind: keyof typeof PLAUSIBLE_FLOOR) {
  return z
    .number()
    .gt(0, RULES.percent.allowed)
    .lt(100, RULES.percent.allowed)
    .meta({ allowed: RULES.percent.allowed })
    .superRefine((value, ctx) => {
      const problem = implausibleLevelProblem(kind, value);
      if (problem) ctx.addIssue({ code: "custom", input: value, message: problem });
    })
    .default(defaultValue);
}

function rateLevels(warning: number, critical: number, kind: keyof typeof PLAUSIBLE_FLOOR) {
  return z
    .strictObject({
      warning: percent(warning, kind).describe(`Early warning, percent, at least ${PLAUSIBLE_FLOOR[kind].percent}; must be below \`critical\`.`),
      critical: percent(critical, kind).describe(`Critical level, percent, at least ${PLAUSIBLE_FLOOR[kind].percent}; AWS's review level by default.`),
    })
    .superRefine((levels, ctx) => {
      // Only between plausible levels: a fraction given as critical is that field's problem, not warning's.
      if (levels.warning >= levels.critical && !implausibleLevelProblem(kind, levels.critical)) {
        ctx.addIssue({
          code: "custom",
          path: ["warning"],
          input: levels.warning,
          message: `a warning level below the critical level (${levels.critical})`,
        });
      }
    })
    .prefault({});
}

const transition = z.strictObject({
  days: z.number().int().min(0).describe("Days after an object is written; at least 30 for `STANDARD_IA` and `ONEZONE_IA`."),
  storageClass: z.enum(STORAGE_CLASSES).describe("Class to move the object to."),
});

export const lifecycleSchema = z
  .strictObject({
    transitions: z
      .array(transition)
      .meta({
        description:
          "Transitions, days ascending, each to a class further down `STANDARD_IA > INTELLIGENT_TIERING > ONEZONE_IA > GLACIER_IR > GLACIER > DEEP_ARCHIVE`, after the previous class's minimum storage days. Athena skips `GLACIER` and `DEEP_ARCHIVE` objects without an error, so the Athena table stops at the first such transition (see [What Athena can read](docs/investigating-an-alarm.md#what-athena-can-read)).",
        defaultText: "30 d `STANDARD_IA`, 90 d `GLACIER_IR`",
      })
      .default([
        { days: 30, storageClass: "STANDARD_IA" },
        { days: 90, storageClass: "GLACIER_IR" },
      ]),
    expirationDays: wholeNumber(RULES.expirationDays)
      .default(730)
      .describe(
        "Days after which events are deleted: at least the last transition plus that class's minimum storage (30 IA, 90 Glacier IR / Glacier, 180 Deep Archive), which S3 bills anyway.",
      ),
    abortIncompleteMultipartUploadDays: wholeNumber(RULES.abortIncompleteMultipartUploadDays)
      .default(7)
      .describe("Days after which incomplete multipart uploads are aborted, bucket-wide."),
    noncurrentVersionExpirationDays: wholeNumber(RULES.noncurrentVersionExpirationDays)
      .default(30)
      .describe("With `archive.versioning`: days an old version is kept."),
    transitionMinimumObjectSize: z
      .enum(["all_storage_classes_128K", "varies_by_storage_class"])
      .default("all_storage_classes_128K")
      .describe(
        'S3\'s default: objects under 128 KB never transition. `"varies_by_storage_class"` lets small objects go to the Glacier classes (see [Small objects](#small-objects-and-the-lifecycle)).',
      ),
  })
  .superRefine((lc, ctx) => {
    lc.transitions.forEach((t, i) => {
      if ((t.storageClass === "STANDARD_IA" || t.storageClass === "ONEZONE_IA") && t.days < 30) {
        ctx.addIssue({
          code: "custom",
          path: ["transitions", i, "days"],
          input: t.days,
          message: `at least 30 days for ${t.storageClass} (an S3 rule)`,
        });
      }
      if (i === 0) return;
      const prev = lc.transitions[i - 1];
      if (t.days <= prev.days) {
        ctx.addIssue({
          code: "custom",
          path: ["transitions", i, "days"],
          input: t.days,
          message: `more days than the transition before it (${prev.days} days to ${prev.storageClass}); transitions are listed in ascending order`,
        });
      } else if (STORAGE_CLASSES.indexOf(t.storageClass) <= STORAGE_CLASSES.indexOf(prev.storageClass)) {
        ctx.addIssue({
          code: "custom",
          path: ["transitions", i, "storageClass"],
          input: t.storageClass,
          message: `a class after ${prev.storageClass} in S3's order ${STORAGE_CLASSES.join(" > ")}`,
        });
      } else if (t.days - prev.days < MINIMUM_STORAGE_DAYS[prev.storageClass]) {
        ctx.addIssue({
          code: "custom",
          path: ["transitions", i, "days"],
          input: t.days,
          message: `at least ${prev.days + MINIMUM_STORAGE_DAYS[prev.storageClass]} days (${prev.storageClass} keeps objects at least ${MINIMUM_STORAGE_DAYS[prev.storageClass]} days)`,
        });
      }
    });
    const last = lc.transitions[lc.transitions.length - 1];
    if (last) {
      const earliest = last.days + Math.max(1, MINIMUM_STORAGE_DAYS[last.storageClass]);
      if (lc.expirationDays < earliest) {
        ctx.addIssue({
          code: "custom",
          path: ["expirationDays"],
          input: lc.expirationDays,
          message: `at least ${earliest} days: after the last transition (${last.days} days to ${last.storageClass}) plus its minimum storage of ${MINIMUM_STORAGE_DAYS[last.storageClass]} days, which S3 bills anyway`,
        });
      }
    }
  })
  .prefault({});

const bucketName = allowedBy(
  z.string().superRefine((name, ctx) => {
    const problem = bucketNameProblem(name);
    if (problem) ctx.addIssue({ code: "custom", input: name, message: `an S3 bucket name: ${problem}` });
  }),
  { allowed: `an S3 bucket name: ${BUCKET_NAME_RULES.map((r) => r.allowed).join("; ")}` },
);

/** Free text that ends up in Terraform must not start an expression ("${...}") or a directive ("%{...}"). */
function noTemplate(value: string): boolean {
  return !/[$%]\{/.test(value);
}
const NO_TEMPLATE = "text without ${ or %{ (Terraform would read them as expressions)";

const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** `{stack}` in a state key or workspace name becomes each stack's name, so regions never share state. */
export const STACK_PLACEHOLDER = "{stack}";

const backendSchema = z
  .discriminatedUnion(
    "type",
    [
      z.strictObject({
        type: z.literal("local").meta({
          description: "`local`: `terraform.<stack>.tfstate` beside the project. `s3`: an S3 bucket. `cloud`: HCP Terraform / Terraform Enterprise.",
          defaultText: '`"local"`',
        }),
      }),
      z.strictObject({
        type: z.literal("s3"),
        bucket: bucketName.meta({ description: "State bucket (must exist).", defaultText: "required for `s3`" }),
        key: z
          .string()
          .min(1)
          .max(1024)
          .refine(noTemplate, NO_TEMPLATE)
          .default(`ses-guard/${STACK_PLACEHOLDER}.tfstate`)
          .describe("State object key; `{stack}` becomes the stack name, and is required with several regions."),
        region: z
          .string()
          .regex(AWS_REGION, "an AWS region such as eu-west-1")
          .meta({ description: "Region of the state bucket (any AWS region).", defaultText: "required for `s3`" }),
        useLockfile: z.boolean().default(true).describe("S3-native state locking (`use_lockfile`, Terraform >= 1.11)."),
        dynamodbTable: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{3,255}$/, "a DynamoDB table name (3 to 255 letters, digits, _ . -)")
          .optional()
          .describe("DynamoDB lock table, the older way; may be set together with `useLockfile` while migrating."),
        encrypt: z.boolean().default(true).describe("Server-side encryption of the state object."),
      }),
      z.strictObject({
        type: z.literal("cloud"),
        organization: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,40}$/, "an organization name: letters, digits, - and _")
          .meta({ description: "HCP Terraform organization.", defaultText: "required for `cloud`" }),
        hostname: z
          .string()
          .regex(/^[a-z0-9.-]+$/, "a host name such as app.terraform.io")
          .optional()
          .meta({ description: "Terraform Enterprise host.", defaultText: "`app.terraform.io`" }),
        workspace: z
          .string()
          .regex(/^[A-Za-z0-9_{}-]{1,90}$/, "letters, digits, - and _ (and {stack})")
          .optional()
          .meta({ description: "Workspace name; `{stack}` becomes the stack name, and is required with several regions.", defaultText: '`"{stack}"`' }),
        workspaceTags: uniqueList(z.string().regex(/^[A-Za-z0-9_:.-]{1,255}$/, "a workspace tag: letters, digits, _ : . and -"), "tag", 1)
          .optional()
          .describe("Select workspaces by tags instead of `workspace`."),
        project: z.string().min(1).max(40).refine(noTemplate, NO_TEMPLATE).optional().describe("HCP Terraform project of the workspace(s)."),
      }),
    ],
    { error: 'one of "local", "s3", "cloud" in backend.type, with that type\'s keys' },
  )
  .default({ type: "local" })
  .describe("Where Terraform keeps each stack's state: `local`, `s3` or `cloud`.");

const topicArn = z
  .string()
  .regex(new RegExp(`^arn:${PARTITION}:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}$`), "an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:my-topic");

const kmsKeyArn = z.string().superRefine((v, ctx) => {
  const problem = awsManagedKeyProblem(v) ?? kmsAliasProblem(v);
  if (problem) ctx.addIssue({ code: "custom", input: v, message: problem });
  else if (!KMS_KEY_ARN.test(v)) {
    ctx.addIssue({ code: "custom", input: v, message: RULES.kmsKeyArn.allowed });
  }
});

const existingSchema = z
  .strictObject({
    alarmTopicArns: z
      .partialRecord(z.enum(SES_REGIONS), topicArn)
      .default({})
      .describe(
        'Per region (`{"us-east-1": "arn:aws:sns:..."}`), a topic the alarms notify. The topic must be in that region; its policy must let `cloudwatch.amazonaws.com` publish (your job, since the topic is not ours).',
      ),
    notificationTopicArns: z
      .partialRecord(z.enum(SES_REGIONS), topicArn)
      .default({})
      .describe("Per region, a topic for identity notifications; its policy must let `ses.amazonaws.com` publish."),
    bucketName: bucketName
      .optional()
      .describe(
        "An archive bucket in any region that every region's stream writes to. ses-guard creates the Firehose role's permission to write to it; the bucket's own policy, encryption and lifecycle are yours.",
      ),
    configurationSetName: matching(RULES.configurationSetName)
      .optional()
      .describe("A configuration set (same name in every region): ses-guard adds only its event destination and the role SES uses."),
  })
  .prefault({})
  .describe("Resources you already have and keep managing yourself: ses-guard references them instead of creating them.");

/** What each adoptable resource's import ID looks like. */
export const ADOPT_ID_SHAPES = {
  alarmTopic: "the topic ARN",
  notificationTopic: "the topic ARN",
  archiveBucket: "the bucket name",
  configurationSet: "the configuration set name",
  deliveryStream: "the delivery stream ARN",
  logGroup: "the log group name",
  firehoseRole: "the IAM role name",
  sesRole: "the IAM role name",
} as const;
export type AdoptKey = keyof typeof ADOPT_ID_SHAPES;

const adoptSchema = z.strictObject({
  alarmTopic: topicArn.optional().describe("ARN of the topic `<name>-alarms`."),
  notificationTopic: topicArn.optional().describe("ARN of the topic `<name>-notifications`."),
  archiveBucket: bucketName.optional().describe("Name of the archive bucket (only in the region that holds it)."),
  configurationSet: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "a configuration set name")
    .optional()
    .describe("Name of the configuration set."),
  deliveryStream: z
    .string()
    .regex(new RegExp(`^arn:${PARTITION}:firehose:[a-z0-9-]+:\\d{12}:deliverystream/[A-Za-z0-9._-]{1,64}$`), "a Firehose delivery stream ARN")
    .optional()
    .describe("ARN of the stream `<name>-events`."),
  logGroup: z
    .string()
    .regex(/^[A-Za-z0-9_\-/.#]{1,512}$/, "a log group name")
    .optional()
    .describe("`/aws/kinesisfirehose/<name>-events`."),
  firehoseRole: z
    .string()
    .regex(/^[A-Za-z0-9+=,.@_-]{1,64}$/, "an IAM role name")
    .optional()
    .describe("`<name>-firehose-<region>`."),
  sesRole: z
    .string()
    .regex(/^[A-Za-z0-9+=,.@_-]{1,64}$/, "an IAM role name")
    .optional()
    .describe("`<name>-ses-publisher-<region>`."),
});

const suppressionReasons = uniqueList(z.enum(SUPPRESSION_REASONS), "reason", 0);

const investigationSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Create them, in the stack that holds the archive bucket (the home region's for a shared or an existing bucket, each region's with `archive.bucketPerRegion`).",
      ),
    lookbackDays: wholeNumber(RULES.investigationLookbackDays)
      .default(7)
      .describe(
        "Days the saved queries look back, at most the days Athena can read (before the first `GLACIER` or `DEEP_ARCHIVE` transition, and before the expiration); edit the `INTERVAL` in Athena for one run.",
      ),
    bytesScannedCutoffPerQueryMiB: z
      .number()
      .int()
      .min(RULES.bytesScannedCutoffMin.min, RULES.bytesScannedCutoffMin.allowed)
      .max(RULES.bytesScannedCutoffMax.max, RULES.bytesScannedCutoffMax.allowed)
      .meta({ allowed: `${RULES.bytesScannedCutoffMin.allowed}; ${RULES.bytesScannedCutoffMax.allowed}` })
      .default(10240)
      .describe("Athena cancels a query of the workgroup once it has scanned this many MiB."),
    resultsExpirationDays: wholeNumber(RULES.investigationResultsExpirationDays)
      .default(30)
      .describe("Days after which query results, which hold recipient addresses, are deleted."),
    resultsBucketName: bucketName.optional().meta({
      description: "Athena results bucket (S3 naming rules). Not with `archive.bucketPerRegion` and several regions, and not the archive or access-log bucket.",
      defaultText: "`<name>-athena-<accountId>-<region>`",
    }),
    campaignTag: matching(RULES.campaignTag)
      .default("campaign")
      .describe(
        "Message tag (SES `Tags`, `X-SES-MESSAGE-TAGS`) naming the campaign; one saved query groups bounce rates by it. Matched without regard to case (`Campaign` and `campaign` are the same tag).",
      ),
  })
  .prefault({})
  .describe(
    "Query the archive with Athena: a Glue table with partition projection, a workgroup, its results bucket and saved queries (see [Investigating an alarm](#investigating-an-alarm)).",
  );

const suppressionSchema = z
  .strictObject({
    accountLevel: suppressionReasons
      .nullable()
      .default(null)
      .describe(
        "`BOUNCE`, `COMPLAINT`: why SES adds an address to the account-level suppression list, set in every configured region (it is regional). `[]` turns automatic suppression off (with a synth warning). `null` leaves the account's setting alone.",
      ),
    configurationSet: suppressionReasons
      .nullable()
      .default(null)
      .describe(
        "The configuration set's own reasons, overriding the account level for mail sent with it (`[]`: no automatic suppression for it). `null`: the set follows the account level. Not with `existing.configurationSetName`.",
      ),
  })
  .prefault({})
  .describe("SES suppression lists (see [Suppression](docs/investigating-an-alarm.md#suppression-the-account-level-list-and-the-archive)).");

/** Regions with the Amazon Q Developer in chat applications API (AWS General Reference, its endpoints page). */
export const CHATBOT_API_REGIONS = ["us-east-2", "us-west-2", "eu-west-1", "ap-southeast-1"] as const;

/** Whether the SES events are relayed to chat: `chat.enabled`, or a channel listed. */
export function chatEnabled(cfg: Pick<SesGuardConfig, "chat">): boolean {
  return cfg.chat.enabled ?? cfg.chat.slackChannels.length + cfg.chat.teamsChannels.length > 0;
}

/**
 * The topics every channel configuration subscribes to: each region's alarm topic (the user's own
 * where existing.alarmTopicArns names one) and SES-events topic, home region first. A configuration
 * takes topics from several regions (Amazon Q Developer in chat applications Administrator Guide,
 * "Regions and quotas", Supported Regions).
 */
export function chatTopicArns(cfg: Pick<SesGuardConfig, "name" | "accountId" | "regions" | "existing">): string[] {
  return cfg.regions.flatMap((region) => {
    const topic = (name: string) => `arn:${partitionOf(region)}:sns:${region}:${cfg.accountId}:${name}`;
    return [cfg.existing.alarmTopicArns[region] ?? topic(regionNames(cfg.name, region).alarmTopic), topic(sesEventsTopicName(cfg.name))];
  });
}

/** Channels whose configuration the user already has (`configurationArn`): ses-guard creates none for them. */
export function existingChatConfigurations(cfg: Pick<SesGuardConfig, "chat">): string[] {
  return [...cfg.chat.slackChannels, ...cfg.chat.teamsChannels].flatMap((c) => (c.configurationArn ? [c.configurationArn] : []));
}

/** Where a region's channel configurations are created: the region itself when the API is there. */
export function chatApiRegionFor(cfg: Pick<SesGuardConfig, "chat">, region: string): string {
  return cfg.chat.apiRegion ?? ((CHATBOT_API_REGIONS as readonly string[]).includes(region) ? region : "us-east-2");
}

const slackChannel = z.strictObject({
  name: matching(RULES.chatChannelName).describe("Short name, unique among the channels: part of the channel configuration's name."),
  workspaceId: matching(RULES.slackWorkspaceId).describe("The Slack workspace (team) ID."),
  channelId: matching(RULES.slackChannelId).describe("The channel ID."),
  configurationArn: matching(RULES.chatConfigurationArn)
    .optional()
    .describe(
      "The channel's existing Amazon Q Developer configuration, in this account (a channel has one per account): ses-guard then creates none, and names the topics to add to it (synth warning, `chat_topic_arns` output).",
    ),
});

const teamsChannel = z.strictObject({
  name: matching(RULES.chatChannelName).describe("Short name, unique among the channels."),
  tenantId: matching(RULES.teamsTenantId).describe("Microsoft Entra tenant ID."),
  teamId: matching(RULES.teamsTeamId).describe("Team ID."),
  channelId: matching(RULES.teamsChannelId).describe("Channel ID."),
  configurationArn: matching(RULES.chatConfigurationArn).optional().describe("The channel's existing configuration, the same way as for Slack."),
});

const chatSchema = z
  .strictObject({
    enabled: z.boolean().optional().meta({
      description:
        "Relay the SES events (`sesEventTypes`) to the `ses_events_topic_arn` topic. `true` without channels: for a channel configuration of your own (subscribe it to that topic and the alarm topic).",
      defaultText: "`true` when a channel is listed",
    }),
    slackChannels: z
      .array(slackChannel)
      .default([])
      .describe(
        "Slack channels (`name`, `workspaceId`, `channelId`) that receive the alarms and the SES events as native messages; the workspace must be authorized once in the Amazon Q Developer console (see [From alarm to action](#from-alarm-to-action)).",
      ),
    teamsChannels: z.array(teamsChannel).default([]).describe("Microsoft Teams channels (`name`, `tenantId`, `teamId`, `channelId`), the same way."),
    sesEventTypes: uniqueList(z.enum(CHAT_EVENT_TYPES), "event type", 1)
      .default([...DEFAULT_CHAT_EVENT_TYPES])
      .meta({ description: `SES events relayed to chat: any of ${CHAT_EVENT_TYPES.join(", ")}.`, defaultText: "`PERMANENT_BOUNCE, COMPLAINT`" }),
    apiRegion: z
      .enum(CHATBOT_API_REGIONS)
      .optional()
      .meta({
        description: `Region of the channel configurations: the Amazon Q Developer in chat applications API is only in ${CHATBOT_API_REGIONS.join(", ")} (the topics can be anywhere).`,
        defaultText: "the stack's region when the API is there, otherwise `us-east-2`",
      }),
  })
  .prefault({})
  .superRefine((chat, ctx) => {
    if (chat.enabled === false && chat.slackChannels.length + chat.teamsChannels.length > 0) {
      ctx.addIssue({ code: "custom", path: ["enabled"], input: false, message: "true (or unset) while channels are listed: they would receive no SES events" });
    }
    const seen = new Set<string>();
    [
      ...chat.slackChannels.map((c, i) => ["slackChannels", i, c.name] as const),
      ...chat.teamsChannels.map((c, i) => ["teamsChannels", i, c.name] as const),
    ].forEach(([list, i, name]) => {
      if (seen.has(name)) ctx.addIssue({ code: "custom", path: [list, i, "name"], input: name, message: "a name no other chat channel has" });
      seen.add(name);
    });
    // A channel has one configuration per account ("... has already been configured for AWS account"),
    // and that one configuration subscribes to every region's topics: a channel listed twice is a mistake.
    for (const list of ["slackChannels", "teamsChannels"] as const) {
      const ids = new Set<string>();
      chat[list].forEach((c, i) => {
        if (ids.has(c.channelId)) {
          ctx.addIssue({
            code: "custom",
            path: [list, i, "channelId"],
            input: c.channelId,
            message: "a channel ID listed once: a channel has one configuration per account, which receives every region",
          });
        }
        ids.add(c.channelId);
      });
    }
  })
  .describe("Alarms and SES events in Slack or Microsoft Teams through Amazon Q Developer in chat applications (on when a channel is listed).");

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path or URL of this file's JSON Schema, for editors."),
    name: z
      .string()
      .regex(RULES.namePrefix.regex, RULES.namePrefix.allowed)
      .refine(RULES.namePrefixHyphens.holds, RULES.namePrefixHyphens.allowed)
      .meta({ allowed: `${RULES.namePrefix.allowed}; ${RULES.namePrefixHyphens.allowed}` })
      .default("ses-guard")
      .describe("Prefix of every resource name and of the stack name."),
    accountId: matching(RULES.accountId).describe(
      "The 12-digit AWS account that sends. Trust and topic policies are scoped to it (an offline plan cannot look it up).",
    ),
    regions: uniqueList(z.enum(SES_REGIONS), "region", 1)
      .default(["us-east-1"])
      .describe(
        "The SES regions guarded, one stack each (`<name>-<region>`). The first is the home region: it holds the archive bucket when one bucket is shared. Regions without SES are rejected.",
      ),
    backend: backendSchema,
    tags: z.record(matching(RULES.tagKey), matching(RULES.tagValue)).default({}).describe("Tags on every resource (provider `default_tags`)."),
    alarms: z
      .strictObject({
        emails: uniqueList(email, "address", 1).describe("Addresses e-mailed when an alarm changes state (at least one; each must confirm)."),
        bounceRatePercent: rateLevels(2, 5, "bounce").describe("Bounce-rate levels in percent. AWS reviews at 5 %, may pause at 10 %."),
        complaintRatePercent: rateLevels(0.05, 0.1, "complaint").describe("Complaint-rate levels in percent. AWS reviews at 0.1 %, may pause at 0.5 %."),
        periodSeconds: z
          .number()
          .int()
          .refine(RULES.alarmPeriodSeconds.holds, RULES.alarmPeriodSeconds.allowed)
          .meta({ allowed: RULES.alarmPeriodSeconds.allowed })
          .default(900)
          .describe("Length of one evaluation period, in seconds. Statistic: `Maximum`."),
        evaluationPeriods: wholeNumber(RULES.evaluationPeriods)
          .default(1)
          .describe("Periods that must breach before an alarm fires; `periodSeconds` x `evaluationPeriods` at most 86400."),
      })
      .superRefine((a, ctx) => {
        // CloudWatch evaluates at most one day of data.
        if (a.periodSeconds * a.evaluationPeriods > 86400) {
          ctx.addIssue({
            code: "custom",
            path: ["evaluationPeriods"],
            input: a.evaluationPeriods,
            message: `at most ${Math.floor(86400 / a.periodSeconds)} periods of ${a.periodSeconds} s (periodSeconds x evaluationPeriods <= 86400)`,
          });
        }
      })
      .describe("Reputation alarms."),
    archive: z
      .strictObject({
        bucketName: bucketName.optional().meta({
          description: "Archive bucket (S3 naming rules; no dots, since they break TLS for virtual-hosted requests).",
          defaultText: "`<name>-events-<accountId>-<region>`",
        }),
        bucketPerRegion: z.boolean().optional().meta({
          description:
            "One bucket per region (`<name>-events-<accountId>-<region>`). `false`: one bucket in the home region that every region's stream writes to, across regions (not in AWS's Firehose documentation, billed as inter-region transfer; a synth-time warning).",
          defaultText: "`true` with several regions, unless `archive.bucketName` or `existing.bucketName` names one bucket",
        }),
        preventDestroy: z
          .boolean()
          .default(true)
          .describe(
            "`lifecycle { prevent_destroy = true }` on the bucket, the delivery stream, the KMS key ses-guard creates and the Glue catalog: Terraform refuses any plan that would destroy them. Set `false` only to tear the archive down on purpose.",
          ),
        versioning: z
          .boolean()
          .default(false)
          .describe("Keep old versions of overwritten or deleted objects; they expire after `lifecycle.noncurrentVersionExpirationDays`."),
        accessLogging: z
          .strictObject({
            bucketName: bucketName.describe("An existing bucket that receives the access logs."),
            prefix: matching(RULES.accessLogPrefix).optional().meta({ description: "Key prefix of the logs.", defaultText: "`s3-access/<archive bucket>/`" }),
          })
          .optional()
          .meta({ description: "S3 server access logging of the archive bucket.", defaultText: "off" }),
        eventTypes: uniqueList(z.enum(SES_EVENT_TYPES), "event type", 1)
          .default([...DEFAULT_EVENT_TYPES])
          .meta({
            description: "Event types archived; any of those plus `OPEN`, `CLICK`, `SUBSCRIPTION`.",
            defaultText: "`SEND, REJECT, BOUNCE, COMPLAINT, DELIVERY, DELIVERY_DELAY, RENDERING_FAILURE`",
          }),
        bufferingIntervalSeconds: wholeNumber(RULES.bufferingIntervalSeconds)
          .default(900)
          .describe("Firehose writes an object at least this often, in seconds. Longer means fewer, larger objects."),
        bufferingSizeMiB: wholeNumber(RULES.bufferingSizeMiB).default(128).describe("Firehose writes an object once this many MiB are buffered."),
        lifecycle: lifecycleSchema.describe("Bucket lifecycle, validated against S3's rules."),
        logRetentionDays: z
          .number()
          .int()
          .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), `one of ${LOG_RETENTION_DAYS.join(", ")}`)
          .default(30)
          .describe("Retention of the Firehose error log group (a value CloudWatch Logs accepts)."),
      })
      .prefault({})
      .describe("The event archive: Firehose stream and S3 bucket."),
    configurationSet: z
      .strictObject({
        name: matching(RULES.configurationSetName)
          .optional()
          .meta({ description: "Configuration set name; senders pass it with each message.", defaultText: "`<name>`" }),
        requireTls: z.boolean().default(true).describe("TLS policy `REQUIRE`: SES delivers only over TLS. `false` sets `OPTIONAL`."),
        reputationAlarms: z
          .boolean()
          .default(true)
          .describe(
            "Warning and critical alarms on the set's own bounce and complaint rates (`ses:configuration-set` dimension), at the `alarms` levels. SES publishes them for a set with reputation metrics enabled, as ses-guard's set has.",
          ),
      })
      .prefault({})
      .describe("The SES v2 configuration set whose events are archived."),
    notifications: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Create the notification topic and the identity notification topics."),
        identities: z
          .union([uniqueList(identity, "identity", 0), z.partialRecord(z.enum(SES_REGIONS), uniqueList(identity, "identity", 0))], {
            error: "a list of SES identities (domains or addresses) for every region, or an object of such lists by region",
          })
          .default([])
          .meta({
            description:
              'SES identities (domains or addresses, ASCII; punycode for international domains): a list for every region, or per region an object of lists (`{ "eu-west-1": ["example.eu"] }`; a region left out gets no notification topic). Each must be verified in that region, and its existing bounce or complaint topic is replaced (see [Before you apply](#before-you-apply)).',
            defaultText: "`[]` (at least one while enabled)",
          }),
        types: uniqueList(z.enum(NOTIFICATION_TYPES), "notification type", 1)
          .default(["Bounce", "Complaint"])
          .describe("Any of `Bounce`, `Complaint`, `Delivery`."),
        emails: uniqueList(email, "address", 0)
          .optional()
          .meta({ description: "Subscribers of the notification topic, e.g. a Slack channel's address.", defaultText: "`alarms.emails`" }),
        includeOriginalHeaders: z.boolean().default(true).describe("Include the original message headers in each notification."),
      })
      .prefault({})
      .describe("Per-message notifications."),
    encryption: z
      .strictObject({
        kmsKeyArns: z.partialRecord(z.enum(SES_REGIONS), kmsKeyArn).default({}).meta({
          description:
            "Per region, an existing customer-managed key to use instead, by its key ARN (`...:key/<id>`): alias ARNs are refused, since IAM policies cannot name a key by alias. `alias/aws/sns` and other AWS-managed keys are refused: their policies cannot let CloudWatch or SES encrypt, so alarms would silently never arrive. Your key's policy must let `cloudwatch.amazonaws.com` and `ses.amazonaws.com` (and `events.amazonaws.com`, with chat channels or auto-pause) use `kms:Decrypt` and `kms:GenerateDataKey*`.",
          defaultText: "`{}` (a key is created per region)",
        }),
        archive: z
          .boolean()
          .default(false)
          .describe(
            "Also encrypt the archive with the key: bucket SSE-KMS (with a bucket key) and Firehose server-side encryption with the key. Needs one bucket per region when there are several regions (keys are regional).",
          ),
      })
      .prefault({})
      .describe("Customer-managed KMS encryption. SNS topics ses-guard creates are always encrypted with a customer-managed key."),
    existing: existingSchema,
    adopt: z
      .partialRecord(z.enum(SES_REGIONS), adoptSchema)
      .default({})
      .describe(
        "Per region, resources that exist and should come under ses-guard's management: emitted as `import` blocks, so the first plan imports them instead of creating them. Each ID must be the one ses-guard would manage there (same name, region and account).",
      ),
    investigation: investigationSchema,
    suppression: suppressionSchema,
    chat: chatSchema,
    autoPause: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            "When a critical reputation alarm goes to ALARM, an EventBridge rule starts an SSM Automation runbook that pauses sending, before AWS does; announced on the alarm topic. Resume with the resume runbook.",
          ),
        scope: z
          .enum(PAUSE_SCOPES)
          .default("configurationSet")
          .describe(
            "`configurationSet`: pause the configuration set, on its own critical alarms (needs `configurationSet.reputationAlarms`). `account`: pause the account in the region, on the account's.",
          ),
      })
      .prefault({})
      .describe("Automatic pause at the critical level (see [From alarm to action](#from-alarm-to-action))."),
    dashboard: z
      .strictObject({
        enabled: z.boolean().default(true).describe("One CloudWatch dashboard per region: rates with their levels, volume, archive health, alarms."),
      })
      .prefault({})
      .describe("The CloudWatch dashboard (`dashboard_url` output)."),
  })
  // Several regions get a bucket each unless one bucket is named: Firehose's documentation does
  // not list cross-region delivery to S3 (Amazon Data Firehose Developer Guide, "Understand delivery
  // across AWS accounts and regions": HTTP endpoints only).
  .transform((cfg) => ({
    ...cfg,
    archive: {
      ...cfg.archive,
      bucketPerRegion: cfg.archive.bucketPerRegion ?? (cfg.regions.length > 1 && !cfg.archive.bucketName && !cfg.existing.bucketName),
    },
  }))
  .superRefine((cfg, ctx) => {
    checkRegionalKeys(cfg, ctx);
    checkBackend(cfg, ctx);
    checkNotificationIdentities(cfg, ctx);
    if (!cfg.archive.bucketName && !cfg.existing.bucketName) {
      for (const region of cfg.archive.bucketPerRegion ? cfg.regions : cfg.regions.slice(0, 1)) {
        const derived = defaultBucketName(cfg.name, cfg.accountId, region);
        const problem = bucketNameProblem(derived);
        if (problem) {
          ctx.addIssue({
            code: "custom",
            path: ["name"],
            input: cfg.name,
            message: `a name that makes a valid default bucket name, but "${derived}" breaks S3's rules (${problem}); change name or set archive.bucketName`,
          });
          break;
        }
      }
    }
    if (cfg.archive.bucketPerRegion && cfg.archive.bucketName && cfg.regions.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["archive", "bucketName"],
        input: cfg.archive.bucketName,
        message: "no fixed bucket name with archive.bucketPerRegion and several regions (bucket names are global); leave it unset to get one name per region",
      });
    }
    if (cfg.existing.bucketName && (cfg.archive.bucketName || cfg.archive.bucketPerRegion)) {
      ctx.addIssue({
        code: "custom",
        path: ["existing", "bucketName"],
        input: cfg.existing.bucketName,
        message: "an existing bucket without archive.bucketName or archive.bucketPerRegion (ses-guard then creates no bucket)",
      });
    }
    checkInvestigation(cfg, ctx);
    checkChatConfigurations(cfg, ctx);
    if (cfg.autoPause.enabled && !RULES.runbookNamePrefix.holds(cfg.name)) {
      ctx.addIssue({ code: "custom", path: ["name"], input: cfg.name, message: RULES.runbookNamePrefix.allowed });
    }
    if (cfg.autoPause.enabled && cfg.autoPause.scope === "configurationSet" && !cfg.configurationSet.reputationAlarms) {
      ctx.addIssue({
        code: "custom",
        path: ["autoPause", "scope"],
        input: cfg.autoPause.scope,
        message: '"account", or configurationSet.reputationAlarms true: a configuration set is paused on its own alarms',
      });
    }
    if (cfg.suppression.configurationSet !== null && cfg.existing.configurationSetName) {
      ctx.addIssue({
        code: "custom",
        path: ["suppression", "configurationSet"],
        input: cfg.suppression.configurationSet,
        message:
          "null with existing.configurationSetName: that configuration set is yours, so are its suppression options (suppression.accountLevel still applies)",
      });
    }
  });

/** The config file as written (before defaults). */
export type SesGuardConfigInput = z.input<typeof configSchema>;
/** The validated config with every default filled in. */
export type SesGuardConfig = z.output<typeof configSchema>;

/**
 * The identities whose notification topics a region sets. SES accepts a topic only for an identity
 * verified in that region (SES Developer Guide, "Configuring Amazon SNS notifications for Amazon SES"),
 * so a per-region object lists each region's own; a plain list applies to every region.
 */
export function notificationIdentitiesFor(cfg: Pick<SesGuardConfig, "notifications">, region: string): readonly string[] {
  const ids = cfg.notifications.identities;
  if (Array.isArray(ids)) return ids;
  return (ids as Partial<Record<string, readonly string[]>>)[region] ?? [];
}

function checkNotificationIdentities(cfg: SesGuardConfig, ctx: Ctx): void {
  const ids = cfg.notifications.identities;
  const issue = (path: PropertyKey[], input: unknown, message: string) => ctx.addIssue({ code: "custom", path, input, message });
  if (!Array.isArray(ids)) {
    const unguarded = Object.entries(ids).filter(([region]) => !(cfg.regions as readonly string[]).includes(region));
    for (const [region, list] of unguarded) issue(["notifications", "identities", region], list, `a key from regions (${cfg.regions.join(", ")})`);
    // A region key that is wrong is the one problem to name: fixing it may be all that is missing.
    if (unguarded.length) return;
  }
  if (!cfg.notifications.enabled) return;
  if (cfg.regions.every((r) => notificationIdentitiesFor(cfg, r).length === 0)) {
    issue(["notifications", "identities"], ids, "at least one SES identity while notifications are enabled (or set notifications.enabled to false)");
  }
}

/** The archive bucket a region's stream writes to: its own, the home region's, or the user's. */
export function archiveBucketFor(cfg: SesGuardConfig, region: string): { name: string; home: string; created: boolean } {
  if (cfg.existing.bucketName) return { name: cfg.existing.bucketName, home: cfg.regions[0], created: false };
  const home = cfg.archive.bucketPerRegion ? region : cfg.regions[0];
  return { name: cfg.archive.bucketName ?? defaultBucketName(cfg.name, cfg.accountId, home), home, created: true };
}

/**
 * The Athena catalog over the archive lives with the bucket: in the stack that creates it, or,
 * for the user's bucket (existing.bucketName), in the home region. A stack that writes to the
 * home region's shared bucket has none: the home region's table covers every region through its
 * `region` partition. Undefined when investigation is off or this stack holds no catalog.
 */
export function catalogFor(cfg: SesGuardConfig, region: string): { bucket: string; regions: readonly string[]; resultsBucket: string } | undefined {
  if (!cfg.investigation.enabled) return undefined;
  const bucket = archiveBucketFor(cfg, region);
  if (bucket.home !== region) return undefined;
  return {
    bucket: bucket.name,
    regions: cfg.archive.bucketPerRegion && !cfg.existing.bucketName ? [region] : cfg.regions,
    resultsBucket: cfg.investigation.resultsBucketName ?? defaultResultsBucketName(cfg.name, cfg.accountId, region),
  };
}

type Ctx = z.core.$RefinementCtx<SesGuardConfig>;

/** An existing channel configuration must be this account's: it is the one the account's channel has. */
function checkChatConfigurations(cfg: SesGuardConfig, ctx: Ctx): void {
  for (const list of ["slackChannels", "teamsChannels"] as const) {
    cfg.chat[list].forEach((c, i) => {
      const account = c.configurationArn?.split(":")[4];
      if (account !== undefined && account !== cfg.accountId) {
        ctx.addIssue({
          code: "custom",
          path: ["chat", list, i, "configurationArn"],
          input: c.configurationArn,
          message: `a configuration of account ${cfg.accountId} (accountId): ses-guard's topics are that account's`,
        });
      }
    });
  }
}

function checkInvestigation(cfg: SesGuardConfig, ctx: Ctx): void {
  const inv = cfg.investigation;
  const issue = (path: PropertyKey[], input: unknown, message: string) => ctx.addIssue({ code: "custom", path, input, message });
  if (!inv.enabled) return;
  const readable = queryableDays(cfg.archive.lifecycle);
  if (inv.lookbackDays > readable) {
    const archived = firstUnreadableTransition(cfg.archive.lifecycle);
    issue(
      ["investigation", "lookbackDays"],
      inv.lookbackDays,
      archived && archived.days <= cfg.archive.lifecycle.expirationDays
        ? `at most ${readable}: events older than that are in ${archived.storageClass} (archive.lifecycle.transitions, day ${archived.days}), which Athena skips without an error; transition later, or to GLACIER_IR, which Athena reads`
        : `at most ${readable}: archive.lifecycle.expirationDays (${cfg.archive.lifecycle.expirationDays}) deletes older events`,
    );
  }
  const catalogRegions = cfg.regions.filter((r) => catalogFor(cfg, r));
  if (inv.resultsBucketName) {
    if (catalogRegions.length > 1) {
      issue(
        ["investigation", "resultsBucketName"],
        inv.resultsBucketName,
        "no fixed results bucket name with archive.bucketPerRegion and several regions (bucket names are global); leave it unset to get one name per region",
      );
    }
    const archiveNames = cfg.regions.map((r) => archiveBucketFor(cfg, r).name);
    if (archiveNames.includes(inv.resultsBucketName) || cfg.archive.accessLogging?.bucketName === inv.resultsBucketName) {
      issue(["investigation", "resultsBucketName"], inv.resultsBucketName, resultsBucketOwnText("resultsExpirationDays"));
    }
    return;
  }
  for (const region of catalogRegions) {
    const derived = defaultResultsBucketName(cfg.name, cfg.accountId, region);
    const problem = bucketNameProblem(derived);
    if (problem) {
      issue(
        ["name"],
        cfg.name,
        `a name that makes a valid Athena results bucket name, but "${derived}" breaks S3's rules (${problem}); change name or set investigation.resultsBucketName`,
      );
      return;
    }
  }
}

function arnParts(arn: string): { region: string; account: string; resource: string } {
  const [, , , region, account, ...rest] = arn.split(":");
  return { region, account, resource: rest.join(":") };
}

/** Per-region maps name configured regions, and regional ARNs live in the region they are listed under. */
function checkRegionalKeys(cfg: SesGuardConfig, ctx: Ctx): void {
  const regions = cfg.regions as readonly string[];
  const issue = (path: PropertyKey[], input: unknown, message: string) => ctx.addIssue({ code: "custom", path, input, message });
  for (const key of ["alarmTopicArns", "notificationTopicArns"] as const) {
    for (const [region, arn] of Object.entries(cfg.existing[key]) as Array<[SesRegion, string]>) {
      if (!regions.includes(region)) issue(["existing", key, region], arn, `a key from regions (${regions.join(", ")})`);
      else if (arnParts(arn as string).region !== region) issue(["existing", key, region], arn, `a topic in ${region} (SNS topics are regional)`);
    }
  }
  for (const [region, arn] of Object.entries(cfg.encryption.kmsKeyArns) as Array<[SesRegion, string]>) {
    if (!regions.includes(region)) issue(["encryption", "kmsKeyArns", region], arn, `a key from regions (${regions.join(", ")})`);
    else if (arnParts(arn).region !== region) issue(["encryption", "kmsKeyArns", region], arn, kmsKeyRegionText(region));
  }
  if (cfg.encryption.archive && regions.length > 1 && !cfg.archive.bucketPerRegion) {
    issue(
      ["encryption", "archive"],
      true,
      "false with one bucket shared by several regions (a KMS key serves one region); set archive.bucketPerRegion to encrypt each region's bucket with its own key",
    );
  }
  if (cfg.encryption.archive && cfg.existing.bucketName) {
    issue(["encryption", "archive"], true, "false with existing.bucketName: the bucket's encryption is yours to set");
  }
  if (!cfg.notifications.enabled && Object.keys(cfg.existing.notificationTopicArns).length) {
    issue(["existing", "notificationTopicArns"], cfg.existing.notificationTopicArns, "no topics while notifications.enabled is false");
  }

  for (const [region, adopt] of Object.entries(cfg.adopt) as Array<[SesRegion, (typeof cfg.adopt)[SesRegion]]>) {
    if (!adopt) continue;
    const at = (k: string) => ["adopt", region, k];
    if (!regions.includes(region)) {
      issue(["adopt", region], adopt, `a key from regions (${regions.join(", ")})`);
      continue;
    }
    const names = regionNames(cfg.name, region, cfg.existing.configurationSetName ?? cfg.configurationSet.name);
    const expectArn = (k: AdoptKey, arn: string | undefined, resource: string) => {
      if (arn === undefined) return;
      const p = arnParts(arn);
      if (p.region !== region || p.account !== cfg.accountId || p.resource !== resource) {
        issue(at(k), arn, `${ADOPT_ID_SHAPES[k]} of the resource ses-guard manages here: region ${region}, account ${cfg.accountId}, ${resource}`);
      }
    };
    const expectName = (k: AdoptKey, id: string | undefined, name: string) => {
      if (id !== undefined && id !== name)
        issue(at(k), id, `${JSON.stringify(name)}, ${ADOPT_ID_SHAPES[k]} ses-guard manages here (an import under another name would be replaced)`);
    };
    const notOurs = (k: AdoptKey, id: string | undefined, why: string | undefined) => {
      if (id !== undefined && why) issue(at(k), id, `nothing: ${why}`);
    };

    notOurs(
      "alarmTopic",
      adopt.alarmTopic,
      cfg.existing.alarmTopicArns[region] && "existing.alarmTopicArns names this region's topic, which ses-guard does not manage",
    );
    expectArn("alarmTopic", adopt.alarmTopic, names.alarmTopic);
    notOurs(
      "notificationTopic",
      adopt.notificationTopic,
      !cfg.notifications.enabled
        ? "notifications are disabled"
        : cfg.existing.notificationTopicArns[region] && "existing.notificationTopicArns names this region's topic",
    );
    expectArn("notificationTopic", adopt.notificationTopic, names.notificationTopic);
    const bucket = archiveBucketFor(cfg, region);
    notOurs(
      "archiveBucket",
      adopt.archiveBucket,
      !bucket.created
        ? "existing.bucketName is used, which ses-guard does not manage"
        : bucket.home !== region
          ? `the shared bucket is managed by the home region ${bucket.home}`
          : undefined,
    );
    expectName("archiveBucket", adopt.archiveBucket, bucket.name);
    notOurs(
      "configurationSet",
      adopt.configurationSet,
      cfg.existing.configurationSetName && "existing.configurationSetName is used, which ses-guard does not manage",
    );
    expectName("configurationSet", adopt.configurationSet, names.configurationSet);
    expectArn("deliveryStream", adopt.deliveryStream, `deliverystream/${names.deliveryStream}`);
    expectName("logGroup", adopt.logGroup, names.logGroup);
    expectName("firehoseRole", adopt.firehoseRole, names.firehoseRole);
    expectName("sesRole", adopt.sesRole, names.sesRole);
  }
}

function checkBackend(cfg: SesGuardConfig, ctx: Ctx): void {
  const b = cfg.backend;
  const several = cfg.regions.length > 1;
  if (b.type === "s3" && several && !b.key.includes(STACK_PLACEHOLDER)) {
    ctx.addIssue({
      code: "custom",
      path: ["backend", "key"],
      input: b.key,
      message: `a key containing ${STACK_PLACEHOLDER} when there are several regions, so each stack keeps its own state`,
    });
  }
  if (b.type === "cloud") {
    if (b.workspace && b.workspaceTags) {
      ctx.addIssue({ code: "custom", path: ["backend", "workspaceTags"], input: b.workspaceTags, message: "either workspace or workspaceTags, not both" });
    }
    if (b.workspace && several && !b.workspace.includes(STACK_PLACEHOLDER)) {
      ctx.addIssue({
        code: "custom",
        path: ["backend", "workspace"],
        input: b.workspace,
        message: `a workspace name containing ${STACK_PLACEHOLDER} when there are several regions, so each stack keeps its own state`,
      });
    }
    if (b.workspace && /[{}]/.test(b.workspace.split(STACK_PLACEHOLDER).join(""))) {
      ctx.addIssue({ code: "custom", path: ["backend", "workspace"], input: b.workspace, message: `braces only as ${STACK_PLACEHOLDER}` });
    }
  }
}

/** Config problems are user errors: shown one line per problem, never as a stack trace. */
export class ConfigError extends Error {
  /** Every problem, one line each; `message` stays one line (the first, and how many more) for callers that show one. */
  readonly problems: readonly string[];

  constructor(
    message: string,
    problems: readonly string[] = [message],
    readonly source?: string,
  ) {
    super(message);
    this.name = "ConfigError";
    this.problems = problems;
  }

  /** One error for several problems found in `source`. */
  static of(problems: readonly string[], source?: string): ConfigError {
    const more = problems.length - 1;
    return new ConfigError(problems[0] + (more ? ` (${more} more problem${more > 1 ? "s" : ""} after this one)` : ""), problems, source);
  }
}

/** The CLI shows this many problems, then how many more: enough to fix a file in one go, not a wall of text. */
export const MAX_PROBLEMS_SHOWN = 10;

/** The lines to show for a ConfigError: each problem up to `cap`, then one line counting the rest. */
export function problemLines(error: ConfigError, cap = MAX_PROBLEMS_SHOWN): string[] {
  const hidden = error.problems.length - cap;
  if (hidden <= 0) return [...error.problems];
  const where = error.source ? `${error.source}: ` : "";
  return [...error.problems.slice(0, cap), `${where}... and ${hidden} more problem${hidden > 1 ? "s" : ""} (fix the ones above, then run again to see them)`];
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  // NaN and Infinity (possible from library callers, not from JSON) would print as null.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return `${value}n`;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // Deeply nested input overflows the stack; circular or exotic library input cannot be shown.
    text = undefined;
  }
  if (text === undefined) text = Array.isArray(value) ? "a nested list" : typeof value === "object" && value ? "a nested object" : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Keys a strict object at `path` accepts, for the unknown-key message. */
function allowedKeysAt(root: z.ZodType, path: readonly PropertyKey[], raw: unknown): string[] {
  // A union of objects (backend) is read as the variant the input's discriminator names.
  const variant = (s: z.ZodType, at: readonly PropertyKey[]): z.ZodType => {
    // A plain union (a list, or an object of lists by region) is read as its object-shaped option when the input is an object.
    if (s instanceof z.ZodUnion && !(s instanceof z.ZodDiscriminatedUnion)) {
      const value = valueAt(raw, at);
      const objectLike = value !== null && typeof value === "object" && !Array.isArray(value);
      return (objectLike && (s.options as z.ZodType[]).map(unwrap).find((o) => o instanceof z.ZodObject || o instanceof z.ZodRecord)) || s;
    }
    if (!(s instanceof z.ZodDiscriminatedUnion)) return s;
    const value = valueAt(raw, at) as Record<string, unknown> | undefined;
    const options = s.options as z.ZodType[];
    return (
      options.find(
        (o) => o instanceof z.ZodObject && (o.shape as Record<string, z.ZodType>)[s.def.discriminator]?.safeParse(value?.[s.def.discriminator]).success,
      ) ?? s
    );
  };
  let schema: z.ZodType = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    schema = variant(unwrap(schema), path.slice(0, i));
    if (schema instanceof z.ZodObject) schema = schema.shape[key as string];
    else if (schema instanceof z.ZodArray && typeof key === "number") schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else return [];
    if (!schema) return [];
  }
  schema = variant(unwrap(schema), path);
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  // Per-region maps: the keys are the regions.
  if (schema instanceof z.ZodRecord) {
    const keyType = unwrap(schema.keyType as z.ZodType);
    if (keyType instanceof z.ZodEnum) return keyType.options.map(String);
  }
  return [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    const def = (s as unknown as { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } }).def;
    if (def.innerType) s = def.innerType;
    else if (def.type === "pipe" && def.in) s = def.in;
    else return s;
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    // Keys a user typed (tags, regions) may hold anything: quote what is not a plain name.
    else if (!/^[A-Za-z0-9_$-]+$/.test(String(key))) out += `[${JSON.stringify(String(key))}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(top level)";
}

function allowedText(issue: z.core.$ZodIssue, given: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return given === undefined ? `a value (required) of type ${issue.expected}` : `a value of type ${issue.expected}`;
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      if (issue.origin === "array") return `a list of at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === "string") return `a text of at least ${String(issue.minimum)} character(s)`;
      return issue.message.startsWith("Too small") ? `a number ${issue.inclusive ? ">=" : ">"} ${String(issue.minimum)}` : issue.message;
    case "too_big":
      if (issue.origin === "array") return `a list of at most ${String(issue.maximum)} item(s)`;
      if (issue.origin === "string") return `a text of at most ${String(issue.maximum)} character(s)`;
      return issue.message.startsWith("Too big") ? `a number ${issue.inclusive ? "<=" : "<"} ${String(issue.maximum)}` : issue.message;
    default:
      return issue.message;
  }
}

/** One line per problem: where, what was given, what is allowed. */
export function formatIssue(source: string, raw: unknown, issue: z.core.$ZodIssue, root: z.ZodType = configSchema): string {
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length ? `${formatPath(issue.path)}: ` : "";
    const allowed = allowedKeysAt(root, issue.path, raw);
    const guess = issue.keys.length === 1 ? suggestKey(root, issue.path, issue.keys[0], allowed) : undefined;
    return `${source}: ${where}unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}; allowed keys: ${allowed.join(", ")}${guess ? `; did you mean ${guess}?` : ""}`;
  }
  if (issue.code === "invalid_key") {
    const key = issue.path[issue.path.length - 1];
    return `${source}: ${formatPath(issue.path.slice(0, -1))}: got key ${describeValue(String(key))}; allowed: ${issue.issues[0]?.message ?? issue.message}`;
  }
  if (issue.code === "invalid_type" && issue.expected === "int") {
    // A rule's own words (wholeNumber) when it has them.
    const allowed = issue.message.startsWith("Invalid input") ? "a whole number" : issue.message;
    return `${source}: ${formatPath(issue.path)}: got ${describeValue(valueAt(raw, issue.path))}; allowed: ${allowed}`;
  }
  const given = valueAt(raw, issue.path);
  // A rule can fail on a default the user never wrote: show that value, and say it is the default.
  if (given === undefined && issue.code === "custom" && issue.input !== undefined) {
    return `${source}: ${formatPath(issue.path)}: got ${describeValue(issue.input)} (the default); allowed: ${issue.message}`;
  }
  return `${source}: ${formatPath(issue.path)}: got ${describeValue(given)}; allowed: ${allowedText(issue, given)}`;
}

/** Validates against a schema; throws one ConfigError listing every problem (its message names the first and how many others). */
export function parseWith<S extends z.ZodType>(schema: S, raw: unknown, source: string): z.output<S> {
  // reportInput keeps the value a rule saw, which is the default when the user wrote none.
  const result = schema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  // Several unknown keys in one object are several mistakes: one line (and one suggestion) each.
  const issues = result.error.issues.flatMap((i): z.core.$ZodIssue[] => (i.code === "unrecognized_keys" ? i.keys.map((k) => ({ ...i, keys: [k] })) : [i]));
  // One line per field (each unknown key is its own): a value of the wrong shape also fails the rules that read it, which says nothing new.
  const seen = new Set<string>();
  const lines = issues.flatMap((i) => {
    const where = JSON.stringify(i.path.map(String));
    if (i.code !== "unrecognized_keys" && seen.has(where)) return [];
    seen.add(where);
    return [formatIssue(source, raw, i, schema)];
  });
  throw ConfigError.of(lines, source);
}

/** Validates a whole config file's JSON, filling in defaults. */
export function parseConfig(raw: unknown, source = "config"): SesGuardConfig {
  return parseWith(configSchema, raw, source);
}

/** Warnings for choices that are allowed but probably not meant. */
export function configWarnings(cfg: SesGuardConfig): string[] {
  const warnings: string[] = [];
  const check = (key: string, levels: { warning: number; critical: number }, review: number) => {
    for (const level of ["warning", "critical"] as const) {
      if (levels[level] > review) {
        warnings.push(
          `alarms.${key}.${level} is ${levels[level]} %, above the ${review} % at which AWS puts the account under review; the alarm may fire too late`,
        );
      }
    }
  };
  check("bounceRatePercent", cfg.alarms.bounceRatePercent, AWS_REVIEW_LEVEL.bounce.percent);
  check("complaintRatePercent", cfg.alarms.complaintRatePercent, AWS_REVIEW_LEVEL.complaint.percent);
  const account = cfg.suppression.accountLevel;
  if (account !== null) {
    const off = SUPPRESSION_REASONS.filter((r) => !account.includes(r));
    if (off.length) {
      warnings.push(
        `suppression.accountLevel leaves out ${off.join(" and ")}: SES keeps sending to addresses that ${off.map((r) => (r === "BOUNCE" ? "hard-bounced" : "complained")).join(" or ")}, in every configured region, which raises the rates AWS reviews`,
      );
    }
  }
  const home = cfg.regions[0];
  const shared = cfg.regions.filter((r) => archiveBucketFor(cfg, r).home !== r);
  if (shared.length) {
    warnings.push(
      `${shared.join(", ")} ${shared.length > 1 ? "write" : "writes"} events to the bucket in ${home}: AWS's Firehose documentation does not list cross-region delivery to S3, and those events are billed as inter-region data transfer (about 0.02 USD per GB); for a bucket in each region, set archive.bucketPerRegion to true, without archive.bucketName or existing.bucketName`,
    );
  }
  const ownAlarmTopics = cfg.regions.filter((r) => cfg.existing.alarmTopicArns[r]);
  if (cfg.autoPause.enabled && ownAlarmTopics.length) {
    warnings.push(
      `autoPause announces a pause on the alarm topic, and in ${ownAlarmTopics.join(", ")} that is your own (existing.alarmTopicArns): its policy must let events.amazonaws.com publish for the rule <name>-pause-on-critical, and its key let events.amazonaws.com use it, or the announcement is lost (the pause itself still happens)`,
    );
  }
  const existingChat = existingChatConfigurations(cfg);
  if (existingChat.length) {
    warnings.push(
      `chat: ses-guard creates no configuration for ${existingChat.join(", ")}; subscribe ${existingChat.length > 1 ? "them" : "it"} to ${chatTopicArns(cfg).join(", ")} (also the chat_topic_arns output of stack ${regionNames(cfg.name, cfg.regions[0]).stack})`,
    );
  }
  if (!cfg.notifications.enabled && cfg.regions.some((r) => notificationIdentitiesFor(cfg, r).length > 0)) {
    warnings.push("notifications.identities is set but notifications.enabled is false; no notification topics are created");
  }
  return warnings;
}

/** JSON Schema of the config file as users write it (defaults optional), for editor completion. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...(withoutDocKeywords(z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" })) as Record<string, unknown>),
    title: "ses-guard configuration",
  };
}

/** The JSON Schema for editors leaves out `defaultText` and `allowed`, which only the README's reference table reads. */
function withoutDocKeywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDocKeywords);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== "defaultText" && k !== "allowed")
      .map(([k, v]) => [k, withoutDocKeywords(v)]),
  );
}
