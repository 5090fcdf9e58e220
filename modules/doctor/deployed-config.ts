/**
 * The config the doctor and the drill check: found exactly as synth finds it (--config,
 * $SES_GUARD_CONFIG, ./ses-guard.json), through modules/app/cli.ts, but never the embedded example:
 * it describes no deployed guard.
 */
import { CONFIG_ENV, DEFAULT_CONFIG_FILE, ResolvedConfig, resolveConfig, UserError } from "../app/cli";
import { SesGuardConfig } from "../app/config";
import { regionTarget, RegionTarget } from "./target";

export function deployedConfig(configFlag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): ResolvedConfig {
  const resolved = resolveConfig(configFlag ?? (env[CONFIG_ENV] || undefined), cwd);
  if (resolved.source === "embedded example") {
    throw new UserError(
      `no config: got no --config, no $${CONFIG_ENV} and no ./${DEFAULT_CONFIG_FILE}; allowed: the config file the guard was deployed from (the embedded example describes no deployed guard)`,
    );
  }
  return resolved;
}

/** Targets for the regions asked for (--region), or every configured region. */
export function targetsFor(cfg: SesGuardConfig, regions: readonly string[] | undefined): RegionTarget[] {
  const configured = cfg.regions as readonly string[];
  for (const r of regions ?? []) {
    if (!configured.includes(r)) throw new UserError(`--region: got ${JSON.stringify(r)}; allowed: one of the config's regions (${configured.join(", ")})`, 2);
  }
  return (regions?.length ? configured.filter((r) => regions.includes(r)) : configured).map((r) => regionTarget(cfg, r));
}
