import * as fs from "fs";
import * as path from "path";
import { ConfigError, configWarnings, DEFAULT_EVENT_TYPES, parseConfig } from "../../modules/app/config";
import { exampleConfigs } from "../support/files";

/** Smallest valid config; each test changes one thing. */
function base(): Record<string, any> {
  return {
    accountId: "123456789012",
    alarms: { emails: ["ops@example.com"] },
    notifications: { identities: ["example.com"] },
  };
}

function withChange(change: (cfg: Record<string, any>) => void): Record<string, any> {
  const cfg = base();
  change(cfg);
  return cfg;
}

/** The ConfigError parseConfig throws; fails the test if it accepts the config or throws something else. */
function configError(raw: unknown): ConfigError {
  try {
    parseConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("parseConfig accepted the config");
}

/** Asserts the message names the field path, the given value, and the allowed text. */
function expectError(raw: unknown, where: string, got: string, allowed: string): void {
  const { message } = configError(raw);
  expect(message).toContain(`${where}: got ${got}; allowed: `);
  expect(message).toContain(allowed);
}

describe("parseConfig defaults", () => {
  const cfg = parseConfig(base());

  test("name and region", () => {
    expect(cfg.name).toBe("ses-guard");
    expect(cfg.regions).toEqual(["us-east-1"]);
    expect(cfg.tags).toEqual({});
  });

  test("bounce levels 2 % and 5 %", () => {
    expect(cfg.alarms.bounceRatePercent).toEqual({ warning: 2, critical: 5 });
  });

  test("complaint levels 0.05 % and 0.1 %", () => {
    expect(cfg.alarms.complaintRatePercent).toEqual({ warning: 0.05, critical: 0.1 });
  });

  test("one 900-second evaluation period", () => {
    expect(cfg.alarms.periodSeconds).toBe(900);
    expect(cfg.alarms.evaluationPeriods).toBe(1);
  });

  test("the seven investigation event types", () => {
    expect(cfg.archive.eventTypes).toEqual(["SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY", "RENDERING_FAILURE"]);
    expect(cfg.archive.eventTypes).toEqual([...DEFAULT_EVENT_TYPES]);
  });

  test("lifecycle 30 d STANDARD_IA, 90 d GLACIER_IR (Athena still reads it), expire 730 d, abort uploads 7 d", () => {
    expect(cfg.archive.lifecycle).toEqual({
      transitions: [
        { days: 30, storageClass: "STANDARD_IA" },
        { days: 90, storageClass: "GLACIER_IR" },
      ],
      expirationDays: 730,
      abortIncompleteMultipartUploadDays: 7,
      noncurrentVersionExpirationDays: 30,
      transitionMinimumObjectSize: "all_storage_classes_128K",
    });
  });

  test("buffering 900 s / 128 MiB and 30-day log retention", () => {
    expect(cfg.archive.bufferingIntervalSeconds).toBe(900);
    expect(cfg.archive.bufferingSizeMiB).toBe(128);
    expect(cfg.archive.logRetentionDays).toBe(30);
  });

  test("bucket and configuration set names are left to be derived", () => {
    expect(cfg.archive.bucketName).toBeUndefined();
    expect(cfg.configurationSet.name).toBeUndefined();
  });

  test("TLS required", () => {
    expect(cfg.configurationSet.requireTls).toBe(true);
  });

  test("notifications on for Bounce and Complaint with original headers", () => {
    expect(cfg.notifications.enabled).toBe(true);
    expect(cfg.notifications.types).toEqual(["Bounce", "Complaint"]);
    expect(cfg.notifications.includeOriginalHeaders).toBe(true);
    expect(cfg.notifications.emails).toBeUndefined();
  });

  test("a default lifecycle is filled in per field, not all or nothing", () => {
    const partial = parseConfig(withChange((c) => (c.archive = { lifecycle: { expirationDays: 400 } })));
    expect(partial.archive.lifecycle.transitions).toEqual([
      { days: 30, storageClass: "STANDARD_IA" },
      { days: 90, storageClass: "GLACIER_IR" },
    ]);
    expect(partial.archive.lifecycle.expirationDays).toBe(400);
  });
});

describe("parseConfig accepts", () => {
  const examples = path.join(__dirname, "..", "..", "examples");
  test.each(exampleConfigs(examples))("examples/%s", (file) => {
    expect(() => parseConfig(JSON.parse(fs.readFileSync(path.join(examples, file), "utf8")))).not.toThrow();
  });

  test("notifications disabled without identities", () => {
    expect(parseConfig(withChange((c) => (c.notifications = { enabled: false }))).notifications.enabled).toBe(false);
  });
});

describe("parseConfig error format", () => {
  test("is a ConfigError prefixed with the source", () => {
    let error: unknown;
    try {
      parseConfig(
        withChange((c) => (c.regions = ["mars-1"])),
        "ses-guard.json",
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).name).toBe("ConfigError");
    expect((error as Error).message).toMatch(/^ses-guard\.json: regions\[0\]: got "mars-1"; allowed: /);
  });

  test("counts the problems after the first", () => {
    const raw = withChange((c) => {
      c.regions = ["mars-1"];
      c.accountId = "1";
    });
    expect(configError(raw).message).toContain("(1 more problem after this one)");
  });
});

describe("parseConfig rejects a percentage", () => {
  const range = "a percentage greater than 0 and less than 100 (5 means 5 %)";

  test.each([
    ["bounceRatePercent", "critical", 0],
    ["bounceRatePercent", "critical", 100],
    ["complaintRatePercent", "warning", -1],
    ["bounceRatePercent", "critical", 150],
  ])("alarms.%s.%s = %p out of range", (key, level, value) => {
    const raw = withChange((c) => (c.alarms[key] = { [level]: value }));
    expectError(raw, `alarms.${key}.${level}`, String(value), range);
  });

  test("given as a string", () => {
    const raw = withChange((c) => (c.alarms.bounceRatePercent = { critical: "5" }));
    expectError(raw, "alarms.bounceRatePercent.critical", '"5"', "a value of type number");
  });

  test("warning equal to critical", () => {
    const raw = withChange((c) => (c.alarms.bounceRatePercent = { warning: 5, critical: 5 }));
    expectError(raw, "alarms.bounceRatePercent.warning", "5", "a warning level below the critical level (5)");
  });

  test("warning above the default critical", () => {
    const raw = withChange((c) => (c.alarms.complaintRatePercent = { warning: 0.2 }));
    expectError(raw, "alarms.complaintRatePercent.warning", "0.2", "a warning level below the critical level (0.1)");
  });
});

describe("parseConfig rejects an unknown key", () => {
  test("at the top level, listing the allowed keys", () => {
    const { message } = configError(withChange((c) => (c.foo = 1)));
    expect(message).toContain('config: unknown key "foo"; allowed keys: ');
    expect(message).toContain(
      "$schema, name, accountId, regions, backend, tags, alarms, archive, configurationSet, notifications, encryption, existing, adopt",
    );
  });

  test("in alarms, listing alarms' keys", () => {
    const { message } = configError(withChange((c) => (c.alarms.email = ["ops@example.com"])));
    expect(message).toContain('alarms: unknown key "email"; allowed keys: ');
    expect(message).toContain("emails, bounceRatePercent, complaintRatePercent, periodSeconds, evaluationPeriods");
  });

  test("in archive.lifecycle, listing the lifecycle keys", () => {
    const { message } = configError(withChange((c) => (c.archive = { lifecycle: { expiration: 30 } })));
    expect(message).toContain('archive.lifecycle: unknown key "expiration"; allowed keys: ');
    expect(message).toContain("transitions, expirationDays, abortIncompleteMultipartUploadDays");
  });

  test("in a rate-levels object", () => {
    const { message } = configError(withChange((c) => (c.alarms.bounceRatePercent = { warn: 1 })));
    expect(message).toContain('alarms.bounceRatePercent: unknown key "warn"; allowed keys: warning, critical');
  });
});

describe("parseConfig rejects a wrong type", () => {
  test("periodSeconds as a string", () => {
    expectError(
      withChange((c) => (c.alarms.periodSeconds = "900")),
      "alarms.periodSeconds",
      '"900"',
      "a value of type number",
    );
  });

  test("requireTls as a string", () => {
    expectError(
      withChange((c) => (c.configurationSet = { requireTls: "yes" })),
      "configurationSet.requireTls",
      '"yes"',
      "a value of type boolean",
    );
  });

  test("emails as a single string", () => {
    expectError(
      withChange((c) => (c.alarms.emails = "ops@example.com")),
      "alarms.emails",
      '"ops@example.com"',
      "a value of type array",
    );
  });

  test("accountId as a number", () => {
    expectError(
      withChange((c) => (c.accountId = 123456789012)),
      "accountId",
      "123456789012",
      "a value of type string",
    );
  });

  test("a missing accountId", () => {
    expectError(
      withChange((c) => delete c.accountId),
      "accountId",
      "nothing",
      "a value (required) of type string",
    );
  });

  test("a fractional evaluationPeriods", () => {
    expectError(
      withChange((c) => (c.alarms.evaluationPeriods = 1.5)),
      "alarms.evaluationPeriods",
      "1.5",
      "a whole number",
    );
  });
});

describe("parseConfig rejects an e-mail address", () => {
  const allowed = "an e-mail address such as ops@example.com";

  test.each([
    ["with a space", "ops @example.com"],
    ["without @", "ops.example.com"],
    ["with a unicode domain", "ops@exämple.com"],
    ["without a domain", "ops@"],
  ])("%s", (_what, address) => {
    expectError(
      withChange((c) => (c.alarms.emails = [address])),
      "alarms.emails[0]",
      JSON.stringify(address),
      allowed,
    );
  });

  test("in notifications.emails", () => {
    expectError(
      withChange((c) => (c.notifications.emails = ["bad address"])),
      "notifications.emails[0]",
      '"bad address"',
      allowed,
    );
  });

  test("listed twice, ignoring case", () => {
    expectError(
      withChange((c) => (c.alarms.emails = ["ops@example.com", "Ops@Example.com"])),
      "alarms.emails[1]",
      '"Ops@Example.com"',
      "each address once; this one is listed twice",
    );
  });

  test("an empty alarm e-mail list", () => {
    expectError(
      withChange((c) => (c.alarms.emails = [])),
      "alarms.emails",
      "[]",
      "a list of at least 1 item(s)",
    );
  });
});

describe("parseConfig rejects an identity", () => {
  test("that is neither a domain nor an address", () => {
    expectError(
      withChange((c) => (c.notifications.identities = ["not an identity"])),
      "notifications.identities[0]",
      '"not an identity"',
      "an SES identity: a domain such as example.com or an address such as sender@example.com",
    );
  });

  test("listed twice, ignoring case", () => {
    expectError(
      withChange((c) => (c.notifications.identities = ["example.com", "EXAMPLE.com"])),
      "notifications.identities[1]",
      '"EXAMPLE.com"',
      "each identity once; this one is listed twice",
    );
  });

  test("list empty while notifications are enabled", () => {
    expectError(
      withChange((c) => (c.notifications = { identities: [] })),
      "notifications.identities",
      "[]",
      "at least one SES identity while notifications are enabled (or set notifications.enabled to false)",
    );
  });

  test("list missing while notifications are enabled", () => {
    expectError(
      withChange((c) => (c.notifications = {})),
      "notifications.identities",
      "[] (the default)",
      "at least one SES identity while notifications are enabled",
    );
  });
});

describe("parseConfig rejects archive.bucketName", () => {
  test.each([
    ["upper case", "MyBucket", "lower-case letters, digits and hyphens"],
    ["dots", "my.bucket", "lower-case letters, digits and hyphens, starting and ending with a letter or digit (no dots: they break TLS"],
    ["too short", "ab", "3 to 63 characters"],
    ["too long", "a".repeat(64), "3 to 63 characters"],
    ["reserved prefix xn--", "xn--bucket", "a name not starting with a reserved prefix (xn--, sthree-, amzn-s3-demo-)"],
    ["reserved suffix -s3alias", "my-bucket-s3alias", "a name not ending with a reserved suffix"],
  ])("with %s", (_what, name, allowed) => {
    expectError(
      withChange((c) => (c.archive = { bucketName: name })),
      "archive.bucketName",
      JSON.stringify(name),
      `an S3 bucket name: ${allowed}`,
    );
  });

  test("accepts 3 and 63 characters", () => {
    expect(() => parseConfig(withChange((c) => (c.archive = { bucketName: "abc" })))).not.toThrow();
    expect(() => parseConfig(withChange((c) => (c.archive = { bucketName: "a".repeat(63) })))).not.toThrow();
  });
});

describe("parseConfig rejects archive.eventTypes", () => {
  test("an unknown event type, listing the known ones", () => {
    const raw = withChange((c) => (c.archive = { eventTypes: ["SEND", "OPENED"] }));
    expectError(raw, "archive.eventTypes[1]", '"OPENED"', 'one of "SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "OPEN", "CLICK"');
  });

  test("an empty list", () => {
    expectError(
      withChange((c) => (c.archive = { eventTypes: [] })),
      "archive.eventTypes",
      "[]",
      "a list of at least 1 item(s)",
    );
  });

  test("a repeated type", () => {
    expectError(
      withChange((c) => (c.archive = { eventTypes: ["SEND", "SEND"] })),
      "archive.eventTypes[1]",
      '"SEND"',
      "each event type once",
    );
  });
});

describe("parseConfig rejects archive.lifecycle", () => {
  const lifecycle = (lc: unknown) => withChange((c) => (c.archive = { lifecycle: lc }));

  test("transitions not in ascending order", () => {
    const raw = lifecycle({
      transitions: [
        { days: 90, storageClass: "STANDARD_IA" },
        { days: 60, storageClass: "GLACIER" },
      ],
    });
    expectError(
      raw,
      "archive.lifecycle.transitions[1].days",
      "60",
      "more days than the transition before it (90 days to STANDARD_IA); transitions are listed in ascending order",
    );
  });

  test("STANDARD_IA before 30 days", () => {
    const raw = lifecycle({ transitions: [{ days: 10, storageClass: "STANDARD_IA" }], expirationDays: 100 });
    expectError(raw, "archive.lifecycle.transitions[0].days", "10", "at least 30 days for STANDARD_IA (an S3 rule)");
  });

  test("ONEZONE_IA before 30 days", () => {
    const raw = lifecycle({ transitions: [{ days: 29, storageClass: "ONEZONE_IA" }], expirationDays: 100 });
    expectError(raw, "archive.lifecycle.transitions[0].days", "29", "at least 30 days for ONEZONE_IA");
  });

  test("a class moving up S3's order (GLACIER, then STANDARD_IA)", () => {
    const raw = lifecycle({
      transitions: [
        { days: 30, storageClass: "GLACIER" },
        { days: 200, storageClass: "STANDARD_IA" },
      ],
    });
    expectError(
      raw,
      "archive.lifecycle.transitions[1].storageClass",
      '"STANDARD_IA"',
      "a class after GLACIER in S3's order STANDARD_IA > INTELLIGENT_TIERING > ONEZONE_IA > GLACIER_IR > GLACIER > DEEP_ARCHIVE",
    );
  });

  test("a transition before the previous class's minimum storage", () => {
    const raw = lifecycle({
      transitions: [
        { days: 30, storageClass: "STANDARD_IA" },
        { days: 40, storageClass: "GLACIER" },
      ],
    });
    expectError(raw, "archive.lifecycle.transitions[1].days", "40", "at least 60 days (STANDARD_IA keeps objects at least 30 days)");
  });

  test("expiration before the last transition plus its minimum storage (GLACIER at 90 -> 180)", () => {
    const raw = lifecycle({ transitions: [{ days: 90, storageClass: "GLACIER" }], expirationDays: 179 });
    expectError(
      raw,
      "archive.lifecycle.expirationDays",
      "179",
      "at least 180 days: after the last transition (90 days to GLACIER) plus its minimum storage of 90 days",
    );
  });

  test("accepts expiration exactly at the last transition plus its minimum storage", () => {
    const raw = lifecycle({ transitions: [{ days: 90, storageClass: "GLACIER" }], expirationDays: 180 });
    expect(parseConfig(raw).archive.lifecycle.expirationDays).toBe(180);
  });

  test("a default-transition expiration that is too early", () => {
    expectError(lifecycle({ expirationDays: 100 }), "archive.lifecycle.expirationDays", "100", "at least 180 days");
  });

  test("an unknown storage class", () => {
    expectError(
      lifecycle({ transitions: [{ days: 30, storageClass: "COLD" }] }),
      "archive.lifecycle.transitions[0].storageClass",
      '"COLD"',
      'one of "STANDARD_IA", "INTELLIGENT_TIERING"',
    );
  });

  test("an unknown key in a transition", () => {
    const { message } = configError(lifecycle({ transitions: [{ days: 30, storageClass: "STANDARD_IA", class: "x" }] }));
    expect(message).toContain('archive.lifecycle.transitions[0]: unknown key "class"');
  });
});

describe("parseConfig rejects other fields", () => {
  test("a region without SES", () => {
    expectError(
      withChange((c) => (c.regions = ["mars-1"])),
      "regions[0]",
      '"mars-1"',
      'one of "us-east-1", "us-east-2"',
    );
  });

  test.each(["12345", "1234567890123", "12345678901a"])("accountId %p", (id) => {
    expectError(
      withChange((c) => (c.accountId = id)),
      "accountId",
      JSON.stringify(id),
      "a 12-digit AWS account ID, as a string",
    );
  });

  test("a name longer than 24 characters", () => {
    const name = "a".repeat(25);
    expectError(
      withChange((c) => (c.name = name)),
      "name",
      JSON.stringify(name),
      "1 to 24 lower-case letters, digits or hyphens, starting with a letter",
    );
  });

  test("a name with a doubled hyphen", () => {
    expectError(
      withChange((c) => (c.name = "ses--guard")),
      "name",
      '"ses--guard"',
      "no trailing or doubled hyphen",
    );
  });

  test("a log retention CloudWatch does not offer", () => {
    expectError(
      withChange((c) => (c.archive = { logRetentionDays: 31 })),
      "archive.logRetentionDays",
      "31",
      "one of 1, 3, 5, 7, 14, 30, 60",
    );
  });

  test("a period that is not a multiple of 60", () => {
    expectError(
      withChange((c) => (c.alarms.periodSeconds = 90)),
      "alarms.periodSeconds",
      "90",
      "a multiple of 60 from 60 to 86400",
    );
  });

  test("a buffer above Firehose's 128 MiB", () => {
    expectError(
      withChange((c) => (c.archive = { bufferingSizeMiB: 129 })),
      "archive.bufferingSizeMiB",
      "129",
      "a whole number from 1 to 128",
    );
  });

  test("a buffering interval above 900 s", () => {
    expectError(
      withChange((c) => (c.archive = { bufferingIntervalSeconds: 901 })),
      "archive.bufferingIntervalSeconds",
      "901",
      "a whole number from 0 to 900",
    );
  });

  test("an unknown notification type", () => {
    expectError(
      withChange((c) => (c.notifications.types = ["Open"])),
      "notifications.types[0]",
      '"Open"',
      'one of "Bounce", "Complaint", "Delivery"',
    );
  });
});

describe("configWarnings", () => {
  test("defaults give none", () => {
    expect(configWarnings(parseConfig(base()))).toEqual([]);
  });

  test("a critical bounce level above AWS's 5 % review level is named", () => {
    const cfg = parseConfig(withChange((c) => (c.alarms.bounceRatePercent = { warning: 2, critical: 6 })));
    const warnings = configWarnings(cfg);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("alarms.bounceRatePercent.critical is 6 %");
    expect(warnings[0]).toContain("above the 5 % at which AWS puts the account under review");
  });

  test("a critical bounce level of exactly 5 % is not warned about", () => {
    const cfg = parseConfig(withChange((c) => (c.alarms.bounceRatePercent = { warning: 4, critical: 5 })));
    expect(configWarnings(cfg)).toEqual([]);
  });

  test("complaint levels above 0.1 % warn once per level", () => {
    const cfg = parseConfig(withChange((c) => (c.alarms.complaintRatePercent = { warning: 0.2, critical: 0.3 })));
    const warnings = configWarnings(cfg);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("alarms.complaintRatePercent.warning is 0.2 %");
    expect(warnings[1]).toContain("alarms.complaintRatePercent.critical is 0.3 %");
  });

  test("identities listed while notifications are disabled", () => {
    const cfg = parseConfig(withChange((c) => (c.notifications.enabled = false)));
    expect(configWarnings(cfg)).toEqual(["notifications.identities is set but notifications.enabled is false; no notification topics are created"]);
  });
});

describe("rules found in review", () => {
  test("an unknown key inside a lifecycle transition lists that object's keys", () => {
    const { message } = configError(withChange((c) => (c.archive = { lifecycle: { transitions: [{ days: 30, storageClass: "STANDARD_IA", x: 1 }] } })));
    expect(message).toContain('archive.lifecycle.transitions[0]: unknown key "x"; allowed keys: days, storageClass');
  });

  test("a name whose default bucket name breaks S3's rules is rejected at name", () => {
    expectError(
      withChange((c) => (c.name = "sthree")),
      "name",
      '"sthree"',
      'but "sthree-events-123456789012-us-east-1" breaks S3',
    );
  });

  test("periodSeconds x evaluationPeriods over one day is rejected at evaluationPeriods", () => {
    expectError(
      withChange((c) => Object.assign(c.alarms, { periodSeconds: 3600, evaluationPeriods: 25 })),
      "alarms.evaluationPeriods",
      "25",
      "at most 24 periods of 3600 s",
    );
    expect(() => parseConfig(withChange((c) => Object.assign(c.alarms, { periodSeconds: 3600, evaluationPeriods: 24 })))).not.toThrow();
  });

  test("two addresses that would share a Terraform resource name are rejected, naming both", () => {
    expectError(
      withChange((c) => (c.alarms.emails = ["a.b@example.com", "a_b@example.com"])),
      "alarms.emails[1]",
      '"a_b@example.com"',
      'differs from "a.b@example.com"\'s (both become "a_b_at_example_com")',
    );
  });

  test("domains differing only in hyphen versus dot are both accepted", () => {
    expect(parseConfig(withChange((c) => (c.notifications.identities = ["a-b.example", "a.b.example"]))).notifications.identities).toHaveLength(2);
  });
});
