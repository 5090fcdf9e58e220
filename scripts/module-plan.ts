// `npm run compare-output -- --module-plan`: the part that runs terraform, through the test harness
// (test/support/terraform.ts: the offline provider mirror, a hermetic environment, the offline
// provider switches), bundled on demand by scripts/compare-output.js.
import * as fs from "fs";
import * as path from "path";
import { initValidatePlan, tf } from "../test/support/terraform";

/** Why terraform or the offline provider mirror cannot be used here; undefined when they can. */
export function terraformUnavailable(): string | undefined {
  return tf.available ? undefined : tf.reason;
}

/**
 * The offline plan of test/fixtures/module-root (four module calls) with `moduleDir` as its module, in
 * the new folder `work`: every resource change with its values and unknowns, the outputs and the checks.
 */
export async function modulePlan(root: string, moduleDir: string, work: string): Promise<object> {
  fs.cpSync(path.join(root, "test", "fixtures", "module-root"), work, { recursive: true });
  fs.cpSync(moduleDir, path.join(work, "ses-guard"), { recursive: true });
  const plan = await initValidatePlan(work, { validate: false });
  const changes = (plan.resource_changes ?? [])
    .map((r) => ({ address: r.address, actions: r.change.actions, after: r.change.after, after_unknown: r.change.after_unknown }))
    .sort((a, b) => a.address.localeCompare(b.address));
  const { checks = [] } = plan as { checks?: { address: unknown; status: unknown; instances: unknown }[] };
  return { changes, outputs: plan.output_changes, checks: checks.map((c) => ({ address: c.address, status: c.status, instances: c.instances })) };
}
