// The rule table (modules/shared/rules.ts): each rule's Terraform condition means what its TypeScript
// check means, sample by sample, through one real `terraform console`; and the config, the
// constructs and the module take their words from it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../../modules/app/config";
import { Rate } from "../../modules/shared/rate";
import {
  awsManagedKeyProblem,
  BUCKET_NAME_RULES,
  bucketNameHcl,
  bucketNameProblem,
  hclString,
  kmsAliasProblem,
  kmsKeyRegionText,
  oneOf,
  resultsBucketOwnText,
  Rule,
  RULES,
  wholeRange,
} from "../../modules/shared/rules";
import { moduleVariables } from "../../modules/terraform-module/terraform-module";
import { describeTerraform, terraform } from "../support/terraform";

const label63 = "a".repeat(63);
const DOMAINS = [
  "example.com",
  "EXAMPLE.COM",
  "mail.example.co.uk",
  "xn--bcher-kva.example",
  "example.xn--p1ai",
  "a.b",
  "-bad.com",
  "bad-.com",
  "exa_mple.com",
  "example",
  "example.c",
  "example.123",
  `${label63}.com`,
  `${label63}a.com`,
  `${[label63, label63, label63].join(".")}.com`,
  `${[label63, label63, label63, "a".repeat(62)].join(".")}.com`,
  "bücher.example",
  "",
];
const EMAILS = [
  "ops@example.com",
  "first.last+tag@example.co.uk",
  "o'brien@example.com",
  "a&b@example.com",
  "weird!#$%&'*+/=?^_`|~-@example.com",
  "curly{}@example.com",
  ".dot@example.com",
  "dot.@example.com",
  "do..t@example.com",
  "two@@example.com",
  "a@b@example.com",
  "no-at.example.com",
  "@example.com",
  "ops@",
  "space @example.com",
  `${"a".repeat(64)}@example.com`,
  `${"a".repeat(65)}@example.com`,
  `a@${[label63, label63, label63].join(".")}.com`,
  "üser@example.com",
];
const KEYS = [
  "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/abc",
  "arn:aws:kms:us-east-1:123456789012:alias/mail",
  "arn:aws:kms:us-east-1:123456789012:alias/aws/sns",
  "alias/aws/sns",
  "arn:aws:kms:us-east-1:12345:key/abc",
  "arn:aws:sns:us-east-1:123456789012:key/abc",
  "arn:aws:kms:us-east-1:123456789012:key/",
  "key/abc",
];

const UUIDS = [
  "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
  "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0",
  "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
  "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f",
  "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f00",
  "gf1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
  "{0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0}",
  "",
];

/** Samples per rule: values on both sides of it. */
const SAMPLES: Record<string, { rule: Rule<never>; values: readonly (string | number)[] }> = {
  namePrefix: { rule: RULES.namePrefix, values: ["ses-guard", "a", "a1-b2", "Ses", "1ses", "ses_guard", "a".repeat(24), "a".repeat(25), ""] },
  namePrefixHyphens: { rule: RULES.namePrefixHyphens, values: ["ses-guard", "ses-", "ses--guard", "-ses"] },
  runbookNamePrefix: { rule: RULES.runbookNamePrefix, values: ["mail", "ses-aws", "aws", "aws-mail", "awsmail", "amazon-x", "amzn", "AWS", "a-ws", "amaz"] },
  chatConfigurationArn: {
    rule: RULES.chatConfigurationArn,
    values: [
      "arn:aws:chatbot::123456789012:chat-configuration/slack-channel/shop-us-east-1-alerts",
      "arn:aws:chatbot::123456789012:chat-configuration/microsoft-teams-channel/ops",
      "arn:aws-us-gov:chatbot::123456789012:chat-configuration/slack-channel/x",
      "arn:aws:chatbot:us-east-2:123456789012:chat-configuration/slack-channel/x",
      "arn:aws:chatbot::12345:chat-configuration/slack-channel/x",
      "arn:aws:sns:us-east-1:123456789012:chat-configuration/slack-channel/x",
      "arn:aws:chatbot::123456789012:chat-configuration/slack-channel/",
      "",
    ],
  },
  accountId: { rule: RULES.accountId, values: ["123456789012", "12345678901", "1234567890123", "12345678901a", ""] },
  tagKey: {
    rule: RULES.tagKey,
    values: ["team", "cost-center", "aws:x", "Ünïcode key", "a/b=c+d@e.f_g", "bad{", 'bad"quote', "", "k".repeat(128), "k".repeat(129)],
  },
  tagValue: { rule: RULES.tagValue, values: ["", "platform", "a b", "x".repeat(256), "x".repeat(257), "bad{"] },
  percent: { rule: RULES.percent, values: [0, 0.01, 5, 99.99, 100, -1] },
  email: { rule: RULES.email, values: EMAILS },
  identity: { rule: RULES.identity, values: [...DOMAINS, ...EMAILS] },
  alarmPeriodSeconds: { rule: RULES.alarmPeriodSeconds, values: [0, 59, 60, 90, 900, 86400, 86460, 120.5] },
  evaluationPeriods: { rule: RULES.evaluationPeriods, values: [0, 1, 2.5, 1440] },
  configurationSetName: { rule: RULES.configurationSetName, values: ["transactional", "a_b-C1", "", "x".repeat(64), "x".repeat(65), "a.b"] },
  bufferingIntervalSeconds: { rule: RULES.bufferingIntervalSeconds, values: [-1, 0, 900, 901, 1.5] },
  bufferingSizeMiB: { rule: RULES.bufferingSizeMiB, values: [0, 1, 128, 129] },
  accessLogPrefix: {
    rule: RULES.accessLogPrefix,
    values: ["", "ses-archive/", "a/b/c/", "logs!_.*'()/-", "p".repeat(512), "p".repeat(513), "has space/", "ü/", "a\\b"],
  },
  awsManagedKey: { rule: RULES.awsManagedKey, values: KEYS },
  kmsAlias: { rule: RULES.kmsAlias, values: KEYS },
  kmsKeyArn: { rule: RULES.kmsKeyArn, values: KEYS },
  investigationLookbackDays: { rule: RULES.investigationLookbackDays, values: [0, 1, 3653, 3654] },
  bytesScannedCutoffMax: { rule: RULES.bytesScannedCutoffMax, values: [10, 1073741824, 1073741825] },
  campaignTag: { rule: RULES.campaignTag, values: ["campaign", "utm_campaign", "Campaign-Id", "", "t".repeat(256), "t".repeat(257), "has space", "a.b", "ü"] },
  suppressionReason: { rule: oneOf(["BOUNCE", "COMPLAINT"]), values: ["BOUNCE", "COMPLAINT", "bounce", "OPEN"] },
  chatChannelName: {
    rule: RULES.chatChannelName,
    values: ["ops", "a", "mail-alerts-2", "c".repeat(32), "c".repeat(33), "", "Ops", "1ops", "-ops", "ops_alerts", "ops alerts", "ü"],
  },
  slackWorkspaceId: {
    rule: RULES.slackWorkspaceId,
    values: ["T012ABCDE", "T123456", `T${"A".repeat(20)}`, "T12345", `T${"A".repeat(21)}`, "t012ABCDE", "T012abcde", "C012ABCDE", "", " T012ABCDE"],
  },
  slackChannelId: {
    rule: RULES.slackChannelId,
    values: ["C012ABCDE", "G012ABCDE", "C123456", `C${"1".repeat(20)}`, "C12345", `C${"1".repeat(21)}`, "D012ABCDE", "T012ABCDE", "c012ABCDE", "#general", ""],
  },
  teamsTenantId: { rule: RULES.teamsTenantId, values: UUIDS },
  teamsTeamId: { rule: RULES.teamsTeamId, values: UUIDS },
  teamsChannelId: {
    rule: RULES.teamsChannelId,
    values: [
      "19%3a0123456789abcdef0123456789abcdef%40thread.tacv2",
      "19%3Aa_B-c.d%40thread.skype",
      "19:0123456789abcdef@thread.tacv2",
      "19%3a%40thread.tacv2",
      "20%3aabc%40thread.tacv2",
      "19%3aabc%40threadxtacv2",
      "19%3aa:b%40thread.tacv2",
      "19%3aabc%40thread.tacv2 ",
      "",
    ],
  },
  bucketName: {
    rule: { allowed: "", holds: (v: string) => bucketNameProblem(v) === undefined, hcl: bucketNameHcl } as Rule<never>,
    values: ["ses-guard-events", "ab", "Upper", "acme.events", "xn--abc", "abc-xn--def", "abc--x-s3", "abc-s3alias-x"],
  },
  ...Object.fromEntries(
    BUCKET_NAME_RULES.map((rule, i) => [
      `bucketName${i}`,
      {
        rule,
        values: [
          "ses-guard-events",
          "ab",
          "a".repeat(63),
          "a".repeat(64),
          "Upper",
          "acme.events",
          "-abc",
          "xn--abc",
          "sthree-abc",
          "amzn-s3-demo-x",
          "abc-s3alias",
          "abc--ol-s3",
          "abc--x-s3",
          "abc--table-s3",
        ],
      },
    ]),
  ),
};

test("every rule in the table has samples", () => {
  expect(
    Object.keys(RULES).filter(
      (name) =>
        !(name in SAMPLES) &&
        ![
          "bytesScannedCutoffMin",
          "expirationDays",
          "abortIncompleteMultipartUploadDays",
          "noncurrentVersionExpirationDays",
          "investigationResultsExpirationDays",
        ].includes(name),
    ),
  ).toEqual([]);
});

test("the bucket name rules report in order, and bucketNameProblem is the first that fails", () => {
  expect(bucketNameProblem("ses-guard-events")).toBeUndefined();
  expect(bucketNameProblem("ab")).toBe(BUCKET_NAME_RULES[0].allowed);
  expect(bucketNameProblem("a.b")).toBe(BUCKET_NAME_RULES[1].allowed);
  expect(bucketNameProblem("acme.events")).toBe(BUCKET_NAME_RULES[1].allowed);
  expect(bucketNameProblem("sthree-abc")).toBe(BUCKET_NAME_RULES[2].allowed);
  expect(bucketNameProblem("abc-s3alias")).toBe(BUCKET_NAME_RULES[3].allowed);
});

test("boundaries, each on the side the rule puts it (the Terraform comparison below only shows the two sides agree)", () => {
  const holds = <T>(rule: Rule<T>, value: T) => rule.holds(value);
  expect([holds(RULES.bytesScannedCutoffMax, 1073741824), holds(RULES.bytesScannedCutoffMax, 1073741825)]).toEqual([true, false]);
  expect([holds(RULES.investigationLookbackDays, 3653), holds(RULES.investigationLookbackDays, 3654)]).toEqual([true, false]);
  // An address of 254 characters is the longest; 64 the longest local part.
  const at254 = `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.com`;
  expect(at254.length).toBe(254);
  expect([holds(RULES.email, at254), holds(RULES.email, `${at254}m`), holds(RULES.email, "@example.com")]).toEqual([true, false, false]);
  // Reserved prefixes and suffixes only where S3 reserves them: at the start, at the end.
  expect(bucketNameProblem("abc-xn--def")).toBeUndefined();
  expect(bucketNameProblem("abc-s3alias-x")).toBeUndefined();
  // AWS-managed keys and aliases by ARN or by name; "alias/" elsewhere in a key ARN is not an alias.
  expect([holds(RULES.awsManagedKey, "alias/aws/sns"), holds(RULES.awsManagedKey, "arn:aws:kms:us-east-1:123456789012:alias/aws/sns")]).toEqual([false, false]);
  expect(holds(RULES.awsManagedKey, "arn:aws:kms:us-east-1:123456789012:key/alias/aws/x")).toBe(true);
  expect(holds(RULES.kmsAlias, "arn:aws:kms:us-east-1:123456789012:key/myalias/x")).toBe(true);
  expect(holds(RULES.kmsKeyArn, "arn:aws-cn:kms:cn-north-1:123456789012:key/abc")).toBe(true);
  expect(holds(RULES.kmsKeyArn, "arn:aws-eusc:kms:eu-x-1:123456789012:key/abc")).toBe(false);
  expect(kmsAliasProblem("alias/x")).toBe(RULES.kmsAlias.allowed);
  expect(awsManagedKeyProblem("alias/aws/sns")).toBe(RULES.awsManagedKey.allowed);
  expect(kmsAliasProblem("arn:aws:kms:us-east-1:123456789012:key/abc")).toBeUndefined();
});

test("chat channel rules: names as part of a resource name, Slack and Teams IDs as their apps show them", () => {
  const holds = <T>(rule: Rule<T>, values: T[]) => values.map((v) => rule.holds(v));
  expect(holds(RULES.chatChannelName, ["ops", "c".repeat(32), "c".repeat(33), "Ops", "1ops", "ops_alerts", ""])).toEqual([
    true,
    true,
    false,
    false,
    false,
    false,
    false,
  ]);
  expect(holds(RULES.slackWorkspaceId, ["T012ABCDE", "T12345", "C012ABCDE", "T012abcde"])).toEqual([true, false, false, false]);
  // Public channels start with C, private ones with G; direct messages (D) have no channel configuration.
  expect(holds(RULES.slackChannelId, ["C012ABCDE", "G012ABCDE", "D012ABCDE", "#general"])).toEqual([true, true, false, false]);
  for (const rule of [RULES.teamsTenantId, RULES.teamsTeamId]) {
    expect(holds(rule, ["0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"])).toEqual([
      true,
      true,
      false,
    ]);
  }
  // The channel ID as the channel's link has it, URL-encoded (the API's pattern): the decoded form is refused.
  expect(holds(RULES.teamsChannelId, ["19%3aabc%40thread.tacv2", "19%3Aabc%40thread.skype", "19:abc@thread.tacv2", "19%3a%40thread.tacv2"])).toEqual([
    true,
    true,
    false,
    false,
  ]);
});

test("the words of the bucket, KMS-region and results-bucket rules", () => {
  expect(BUCKET_NAME_RULES.map((r) => r.allowed)).toEqual([
    "3 to 63 characters",
    "lower-case letters, digits and hyphens, starting and ending with a letter or digit (no dots: they break TLS for virtual-hosted requests)",
    "a name not starting with a reserved prefix (xn--, sthree-, amzn-s3-demo-)",
    "a name not ending with a reserved suffix (-s3alias, --ol-s3, --x-s3, --table-s3)",
  ]);
  expect(kmsKeyRegionText("eu-west-1")).toBe("a key in eu-west-1 (KMS keys are regional)");
  expect(resultsBucketOwnText("days")).toBe("a bucket of its own: not the archive bucket or the access-log bucket (results expire after days)");
  expect(bucketNameHcl("x")).toBe(BUCKET_NAME_RULES.map((r) => `(${r.hcl("x")})`).join(" && "));
});

test("hclString escapes what HCL quoted strings treat specially", () => {
  expect(hclString('a"b\\c${x}%{y}\n')).toBe('"a\\"b\\\\c$${x}%%{y}\\n"');
});

test("range and list rules word themselves from their bounds", () => {
  expect(wholeRange(1, 3653).allowed).toBe("a whole number from 1 to 3653");
  expect(wholeRange(1).allowed).toBe("a whole number >= 1");
  expect(wholeRange(1, 3).holds(2.5)).toBe(false);
  expect(oneOf([1, 3]).allowed).toBe("one of 1, 3");
});

test("config.ts, the constructs and the module give the rule's words", () => {
  const said = (patch: Record<string, unknown>) => {
    try {
      parseConfig({ accountId: "123456789012", alarms: { emails: ["ops@example.com"] }, notifications: { enabled: false }, ...patch }, "t");
    } catch (e) {
      return (e as Error).message;
    }
    return "accepted";
  };
  expect(said({ investigation: { enabled: true, lookbackDays: 0 } })).toContain(`allowed: ${RULES.investigationLookbackDays.allowed}`);
  expect(said({ archive: { bufferingSizeMiB: 129 } })).toContain(`allowed: ${RULES.bufferingSizeMiB.allowed}`);
  expect(said({ tags: { "bad{": "x" } })).toContain(`allowed: ${RULES.tagKey.allowed}`);
  expect(() => Rate.percent(100)).toThrow(RULES.percent.allowed);
  const messages = moduleVariables().flatMap((v) => v.rules.map((r) => r.allowed));
  for (const rule of [RULES.investigationLookbackDays, RULES.tagKey, RULES.email, RULES.kmsAlias, RULES.campaignTag]) expect(messages).toContain(rule.allowed);
  // The chat channel variables name the field each rule is about.
  expect(messages).toEqual(
    expect.arrayContaining([
      `each name: ${RULES.chatChannelName.allowed}`,
      `each workspace_id: ${RULES.slackWorkspaceId.allowed}`,
      `each channel_id: ${RULES.slackChannelId.allowed}`,
      `each tenant_id: ${RULES.teamsTenantId.allowed}`,
      `each team_id: ${RULES.teamsTeamId.allowed}`,
      `each channel_id: ${RULES.teamsChannelId.allowed}`,
    ]),
  );
});

describeTerraform("each rule's Terraform condition agrees with its TypeScript check", () => {
  const cases = Object.entries(SAMPLES).flatMap(([name, { rule, values }]) => values.map((value) => ({ name, rule, value })));
  let results: boolean[];
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-rules-"));
    try {
      const literal = (v: string | number) => (typeof v === "number" ? String(v) : hclString(v));
      const expression = `jsonencode([${cases.map((c) => `(${c.rule.hcl(literal(c.value))})`).join(", ")}])`;
      const res = await terraform(dir, ["console", "-no-color"], { input: `${expression}\n` });
      if (res.code !== 0) throw new Error(`terraform console failed: ${res.stderr}`);
      results = JSON.parse(JSON.parse(res.stdout.trim()));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each(Object.keys(SAMPLES))("%s", (name) => {
    const mismatches = cases
      .map((c, i) => ({ ...c, hcl: results[i] }))
      .filter((c) => c.name === name && c.hcl !== c.rule.holds(c.value as never))
      .map((c) => `${JSON.stringify(c.value)}: TypeScript ${c.rule.holds(c.value as never)}, Terraform ${c.hcl}`);
    expect(mismatches).toEqual([]);
  });
});
