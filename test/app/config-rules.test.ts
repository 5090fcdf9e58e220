// Config validation at its limits: the smallest and largest accepted value of every bound, junk before and after
// every pattern, and every cross-field rule both firing and silent, each with the exact line the user reads.
import {
  archiveBucketFor,
  catalogFor,
  ConfigError,
  configJsonSchema,
  chatEnabled,
  configWarnings,
  formatPath,
  isDomain,
  isEmailAddress,
  parseConfig,
  problemLines,
} from "../../modules/app/config";

const ACCOUNT = "123456789012";

type Cfg = Record<string, any>;

/** Smallest valid config. */
function base(): Cfg {
  return { accountId: ACCOUNT, alarms: { emails: ["ops@example.com"] }, notifications: { identities: ["example.com"] } };
}

/** Sets a dotted path ("archive.lifecycle.expirationDays"), creating objects on the way. */
function set(cfg: Cfg, path: string, value: unknown): Cfg {
  const keys = path.split(".");
  let node = cfg;
  for (const k of keys.slice(0, -1)) node = node[k] ??= {};
  node[keys[keys.length - 1]] = value;
  return cfg;
}

const withValues = (values: Record<string, unknown>, start: Cfg = base()): Cfg => {
  for (const [path, value] of Object.entries(values)) set(start, path, value);
  return start;
};

/** Every problem line parseConfig reports; [] when it accepts the config. */
function problems(raw: unknown): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
}

const line = (path: string, got: string, allowed: string) => `config: ${path}: got ${got}; allowed: ${allowed}`;
/** A value as the message shows it: JSON, cut to 80 characters. */
const shown = (value: unknown) => {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

// ---------------------------------------------------------------- bounds

describe("bounds: the smallest and largest accepted value, and one past each", () => {
  const NAME = "1 to 24 lower-case letters, digits or hyphens, starting with a letter";
  const PERIOD = "a multiple of 60 from 60 to 86400";
  const PERCENT = "a percentage greater than 0 and less than 100 (5 means 5 %)";
  test.each<[string, unknown, unknown, unknown, string, unknown, string, Record<string, unknown>?]>([
    // path, smallest, largest, below, its message, above, its message, other values it needs
    ["name", "a", "a".repeat(24), "", NAME, "a".repeat(25), NAME],
    ["alarms.periodSeconds", 60, 86400, 0, PERIOD, 86460, PERIOD],
    ["alarms.evaluationPeriods", 1, 96, 0, "a whole number >= 1", 97, "at most 96 periods of 900 s (periodSeconds x evaluationPeriods <= 86400)"],
    ["alarms.bounceRatePercent.critical", 2.01, 99.99, 0, PERCENT, 100, PERCENT],
    [
      "alarms.bounceRatePercent.warning",
      0.5,
      4.99,
      0.49,
      "at least 0.5 (the levels are percent: 5 means 5 %, not 0.05); 0.49 percent fires on almost any bounce: did you mean 49?",
      5,
      "a warning level below the critical level (5)",
    ],
    [
      "alarms.complaintRatePercent.warning",
      0.01,
      0.09,
      0.009,
      "at least 0.01 (the levels are percent: 5 means 5 %, not 0.05); 0.009 percent fires on almost any complaint: did you mean 0.9?",
      0.1,
      "a warning level below the critical level (0.1)",
    ],
    ["archive.bufferingIntervalSeconds", 0, 900, -1, "a whole number from 0 to 900", 901, "a whole number from 0 to 900"],
    ["archive.bufferingSizeMiB", 1, 128, 0, "a whole number from 1 to 128", 129, "a whole number from 1 to 128"],
    [
      "archive.logRetentionDays",
      1,
      3653,
      0,
      "one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
      3654,
      "one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
    ],
    ["archive.lifecycle.abortIncompleteMultipartUploadDays", 1, 365, 0, "a whole number from 1 to 365", 366, "a whole number from 1 to 365"],
    ["archive.lifecycle.noncurrentVersionExpirationDays", 1, 1e6, 0, "a whole number >= 1", 1.5, "a whole number >= 1"],
    ["archive.lifecycle.expirationDays", 1, 1e6, 0, "a whole number >= 1", 2.5, "a whole number >= 1", { "archive.lifecycle.transitions": [] }],
    ["investigation.lookbackDays", 1, 3653, 0, "a whole number from 1 to 3653", 3654, "a whole number from 1 to 3653"],
    ["investigation.resultsExpirationDays", 1, 3650, 0, "a whole number from 1 to 3650", 3651, "a whole number from 1 to 3650"],
    [
      "investigation.bytesScannedCutoffPerQueryMiB",
      10,
      1073741824,
      9,
      "at least 10 MiB (Athena's smallest per-query limit)",
      1073741825,
      "at most 1073741824 MiB (1 PiB)",
    ],
    [
      "investigation.campaignTag",
      "a",
      "a".repeat(256),
      "",
      "an SES message tag name: 1 to 256 letters, digits, _ or -",
      "a".repeat(257),
      "an SES message tag name: 1 to 256 letters, digits, _ or -",
    ],
    [
      "configurationSet.name",
      "a",
      "a".repeat(64),
      "",
      "1 to 64 letters, digits, hyphens or underscores",
      "a".repeat(65),
      "1 to 64 letters, digits, hyphens or underscores",
    ],
    [
      "existing.configurationSetName",
      "a",
      "a".repeat(64),
      "",
      "1 to 64 letters, digits, hyphens or underscores",
      "a".repeat(65),
      "1 to 64 letters, digits, hyphens or underscores",
    ],
    [
      "archive.accessLogging.prefix",
      "",
      "p".repeat(512),
      undefined as never,
      "",
      "p".repeat(513),
      "an S3 key prefix of letters, digits and !_.*'()/-",
      { "archive.accessLogging.bucketName": "mail-logs" },
    ],
  ])("%s", (path, smallest, largest, below, belowMessage, above, aboveMessage, needs = {}) => {
    const at = (value: unknown) => problems(withValues({ ...needs, [path]: value }));
    expect(at(smallest)).toEqual([]);
    expect(at(largest)).toEqual([]);
    const fieldPath = (message: string) => (message.startsWith("a warning level") ? path.replace(/critical$/, "warning") : path);
    // The first line is the field's own; a rule that reads the field may add another.
    if (below !== undefined) expect(at(below)[0]).toBe(line(fieldPath(belowMessage), shown(below), belowMessage));
    expect(at(above)[0]).toBe(line(fieldPath(aboveMessage), shown(above), aboveMessage));
  });

  test("backend lengths: s3 key 1 to 1024, DynamoDB table 3 to 255; cloud organization 1 to 40, workspace 1 to 90, project 1 to 40, tags 1 to 255", () => {
    const s3 = (extra: object) => problems(withValues({ backend: { type: "s3", bucket: "state-bucket", region: "eu-west-1", ...extra } }));
    expect(s3({ key: "k", dynamodbTable: "abc" })).toEqual([]);
    expect(s3({ key: "k".repeat(1024), dynamodbTable: "t".repeat(255) })).toEqual([]);
    expect(s3({ key: "" })).toEqual([line("backend.key", '""', "a text of at least 1 character(s)")]);
    expect(s3({ key: "k".repeat(1025) })).toEqual([line("backend.key", shown("k".repeat(1025)), "a text of at most 1024 character(s)")]);
    const TABLE = "a DynamoDB table name (3 to 255 letters, digits, _ . -)";
    expect(s3({ dynamodbTable: "ab" })).toEqual([line("backend.dynamodbTable", '"ab"', TABLE)]);
    expect(s3({ dynamodbTable: "t".repeat(256) })).toHaveLength(1);
    const cloud = (extra: object) => problems(withValues({ backend: { type: "cloud", organization: "o", ...extra } }));
    expect(cloud({ organization: "o".repeat(40), workspace: "w".repeat(90), project: "p".repeat(40) })).toEqual([]);
    expect(cloud({ workspaceTags: ["t".repeat(255)], project: "p" })).toEqual([]);
    expect(cloud({ organization: "o".repeat(41) })).toEqual([
      line("backend.organization", JSON.stringify("o".repeat(41)), "an organization name: letters, digits, - and _"),
    ]);
    expect(cloud({ organization: "" })).toEqual([line("backend.organization", '""', "an organization name: letters, digits, - and _")]);
    expect(cloud({ workspace: "w".repeat(91) })).toEqual([line("backend.workspace", shown("w".repeat(91)), "letters, digits, - and _ (and {stack})")]);
    expect(cloud({ workspace: "" })).toEqual([line("backend.workspace", '""', "letters, digits, - and _ (and {stack})")]);
    expect(cloud({ project: "p".repeat(41) })).toEqual([line("backend.project", JSON.stringify("p".repeat(41)), "a text of at most 40 character(s)")]);
    expect(cloud({ project: "" })).toEqual([line("backend.project", '""', "a text of at least 1 character(s)")]);
    expect(cloud({ workspaceTags: ["t".repeat(256)] })).toEqual([
      line("backend.workspaceTags[0]", shown("t".repeat(256)), "a workspace tag: letters, digits, _ : . and -"),
    ]);
    expect(cloud({ workspaceTags: [] })).toEqual([line("backend.workspaceTags", "[]", "a list of at least 1 item(s)")]);
  });

  test("tags: keys of 1 to 128 characters, values of 0 to 256", () => {
    const KEY = "a tag key of 1 to 128 letters, digits, spaces or _.:/=+-@";
    const VALUE = "a tag value of up to 256 letters, digits, spaces or _.:/=+-@ (AWS's tag rules)";
    expect(problems(withValues({ tags: { k: "", ["k".repeat(128)]: "v".repeat(256) } }))).toEqual([]);
    expect(problems(withValues({ tags: { ["k".repeat(129)]: "v" } }))).toEqual([`config: tags: got key ${shown("k".repeat(129))}; allowed: ${KEY}`]);
    expect(problems(withValues({ tags: { "": "v" } }))).toEqual([`config: tags: got key ""; allowed: ${KEY}`]);
    expect(problems(withValues({ tags: { k: "v".repeat(257) } }))).toEqual([line("tags.k", shown("v".repeat(257)), VALUE)]);
  });

  test("e-mail addresses: at most 254 characters, a local part of at most 64", () => {
    const domain = (length: number) => `${"d".repeat(length - 4)}.com`;
    const at254 = `${"l".repeat(64)}@${["d".repeat(63), "d".repeat(63), "d".repeat(57)].join(".")}.com`;
    expect(at254).toHaveLength(254);
    expect(isEmailAddress(at254)).toBe(true);
    expect(isEmailAddress(`l${at254}`)).toBe(false);
    // 255 characters with a local part of 64 and a valid domain: too long all the same.
    expect(isEmailAddress(`${"l".repeat(64)}@${["d".repeat(63), "d".repeat(63), "d".repeat(58)].join(".")}.com`)).toBe(false);
    expect(isEmailAddress(`${"l".repeat(64)}@${domain(20)}`)).toBe(true);
    expect(isEmailAddress(`${"l".repeat(65)}@${domain(20)}`)).toBe(false);
    expect(isEmailAddress("@example.com")).toBe(false);
    expect(isEmailAddress("a@")).toBe(false);
    expect(isEmailAddress("a@b@example.com")).toBe(false);
    expect(isEmailAddress("a.b+c@example.com")).toBe(true);
    const MESSAGE = "an e-mail address such as ops@example.com (ASCII, no spaces; punycode for international domains)";
    const long = `${"l".repeat(65)}@example.com`;
    expect(problems(withValues({ "alarms.emails": [long] }))).toEqual([line("alarms.emails[0]", shown(long), MESSAGE)]);
  });

  test("domains: labels of 1 to 63 characters, at most 253 in all, a top-level domain of letters or punycode", () => {
    expect(isDomain(`${"a".repeat(63)}.com`)).toBe(true);
    expect(isDomain(`${"a".repeat(64)}.com`)).toBe(false);
    const at253 = `${["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(57)].join(".")}.com`;
    expect(at253).toHaveLength(253);
    expect(isDomain(at253)).toBe(true);
    expect(isDomain(`e${at253}`)).toBe(false);
    expect(isDomain("a.c")).toBe(false);
    expect(isDomain(`a.${"c".repeat(63)}`)).toBe(true);
    expect(isDomain(`a.${"c".repeat(64)}`)).toBe(false);
    expect(isDomain("a.xn--p1ai")).toBe(true);
    expect(isDomain("A.COM")).toBe(true);
    expect(isDomain("-a.com")).toBe(false);
    expect(isDomain("a-.com")).toBe(false);
    expect(isDomain("com")).toBe(false);
  });

  test("S3 bucket names: 3 to 63 characters", () => {
    const MESSAGE = "an S3 bucket name: 3 to 63 characters";
    expect(problems(withValues({ "archive.bucketName": "abc" }))).toEqual([]);
    expect(problems(withValues({ "archive.bucketName": "a".repeat(63) }))).toEqual([]);
    expect(problems(withValues({ "archive.bucketName": "ab" }))).toEqual([line("archive.bucketName", '"ab"', MESSAGE)]);
    expect(problems(withValues({ "archive.bucketName": "a".repeat(64) }))).toEqual([line("archive.bucketName", JSON.stringify("a".repeat(64)), MESSAGE)]);
  });

  test("ARNs: topic names of 1 to 256 characters, KMS key IDs of 1 to 64", () => {
    const topic = (name: string) => `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`;
    expect(problems(withValues({ "existing.alarmTopicArns": { "us-east-1": topic("t".repeat(256)) } }))).toEqual([]);
    expect(problems(withValues({ "existing.alarmTopicArns": { "us-east-1": topic("t".repeat(257)) } }))).toHaveLength(1);
    expect(problems(withValues({ "existing.alarmTopicArns": { "us-east-1": topic("") } }))).toHaveLength(1);
    const key = (id: string) => `arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}`;
    expect(problems(withValues({ "encryption.kmsKeyArns": { "us-east-1": key("k".repeat(64)) } }))).toEqual([]);
    expect(problems(withValues({ "encryption.kmsKeyArns": { "us-east-1": key("k".repeat(65)) } }))).toHaveLength(1);
    expect(problems(withValues({ "encryption.kmsKeyArns": { "us-east-1": key("") } }))).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- anchors

describe("patterns: junk before or after a valid value is refused", () => {
  const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:mail-alarms`;
  const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab`;
  const s3 = { type: "s3", bucket: "state-bucket", region: "eu-west-1" };
  const cloud = { type: "cloud", organization: "acme" };
  test.each<[string, string, (v: string) => Cfg, string, string?]>([
    // field, valid value, config with it, allowed text, junk character (default "!")
    ["name", "mail", (v) => withValues({ name: v }), "1 to 24 lower-case letters, digits or hyphens, starting with a letter"],
    ["accountId", ACCOUNT, (v) => withValues({ accountId: v }), "a 12-digit AWS account ID, as a string", "1"],
    ["backend.region", "eu-west-1", (v) => withValues({ backend: { ...s3, region: v } }), "an AWS region such as eu-west-1"],
    ["backend.dynamodbTable", "locks", (v) => withValues({ backend: { ...s3, dynamodbTable: v } }), "a DynamoDB table name (3 to 255 letters, digits, _ . -)"],
    ["backend.organization", "acme", (v) => withValues({ backend: { ...cloud, organization: v } }), "an organization name: letters, digits, - and _"],
    ["backend.hostname", "app.terraform.io", (v) => withValues({ backend: { ...cloud, hostname: v } }), "a host name such as app.terraform.io"],
    ["backend.workspace", "mail", (v) => withValues({ backend: { ...cloud, workspace: v } }), "letters, digits, - and _ (and {stack})"],
    ["backend.workspaceTags[0]", "mail", (v) => withValues({ backend: { ...cloud, workspaceTags: [v] } }), "a workspace tag: letters, digits, _ : . and -"],
    [
      "existing.alarmTopicArns.us-east-1",
      TOPIC,
      (v) => withValues({ "existing.alarmTopicArns": { "us-east-1": v } }),
      "an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:my-topic",
    ],
    [
      "existing.notificationTopicArns.us-east-1",
      TOPIC,
      (v) => withValues({ "existing.notificationTopicArns": { "us-east-1": v } }),
      "an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:my-topic",
    ],
    [
      "encryption.kmsKeyArns.us-east-1",
      KEY,
      (v) => withValues({ "encryption.kmsKeyArns": { "us-east-1": v } }),
      "a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ],
    ["existing.configurationSetName", "mail", (v) => withValues({ "existing.configurationSetName": v }), "1 to 64 letters, digits, hyphens or underscores"],
    ["configurationSet.name", "mail", (v) => withValues({ "configurationSet.name": v }), "1 to 64 letters, digits, hyphens or underscores"],
    ["adopt.us-east-1.configurationSet", "ses-guard", (v) => withValues({ adopt: { "us-east-1": { configurationSet: v } } }), "a configuration set name"],
    [
      "adopt.us-east-1.deliveryStream",
      `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/ses-guard-events`,
      (v) => withValues({ adopt: { "us-east-1": { deliveryStream: v } } }),
      "a Firehose delivery stream ARN",
    ],
    [
      "adopt.us-east-1.logGroup",
      "/aws/kinesisfirehose/ses-guard-events",
      (v) => withValues({ adopt: { "us-east-1": { logGroup: v } } }),
      "a log group name",
      " ",
    ],
    ["adopt.us-east-1.firehoseRole", "ses-guard-firehose-us-east-1", (v) => withValues({ adopt: { "us-east-1": { firehoseRole: v } } }), "an IAM role name"],
    ["adopt.us-east-1.sesRole", "ses-guard-ses-publisher-us-east-1", (v) => withValues({ adopt: { "us-east-1": { sesRole: v } } }), "an IAM role name"],
    [
      "adopt.us-east-1.alarmTopic",
      "arn:aws:sns:us-east-1:123456789012:ses-guard-alarms",
      (v) => withValues({ adopt: { "us-east-1": { alarmTopic: v } } }),
      "an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:my-topic",
    ],
    [
      "investigation.campaignTag",
      "campaign",
      (v) => withValues({ "investigation.campaignTag": v }),
      "an SES message tag name: 1 to 256 letters, digits, _ or -",
    ],
    ["tags.team", "mail", (v) => withValues({ tags: { team: v } }), "a tag value of up to 256 letters, digits, spaces or _.:/=+-@ (AWS's tag rules)", "#"],
    [
      "archive.accessLogging.prefix",
      "logs/",
      (v) => withValues({ "archive.accessLogging": { bucketName: "mail-logs", prefix: v } }),
      "an S3 key prefix of letters, digits and !_.*'()/-",
      " ",
    ],
    [
      "archive.bucketName",
      "mail-archive",
      (v) => withValues({ "archive.bucketName": v }),
      "an S3 bucket name: lower-case letters, digits and hyphens, starting and ending with a letter or digit (no dots: they break TLS for virtual-hosted requests)",
      ".",
    ],
    [
      "alarms.emails[0]",
      "ops@example.com",
      (v) => withValues({ "alarms.emails": [v] }),
      "an e-mail address such as ops@example.com (ASCII, no spaces; punycode for international domains)",
      " ",
    ],
    [
      "notifications.identities[0]",
      "example.com",
      (v) => withValues({ "notifications.identities": [v] }),
      "an SES identity: a domain such as example.com or an address such as sender@example.com (ASCII, punycode for international domains)",
      " ",
    ],
  ])("%s", (field, valid, build, allowed, junk = "!") => {
    expect(problems(build(valid))).toEqual([]);
    for (const bad of [`${junk}${valid}`, `${valid}${junk}`]) {
      expect(problems(build(bad))).toEqual([line(field, JSON.stringify(bad), allowed)]);
    }
  });

  test("every character each pattern allows is accepted", () => {
    const s3 = { type: "s3", bucket: "state-bucket" };
    const cloud = { type: "cloud", organization: "acme" };
    const accepted: Cfg[] = [
      withValues({ name: "m-0z9" }),
      withValues({ regions: ["us-gov-west-1"], backend: { ...s3, region: "us-gov-west-1", dynamodbTable: "Az_.-09" } }),
      withValues({ backend: { ...s3, region: "us-isob-east-1" } }),
      withValues({ backend: { ...s3, region: "us-iso-east-1" } }),
      withValues({ backend: { ...s3, region: "ap-southeast-12" } }),
      withValues({ backend: { ...cloud, organization: "Az_-09", hostname: "a0.b-z9", workspaceTags: ["Az_:.-09"] } }),
      withValues({ backend: { ...cloud, workspace: "Az_{stack}-09" } }),
      withValues({ "existing.alarmTopicArns": { "us-east-1": `arn:aws:sns:us-east-1:${ACCOUNT}:Az_-09` }, "configurationSet.name": "Az_-09" }),
      withValues({ regions: ["us-gov-west-1"], "existing.alarmTopicArns": { "us-gov-west-1": `arn:aws-us-gov:sns:us-gov-west-1:${ACCOUNT}:t` } }),
      withValues({ "encryption.kmsKeyArns": { "us-east-1": `arn:aws:kms:us-east-1:${ACCOUNT}:key/Az-09` } }),
      withValues({ regions: ["us-gov-west-1"], "encryption.kmsKeyArns": { "us-gov-west-1": `arn:aws-us-gov:kms:us-gov-west-1:${ACCOUNT}:key/k` } }),
      withValues({ "existing.configurationSetName": "Az_-09" }),
      withValues({ "investigation.campaignTag": "Az_-09" }),
      withValues({ tags: { "Az 09_.:/=+-@é": "Az 09_.:/=+-@é" } }),
      withValues({ "archive.accessLogging": { bucketName: "mail-logs", prefix: "Az09!_.*'()/-" } }),
      withValues({ "alarms.emails": ["Az09!#$%&'*+/=?^_`|~-.x@sub-1.example.com"] }),
      withValues({ "archive.bucketName": "a-0z9" }),
    ];
    for (const cfg of accepted) expect([JSON.stringify(cfg), problems(cfg)]).toEqual([JSON.stringify(cfg), []]);
  });

  test("other partitions and malformed ARNs", () => {
    const topic = (arn: string) => problems(withValues({ "existing.alarmTopicArns": { "us-east-1": arn } }));
    const TOPIC_ARN = "an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:my-topic";
    for (const bad of [
      "arn:aws-x:sns:us-east-1:123456789012:t",
      "arn:aws:sns:us-east-1:12345678901:t",
      "arn:aws:sqs:us-east-1:123456789012:t",
      "arn:aws:sns:US-EAST-1:123456789012:t",
      "arn:aws:sns:us-east-1:123456789012:t.fifo",
    ]) {
      expect(topic(bad)).toEqual([line("existing.alarmTopicArns.us-east-1", JSON.stringify(bad), TOPIC_ARN)]);
    }
    const key = (arn: string) => problems(withValues({ "encryption.kmsKeyArns": { "us-east-1": arn } }));
    const KEY_ARN = "a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    for (const bad of [
      "arn:aws:kms:us-east-1:123456789012:key/a_b",
      "arn:aws:kms:us-east-1:1234567890123:key/k",
      "arn:aws:kms:us-east-1:123456789012:keys/k",
    ]) {
      expect(key(bad)).toEqual([line("encryption.kmsKeyArns.us-east-1", JSON.stringify(bad), KEY_ARN)]);
    }
    for (const bad of ["eu-west-100", "e-west-1", "eu-west", "eu-gov-x-west-1"]) {
      expect(problems(withValues({ backend: { type: "s3", bucket: "state-bucket", region: bad } }))).toEqual([
        line("backend.region", JSON.stringify(bad), "an AWS region such as eu-west-1"),
      ]);
    }
  });

  test("adopted IDs: each pattern's characters and lengths, checked before the name", () => {
    const adopt = (ids: object) => problems(withValues({ adopt: { "us-east-1": ids } }));
    const stream = (name: string) => `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/${name}`;
    const managed = (key: string, id: string, what: string, ours: string) =>
      line(`adopt.us-east-1.${key}`, shown(id), `${JSON.stringify(ours)}, ${what} ses-guard manages here (an import under another name would be replaced)`);
    // The pattern accepts these; only the name check refuses them.
    expect(adopt({ configurationSet: "c".repeat(64) })).toEqual([managed("configurationSet", "c".repeat(64), "the configuration set name", "ses-guard")]);
    const logGroup = `/Az_-.#09${"g".repeat(503)}`;
    expect(adopt({ logGroup })).toEqual([managed("logGroup", logGroup, "the log group name", "/aws/kinesisfirehose/ses-guard-events")]);
    expect(adopt({ firehoseRole: `Az+=,.@_-09${"r".repeat(53)}` })).toEqual([
      managed("firehoseRole", `Az+=,.@_-09${"r".repeat(53)}`, "the IAM role name", "ses-guard-firehose-us-east-1"),
    ]);
    expect(adopt({ sesRole: "r".repeat(64) })).toEqual([managed("sesRole", "r".repeat(64), "the IAM role name", "ses-guard-ses-publisher-us-east-1")]);
    expect(adopt({ deliveryStream: stream(`Az._-09${"s".repeat(57)}`) })[0]).toContain("the delivery stream ARN of the resource ses-guard manages here");
    // One character more, or one the pattern does not allow: the pattern's message.
    const refused = (key: string, id: string, message: string) => expect(adopt({ [key]: id })).toEqual([line(`adopt.us-east-1.${key}`, shown(id), message)]);
    refused("configurationSet", "c".repeat(65), "a configuration set name");
    refused("configurationSet", "", "a configuration set name");
    refused("logGroup", "g".repeat(513), "a log group name");
    refused("logGroup", "", "a log group name");
    refused("firehoseRole", "r".repeat(65), "an IAM role name");
    refused("sesRole", "", "an IAM role name");
    refused("deliveryStream", stream("s".repeat(65)), "a Firehose delivery stream ARN");
    refused("deliveryStream", stream(""), "a Firehose delivery stream ARN");
    refused("deliveryStream", `arn:aws:firehose:us-east-1:12345678901:deliverystream/s`, "a Firehose delivery stream ARN");
  });

  test("the tag key pattern is anchored too", () => {
    expect(problems(withValues({ tags: { "#team": "x" } }))).toEqual([
      'config: tags: got key "#team"; allowed: a tag key of 1 to 128 letters, digits, spaces or _.:/=+-@',
    ]);
    expect(problems(withValues({ tags: { "team#": "x" } }))).toEqual([
      'config: tags: got key "team#"; allowed: a tag key of 1 to 128 letters, digits, spaces or _.:/=+-@',
    ]);
  });

  test("the workspace pattern is anchored against the placeholder too", () => {
    expect(problems(withValues({ backend: { ...cloud, workspace: "ses-{stack}" }, regions: ["us-east-1", "eu-west-1"] }))).toEqual([]);
  });

  test("bucket names: reserved prefixes and suffixes, and what lies between", () => {
    const at = (name: string) => problems(withValues({ "archive.bucketName": name }));
    const PREFIX = "an S3 bucket name: a name not starting with a reserved prefix (xn--, sthree-, amzn-s3-demo-)";
    const SUFFIX = "an S3 bucket name: a name not ending with a reserved suffix (-s3alias, --ol-s3, --x-s3, --table-s3)";
    for (const name of ["xn--abc", "sthree-abc", "amzn-s3-demo-abc"]) expect(at(name)).toEqual([line("archive.bucketName", JSON.stringify(name), PREFIX)]);
    for (const name of ["abc-s3alias", "abc--ol-s3", "abc--x-s3", "abc--table-s3"])
      expect(at(name)).toEqual([line("archive.bucketName", JSON.stringify(name), SUFFIX)]);
    for (const name of ["a-xn--b", "my-sthree-x", "x-amzn-s3-demo-y", "abc-s3alias-x", "abc--ol-s3x", "sthree"]) expect(at(name)).toEqual([]);
  });
});

// ---------------------------------------------------------------- cross-field rules

describe("cross-field rules: firing and silent", () => {
  const two = { regions: ["us-east-1", "eu-west-1"] };

  test("evaluation periods times the period: at most a day", () => {
    expect(problems(withValues({ "alarms.periodSeconds": 3600, "alarms.evaluationPeriods": 24 }))).toEqual([]);
    expect(problems(withValues({ "alarms.periodSeconds": 3600, "alarms.evaluationPeriods": 25 }))).toEqual([
      line("alarms.evaluationPeriods", "25", "at most 24 periods of 3600 s (periodSeconds x evaluationPeriods <= 86400)"),
    ]);
  });

  test("warning below critical, checked only between plausible levels", () => {
    expect(problems(withValues({ "alarms.bounceRatePercent": { warning: 3, critical: 3 } }))).toEqual([
      line("alarms.bounceRatePercent.warning", "3", "a warning level below the critical level (3)"),
    ]);
    // A critical of 0.05 (a fraction typed as percent) is critical's problem only.
    expect(problems(withValues({ "alarms.bounceRatePercent": { warning: 2, critical: 0.05 } }))).toEqual([
      line(
        "alarms.bounceRatePercent.critical",
        "0.05",
        "at least 0.5 (the levels are percent: 5 means 5 %, not 0.05); 0.05 percent fires on almost any bounce: did you mean 5?",
      ),
    ]);
    // The default warning (2) against a critical below it: the default is shown as such.
    expect(problems(withValues({ "alarms.bounceRatePercent": { critical: 1 } }))).toEqual([
      "config: alarms.bounceRatePercent.warning: got 2 (the default); allowed: a warning level below the critical level (1)",
    ]);
  });

  describe("archive lifecycle", () => {
    const lifecycle = (lc: object) => problems(withValues({ "archive.lifecycle": lc }));
    test("STANDARD_IA and ONEZONE_IA need 30 days", () => {
      expect(lifecycle({ transitions: [{ days: 30, storageClass: "ONEZONE_IA" }] })).toEqual([]);
      expect(lifecycle({ transitions: [{ days: 29, storageClass: "STANDARD_IA" }] })).toEqual([
        line("archive.lifecycle.transitions[0].days", "29", "at least 30 days for STANDARD_IA (an S3 rule)"),
      ]);
      expect(lifecycle({ transitions: [{ days: 29, storageClass: "ONEZONE_IA" }] })).toEqual([
        line("archive.lifecycle.transitions[0].days", "29", "at least 30 days for ONEZONE_IA (an S3 rule)"),
      ]);
      expect(lifecycle({ transitions: [{ days: 0, storageClass: "INTELLIGENT_TIERING" }] })).toEqual([]);
    });

    test("transitions go up in days and down S3's class order, each after the previous class's minimum storage", () => {
      expect(
        lifecycle({
          transitions: [
            { days: 30, storageClass: "STANDARD_IA" },
            { days: 30, storageClass: "GLACIER" },
          ],
        }),
      ).toEqual([
        line(
          "archive.lifecycle.transitions[1].days",
          "30",
          "more days than the transition before it (30 days to STANDARD_IA); transitions are listed in ascending order",
        ),
      ]);
      expect(
        lifecycle({
          transitions: [
            { days: 90, storageClass: "GLACIER" },
            { days: 200, storageClass: "GLACIER" },
          ],
        }),
      ).toEqual([
        line(
          "archive.lifecycle.transitions[1].storageClass",
          '"GLACIER"',
          "a class after GLACIER in S3's order STANDARD_IA > INTELLIGENT_TIERING > ONEZONE_IA > GLACIER_IR > GLACIER > DEEP_ARCHIVE",
        ),
      ]);
      expect(
        lifecycle({
          transitions: [
            { days: 30, storageClass: "STANDARD_IA" },
            { days: 59, storageClass: "GLACIER" },
          ],
        }),
      ).toEqual([line("archive.lifecycle.transitions[1].days", "59", "at least 60 days (STANDARD_IA keeps objects at least 30 days)")]);
      expect(
        lifecycle({
          transitions: [
            { days: 30, storageClass: "STANDARD_IA" },
            { days: 60, storageClass: "GLACIER" },
          ],
          expirationDays: 150,
        }),
      ).toEqual([]);
    });

    test("expiration after the last transition plus its minimum storage, and at least a day after it", () => {
      const glacier = [{ days: 90, storageClass: "GLACIER" }];
      expect(lifecycle({ transitions: glacier, expirationDays: 180 })).toEqual([]);
      expect(lifecycle({ transitions: glacier, expirationDays: 179 })).toEqual([
        line(
          "archive.lifecycle.expirationDays",
          "179",
          "at least 180 days: after the last transition (90 days to GLACIER) plus its minimum storage of 90 days, which S3 bills anyway",
        ),
      ]);
      const tiering = [{ days: 10, storageClass: "INTELLIGENT_TIERING" }];
      expect(lifecycle({ transitions: tiering, expirationDays: 11 })).toEqual([]);
      expect(lifecycle({ transitions: tiering, expirationDays: 10 })).toEqual([
        line(
          "archive.lifecycle.expirationDays",
          "10",
          "at least 11 days: after the last transition (10 days to INTELLIGENT_TIERING) plus its minimum storage of 0 days, which S3 bills anyway",
        ),
      ]);
      expect(lifecycle({ transitions: [], expirationDays: 1 })).toEqual([]);
    });
  });

  test("a name whose default bucket name breaks S3's rules; silent with a bucket named", () => {
    expect(problems(withValues({ name: "sthree" }))).toEqual([
      line(
        "name",
        '"sthree"',
        'a name that makes a valid default bucket name, but "sthree-events-123456789012-us-east-1" breaks S3\'s rules (a name not starting with a reserved prefix (xn--, sthree-, amzn-s3-demo-)); change name or set archive.bucketName',
      ),
    ]);
    expect(problems(withValues({ name: "sthree", "archive.bucketName": "mail-archive" }))).toEqual([]);
    expect(problems(withValues({ name: "sthree", "existing.bucketName": "mail-archive" }))).toEqual([]);
    // Per-region buckets: reported once, not per region.
    expect(problems(withValues({ name: "sthree", ...two }))).toHaveLength(1);
  });

  test("a name whose Athena results bucket name breaks S3's rules; silent with a results bucket named", () => {
    const cfg = (extra: object) => problems(withValues({ name: "sthree", "archive.bucketName": "mail-archive", "investigation.enabled": true, ...extra }));
    expect(cfg({})).toEqual([
      line(
        "name",
        '"sthree"',
        'a name that makes a valid Athena results bucket name, but "sthree-athena-123456789012-us-east-1" breaks S3\'s rules (a name not starting with a reserved prefix (xn--, sthree-, amzn-s3-demo-)); change name or set investigation.resultsBucketName',
      ),
    ]);
    expect(cfg({ "investigation.resultsBucketName": "mail-results" })).toEqual([]);
    expect(cfg({ "investigation.enabled": false })).toEqual([]);
  });

  test("one bucket name with per-region buckets and several regions", () => {
    expect(problems(withValues({ ...two, "archive.bucketPerRegion": true, "archive.bucketName": "mail-archive" }))).toEqual([
      line(
        "archive.bucketName",
        '"mail-archive"',
        "no fixed bucket name with archive.bucketPerRegion and several regions (bucket names are global); leave it unset to get one name per region",
      ),
    ]);
    expect(problems(withValues({ "archive.bucketPerRegion": true, "archive.bucketName": "mail-archive" }))).toEqual([]);
    expect(problems(withValues({ ...two, "archive.bucketName": "mail-archive" }))).toEqual([]);
  });

  test("an existing bucket beside a bucket name or per-region buckets", () => {
    const MESSAGE = "an existing bucket without archive.bucketName or archive.bucketPerRegion (ses-guard then creates no bucket)";
    expect(problems(withValues({ "existing.bucketName": "theirs", "archive.bucketName": "mine-bucket" }))).toEqual([
      line("existing.bucketName", '"theirs"', MESSAGE),
    ]);
    expect(problems(withValues({ "existing.bucketName": "theirs", "archive.bucketPerRegion": true }))).toEqual([
      line("existing.bucketName", '"theirs"', MESSAGE),
    ]);
    expect(problems(withValues({ "existing.bucketName": "theirs", ...two }))).toEqual([]);
  });

  test("configuration-set suppression with an existing configuration set", () => {
    expect(problems(withValues({ "existing.configurationSetName": "theirs", "suppression.configurationSet": ["BOUNCE"] }))).toEqual([
      line(
        "suppression.configurationSet",
        '["BOUNCE"]',
        "null with existing.configurationSetName: that configuration set is yours, so are its suppression options (suppression.accountLevel still applies)",
      ),
    ]);
    expect(problems(withValues({ "existing.configurationSetName": "theirs", "suppression.accountLevel": ["BOUNCE"] }))).toEqual([]);
    expect(problems(withValues({ "suppression.configurationSet": [] }))).toEqual([]);
  });

  test("per-region topics and keys: a configured region, and an ARN in that region", () => {
    const topic = (region: string) => `arn:aws:sns:${region}:${ACCOUNT}:t`;
    expect(problems(withValues({ "existing.alarmTopicArns": { "eu-west-1": topic("eu-west-1") } }))).toEqual([
      line("existing.alarmTopicArns.eu-west-1", JSON.stringify(topic("eu-west-1")), "a key from regions (us-east-1)"),
    ]);
    expect(problems(withValues({ "existing.notificationTopicArns": { "us-east-1": topic("eu-west-1") } }))).toEqual([
      line("existing.notificationTopicArns.us-east-1", JSON.stringify(topic("eu-west-1")), "a topic in us-east-1 (SNS topics are regional)"),
    ]);
    expect(problems(withValues({ ...two, "existing.alarmTopicArns": { "eu-west-1": topic("eu-west-1"), "us-east-1": topic("us-east-1") } }))).toEqual([]);
    const key = (region: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/k1`;
    expect(problems(withValues({ "encryption.kmsKeyArns": { "eu-west-1": key("eu-west-1") } }))).toEqual([
      line("encryption.kmsKeyArns.eu-west-1", JSON.stringify(key("eu-west-1")), "a key from regions (us-east-1)"),
    ]);
    expect(problems(withValues({ "encryption.kmsKeyArns": { "us-east-1": key("eu-west-1") } }))).toEqual([
      line("encryption.kmsKeyArns.us-east-1", JSON.stringify(key("eu-west-1")), "a key in us-east-1 (KMS keys are regional)"),
    ]);
    expect(problems(withValues({ ...two, "encryption.kmsKeyArns": { "us-east-1": key("us-east-1"), "eu-west-1": key("eu-west-1") } }))).toEqual([]);
  });

  test("KMS keys: AWS managed keys and aliases are refused with why", () => {
    const managed = "arn:aws:kms:us-east-1:123456789012:alias/aws/sns";
    expect(problems(withValues({ "encryption.kmsKeyArns": { "us-east-1": managed } }))).toEqual([
      line(
        "encryption.kmsKeyArns.us-east-1",
        JSON.stringify(managed),
        "a customer-managed KMS key: AWS-managed keys such as alias/aws/sns cannot let CloudWatch alarms or SES encrypt, so their notifications would silently never arrive (Trivy AWS-0136)",
      ),
    ]);
    const alias = "arn:aws:kms:us-east-1:123456789012:alias/mine";
    expect(problems(withValues({ "encryption.kmsKeyArns": { "us-east-1": alias } }))[0]).toBe(
      line(
        "encryption.kmsKeyArns.us-east-1",
        JSON.stringify(alias),
        "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias: IAM policies cannot name a key by alias; `aws kms describe-key --key-id alias/<name>` prints the key's ARN",
      ),
    );
  });

  test("archive encryption: not with one bucket shared by several regions, nor with an existing bucket", () => {
    expect(problems(withValues({ ...two, "archive.bucketPerRegion": false, "encryption.archive": true }))).toEqual([
      line(
        "encryption.archive",
        "true",
        "false with one bucket shared by several regions (a KMS key serves one region); set archive.bucketPerRegion to encrypt each region's bucket with its own key",
      ),
    ]);
    expect(problems(withValues({ ...two, "encryption.archive": true }))).toEqual([]);
    expect(problems(withValues({ "encryption.archive": true }))).toEqual([]);
    expect(problems(withValues({ "existing.bucketName": "theirs", "encryption.archive": true }))).toEqual([
      line("encryption.archive", "true", "false with existing.bucketName: the bucket's encryption is yours to set"),
    ]);
  });

  test("notification topics and identities follow notifications.enabled", () => {
    const topics = { "us-east-1": `arn:aws:sns:us-east-1:${ACCOUNT}:t` };
    expect(problems(withValues({ "notifications.enabled": false, "existing.notificationTopicArns": topics }))).toEqual([
      line("existing.notificationTopicArns", JSON.stringify(topics), "no topics while notifications.enabled is false"),
    ]);
    expect(problems(withValues({ "existing.notificationTopicArns": topics }))).toEqual([]);
    expect(problems(withValues({ "notifications.identities": [] }))).toEqual([
      line("notifications.identities", "[]", "at least one SES identity while notifications are enabled (or set notifications.enabled to false)"),
    ]);
    expect(problems(withValues({ "notifications.identities": [], "notifications.enabled": false }))).toEqual([]);
    expect(problems(withValues({ ...two, "notifications.identities": { "eu-west-1": ["example.com"] } }))).toEqual([]);
    // The wrong region key is the one problem named: fixing it may be all that is missing.
    expect(problems(withValues({ "notifications.identities": { "eu-west-1": ["example.com"] } }))).toEqual([
      line("notifications.identities.eu-west-1", '["example.com"]', "a key from regions (us-east-1)"),
    ]);
    expect(problems(withValues({ "notifications.identities": { "us-east-1": [] } }))).toEqual([
      line("notifications.identities", '{"us-east-1":[]}', "at least one SES identity while notifications are enabled (or set notifications.enabled to false)"),
    ]);
  });

  test("lists without repeats, by value and by the resource name each entry gets", () => {
    expect(problems(withValues({ "alarms.emails": ["a@example.com", "A@example.com"] }))).toEqual([
      line("alarms.emails[1]", '"A@example.com"', "each address once; this one is listed twice"),
    ]);
    expect(problems(withValues({ "alarms.emails": ["a.b@example.com", "a_b@example.com"] }))).toEqual([
      line(
        "alarms.emails[1]",
        '"a_b@example.com"',
        'an address whose Terraform resource name differs from "a.b@example.com"\'s (both become "a_b_at_example_com")',
      ),
    ]);
    expect(problems(withValues({ regions: ["us-east-1", "us-east-1"] }))).toEqual([
      line("regions[1]", '"us-east-1"', "each region once; this one is listed twice"),
    ]);
  });

  describe("adopt: only what ses-guard manages in that region, under its own name", () => {
    const adopt = (ids: object, extra: Record<string, unknown> = {}) => problems(withValues({ adopt: { "us-east-1": ids }, ...extra }));
    const ours = {
      alarmTopic: `arn:aws:sns:us-east-1:${ACCOUNT}:ses-guard-alarms`,
      notificationTopic: `arn:aws:sns:us-east-1:${ACCOUNT}:ses-guard-notifications`,
      archiveBucket: `ses-guard-events-${ACCOUNT}-us-east-1`,
      configurationSet: "ses-guard",
      deliveryStream: `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/ses-guard-events`,
      logGroup: "/aws/kinesisfirehose/ses-guard-events",
      firehoseRole: "ses-guard-firehose-us-east-1",
      sesRole: "ses-guard-ses-publisher-us-east-1",
    };

    test("every ID of ses-guard's own resources is accepted", () => {
      expect(adopt(ours)).toEqual([]);
    });

    test("a region not configured", () => {
      expect(problems(withValues({ adopt: { "eu-west-1": { sesRole: "r" } } }))).toEqual([
        line("adopt.eu-west-1", '{"sesRole":"r"}', "a key from regions (us-east-1)"),
      ]);
    });

    test.each([
      [
        "alarmTopic",
        `arn:aws:sns:us-east-1:${ACCOUNT}:other`,
        `the topic ARN of the resource ses-guard manages here: region us-east-1, account ${ACCOUNT}, ses-guard-alarms`,
      ],
      [
        "alarmTopic",
        `arn:aws:sns:eu-west-1:${ACCOUNT}:ses-guard-alarms`,
        `the topic ARN of the resource ses-guard manages here: region us-east-1, account ${ACCOUNT}, ses-guard-alarms`,
      ],
      [
        "alarmTopic",
        "arn:aws:sns:us-east-1:999999999999:ses-guard-alarms",
        `the topic ARN of the resource ses-guard manages here: region us-east-1, account ${ACCOUNT}, ses-guard-alarms`,
      ],
      [
        "notificationTopic",
        `arn:aws:sns:us-east-1:${ACCOUNT}:x`,
        `the topic ARN of the resource ses-guard manages here: region us-east-1, account ${ACCOUNT}, ses-guard-notifications`,
      ],
      [
        "deliveryStream",
        `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/x`,
        `the delivery stream ARN of the resource ses-guard manages here: region us-east-1, account ${ACCOUNT}, deliverystream/ses-guard-events`,
      ],
      [
        "archiveBucket",
        "other-bucket",
        `"ses-guard-events-${ACCOUNT}-us-east-1", the bucket name ses-guard manages here (an import under another name would be replaced)`,
      ],
      ["configurationSet", "other", '"ses-guard", the configuration set name ses-guard manages here (an import under another name would be replaced)'],
      [
        "logGroup",
        "/aws/x",
        '"/aws/kinesisfirehose/ses-guard-events", the log group name ses-guard manages here (an import under another name would be replaced)',
      ],
      ["firehoseRole", "other", '"ses-guard-firehose-us-east-1", the IAM role name ses-guard manages here (an import under another name would be replaced)'],
      ["sesRole", "other", '"ses-guard-ses-publisher-us-east-1", the IAM role name ses-guard manages here (an import under another name would be replaced)'],
    ])("%s %s", (key, id, message) => {
      expect(adopt({ [key]: id })).toEqual([line(`adopt.us-east-1.${key}`, JSON.stringify(id), message)]);
    });

    test("a region's other IDs are unaffected by what it does not adopt", () => {
      expect(
        adopt(
          { sesRole: ours.sesRole },
          {
            "existing.alarmTopicArns": { "us-east-1": `arn:aws:sns:us-east-1:${ACCOUNT}:theirs` },
            "notifications.enabled": false,
            "notifications.identities": [],
          },
        ),
      ).toEqual([]);
    });

    test("the configuration set name follows configurationSet.name", () => {
      expect(adopt({ configurationSet: "mail" }, { "configurationSet.name": "mail" })).toEqual([]);
    });

    test("nothing that ses-guard does not manage", () => {
      const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:theirs`;
      expect(adopt({ alarmTopic: ours.alarmTopic }, { "existing.alarmTopicArns": { "us-east-1": topic } })).toEqual([
        line(
          "adopt.us-east-1.alarmTopic",
          JSON.stringify(ours.alarmTopic),
          "nothing: existing.alarmTopicArns names this region's topic, which ses-guard does not manage",
        ),
      ]);
      expect(adopt({ notificationTopic: ours.notificationTopic }, { "notifications.enabled": false })).toEqual([
        line("adopt.us-east-1.notificationTopic", JSON.stringify(ours.notificationTopic), "nothing: notifications are disabled"),
      ]);
      expect(adopt({ notificationTopic: ours.notificationTopic }, { "existing.notificationTopicArns": { "us-east-1": topic } })).toEqual([
        line("adopt.us-east-1.notificationTopic", JSON.stringify(ours.notificationTopic), "nothing: existing.notificationTopicArns names this region's topic"),
      ]);
      expect(adopt({ archiveBucket: "theirs" }, { "existing.bucketName": "theirs" })).toEqual([
        line("adopt.us-east-1.archiveBucket", '"theirs"', "nothing: existing.bucketName is used, which ses-guard does not manage"),
      ]);
      expect(adopt({ configurationSet: "theirs" }, { "existing.configurationSetName": "theirs" })).toEqual([
        line("adopt.us-east-1.configurationSet", '"theirs"', "nothing: existing.configurationSetName is used, which ses-guard does not manage"),
      ]);
      const shared = problems(
        withValues({ regions: ["us-east-1", "eu-west-1"], "archive.bucketPerRegion": false, adopt: { "eu-west-1": { archiveBucket: ours.archiveBucket } } }),
      );
      expect(shared).toEqual([
        line("adopt.eu-west-1.archiveBucket", JSON.stringify(ours.archiveBucket), "nothing: the shared bucket is managed by the home region us-east-1"),
      ]);
    });
  });

  describe("backend", () => {
    const s3 = { type: "s3", bucket: "state-bucket", region: "eu-west-1" };
    const cloud = { type: "cloud", organization: "acme" };
    test("an S3 key must hold {stack} with several regions", () => {
      expect(problems(withValues({ ...two, backend: { ...s3, key: "state.tfstate" } }))).toEqual([
        line("backend.key", '"state.tfstate"', "a key containing {stack} when there are several regions, so each stack keeps its own state"),
      ]);
      expect(problems(withValues({ backend: { ...s3, key: "state.tfstate" } }))).toEqual([]);
      expect(problems(withValues({ ...two, backend: s3 }))).toEqual([]);
    });

    test("cloud: workspace or tags, {stack} with several regions, braces only as {stack}", () => {
      expect(problems(withValues({ backend: { ...cloud, workspace: "w", workspaceTags: ["t"] } }))).toEqual([
        line("backend.workspaceTags", '["t"]', "either workspace or workspaceTags, not both"),
      ]);
      expect(problems(withValues({ ...two, backend: { ...cloud, workspace: "w" } }))).toEqual([
        line("backend.workspace", '"w"', "a workspace name containing {stack} when there are several regions, so each stack keeps its own state"),
      ]);
      expect(problems(withValues({ backend: { ...cloud, workspace: "w" } }))).toEqual([]);
      expect(problems(withValues({ ...two, backend: { ...cloud, workspaceTags: ["t"] } }))).toEqual([]);
      for (const workspace of ["w-{stack", "w}", "{x}"])
        expect(problems(withValues({ backend: { ...cloud, workspace } }))).toEqual([
          line("backend.workspace", JSON.stringify(workspace), "braces only as {stack}"),
        ]);
      expect(problems(withValues({ backend: { ...cloud, workspace: "a-{stack}-b" } }))).toEqual([]);
    });

    test("templates are refused in free text that reaches Terraform", () => {
      const NO = "text without ${ or %{ (Terraform would read them as expressions)";
      expect(problems(withValues({ backend: { ...s3, key: "a/${x}" } }))).toEqual([line("backend.key", '"a/${x}"', NO)]);
      expect(problems(withValues({ backend: { ...cloud, project: "%{if}" } }))).toEqual([line("backend.project", '"%{if}"', NO)]);
      expect(problems(withValues({ backend: { ...s3, key: "a/$x/%y/{z}" } }))).toEqual([]);
    });
  });

  describe("investigation", () => {
    const inv = (extra: Record<string, unknown>) => problems(withValues({ "investigation.enabled": true, ...extra }));
    test("look-back within what Athena can read: before a class it skips, or before expiration", () => {
      // The default lifecycle moves to a class Athena reads; expiration (730) bounds it.
      expect(inv({ "investigation.lookbackDays": 729 })).toEqual([]);
      expect(inv({ "investigation.lookbackDays": 730 })).toEqual([
        line("investigation.lookbackDays", "730", "at most 729: archive.lifecycle.expirationDays (730) deletes older events"),
      ]);
      const glacier = {
        transitions: [
          { days: 30, storageClass: "STANDARD_IA" },
          { days: 90, storageClass: "GLACIER" },
        ],
        expirationDays: 730,
      };
      expect(inv({ "archive.lifecycle": glacier, "investigation.lookbackDays": 89 })).toEqual([]);
      expect(inv({ "archive.lifecycle": glacier, "investigation.lookbackDays": 90 })).toEqual([
        line(
          "investigation.lookbackDays",
          "90",
          "at most 89: events older than that are in GLACIER (archive.lifecycle.transitions, day 90), which Athena skips without an error; transition later, or to GLACIER_IR, which Athena reads",
        ),
      ]);
      expect(problems(withValues({ "investigation.lookbackDays": 3000 }))).toEqual([]);
    });

    test("one results bucket name only with one catalog, and never the archive or access-log bucket", () => {
      const perRegion = { regions: ["us-east-1", "eu-west-1"], "investigation.resultsBucketName": "mail-results" };
      expect(inv(perRegion)).toEqual([
        line(
          "investigation.resultsBucketName",
          '"mail-results"',
          "no fixed results bucket name with archive.bucketPerRegion and several regions (bucket names are global); leave it unset to get one name per region",
        ),
      ]);
      expect(inv({ ...perRegion, "archive.bucketPerRegion": false })).toEqual([]);
      const OWN = "a bucket of its own: not the archive bucket or the access-log bucket (results expire after resultsExpirationDays)";
      expect(inv({ "investigation.resultsBucketName": `ses-guard-events-${ACCOUNT}-us-east-1` })).toEqual([
        line("investigation.resultsBucketName", JSON.stringify(`ses-guard-events-${ACCOUNT}-us-east-1`), OWN),
      ]);
      expect(inv({ "investigation.resultsBucketName": "mail-logs", "archive.accessLogging": { bucketName: "mail-logs" } })).toEqual([
        line("investigation.resultsBucketName", '"mail-logs"', OWN),
      ]);
      expect(inv({ "investigation.resultsBucketName": "mail-results", "archive.accessLogging": { bucketName: "mail-logs" } })).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------- messages

describe("messages", () => {
  test("several problems: one line each, and the error's message counts the rest", () => {
    let error: ConfigError | undefined;
    try {
      parseConfig(withValues({ name: "-x", accountId: "1", "alarms.periodSeconds": 61 }));
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error!.problems).toEqual([
      line("name", '"-x"', "1 to 24 lower-case letters, digits or hyphens, starting with a letter"),
      line("accountId", '"1"', "a 12-digit AWS account ID, as a string"),
      line("alarms.periodSeconds", "61", "a multiple of 60 from 60 to 86400"),
    ]);
    expect(error!.message).toBe(`${error!.problems[0]} (2 more problems after this one)`);
    try {
      parseConfig(withValues({ name: "-x", accountId: "1" }));
    } catch (e) {
      expect((e as Error).message).toBe(
        `${line("name", '"-x"', "1 to 24 lower-case letters, digits or hyphens, starting with a letter")} (1 more problem after this one)`,
      );
    }
  });

  test("what was given: nothing, JSON of the wrong type, and what JSON cannot hold (from library callers)", () => {
    expect(problems(undefined)).toEqual([line("(top level)", "nothing", "a value (required) of type object")]);
    expect(problems([])).toEqual([line("(top level)", "[]", "a value of type object")]);
    expect(problems(withValues({ accountId: 123456789012 }))).toEqual([line("accountId", "123456789012", "a value of type string")]);
    expect(problems(withValues({ accountId: BigInt(10) }))).toEqual([line("accountId", "10n", "a value of type string")]);
    expect(problems(withValues({ "alarms.periodSeconds": NaN }))).toEqual([line("alarms.periodSeconds", "NaN", "a value of type number")]);
    expect(problems(withValues({ "alarms.periodSeconds": -Infinity }))).toEqual([line("alarms.periodSeconds", "-Infinity", "a value of type number")]);
    const circular: Cfg = {};
    circular.self = circular;
    expect(problems(withValues({ tags: circular }))).toEqual([line("tags.self", "a nested object", "a value of type string")]);
    const list: unknown[] = [];
    list.push(list);
    expect(problems(withValues({ tags: { k: list } }))).toEqual([line("tags.k", "a nested list", "a value of type string")]);
    expect(problems({ accountId: ACCOUNT, notifications: { identities: ["example.com"] } })).toEqual([
      line("alarms", "nothing", "a value (required) of type object"),
    ]);
    expect(problems(withValues({ accountId: Symbol("s") }))).toEqual([line("accountId", "Symbol(s)", "a value of type string")]);
    // 80 characters of JSON are shown whole; more are cut to 77 and "...".
    expect(problems(withValues({ tags: { k: 5 }, "alarms.emails": ["x".repeat(78)] }))[1]).toBe(
      line(
        "alarms.emails[0]",
        JSON.stringify("x".repeat(78)),
        "an e-mail address such as ops@example.com (ASCII, no spaces; punycode for international domains)",
      ),
    );
    expect(problems(withValues({ "notifications.identities": 5 }))).toEqual([
      line("notifications.identities", "5", "a list of SES identities (domains or addresses) for every region, or an object of such lists by region"),
    ]);
  });

  test("unknown keys name the keys allowed where they stand: in a backend type, a list item, a region's map", () => {
    expect(problems(withValues({ backend: { type: "s3", bucket: "state-bucket", region: "eu-west-1", tabel: "x" } }))).toEqual([
      'config: backend: unknown key "tabel"; allowed keys: type, bucket, key, region, useLockfile, dynamodbTable, encrypt',
    ]);
    expect(problems(withValues({ backend: { type: "cloud", organization: "acme", tabel: "x" } }))).toEqual([
      'config: backend: unknown key "tabel"; allowed keys: type, organization, hostname, workspace, workspaceTags, project',
    ]);
    expect(problems(withValues({ "archive.lifecycle": { transitions: [{ days: 30, storageClass: "STANDARD_IA", x: 1 }] } }))).toEqual([
      'config: archive.lifecycle.transitions[0]: unknown key "x"; allowed keys: days, storageClass',
    ]);
    expect(problems(withValues({ adopt: { "us-east-1": { nope: 1 } } }))).toEqual([
      'config: adopt.us-east-1: unknown key "nope"; allowed keys: alarmTopic, notificationTopic, archiveBucket, configurationSet, deliveryStream, logGroup, firehoseRole, sesRole',
    ]);
    const [identitiesKey] = problems(withValues({ "notifications.identities": { "us-east-1": ["example.com"], x: ["example.com"] } }));
    expect(identitiesKey.startsWith('config: notifications.identities: unknown key "x"; allowed keys: us-east-1, us-east-2, ')).toBe(true);
    const [regionKey] = problems(withValues({ adopt: { "mars-1": {} } }));
    expect(regionKey.startsWith('config: adopt: unknown key "mars-1"; allowed keys: us-east-1, us-east-2, us-west-1, ')).toBe(true);
    expect(regionKey.endsWith(", us-gov-east-1, us-gov-west-1")).toBe(true);
  });

  test("a value not among the allowed ones lists them", () => {
    expect(problems(withValues({ backend: { type: "gcs" } }))).toEqual([
      line("backend.type", '"gcs"', 'one of "local", "s3", "cloud" in backend.type, with that type\'s keys'),
    ]);
    expect(problems(withValues({ "notifications.types": ["Bounce", "Open"] }))).toEqual([
      line("notifications.types[1]", '"Open"', 'one of "Bounce", "Complaint", "Delivery"'),
    ]);
  });

  test("a name with a trailing or doubled hyphen", () => {
    for (const name of ["mail-", "ma--il"])
      expect(problems(withValues({ name }))).toEqual([line("name", JSON.stringify(name), "no trailing or doubled hyphen")]);
    expect(problems(withValues({ name: "m-a-i-l" }))).toEqual([]);
  });

  test("paths: indexes in brackets, odd keys quoted", () => {
    expect(formatPath([])).toBe("(top level)");
    expect(formatPath(["a", 0, "b"])).toBe("a[0].b");
    expect(formatPath(["tags", "a b"])).toBe('tags["a b"]');
    expect(formatPath([0])).toBe("[0]");
    expect(formatPath(["x_$-9"])).toBe("x_$-9");
  });
});

describe("defaults the rules rely on", () => {
  test("backend, archive and investigation defaults", () => {
    const cfg = parseConfig(base());
    expect(cfg.backend).toEqual({ type: "local" });
    expect(cfg.archive).toMatchObject({ bucketPerRegion: false, preventDestroy: true, versioning: false });
    expect(cfg.archive.lifecycle.transitionMinimumObjectSize).toBe("all_storage_classes_128K");
    expect(cfg.investigation.campaignTag).toBe("campaign");
    expect(parseConfig(withValues({ backend: { type: "local" } })).backend).toEqual({ type: "local" });
    expect(parseConfig(withValues({ backend: { type: "s3", bucket: "state-bucket", region: "eu-west-1" } })).backend).toEqual({
      type: "s3",
      bucket: "state-bucket",
      region: "eu-west-1",
      key: "ses-guard/{stack}.tfstate",
      useLockfile: true,
      encrypt: true,
    });
    expect(
      parseConfig(withValues({ "archive.lifecycle.transitionMinimumObjectSize": "varies_by_storage_class" })).archive.lifecycle.transitionMinimumObjectSize,
    ).toBe("varies_by_storage_class");
    // Several regions get a bucket each unless one bucket is named.
    expect(parseConfig(withValues({ regions: ["us-east-1", "eu-west-1"] })).archive.bucketPerRegion).toBe(true);
    expect(parseConfig(withValues({ regions: ["us-east-1", "eu-west-1"], "archive.bucketName": "mail-archive" })).archive.bucketPerRegion).toBe(false);
    expect(parseConfig(withValues({ regions: ["us-east-1", "eu-west-1"], "existing.bucketName": "theirs" })).archive.bucketPerRegion).toBe(false);
  });

  test("a rule that fails on a default says so", () => {
    expect(problems(withValues({ "archive.lifecycle": { transitions: [{ days: 800, storageClass: "GLACIER" }] } }))).toEqual([
      "config: archive.lifecycle.expirationDays: got 730 (the default); allowed: at least 890 days: after the last transition (800 days to GLACIER) plus its minimum storage of 90 days, which S3 bills anyway",
    ]);
  });

  test("the archive bucket and the Athena catalog of each region", () => {
    const at = (values: Record<string, unknown>, region: string) => archiveBucketFor(parseConfig(withValues(values)), region);
    expect(at({ "existing.bucketName": "theirs", regions: ["us-east-1", "eu-west-1"] }, "eu-west-1")).toEqual({
      name: "theirs",
      home: "us-east-1",
      created: false,
    });
    expect(at({ regions: ["us-east-1", "eu-west-1"] }, "eu-west-1")).toEqual({
      name: `ses-guard-events-${ACCOUNT}-eu-west-1`,
      home: "eu-west-1",
      created: true,
    });
    expect(at({ regions: ["us-east-1", "eu-west-1"], "archive.bucketPerRegion": false }, "eu-west-1")).toEqual({
      name: `ses-guard-events-${ACCOUNT}-us-east-1`,
      home: "us-east-1",
      created: true,
    });

    const catalog = (values: Record<string, unknown>, region: string) =>
      catalogFor(parseConfig(withValues({ "investigation.enabled": true, ...values })), region);
    expect(catalogFor(parseConfig(base()), "us-east-1")).toBeUndefined();
    expect(catalog({}, "us-east-1")).toEqual({
      bucket: `ses-guard-events-${ACCOUNT}-us-east-1`,
      regions: ["us-east-1"],
      resultsBucket: `ses-guard-athena-${ACCOUNT}-us-east-1`,
    });
    expect(catalog({ regions: ["us-east-1", "eu-west-1"] }, "eu-west-1")).toEqual({
      bucket: `ses-guard-events-${ACCOUNT}-eu-west-1`,
      regions: ["eu-west-1"],
      resultsBucket: `ses-guard-athena-${ACCOUNT}-eu-west-1`,
    });
    expect(catalog({ regions: ["us-east-1", "eu-west-1"], "archive.bucketPerRegion": false }, "eu-west-1")).toBeUndefined();
    expect(catalog({ regions: ["us-east-1", "eu-west-1"], "archive.bucketPerRegion": false }, "us-east-1")?.regions).toEqual(["us-east-1", "eu-west-1"]);
    expect(
      catalog({ regions: ["us-east-1", "eu-west-1"], "existing.bucketName": "theirs", "investigation.resultsBucketName": "mail-results" }, "us-east-1"),
    ).toEqual({
      bucket: "theirs",
      regions: ["us-east-1", "eu-west-1"],
      resultsBucket: "mail-results",
    });
  });

  test("the JSON Schema for editors: the file as written, defaults optional", () => {
    const schema = configJsonSchema() as Record<string, any>;
    expect(schema.title).toBe("ses-guard configuration");
    expect(schema.type).toBe("object");
    expect(schema.required).toEqual(["accountId", "alarms"]);
    expect(schema.properties.accountId).toMatchObject({ type: "string", pattern: "^\\d{12}$" });
  });
});

describe("problem lines", () => {
  const error = (n: number, source?: string) =>
    ConfigError.of(
      Array.from({ length: n }, (_, i) => `p${i + 1}`),
      source,
    );

  test("up to the cap, every line; past it, the cap and one line counting the rest", () => {
    expect(problemLines(error(3, "f.json"), 3)).toEqual(["p1", "p2", "p3"]);
    expect(problemLines(error(4, "f.json"), 3)).toEqual(["p1", "p2", "p3", "f.json: ... and 1 more problem (fix the ones above, then run again to see them)"]);
    expect(problemLines(error(5), 3)).toEqual(["p1", "p2", "p3", "... and 2 more problems (fix the ones above, then run again to see them)"]);
    expect(problemLines(error(11))).toHaveLength(11);
    expect(problemLines(error(10))).toHaveLength(10);
  });

  test("one problem is its own message; a ConfigError made from a message alone has it as its one problem", () => {
    expect(error(1).message).toBe("p1");
    expect(new ConfigError("only").problems).toEqual(["only"]);
  });
});

describe("auto-pause", () => {
  test("a name SSM reserves for runbooks (aws..., amazon..., amzn...) is refused only with auto-pause on", () => {
    expect(() => parseConfig(withValues({ name: "aws-mail", "autoPause.enabled": true }))).toThrow(
      'name: got "aws-mail"; allowed: a name that does not start with aws, amazon or amzn while auto-pause is on',
    );
    expect(parseConfig(withValues({ name: "aws-mail" })).name).toBe("aws-mail");
    expect(parseConfig(withValues({ name: "mail-aws", "autoPause.enabled": true })).autoPause.enabled).toBe(true);
  });
});

describe("chat", () => {
  test("chat.enabled false with a channel listed is refused, naming the field; on without channels is a relay only", () => {
    const slack = [{ name: "ops", workspaceId: "T012ABCDE", channelId: "C012ABCDE" }];
    expect(() => parseConfig(withValues({ "chat.enabled": false, "chat.slackChannels": slack }))).toThrow(
      "chat.enabled: got false; allowed: true (or unset) while channels are listed: they would receive no SES events",
    );
    expect(chatEnabled(parseConfig(withValues({ "chat.enabled": true })))).toBe(true);
    expect(chatEnabled(parseConfig(withValues({ "chat.slackChannels": slack })))).toBe(true);
    expect(chatEnabled(parseConfig(withValues({})))).toBe(false);
  });
});

describe("warnings", () => {
  test("auto-pause announcing on your own alarm topic: its policy and key are yours to open to EventBridge", () => {
    const topic = "arn:aws:sns:us-east-1:123456789012:ops";
    const own = configWarnings(parseConfig(withValues({ "autoPause.enabled": true, "existing.alarmTopicArns": { "us-east-1": topic } })));
    expect(own).toEqual([
      expect.stringMatching(/^autoPause announces a pause on the alarm topic, and in us-east-1 that is your own .*events\.amazonaws\.com publish/),
    ]);
    expect(configWarnings(parseConfig(withValues({ "autoPause.enabled": false, "existing.alarmTopicArns": { "us-east-1": topic } })))).toEqual([]);
    expect(configWarnings(parseConfig(withValues({ "autoPause.enabled": true })))).toEqual([]);
  });

  test("regions that write to the home region's bucket, named", () => {
    const tail =
      "events to the bucket in us-east-1: AWS's Firehose documentation does not list cross-region delivery to S3, and those events are billed as inter-region data transfer (about 0.02 USD per GB); for a bucket in each region, set archive.bucketPerRegion to true, without archive.bucketName or existing.bucketName";
    expect(configWarnings(parseConfig(withValues({ regions: ["us-east-1", "eu-west-1"], "archive.bucketPerRegion": false })))).toEqual([
      `eu-west-1 writes ${tail}`,
    ]);
    expect(configWarnings(parseConfig(withValues({ regions: ["us-east-1", "eu-west-1", "ap-south-1"], "archive.bucketPerRegion": false })))).toEqual([
      `eu-west-1, ap-south-1 write ${tail}`,
    ]);
    expect(configWarnings(parseConfig(withValues({ regions: ["us-east-1", "eu-west-1"] })))).toEqual([]);
  });

  test("alarm levels above AWS's review level, each named", () => {
    const cfg = parseConfig(
      withValues({ "alarms.bounceRatePercent": { warning: 6, critical: 7 }, "alarms.complaintRatePercent": { warning: 0.05, critical: 0.2 } }),
    );
    expect(configWarnings(cfg)).toEqual([
      "alarms.bounceRatePercent.warning is 6 %, above the 5 % at which AWS puts the account under review; the alarm may fire too late",
      "alarms.bounceRatePercent.critical is 7 %, above the 5 % at which AWS puts the account under review; the alarm may fire too late",
      "alarms.complaintRatePercent.critical is 0.2 %, above the 0.1 % at which AWS puts the account under review; the alarm may fire too late",
    ]);
    expect(
      configWarnings(parseConfig(withValues({ "alarms.bounceRatePercent": { warning: 4, critical: 5 }, "alarms.complaintRatePercent": { critical: 0.1 } }))),
    ).toEqual([]);
  });

  test("account suppression that leaves a reason out", () => {
    expect(configWarnings(parseConfig(withValues({ "suppression.accountLevel": ["BOUNCE"] })))).toEqual([
      "suppression.accountLevel leaves out COMPLAINT: SES keeps sending to addresses that complained, in every configured region, which raises the rates AWS reviews",
    ]);
    expect(configWarnings(parseConfig(withValues({ "suppression.accountLevel": [] })))).toEqual([
      "suppression.accountLevel leaves out BOUNCE and COMPLAINT: SES keeps sending to addresses that hard-bounced or complained, in every configured region, which raises the rates AWS reviews",
    ]);
    expect(configWarnings(parseConfig(withValues({ "suppression.accountLevel": ["COMPLAINT", "BOUNCE"] })))).toEqual([]);
    expect(configWarnings(parseConfig(base()))).toEqual([]);
  });

  test("identities while notifications are off", () => {
    expect(configWarnings(parseConfig(withValues({ "notifications.enabled": false })))).toEqual([
      "notifications.identities is set but notifications.enabled is false; no notification topics are created",
    ]);
    expect(configWarnings(parseConfig(withValues({ "notifications.enabled": false, "notifications.identities": [] })))).toEqual([]);
  });
});
