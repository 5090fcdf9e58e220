// The one way ses-guard's commands write a folder: into a sibling staging folder, then swapped in by
// rename, so a failure at any step leaves the previous folder as it was and no staging folder behind.
import * as fs from "fs";
import * as path from "path";

export interface ReplaceFolderOptions {
  /**
   * Paths inside the current folder (relative to it) that move into the new one once it is written,
   * such as Terraform's working files; they move back if the swap fails. Moved, not copied: a
   * `.terraform/` folder may hold provider binaries.
   */
  readonly carry?: (current: string) => readonly string[];
}

/** Where replaceFolder writes `target`'s new content before the swap: beside it, so the swap is a rename. */
export function stagingFolderFor(target: string): string {
  return `${target}.staging-${process.pid}`;
}

/** Replaces (or creates) `target` with the folder `write` fills; `write` gets the staging folder's path. */
export function replaceFolder(target: string, write: (staging: string) => void, options: ReplaceFolderOptions = {}): void {
  const staging = stagingFolderFor(target);
  const old = `${target}.old-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const moved: Array<readonly [from: string, to: string]> = [];
  let swapped = false;
  try {
    write(staging);
    for (const relative of fs.existsSync(target) ? (options.carry?.(target) ?? []) : []) {
      const pair = [path.join(target, relative), path.join(staging, relative)] as const;
      fs.mkdirSync(path.dirname(pair[1]), { recursive: true });
      fs.renameSync(...pair);
      moved.push(pair);
    }
    if (fs.existsSync(target)) fs.renameSync(target, old);
    fs.renameSync(staging, target);
    swapped = true;
  } catch (e) {
    // Put the previous folder back as it was, carried files included; the first error is the one reported.
    try {
      if (!fs.existsSync(target) && fs.existsSync(old)) fs.renameSync(old, target);
      for (const [from, to] of moved.reverse()) fs.renameSync(to, from);
    } catch {
      // Restoring failed too (the disk went away?): the first error is still the one to report.
    }
    throw e;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    // Kept if it could not be put back: then it is the only copy of the previous folder.
    if (swapped) fs.rmSync(old, { recursive: true, force: true });
  }
}
