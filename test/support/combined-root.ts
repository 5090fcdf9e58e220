// Several synthesized stacks planned (or applied) as child modules of one throwaway root: one
// terraform and provider start instead of one per stack. Split from ./terraform.ts, which runs terraform.
import * as fs from "fs";
import * as path from "path";
import { OFFLINE_SWITCHES } from "../../modules/app/offline-plan";
import { mustRun, mustValidate, PLAN_FILE, PlanJson, PlanModule, sharedDir, trackTempDir } from "./terraform";

// ---------------------------------------------------------------- several stacks in one plan

/**
 * Plans several synthesized stacks at once, each as a child module of one throwaway root:
 * one init, one validate, one plan, one show instead of one of each per stack. Every provider
 * start costs seconds (a 700 MB binary building its schema), so this is most of a suite's time.
 * Each stack's provider blocks (region, default tags; aliased ones too) move to the root, and stacks
 * whose blocks are identical share one configuration (terraform starts a provider per configuration); its
 * backend is dropped (state is the root's, local and empty). `import` blocks must live in a root
 * module, so stacks with them cannot be combined: use initValidate on those.
 */
export async function planStacksTogether(
  stacks: Record<string, string>,
  opts: {
    /** A v4 state of one stack planned alone; each child module starts from its own copy. */
    priorState?: { resources: object[] };
    /** Skip the separate validate (plan validates too). */
    validate?: boolean;
  } = {},
): Promise<CombinedPlan> {
  const providers = new Map<string, Record<string, string>>();
  const root = await initValidateTogether(stacks, { validate: opts.validate, providers });
  if (opts.priorState) {
    const state = opts.priorState as { resources: StateResource[]; outputs?: unknown };
    // Child module outputs are not kept in state; only resources move under each module.
    const resources = Object.keys(stacks).flatMap((name) => relocateResources(state.resources, name, providers.get(name)));
    fs.writeFileSync(path.join(root, "harness.tfstate"), JSON.stringify({ ...state, outputs: {}, resources }));
  }
  await mustRun(root, ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", `-out=${PLAN_FILE}`]);
  const show = await mustRun(root, ["show", "-json", "-no-color", PLAN_FILE]);
  const plan = JSON.parse(show.stdout) as PlanJson;
  return { plan, module: (name) => scopeToModule(plan, name) };
}

/**
 * init and validate several stacks as child modules of one root (see planStacksTogether); returns the root.
 * `rootStack`, a stack with import blocks, becomes the root itself, so its imports are validated in the same run.
 */
export async function initValidateTogether(stacks: Record<string, string>, opts: CombinedRootOptions & { readonly validate?: boolean } = {}): Promise<string> {
  const root = writeCombinedRoot(stacks, opts);
  await mustRun(root, ["init", "-input=false", "-no-color"]);
  if (opts.validate ?? true) await mustValidate(root);
  return root;
}

export interface CombinedRootOptions {
  /** Leave out the children's import blocks (which only a root may hold) instead of refusing them. */
  readonly dropImports?: boolean;
  /** Filled with each module's root provider alias (for its default, unaliased provider). */
  readonly providerOf?: Map<string, string>;
  /** Filled with each module's `providers` map: `aws` / `aws.<alias>` to the root's `aws.<alias>`. */
  readonly providers?: Map<string, Record<string, string>>;
  /** A stack (with import blocks, say) that becomes the root itself, calling the others. */
  readonly rootStack?: string;
  /**
   * Settings laid over each provider block of a stack (and of rootStack, called with ""); override
   * files do not reach child modules. Default: the offline switches.
   */
  readonly providerSettings?: (stack: string) => Record<string, unknown>;
}

/** Writes the root that calls each stack as a child module (see planStacksTogether), in a new temp folder. */
export function writeCombinedRoot(stacks: Record<string, string>, opts: CombinedRootOptions = {}): string {
  const root = fs.mkdtempSync(path.join(sharedDir(), "combined-"));
  trackTempDir(root);
  // Set in the stacks' own provider blocks: override files do not reach child modules.
  const settingsOf = opts.providerSettings ?? (() => OFFLINE_SWITCHES);
  const modules: Record<string, { source: string; providers?: Record<string, string> }> = {};
  const aliasOf = new Map<string, string>(); // provider block JSON -> root alias
  for (const [name, stackDir] of Object.entries(stacks)) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`module name ${JSON.stringify(name)}: use lower-case letters, digits and _`);
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
    if (json.import && !opts.dropImports) throw new Error(`${stackDir} has import blocks, which only a root module may hold`);
    delete json.import;
    delete json.terraform?.backend;
    delete json.terraform?.cloud;
    modules[name] = { source: `./${name}` };
    const blocks: Array<Record<string, unknown>> = json.provider?.aws ?? [];
    if (blocks.length > 0) {
      // Every block (aliased ones too) moves to the root, shared with every stack that has the same one.
      const providers: Record<string, string> = {};
      for (const { alias, ...block } of blocks) {
        const key = JSON.stringify({ ...block, ...settingsOf(name) });
        if (!aliasOf.has(key)) aliasOf.set(key, `p${aliasOf.size}`);
        providers[alias === undefined ? "aws" : `aws.${String(alias)}`] = `aws.${aliasOf.get(key)}`;
      }
      const aliases = Object.keys(providers).filter((k) => k !== "aws");
      // A module given an aliased configuration must declare it (configuration_aliases).
      if (aliases.length > 0) json.terraform.required_providers.aws = { ...json.terraform.required_providers.aws, configuration_aliases: aliases };
      modules[name].providers = providers;
      if (providers.aws) opts.providerOf?.set(name, providers.aws.slice("aws.".length));
      opts.providers?.set(name, providers);
      delete json.provider.aws;
      if (Object.keys(json.provider).length === 0) delete json.provider;
    }
    fs.mkdirSync(path.join(root, name));
    fs.writeFileSync(path.join(root, name, "cdk.tf.json"), JSON.stringify(json));
  }
  const own = opts.rootStack ? JSON.parse(fs.readFileSync(path.join(opts.rootStack, "cdk.tf.json"), "utf8")) : {};
  if (own.module) throw new Error(`${opts.rootStack} calls modules of its own; it cannot be the root`);
  for (const provider of own.provider?.aws ?? []) Object.assign(provider, settingsOf(""));
  const main = { ...own, terraform: { ...own.terraform, backend: { local: { path: path.join(root, "harness.tfstate") } } }, module: modules };
  delete main.terraform.cloud;
  if (aliasOf.size > 0) {
    main.terraform.required_providers = { aws: { source: "hashicorp/aws" }, ...main.terraform.required_providers };
    main.provider = { ...own.provider, aws: [...(own.provider?.aws ?? []), ...[...aliasOf].map(([key, alias]) => ({ ...JSON.parse(key), alias }))] };
  }
  fs.writeFileSync(path.join(root, "main.tf.json"), JSON.stringify(main));
  return root;
}

/** A resource of a v4 state file (the fields the harness reads or moves). */
export interface StateResource {
  module?: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  provider: string;
  instances: Array<{ index_key?: string | number; attributes: Record<string, unknown> }>;
}

const PROVIDER_ADDRESS = /^provider\["([^"]+)"\](?:\.(\w+))?$/;

/**
 * A stack's state resources (as the stack alone holds them) moved under `module.<name>`, each given the
 * root configuration the module's `providers` map names for its provider (see writeCombinedRoot).
 */
export function relocateResources(resources: readonly StateResource[], name: string, providers?: Record<string, string>): StateResource[] {
  return resources.map((r) => {
    const match = PROVIDER_ADDRESS.exec(r.provider);
    if (!match) return { ...r, module: `module.${name}` };
    const rootAlias = providers?.[match[2] ? `aws.${match[2]}` : "aws"];
    return {
      ...r,
      module: `module.${name}`,
      provider: rootAlias ? `provider["${match[1]}"].${rootAlias.slice("aws.".length)}` : `module.${name}.${r.provider}`,
    };
  });
}

export interface CombinedPlan {
  readonly plan: PlanJson;
  /** One stack's part of the plan, addressed as if it were planned alone. */
  module(name: string): PlanJson;
}

/** A child module's resources, changes, configuration and declared outputs, with `module.<name>.` removed. */
export function scopeToModule(plan: PlanJson, name: string): PlanJson {
  const prefix = `module.${name}.`;
  const child = (plan.planned_values.root_module.child_modules ?? []).find((m) => m.address === `module.${name}`);
  if (!child) throw new Error(`no module.${name} in the plan`);
  const strip = <T extends { address: string }>(r: T): T => ({ ...r, address: r.address.slice(prefix.length) });
  const config = (plan.configuration as any)?.root_module?.module_calls?.[name]?.module ?? {};
  return {
    ...plan,
    planned_values: {
      // Child module outputs are not planned values; their declarations are what can be checked.
      outputs: Object.fromEntries(Object.keys(config.outputs ?? {}).map((o) => [o, { sensitive: false }])),
      root_module: { ...child, address: undefined, resources: (child.resources ?? []).map(strip), child_modules: child.child_modules } as PlanModule,
    },
    resource_changes: (plan.resource_changes ?? []).filter((c) => c.address.startsWith(prefix)).map(strip),
    configuration: { root_module: config },
  };
}
