// `npx cdktf synth` (the conventional path) and `npm run synth` (our fast path) must emit the same Terraform.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { filesUnder } from "../support/files";

jest.setTimeout(120_000);

const root = path.join(__dirname, "..", "..");

test("cdktf synth and npm run synth write identical stacks", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-cdktf-"));
  try {
    // A copy: the synth writes its stack record beside the config.
    fs.copyFileSync(path.join(root, "examples", "full.json"), path.join(work, "full.json"));
    const env = { ...process.env, CHECKPOINT_DISABLE: "1", CI: "true", SES_GUARD_CONFIG: path.join(work, "full.json") };
    const viaCdktf = spawnSync(path.join(root, "node_modules", ".bin", "cdktf"), ["synth", "--output", path.join(work, "a")], {
      cwd: root,
      env,
      encoding: "utf8",
    });
    expect(viaCdktf.stderr + viaCdktf.stdout).toContain("acme-mail-eu-west-1");
    expect(viaCdktf.status).toBe(0);
    const viaNpm = spawnSync(process.execPath, [path.join(root, "scripts", "synth.js"), "--out", path.join(work, "b")], {
      cwd: root,
      env,
      encoding: "utf8",
    });
    expect(viaNpm.status).toBe(0);
    const a = filesUnder(path.join(work, "a"));
    expect(Object.keys(a)).toContain(path.join("stacks", "acme-mail-eu-west-1", "cdk.tf.json"));
    expect(filesUnder(path.join(work, "b"))).toEqual(a);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
