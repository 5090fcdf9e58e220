// Config rules found on first real use (issue 10): each fires where it should, stays silent at its
// limit, and says what is wrong in the user's terms.
import { ConfigError, notificationIdentitiesFor, parseConfig, queryableDays } from "../../modules/app/config";

function base(): Record<string, any> {
  return { accountId: "123456789012", alarms: { emails: ["ops@example.com"] }, notifications: { identities: ["example.com"] } };
}
const withChange = (change: (c: Record<string, any>) => void) => {
  const c = base();
  change(c);
  return c;
};
function problems(raw: unknown): string {
  try {
    parseConfig(raw, "ses-guard.json");
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("parseConfig accepted the config");
}

describe("rates given as fractions", () => {
  test("a bounce level of 0.02 is refused as percent, suggesting 2", () => {
    expect(problems(withChange((c) => (c.alarms.bounceRatePercent = { warning: 0.02, critical: 0.05 })))).toContain(
      "ses-guard.json: alarms.bounceRatePercent.warning: got 0.02; allowed: at least 0.5 (the levels are percent: 5 means 5 %, not 0.05); 0.02 percent fires on almost any bounce: did you mean 2?",
    );
  });

  test("the critical level gets its own suggestion, and the warning is not blamed for being above it", () => {
    const message = problems(withChange((c) => (c.alarms.bounceRatePercent = { warning: 2, critical: 0.05 })));
    expect(message).toContain("alarms.bounceRatePercent.critical: got 0.05; allowed: at least 0.5");
    expect(message).toContain("did you mean 5?");
    expect(message).not.toContain("alarms.bounceRatePercent.warning");
  });

  test("complaint levels below 0.01 percent are refused, suggesting the value x 100", () => {
    expect(problems(withChange((c) => (c.alarms.complaintRatePercent = { warning: 0.0005, critical: 0.1 })))).toContain(
      "alarms.complaintRatePercent.warning: got 0.0005; allowed: at least 0.01 (the levels are percent: 5 means 5 %, not 0.05); 0.0005 percent fires on almost any complaint: did you mean 0.05?",
    );
  });

  test.each([
    ["bounceRatePercent", 0.5, 1],
    ["complaintRatePercent", 0.01, 0.02],
  ])("%s: the floor itself (%s) is accepted", (key, warning, critical) => {
    expect(parseConfig(withChange((c) => (c.alarms[key] = { warning, critical }))).alarms[key as "bounceRatePercent"].warning).toBe(warning);
  });

  test.each([
    ["bounceRatePercent", 0.49],
    ["complaintRatePercent", 0.0099],
  ])("%s: just below the floor (%s) is refused", (key, warning) => {
    expect(problems(withChange((c) => (c.alarms[key] = { warning, critical: 1 })))).toContain(`alarms.${key}.warning: got ${warning}; allowed: at least`);
  });

  test("warning above a plausible critical level still names the warning", () => {
    expect(problems(withChange((c) => (c.alarms.bounceRatePercent = { warning: 6, critical: 5 })))).toContain(
      "alarms.bounceRatePercent.warning: got 6; allowed: a warning level below the critical level (5)",
    );
  });
});

describe("KMS keys", () => {
  const key = (arn: string) => withChange((c) => (c.encryption = { kmsKeyArns: { "us-east-1": arn } }));

  test("an alias ARN is refused: IAM policies cannot name a key by alias", () => {
    expect(problems(key("arn:aws:kms:us-east-1:123456789012:alias/ses-guard"))).toContain(
      'encryption.kmsKeyArns.us-east-1: got "arn:aws:kms:us-east-1:123456789012:alias/ses-guard"; allowed: a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias: IAM policies cannot name a key by alias; `aws kms describe-key --key-id alias/<name>` prints the key\'s ARN',
    );
  });

  test("an AWS-managed alias keeps its own, more specific message", () => {
    expect(problems(key("arn:aws:kms:us-east-1:123456789012:alias/aws/sns"))).toContain(
      "allowed: a customer-managed KMS key: AWS-managed keys such as alias/aws/sns",
    );
  });

  test("a key ARN is accepted; junk around it is not", () => {
    const arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(parseConfig(key(arn)).encryption.kmsKeyArns["us-east-1"]).toBe(arn);
    expect(problems(key(`x${arn}`))).toContain("allowed: a KMS key ARN such as");
    expect(problems(key(`${arn}/x`))).toContain("allowed: a KMS key ARN such as");
  });
});

describe("notification identities per region", () => {
  const regions = ["us-east-1", "eu-west-1"];

  test("an object gives each region its own identities; a region left out gets none", () => {
    const cfg = parseConfig(withChange((c) => ((c.regions = regions), (c.notifications.identities = { "eu-west-1": ["example.eu"] }))));
    expect(notificationIdentitiesFor(cfg, "eu-west-1")).toEqual(["example.eu"]);
    expect(notificationIdentitiesFor(cfg, "us-east-1")).toEqual([]);
  });

  test("a list applies to every region", () => {
    const cfg = parseConfig(withChange((c) => (c.regions = regions)));
    for (const region of regions) expect(notificationIdentitiesFor(cfg, region)).toEqual(["example.com"]);
  });

  test("a region that is not guarded is refused", () => {
    expect(problems(withChange((c) => (c.notifications.identities = { "eu-west-1": ["example.eu"] })))).toContain(
      'notifications.identities.eu-west-1: got ["example.eu"]; allowed: a key from regions (us-east-1)',
    );
  });

  test("no identity in any region while notifications are on is refused", () => {
    expect(problems(withChange((c) => (c.notifications.identities = { "us-east-1": [] })))).toContain(
      'notifications.identities: got {"us-east-1":[]}; allowed: at least one SES identity while notifications are enabled',
    );
  });

  test("each region's list is checked like the plain list", () => {
    expect(problems(withChange((c) => (c.notifications.identities = { "us-east-1": ["not an identity"] })))).toContain("notifications.identities");
  });
});

describe("Athena reads only what is not archived", () => {
  const lifecycle = (transitions: unknown[], expirationDays = 730) => ({ transitions, expirationDays });

  test("queryableDays: the first GLACIER or DEEP_ARCHIVE transition, or the expiration, less one day", () => {
    expect(
      queryableDays(
        lifecycle([
          { days: 30, storageClass: "STANDARD_IA" },
          { days: 90, storageClass: "GLACIER" },
        ]) as any,
      ),
    ).toBe(89);
    expect(queryableDays(lifecycle([{ days: 180, storageClass: "DEEP_ARCHIVE" }], 400) as any)).toBe(179);
    expect(queryableDays(lifecycle([{ days: 90, storageClass: "GLACIER_IR" }], 400) as any)).toBe(399);
    expect(queryableDays(lifecycle([], 30) as any)).toBe(29);
  });

  const investigating = (lookbackDays: number, transitions: unknown[]) =>
    withChange((c) => {
      c.investigation = { enabled: true, lookbackDays };
      c.archive = { lifecycle: { transitions, expirationDays: 400 } };
    });

  test("a look-back into GLACIER days is refused, naming the transition and the way out", () => {
    expect(problems(investigating(40, [{ days: 40, storageClass: "GLACIER" }]))).toContain(
      "investigation.lookbackDays: got 40; allowed: at most 39: events older than that are in GLACIER (archive.lifecycle.transitions, day 40), which Athena skips without an error; transition later, or to GLACIER_IR, which Athena reads",
    );
  });

  test("the last readable day is accepted", () => {
    expect(parseConfig(investigating(39, [{ days: 40, storageClass: "GLACIER" }])).investigation.lookbackDays).toBe(39);
  });

  test("GLACIER_IR does not limit the look-back; the expiration does", () => {
    expect(parseConfig(investigating(200, [{ days: 40, storageClass: "GLACIER_IR" }])).investigation.lookbackDays).toBe(200);
    expect(problems(investigating(400, [{ days: 40, storageClass: "GLACIER_IR" }]))).toContain(
      "investigation.lookbackDays: got 400; allowed: at most 399: archive.lifecycle.expirationDays (400) deletes older events",
    );
  });

  test("without investigation the look-back is not checked against the lifecycle", () => {
    const raw = investigating(40, [{ days: 40, storageClass: "GLACIER" }]);
    raw.investigation.enabled = false;
    expect(() => parseConfig(raw)).not.toThrow();
  });
});
