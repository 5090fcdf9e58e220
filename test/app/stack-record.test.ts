// The stack record beside the config: what a synth writes there, and the drops and renames it refuses
// with it, whatever the backend and whether or not the previous output is still there.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../modules/app/cli";
import { readRecord, recordPathFor } from "../../modules/app/stack-record";

const root = path.join(__dirname, "..", "..");
const minimal = JSON.parse(fs.readFileSync(path.join(root, "examples", "minimal.json"), "utf8"));
const twoRegions = { ...minimal, regions: ["us-east-1", "eu-west-1"] };
const s3 = { backend: { type: "s3", bucket: "acme-tfstate", key: "ses-guard/{stack}.tfstate", region: "us-east-1" } };
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-record-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(argv: string[]) {
  const err: string[] = [];
  const code = main(argv, {}, dir, { out: () => undefined, err: (l) => err.push(l) });
  return { code, err };
}

function writeConfig(value: unknown, name = "ses-guard.json"): void {
  fs.writeFileSync(path.join(dir, name), JSON.stringify(value));
}

const recordFile = () => path.join(dir, "ses-guard.stacks.json");
const record = () => readRecord(recordFile());
const bytes = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);

test("the record is named after the config and kept beside it", () => {
  expect(recordPathFor("/p/ses-guard.json")).toBe("/p/ses-guard.stacks.json");
  expect(recordPathFor("/p/prod.config")).toBe("/p/prod.config.stacks.json");
});

test("a synth records each stack's backend, the data it holds and its bucket's name; the same config leaves the file as it was", () => {
  writeConfig({ ...twoRegions, ...s3, archive: { bucketPerRegion: false } });
  expect(run([]).code).toBe(0);
  expect(record()).toEqual({
    "ses-guard-us-east-1": { backend: "s3", holds: ["archiveBucket", "encryptionKey"], archiveBucket: "ses-guard-events-123456789012-us-east-1" },
    // The shared bucket is the home region's: this stack holds only its key.
    "ses-guard-eu-west-1": { backend: "s3", holds: ["encryptionKey"] },
  });
  const first = bytes(recordFile());
  expect(first).toMatch(/^\{\n {2}"\/\/": "Written by ses-guard synth/);
  expect(run([]).code).toBe(0);
  expect(bytes(recordFile())).toBe(first);
});

test("the embedded example keeps no record", () => {
  expect(run([]).code).toBe(0);
  expect(fs.readdirSync(dir)).toEqual(["cdktf.out"]);
});

describe("a fresh clone (no cdktf.out) with an s3 backend", () => {
  function cloneDroppingEu(): string | undefined {
    writeConfig({ ...twoRegions, ...s3 });
    expect(run([]).code).toBe(0);
    // What a clone has: the config and the record, no synth output.
    fs.rmSync(path.join(dir, "cdktf.out"), { recursive: true });
    writeConfig({ ...minimal, ...s3 });
    return bytes(recordFile());
  }

  test("refuses to drop a region: exit 1, one line naming the stack and the way out, nothing written", () => {
    const before = cloneDroppingEu();
    const r = run([]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      'ses-guard: error: ses-guard.json: regions: stack "ses-guard-eu-west-1" is no longer synthesized, and its state is in the s3 backend, which ses-guard cannot read: resources it still manages would stay in AWS, managed by nobody; allowed: decommission it first (README: Removing a region), then drop it with --forget-stack ses-guard-eu-west-1',
    ]);
    expect(fs.existsSync(path.join(dir, "cdktf.out"))).toBe(false);
    expect(bytes(recordFile())).toBe(before);
  });

  test("--forget-stack confirms the drop, and the record forgets the stack", () => {
    cloneDroppingEu();
    const r = run(["--forget-stack", "ses-guard-eu-west-1"]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([expect.stringContaining('warning: stack "ses-guard-eu-west-1" is no longer synthesized and --forget-stack drops it')]);
    expect(Object.keys(record())).toEqual(["ses-guard-us-east-1"]);
  });
});

describe("a renamed archive bucket", () => {
  const renamed = { ...minimal, archive: { bucketName: "acme-ses-archive" } };

  test("stops the synth: the old name, the new one and both ways out; output and record stay as they were", () => {
    writeConfig(minimal);
    expect(run([]).code).toBe(0);
    const out = bytes(path.join(dir, "cdktf.out", "stacks", "ses-guard-us-east-1", "cdk.tf.json"));
    const before = bytes(recordFile());
    writeConfig(renamed);
    const r = run([]);
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(
      /^ses-guard: error: ses-guard\.json: archive\.bucketName: "acme-ses-archive" would rename the archive bucket of stack "ses-guard-us-east-1" from "ses-guard-events-123456789012-us-east-1", and Terraform replaces a renamed bucket, destroying it with its events; allowed: keep "ses-guard-events-123456789012-us-east-1" \(archive\.bucketName: "ses-guard-events-123456789012-us-east-1"\), or .*terraform state rm aws_s3_bucket\.archive_bucket aws_s3_bucket_public_access_block\.archive_bucket_public_access_block .*then synth with --forget-bucket ses-guard-us-east-1$/,
    );
    expect(bytes(path.join(dir, "cdktf.out", "stacks", "ses-guard-us-east-1", "cdk.tf.json"))).toBe(out);
    expect(bytes(recordFile())).toBe(before);
  });

  test("setting the name the bucket already has is no rename", () => {
    writeConfig(minimal);
    expect(run([]).code).toBe(0);
    writeConfig({ ...minimal, archive: { bucketName: "ses-guard-events-123456789012-us-east-1" } });
    expect(run([]).code).toBe(0);
  });

  test("--forget-bucket lets it through, and the record takes the new name", () => {
    writeConfig(minimal);
    expect(run([]).code).toBe(0);
    writeConfig(renamed);
    expect(run(["--forget-bucket", "ses-guard-us-east-1"]).code).toBe(0);
    expect(record()["ses-guard-us-east-1"].archiveBucket).toBe("acme-ses-archive");
  });
});

test("a record that is not one is named, with what to do", () => {
  writeConfig(minimal);
  fs.writeFileSync(recordFile(), "{ oops");
  const r = run([]);
  expect(r.code).toBe(1);
  expect(r.err).toEqual([
    "ses-guard: error: ses-guard.stacks.json: not valid JSON; allowed: the stack record a synth writes (restore it from version control, or delete it to start a new one)",
  ]);
  fs.writeFileSync(recordFile(), JSON.stringify({ stacks: { "ses-guard-us-east-1": { backend: "local", holds: ["bucket"] } } }));
  expect(run([]).err).toEqual([expect.stringContaining('stack "ses-guard-us-east-1" has no backend or an unknown "holds" entry')]);
});

describe("what a stack forgot comes back through an import, not a create that would fail", () => {
  const stackJson = (stack: string) => JSON.parse(bytes(path.join(dir, "cdktf.out", "stacks", stack, "cdk.tf.json"))!);
  const importsOf = (stack: string) => Object.fromEntries((stackJson(stack).import ?? []).map((i: { to: string; id: string }) => [i.to, i.id]));

  test("per-region buckets → shared → per-region: the second stack forgets its bucket, then imports it back", () => {
    writeConfig(twoRegions);
    expect(run([]).code).toBe(0);
    writeConfig({ ...twoRegions, archive: { bucketPerRegion: false } });
    expect(run([]).code).toBe(0);
    expect(stackJson("ses-guard-eu-west-1").removed.map((r: { from: string }) => r.from)).toContain("aws_s3_bucket.archive_bucket");
    expect(record()["ses-guard-eu-west-1"].forgotten).toEqual({ archiveBucket: "ses-guard-events-123456789012-eu-west-1" });

    writeConfig(twoRegions);
    const back = run([]);
    expect(back.code).toBe(0);
    expect(back.err).toEqual([
      'ses-guard: warning: stack "ses-guard-eu-west-1" holds the archive bucket ses-guard-events-123456789012-eu-west-1 again, which it forgot earlier and which stayed in AWS: its plan imports it',
    ]);
    expect(importsOf("ses-guard-eu-west-1")).toEqual({ "aws_s3_bucket.archive_bucket": "ses-guard-events-123456789012-eu-west-1" });
    expect(importsOf("ses-guard-us-east-1")).toEqual({});
    // Remembered while held again (an import of what the state holds does nothing), so a synth before the apply still imports.
    expect(run([]).code).toBe(0);
    expect(importsOf("ses-guard-eu-west-1")).toEqual({ "aws_s3_bucket.archive_bucket": "ses-guard-events-123456789012-eu-west-1" });
  });

  test("investigation off → on: the Glue database and table are imported by their provider import IDs", () => {
    const on = { ...minimal, investigation: { enabled: true } };
    writeConfig(on);
    expect(run([]).code).toBe(0);
    writeConfig(minimal);
    expect(run([]).code).toBe(0);
    writeConfig(on);
    expect(run([]).code).toBe(0);
    expect(importsOf("ses-guard-us-east-1")).toEqual({
      "aws_glue_catalog_database.event_catalog_database": "123456789012:ses_guard_events",
      "aws_glue_catalog_table.event_catalog_table": "123456789012:ses_guard_events:ses_events",
    });
  });

  test("a bucket of another name is no comeback: nothing imported, and the old name is let go", () => {
    writeConfig(twoRegions);
    expect(run([]).code).toBe(0);
    writeConfig({ ...twoRegions, archive: { bucketPerRegion: false } });
    expect(run([]).code).toBe(0);
    writeConfig({ ...twoRegions, accountId: "210987654321" });
    // A new account: every bucket name changes, the home one's a rename that --forget-bucket confirms.
    expect(run(["--forget-bucket", "ses-guard-us-east-1"]).code).toBe(0);
    expect(importsOf("ses-guard-eu-west-1")).toEqual({});
    expect(record()["ses-guard-eu-west-1"].forgotten).toBeUndefined();
  });
});
