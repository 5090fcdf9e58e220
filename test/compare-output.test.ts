// npm run compare-output: its refusals (a full comparison synthesizes every example twice, about 12 s, so the
// suite leaves it to the refactors that run it; the README shows how).
import { spawnSync } from "child_process";
import * as path from "path";

const script = path.join(__dirname, "..", "scripts", "compare-output.js");
const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });

test("a revision git does not know: exit 2, one line naming --base and what is allowed, nothing compared", () => {
  const r = run("--base", "no-such-revision-xyz");
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: "" });
  expect(r.stderr).toBe('ses-guard compare-output: error: --base: got "no-such-revision-xyz", which git does not know; allowed: a commit, branch or tag\n');
});

test("an unknown flag: exit 2, one line with the flags allowed", () => {
  const r = run("--bogus");
  expect(r.status).toBe(2);
  expect(r.stderr).toBe('ses-guard compare-output: error: unknown argument "--bogus"; allowed: --base REV, --module-plan, --help\n');
  expect(run("--module-plan=yes").stderr).toBe('ses-guard compare-output: error: --module-plan: got a value "yes"; allowed: --module-plan alone\n');
  expect(run("--base").stderr).toBe("ses-guard compare-output: error: --base: got no value; allowed: a commit, branch or tag\n");
});

test("--help says what it compares", () => {
  const r = run("--help");
  expect(r.status).toBe(0);
  expect(r.stdout).toContain("every example and the module here and at REV");
  expect(r.stdout).toContain("--module-plan");
});
