// Adds toHaveResource, toHaveResourceWithProperties and friends to expect(); the import brings their types.
import { Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest";

Testing.setupJest();

// cdktf records where every token was created: a full-depth stack trace, read from a plain object. Jest maps
// every frame of every trace through source maps (cdktf ships inline ones), which was over a third of the CPU
// time of the synthesizing suites. Those traces only ever appear in cdktf's token resolution errors, so here they
// are left empty; errors keep jest's mapped traces. Set in a hook: jest installs its mapping after setup files.
beforeAll(() => {
  const mapped = Error.prepareStackTrace;
  if (!mapped) return;
  Error.prepareStackTrace = (target, frames) => (Object.getPrototypeOf(target) === Object.prototype ? "" : mapped(target, frames));
});
