// Adds toHaveResource, toHaveResourceWithProperties and friends to expect(); the import brings their types.
import { Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest";

Testing.setupJest();

// cdktf records where every token was created: a full-depth stack trace, read from a plain object. Jest maps
// every frame of every trace through source maps (cdktf ships inline ones), which was over a third of the CPU
// time of the synthesizing suites. Those traces only ever appear in cdktf's token resolution errors, so here they
// are left empty; errors keep jest's mapped traces. Jest installs its mapping after the setup files, by assigning
// Error.prepareStackTrace: the accessor keeps what it assigns and puts this filter in front.
type Prepare = (target: unknown, frames: NodeJS.CallSite[]) => unknown;
let mapped = Error.prepareStackTrace as Prepare | undefined;
const filtered: Prepare = (target, frames) => {
  if (Object.getPrototypeOf(target) === Object.prototype) return "";
  if (mapped) return mapped(target, frames);
  return [Error.prototype.toString.call(target), ...frames.map((f) => `    at ${String(f)}`)].join("\n");
};
Object.defineProperty(Error, "prepareStackTrace", {
  configurable: true,
  get: () => filtered,
  set: (prepare: Prepare | undefined) => {
    mapped = prepare;
  },
});
