// The one folder writer: the previous folder survives any failure, and nothing is left beside it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { replaceFolder, stagingFolderFor } from "../../modules/shared/staged-folder";

// renameSync made replaceable per test (a spy on the namespace object would not reach the module's import).
jest.mock("fs", () => {
  const actual = jest.requireActual<typeof import("fs")>("fs");
  return { ...actual, renameSync: jest.fn(actual.renameSync) };
});
const rename = jest.requireActual<typeof import("fs")>("fs").renameSync;

let parent: string;
let target: string;
beforeEach(() => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-staged-"));
  target = path.join(parent, "out");
});
afterEach(() => {
  jest.mocked(fs.renameSync).mockImplementation(rename);
  fs.rmSync(parent, { recursive: true, force: true });
});

const listing = () => fs.readdirSync(parent, { recursive: true, encoding: "utf8" }).sort();
const writeFiles = (files: Record<string, string>) => (staging: string) => {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(staging, name)), { recursive: true });
    fs.writeFileSync(path.join(staging, name), content);
  }
};
const previous = () => {
  replaceFolder(target, writeFiles({ "a.txt": "old", "stack/.terraform.lock.hcl": "lock", "stack/old.json": "old" }));
  return listing();
};

test("creates the folder when there is none, and leaves nothing beside it", () => {
  replaceFolder(target, writeFiles({ "a.txt": "new" }));
  expect(listing()).toEqual(["out", "out/a.txt"]);
});

test("replaces the previous content whole; carried paths move into the new folder", () => {
  previous();
  replaceFolder(target, writeFiles({ "a.txt": "new", "stack/new.json": "new" }), { carry: () => ["stack/.terraform.lock.hcl"] });
  expect(listing()).toEqual(["out", "out/a.txt", "out/stack", "out/stack/.terraform.lock.hcl", "out/stack/new.json"]);
  expect(fs.readFileSync(path.join(target, "stack", ".terraform.lock.hcl"), "utf8")).toBe("lock");
  expect(fs.readFileSync(path.join(target, "a.txt"), "utf8")).toBe("new");
});

test("a failure while writing: the previous folder as it was, no staging folder, the error passed on", () => {
  const before = previous();
  const error = new Error("disk full");
  expect(() =>
    replaceFolder(
      target,
      (staging) => {
        writeFiles({ "a.txt": "half" })(staging);
        throw error;
      },
      { carry: () => ["stack/.terraform.lock.hcl"] },
    ),
  ).toThrow(error);
  expect(listing()).toEqual(before);
  expect(fs.existsSync(stagingFolderFor(target))).toBe(false);
});

test("a failure at the swap: the previous folder is put back, carried files included", () => {
  const before = previous();
  jest.mocked(fs.renameSync).mockImplementation((from, to) => {
    if (String(from) === stagingFolderFor(target)) throw Object.assign(new Error("EACCES"), { code: "EACCES" });
    rename(from, to);
  });
  expect(() => replaceFolder(target, writeFiles({ "a.txt": "new" }), { carry: () => ["stack/.terraform.lock.hcl"] })).toThrow("EACCES");
  expect(listing()).toEqual(before);
  expect(fs.readFileSync(path.join(target, "a.txt"), "utf8")).toBe("old");
});

test("when even putting it back fails, the previous folder is kept under its .old name, not deleted", () => {
  previous();
  jest.mocked(fs.renameSync).mockImplementation((from, to) => {
    if (String(from) === stagingFolderFor(target) || String(to) === target) throw Object.assign(new Error("EIO"), { code: "EIO" });
    rename(from, to);
  });
  expect(() => replaceFolder(target, writeFiles({ "a.txt": "new" }))).toThrow("EIO");
  const old = `${target}.old-${process.pid}`;
  expect(fs.readFileSync(path.join(old, "a.txt"), "utf8")).toBe("old");
  expect(fs.existsSync(stagingFolderFor(target))).toBe(false);
});
