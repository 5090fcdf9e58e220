// The data-bearing groups and the `removed` blocks a stack emits for those it does not hold.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../modules/app/cli";
import { parseConfig } from "../modules/app/config";
import { DATA_BEARING, DATA_BEARING_TYPES, forgetBlocks } from "../modules/shared/data-bearing";
import { describeTerraform, sharedDir, terraform } from "./support/terraform";

const root = path.join(__dirname, "..");
const example = (name: string) => JSON.parse(fs.readFileSync(path.join(root, "examples", `${name}.json`), "utf8"));
const work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-data-bearing-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

type StackJson = { resource: Record<string, Record<string, unknown>>; removed?: { from: string }[]; terraform: { required_version?: string } };

function stacksOf(config: object, label: string): Record<string, StackJson> {
  const out = path.join(work, label);
  const dirs = synthesize(parseConfig(config, label), path.join(out, "cdktf.out"), out);
  return Object.fromEntries(dirs.map((d) => [path.basename(d), JSON.parse(fs.readFileSync(path.join(d, "cdk.tf.json"), "utf8"))]));
}

const declared = (stack: StackJson) => Object.entries(stack.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
const forgotten = (stack: StackJson) => (stack.removed ?? []).map((r) => r.from);

test("every data-bearing address is one a stack really declares (full.json holds them all), so the list cannot drift from the construct IDs", () => {
  const [stack] = Object.values(stacksOf(example("full"), "full"));
  const all = Object.values(DATA_BEARING).flatMap((g) => g.addresses);
  expect(all.filter((a) => !declared(stack).includes(a))).toEqual([]);
  // It holds them all, so it forgets nothing.
  expect(stack.removed).toBeUndefined();
  expect(DATA_BEARING_TYPES).toEqual(
    expect.arrayContaining(["aws_s3_bucket", "aws_kms_key", "aws_glue_catalog_table", "aws_s3_bucket_lifecycle_configuration"]),
  );
});

test("a stack writing to the home region's shared bucket forgets the archive group instead of destroying it; the home stack keeps its bucket", () => {
  const stacks = stacksOf({ ...example("multi-region"), archive: { bucketPerRegion: false } }, "shared");
  const home = stacks["mail-us-east-1"];
  const other = stacks["mail-eu-west-1"];
  expect(forgotten(other)).toEqual(expect.arrayContaining([...DATA_BEARING.archiveBucket.addresses]));
  expect(other.removed!.every((r) => JSON.stringify(r) === JSON.stringify({ from: r.from, lifecycle: { destroy: false } }))).toBe(true);
  expect(other.terraform.required_version).toBe(">= 1.7");
  expect(forgotten(home)).not.toContain("aws_s3_bucket.archive_bucket");
  expect(declared(home)).toContain("aws_s3_bucket.archive_bucket");
  // A removed block must never name what the stack declares: terraform refuses that configuration.
  for (const stack of Object.values(stacks)) expect(forgotten(stack).filter((a) => declared(stack).includes(a))).toEqual([]);
});

test("an own KMS key forgets the created key and alias; turning a guard off inside a held group forgets nothing", () => {
  const base = example("default");
  const ownKey = stacksOf(
    { ...base, encryption: { kmsKeyArns: { "us-east-1": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" } } },
    "own-key",
  );
  expect(forgotten(Object.values(ownKey)[0])).toEqual(expect.arrayContaining([...DATA_BEARING.encryptionKey.addresses]));
  // Versioning off on a bucket the stack holds: its versioning resource goes (suspends versioning), as asked.
  const resources = { aws_s3_bucket: { archive_bucket: {} }, aws_kms_key: { encryption_key: {} }, aws_kms_alias: { encryption_key_alias: {} } };
  expect(forgetBlocks(resources).map((b) => b.from)).toEqual([...DATA_BEARING.eventCatalog.addresses]);
});

describeTerraform("removed blocks in real terraform", () => {
  // terraform_data needs no provider, so this runs in well under a second.
  const dir = () => fs.mkdtempSync(path.join(sharedDir(), "removed-"));
  const plan = async (folder: string) => {
    expect((await terraform(folder, ["plan", "-input=false", "-no-color", "-out=p"])).code).toBe(0);
    const show = await terraform(folder, ["show", "-json", "p"]);
    return (JSON.parse(show.stdout).resource_changes ?? []).map((c: { address: string; change: { actions: string[] } }) => [c.address, c.change.actions]);
  };

  test("an address not in state plans nothing; one in state is forgotten, not destroyed", async () => {
    const folder = dir();
    const write = (hcl: string) => fs.writeFileSync(path.join(folder, "main.tf"), hcl);
    const removed = "removed {\n  from = terraform_data.archive\n  lifecycle {\n    destroy = false\n  }\n}\n";
    write(`${removed}resource "terraform_data" "kept" {}\n`);
    expect((await terraform(folder, ["init", "-input=false", "-no-color"])).code).toBe(0);
    expect(await plan(folder)).toEqual([["terraform_data.kept", ["create"]]]);
    write('resource "terraform_data" "archive" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\nresource "terraform_data" "kept" {}\n');
    expect((await terraform(folder, ["apply", "-auto-approve", "-input=false", "-no-color"])).code).toBe(0);
    write(`${removed}resource "terraform_data" "kept" {}\n`);
    expect(await plan(folder)).toEqual([
      ["terraform_data.archive", ["forget"]],
      ["terraform_data.kept", ["no-op"]],
    ]);
    fs.rmSync(folder, { recursive: true, force: true });
  });
});

test("the README's decommissioning step forgets exactly the data-bearing addresses", () => {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  expect(readme).toContain(
    `\`terraform state rm ${Object.values(DATA_BEARING)
      .flatMap((g) => g.addresses)
      .join(" ")}\``,
  );
});
