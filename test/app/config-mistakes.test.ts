// Mistakes people make on first use: a key written twice, a misspelt or misplaced key, a YAML file,
// many problems at once, and an output folder that cannot be written. The CLI side of each is also in
// the bad-input corpus (test/corpus/cases.json); these pin the rules behind the messages.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../modules/app/cli";
import { ConfigError, MAX_PROBLEMS_SHOWN, parseConfig, problemLines } from "../../modules/app/config";
import { duplicateKeyProblems, yamlProblem } from "../../modules/app/config-source";
import { editDistance } from "../../modules/app/config-suggest";

// fs with its write calls replaceable per test (the CLI module loads this same mock), to inject the
// errors a read-only disk gives; everything else is the real fs.
jest.mock("fs", () => {
  const actual = jest.requireActual<typeof import("fs")>("fs");
  return { ...actual, mkdirSync: jest.fn(actual.mkdirSync), renameSync: jest.fn(actual.renameSync) };
});
const realFs = jest.requireActual<typeof import("fs")>("fs");

const minimal = () =>
  ({ accountId: "123456789012", alarms: { emails: ["ops@example.com"] }, notifications: { identities: ["example.com"] } }) as Record<string, any>;

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("the config was accepted");
}

describe("duplicate keys are refused, naming the key and its lines", () => {
  test("at the top level and nested, in file order", () => {
    const text = ["{", '  "accountId": "1",', '  "alarms": {', '    "emails": [],', '    "emails": ["a@example.com"]', "  },", '  "accountId": "2"', "}"].join(
      "\n",
    );
    expect(duplicateKeyProblems(text, "c.json")).toEqual([
      'c.json: alarms.emails: key "emails" appears twice (lines 4 and 5); allowed: each key once',
      'c.json: accountId: key "accountId" appears twice (lines 2 and 7); allowed: each key once',
    ]);
  });

  test("inside list items and region maps, three times, and when the key is written with an escape", () => {
    const text = '{"a": [{"x": 1}, {"x": 1,\n"x": 2,\n"\\u0078": 3}], "adopt": {"us-east-1": {"sesRole": "r", "sesRole": "r"}}}';
    expect(duplicateKeyProblems(text, "c.json")).toEqual([
      'c.json: a[1].x: key "x" appears 3 times (lines 1, 2 and 3); allowed: each key once',
      'c.json: adopt.us-east-1.sesRole: key "sesRole" appears twice (line 3); allowed: each key once',
    ]);
  });

  test("the same key in different objects, or keys differing in case, are not duplicates", () => {
    expect(duplicateKeyProblems('{"a": {"x": 1}, "b": {"x": 1}, "tags": {"Team": "a", "team": "b"}, "l": [{"x": 1}, {"x": 2}]}', "c.json")).toEqual([]);
  });
});

describe("a YAML file is named as such", () => {
  test.each([
    ["key: value", 'accountId: "123456789012"\nalarms:\n  emails: [ops@example.com]\n'],
    ["a comment, then key:", "# mine\n\nname: ses-guard\n"],
    ["a document marker", "---\nname: x\n"],
    ["a list", "- a\n- b\n"],
  ])("%s", (_name, text) => {
    expect(yamlProblem(text)).toMatch(/^this looks like YAML, but ses-guard\.json must be JSON; allowed: a JSON object/);
  });

  test.each([
    ["broken JSON", '{\n  accountId: "1"\n}'],
    ["JSON with a comment", '// x\n{"a": 1}'],
    ["a JSON snippet without braces", '"alarms": {"emails": []}'],
    ["an empty file", "\n\n"],
    ["a bare word", "nope"],
  ])("not for %s (the JSON syntax error says more)", (_name, text) => {
    expect(yamlProblem(text)).toBeUndefined();
  });
});

describe("an unknown key suggests the nearest key", () => {
  const lineFor = (patch: (c: Record<string, any>) => void, key: string) => {
    const c = minimal();
    patch(c);
    const line = problemsOf(c).find((l) => l.includes(`unknown key ${JSON.stringify(key)}`));
    if (!line) throw new Error(`no unknown-key line for ${key}`);
    return line;
  };

  test.each([
    [
      "a synonym, in another object of the section: archive.retentionDays",
      (c: any) => (c.archive = { retentionDays: 90 }),
      "retentionDays",
      "archive.lifecycle.expirationDays",
    ],
    ["a key missing its unit: alarms.bounceRate", (c: any) => (c.alarms.bounceRate = 4), "bounceRate", '"bounceRatePercent"'],
    ["a typo with swapped letters: alarms.emials", (c: any) => (c.alarms.emials = []), "emials", '"emails"'],
    ["a plural missing: top-level region (not backend.region)", (c: any) => (c.region = "us-east-1"), "region", '"regions"'],
    ["a key put at the top level: emails", (c: any) => (c.emails = []), "emails", "alarms.emails"],
    [
      "a key one level too high: archive.expirationDays",
      (c: any) => (c.archive = { expirationDays: 30 }),
      "expirationDays",
      "archive.lifecycle.expirationDays",
    ],
    ["a key of a region map: adopt.us-east-1.bucket", (c: any) => (c.adopt = { "us-east-1": { bucket: "b" } }), "bucket", '"archiveBucket"'],
    [
      "a misspelt region: existing.alarmTopicArns.us-east-l",
      (c: any) => (c.existing = { alarmTopicArns: { "us-east-l": "arn:aws:sns:us-east-1:123456789012:t" } }),
      "us-east-l",
      '"us-east-1"',
    ],
    // identities is a list or an object of lists by region: the object's keys are the regions.
    [
      "a misspelt region where a list or a region map is allowed: notifications.identities.eu-west-l",
      (c: any) => (c.notifications.identities = { "eu-west-l": ["example.com"] }),
      "eu-west-l",
      '"eu-west-1"',
    ],
    [
      "a field of a list item: transitions[0].class",
      (c: any) => (c.archive = { lifecycle: { transitions: [{ days: 90, class: "GLACIER" }] } }),
      "class",
      '"storageClass"',
    ],
  ])("%s", (_name, patch, key, suggestion) => {
    expect(lineFor(patch, key)).toMatch(new RegExp(`; allowed keys: [^;]+; did you mean ${suggestion.replace(/[.[\]]/g, "\\$&")}\\?$`));
  });

  test.each([
    ["nothing close", (c: any) => (c.alarms.frobnicate = 1), "frobnicate"],
    [
      "a key of another backend type is not offered for this one",
      (c: any) => (c.backend = { type: "s3", bucket: "b", region: "us-east-1", organisation: "o" }),
      "organisation",
    ],
    ["a key of another section is not offered", (c: any) => (c.alarms.bucketName = "b"), "bucketName"],
  ])("no suggestion: %s", (_name, patch, key) => {
    expect(lineFor(patch, key)).not.toContain("did you mean");
  });

  test("edit distance counts a swap of neighbouring letters once", () => {
    expect(editDistance("emials", "emails")).toBe(1);
    expect(editDistance("email", "emails")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("ab", "ba")).toBe(1);
    expect(editDistance("abcdef", "badcfe")).toBe(3);
  });

  test("edit distance with a limit: exact up to it, limit + 1 beyond, however far", () => {
    expect(editDistance("kitten", "sitting", 3)).toBe(3);
    expect(editDistance("kitten", "sitting", 2)).toBe(3);
    expect(editDistance("expirationDays", "bucketName", 3)).toBe(4);
    expect(editDistance("abcdef", "badcfe", 3)).toBe(3);
    expect(editDistance("abcdef", "badcfe", 2)).toBe(3);
    // A pair whose rows first dip and then exceed the limit only by a swap two rows back.
    expect(editDistance("abcd", "bacd", 1)).toBe(1);
    expect(editDistance("abcd", "abcd", 0)).toBe(0);
  });
});

describe("every problem is reported, one line each", () => {
  test("several unknown keys in one object are one line each; ConfigError.message stays one line for library callers", () => {
    const c = minimal();
    c.alarms.email = [];
    c.alarms.period = 60;
    c.accountId = "12345";
    let error: unknown;
    try {
      parseConfig(c, "f.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^f\.json: accountId: got "12345"; allowed: /);
    expect(problems.slice(1).map((p) => p.replace(/; allowed keys: .*?(?=; did you mean|$)/, ""))).toEqual([
      'f.json: alarms: unknown key "email"; did you mean "emails"?',
      'f.json: alarms: unknown key "period"; did you mean "periodSeconds"?',
    ]);
    expect(message).toBe(`${problems[0]} (2 more problems after this one)`);
    expect(message).not.toContain("\n");
  });

  test("a value of the wrong shape gives one line for its field, not one per rule that reads it", () => {
    const c = minimal();
    c.adopt = { "us-east-1": { alarmTopic: "ses-guard-alarms" } };
    expect(problemsOf(c)).toEqual([expect.stringMatching(/^config: adopt\.us-east-1\.alarmTopic: got "ses-guard-alarms"; allowed: an SNS topic ARN/)]);
  });

  test(`the CLI prints up to ${MAX_PROBLEMS_SHOWN} problems, then how many more`, () => {
    const many = ConfigError.of(
      Array.from({ length: 13 }, (_, i) => `f.json: p${i}: got x; allowed: y`),
      "f.json",
    );
    const lines = problemLines(many);
    expect(lines).toHaveLength(MAX_PROBLEMS_SHOWN + 1);
    expect(lines.slice(0, MAX_PROBLEMS_SHOWN)).toEqual(many.problems.slice(0, MAX_PROBLEMS_SHOWN));
    expect(lines[MAX_PROBLEMS_SHOWN]).toBe("f.json: ... and 3 more problems (fix the ones above, then run again to see them)");
    const exact = ConfigError.of(many.problems.slice(0, MAX_PROBLEMS_SHOWN), "f.json");
    expect(problemLines(exact)).toEqual(exact.problems);
    expect(problemLines(ConfigError.of(many.problems.slice(0, MAX_PROBLEMS_SHOWN + 1), "f.json")).at(-1)).toBe(
      "f.json: ... and 1 more problem (fix the ones above, then run again to see them)",
    );
  });
});

describe("an output folder that cannot be written: one line naming --out and the folder as typed, exit 2, nothing written", () => {
  let dir: string;
  beforeEach(() => {
    dir = realFs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-out-"));
    realFs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(minimal()));
  });
  afterEach(() => {
    jest.mocked(fs.mkdirSync).mockImplementation(realFs.mkdirSync);
    jest.mocked(fs.renameSync).mockImplementation(realFs.renameSync);
    realFs.rmSync(dir, { recursive: true, force: true });
  });

  function run(argv: string[]) {
    const err: string[] = [];
    const out: string[] = [];
    const code = main(argv, {}, dir, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, err, out };
  }

  /** Every path under dir, to prove nothing was created or left behind. */
  const listing = () => realFs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();

  const systemError = (code: string, syscall: string, p: string) =>
    Object.assign(new Error(`${code}: ${code === "EROFS" ? "read-only file system" : "permission denied"}, ${syscall} '${p}'`), { code, syscall, path: p });

  test("a read-only file system (EROFS) where the staging folder would go", () => {
    jest.mocked(fs.mkdirSync).mockImplementation(((p: fs.PathLike, o?: fs.MakeDirectoryOptions) => {
      if (/\.staging-\d+$/.test(String(p))) throw systemError("EROFS", "mkdir", String(p));
      return realFs.mkdirSync(p, o);
    }) as typeof fs.mkdirSync);
    const r = run(["--config", "config.json", "--out", "out"]);
    expect(r).toEqual({
      code: 2,
      out: [],
      err: ['ses-guard: error: --out: cannot write to "out" (read-only file system); allowed: a folder you can write to'],
    });
    expect(listing()).toEqual(["config.json"]);
  });

  test("a refusal while swapping the new output in: the previous output stays, no staging folder is left, its path is never shown", () => {
    expect(run(["--config", "config.json", "--out", "out"]).code).toBe(0);
    const before = listing();
    const manifest = realFs.readFileSync(path.join(dir, "out", "manifest.json"));
    jest.mocked(fs.renameSync).mockImplementation((from, to) => {
      throw systemError("EACCES", "rename", `${String(from)} -> ${String(to)}`);
    });
    const r = run(["--config", "config.json", "--out", "out"]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['ses-guard: error: --out: cannot write to "out" (permission denied); allowed: a folder you can write to']);
    expect(listing()).toEqual(before);
    expect(realFs.readFileSync(path.join(dir, "out", "manifest.json"))).toEqual(manifest);
  });

  test("a parent that cannot be created for lack of permission is not called 'a file in the way'", () => {
    jest.mocked(fs.mkdirSync).mockImplementation(((p: fs.PathLike, o?: fs.MakeDirectoryOptions) => {
      if (String(p) === path.join(dir, "locked")) throw systemError("EACCES", "mkdir", String(p));
      return realFs.mkdirSync(p, o);
    }) as typeof fs.mkdirSync);
    const r = run(["--config", "config.json", "--out", "locked/out"]);
    expect(r.err).toEqual(['ses-guard: error: --out: cannot write to "locked/out" (permission denied); allowed: a folder you can write to']);
    expect(r.code).toBe(2);
  });

  // The real thing: the built command, run as an unprivileged user (root ignores file modes) against folders it may not write.
  describe("with real file modes, through the built command", () => {
    const asRoot = process.getuid?.() === 0;
    const nobody = asRoot ? { uid: 65534, gid: 65534 } : {};
    // The unprivileged user may not be able to read the checkout (a clone in a `mktemp -d` folder is 0700):
    // it runs a copy of the bundle, which is self-contained, from a folder anyone can read.
    let bundle: string;
    beforeAll(() => {
      // Rebuilt only if a source changed since the bundle (npm test builds it before jest starts).
      const app = require("../../scripts/synth") as { stale(): boolean; build(): void; bundle: string };
      if (app.stale()) app.build();
      const shared = realFs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-bundle-"));
      realFs.chmodSync(shared, 0o755);
      bundle = path.join(shared, "main.js");
      realFs.copyFileSync(app.bundle, bundle);
      realFs.chmodSync(bundle, 0o644);
    });
    afterAll(() => realFs.rmSync(path.dirname(bundle), { recursive: true, force: true }));

    const runBuilt = (argv: string[]) =>
      spawnSync(process.execPath, [bundle, ...argv], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH }, ...nobody });

    test("a read-only parent folder", () => {
      realFs.chmodSync(dir, 0o755);
      realFs.mkdirSync(path.join(dir, "ro"), { mode: 0o555 });
      realFs.chmodSync(path.join(dir, "ro"), 0o555);
      const r = runBuilt(["--config", "config.json", "--out", "ro/cdktf.out"]);
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
        status: 2,
        stdout: "",
        stderr: 'ses-guard: error: --out: cannot write to "ro/cdktf.out" (permission denied); allowed: a folder you can write to\n',
      });
      expect(listing()).toEqual(["config.json", "ro"]);
    });

    test("a read-only previous output in a writable folder", () => {
      expect(run(["--config", "config.json", "--out", "prev"]).code).toBe(0);
      const before = listing();
      realFs.chmodSync(dir, 0o777);
      realFs.chmodSync(path.join(dir, "prev"), 0o555);
      const r = runBuilt(["--config", "config.json", "--out", "prev"]);
      realFs.chmodSync(path.join(dir, "prev"), 0o755);
      expect(r.stderr).toBe('ses-guard: error: --out: cannot write to "prev" (permission denied); allowed: a folder you can write to\n');
      expect(r.status).toBe(2);
      expect(listing()).toEqual(before);
    });
  });
});
