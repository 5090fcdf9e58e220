// `npm run plan -- --offline`: every synthesized stack through `terraform init` and `terraform plan
// -refresh=false` without AWS credentials, each in a throwaway copy of its folder, so the output folder
// is left as it was (see plan-cli.ts for the command line).
//
// The provider's offline switches go into an override file in the copy, one block per provider
// configuration, aliases included. Terraform's documented rule ("Override Files", Terraform language
// docs) merges a top-level override block into the block with the same header, type and labels, and a
// provider block's alias is an argument, not a label; Terraform itself (internal/configs/module.go,
// mergeFile) matches a provider override by name and alias: an override block without `alias` reaches
// only the default configuration, one with `alias = "chatbot"` only that one, and one naming an alias
// the configuration lacks is an error ("Missing base provider configuration for override"). So the
// override here names each alias the stack declares.
import { spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The aws provider's switches for a plan without credentials (no STS call, no account lookup, no IMDS). */
export const OFFLINE_SWITCHES = {
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
} as const;

/** Sorts after the stack's own override files, so it is merged last (overrides go in lexical order). */
export const OVERRIDE_FILE = "zz_ses_guard_offline_override.tf.json";
/** A local backend's state file when the backend names none. */
const DEFAULT_STATE = "terraform.tfstate";
/**
 * The copy's state. Not terraform.tfstate: `terraform init` takes a terraform.tfstate in the folder for a
 * local state to migrate into the configured backend, and empties it when that backend's path is the same file.
 */
const COPY_STATE = "offline-plan.tfstate";

/** AWS's documented example keys: enough for an offline plan, never real. */
const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

/** What a working folder holds besides the configuration: never copied (state is taken from the backend). */
const NOT_COPIED = /^(\.terraform|terraform\.tfstate\.d|.*\.tfstate(\.backup)?|\.terraform\.tfstate\.lock\.info)$/;
const OVERRIDE = /^(.+_)?override\.tf(\.json)?$/;

export interface StackFiles {
  /** The aliases of the stack's aws provider blocks; "" for the default one. */
  readonly aliases: string[];
  /** Where the stack keeps its state: a local file (resolved), or the remote backend's name. */
  readonly state: { readonly local: string } | { readonly remote: string };
  readonly imports: number;
  /** Identifies the provider requirements, for sharing a dependency lock between stacks. */
  readonly requirementsKey: string;
}

type Json = Record<string, unknown>;
const asList = (v: unknown): Json[] => (Array.isArray(v) ? v : v && typeof v === "object" ? [v as Json] : []);

/** The stack's Terraform JSON files that are not override files. */
function primaryJsonFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".tf.json") && !OVERRIDE.test(f))
    .sort();
}

/** Reads what the offline plan changes from a stack folder's Terraform JSON. */
export function readStack(stackDir: string): StackFiles {
  const aliases = new Set<string>();
  let state: StackFiles["state"] | undefined;
  let imports = 0;
  let requirements: unknown = {};
  for (const file of primaryJsonFiles(stackDir)) {
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, file), "utf8")) as Json;
    for (const block of asList((json.provider as Json | undefined)?.aws)) aliases.add(typeof block.alias === "string" ? block.alias : "");
    imports += asList(json.import).length;
    for (const t of asList(json.terraform)) {
      if (t.required_providers) requirements = t.required_providers;
      if (t.cloud) state = { remote: "HCP Terraform (cloud)" };
      const [type, settings] = Object.entries((t.backend as Json | undefined) ?? {})[0] ?? [];
      if (type === "local") state = { local: path.resolve(stackDir, String((settings as Json | undefined)?.path ?? DEFAULT_STATE)) };
      else if (type) state = { remote: type };
    }
  }
  return {
    aliases: [...aliases].sort(),
    state: state ?? { local: path.join(stackDir, DEFAULT_STATE) },
    imports,
    requirementsKey: createHash("sha256").update(JSON.stringify(requirements)).digest("hex").slice(0, 16),
  };
}

/** The override file's content: the switches in every aws provider block, and a local backend in `work`. */
export function offlineOverride(aliases: readonly string[], work: string): Json {
  return {
    "//": "Written by npm run plan -- --offline into its throwaway copy of the stack; never into the output folder.",
    provider: { aws: aliases.map((alias) => (alias ? { alias, ...OFFLINE_SWITCHES } : { ...OFFLINE_SWITCHES })) },
    // An override's backend replaces the stack's backend, or its cloud block ("Override Files": merging terraform blocks).
    terraform: { backend: { local: { path: path.join(work, COPY_STATE) } } },
  };
}

/**
 * Copies a stack folder to `work` for an offline plan: its configuration and lock file, not its working
 * state; adds the override file, takes out import blocks (an import reads the real resource, which an
 * offline plan cannot), and copies a local state in, so the plan shows what changed since the last apply.
 */
export function prepareCopy(stackDir: string, work: string): StackFiles & { readonly stateCopied: boolean } {
  const stack = readStack(stackDir);
  fs.cpSync(stackDir, work, { recursive: true, filter: (src) => src === stackDir || !NOT_COPIED.test(path.basename(src)) });
  fs.rmSync(path.join(work, OVERRIDE_FILE), { force: true });
  if (stack.imports > 0) {
    for (const file of primaryJsonFiles(work)) {
      const json = JSON.parse(fs.readFileSync(path.join(work, file), "utf8")) as Json;
      if (!("import" in json)) continue;
      delete json.import;
      fs.writeFileSync(path.join(work, file), JSON.stringify(json, null, 2));
    }
  }
  fs.writeFileSync(path.join(work, OVERRIDE_FILE), `${JSON.stringify(offlineOverride(stack.aliases, work), null, 2)}\n`);
  const stateCopied = "local" in stack.state && fs.existsSync(stack.state.local);
  if (stateCopied) fs.copyFileSync((stack.state as { local: string }).local, path.join(work, COPY_STATE));
  return { ...stack, stateCopied };
}

/**
 * The environment terraform runs in: the user's, minus every AWS_ setting (profiles, tokens, endpoints,
 * regions) and the working-directory settings a throwaway copy must not share (TF_WORKSPACE,
 * TF_DATA_DIR), plus fake credentials and no AWS config files. Only the child gets it.
 */
export function offlineEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(Object.entries(env).filter(([k]) => !/^AWS_/.test(k) && k !== "TF_WORKSPACE" && k !== "TF_DATA_DIR"));
  return {
    ...kept,
    ...FAKE_CREDENTIALS,
    AWS_CONFIG_FILE: os.devNull,
    AWS_SHARED_CREDENTIALS_FILE: os.devNull,
    AWS_EC2_METADATA_DISABLED: "true",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
  };
}

/**
 * The provider plugin cache the copies share, so the provider is downloaded once rather than once per
 * stack and run. Yours when you set one (TF_PLUGIN_CACHE_DIR, or plugin_cache_dir in the CLI config);
 * else node_modules/.cache/ses-guard/ in the project (`cwd`), or the work folder outside a project.
 */
export function pluginCache(env: NodeJS.ProcessEnv, cwd: string, work: string): { readonly dir?: string; readonly locks?: string } {
  if (env.TF_PLUGIN_CACHE_DIR) return {};
  const cliConfig = env.TF_CLI_CONFIG_FILE || path.join(env.HOME || os.homedir(), ".terraformrc");
  try {
    if (/^\s*plugin_cache_dir\s*=/m.test(fs.readFileSync(cliConfig, "utf8"))) return {};
  } catch {
    // No CLI config: nothing set there.
  }
  const root = fs.existsSync(path.join(cwd, "node_modules")) ? path.join(cwd, "node_modules", ".cache", "ses-guard") : work;
  const dir = path.join(root, "terraform-plugins");
  const locks = path.join(root, "terraform-locks");
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(locks, { recursive: true });
  return { dir, locks };
}

export interface TerraformRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs terraform in `cwd`; rejects only when it cannot start (ENOENT: not on PATH). */
export function runTerraform(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, bin = "terraform"): Promise<TerraformRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8") + (signal ? `\nterraform ${args[0]} was stopped by ${signal}` : ""),
      }),
    );
  });
}

/** The plan's one-line summary from `terraform plan` output. */
export function planSummary(stdout: string): string {
  const line = /^(Plan: .*|No changes\..*)$/m.exec(stdout)?.[1];
  if (line) return line.trim();
  return /^Changes to Outputs:/m.test(stdout) ? "Changes to Outputs only." : "planned (terraform printed no summary line)";
}

export interface StackResult {
  readonly stack: string;
  /** The step that failed, with terraform's output; absent when the stack planned. */
  readonly failed?: { readonly step: "init" | "plan"; readonly run: TerraformRun };
  readonly summary?: string;
  /** terraform plan's whole output. */
  readonly planOutput?: string;
  readonly notes: string[];
}

export interface OfflinePlanOptions {
  readonly env: NodeJS.ProcessEnv;
  /** The project folder: the default plugin cache is its node_modules/.cache/ses-guard/. */
  readonly cwd: string;
  /** Plans at once (inits run one at a time: the plugin cache is not safe for concurrent installs). */
  readonly concurrency: number;
  /** Each stack's result, in stack order, as soon as it and those before it are done. */
  readonly onResult: (result: StackResult) => void;
  readonly terraformBin?: string;
}

/** What the offline plan of a stack leaves out or starts from, for its result. */
function notesFor(stack: StackFiles & { stateCopied: boolean }, cwd: string): string[] {
  const notes: string[] = [];
  if ("remote" in stack.state) notes.push(`from an empty state: the ${stack.state.remote} backend is not read offline`);
  else if (stack.stateCopied) notes.push(`against a copy of ${path.relative(cwd, stack.state.local)}`);
  else notes.push("from an empty state: no local state yet");
  if (stack.imports > 0) {
    notes.push(
      `without its ${stack.imports} import block${stack.imports === 1 ? "" : "s"}: an import reads the real resource, which an offline plan cannot, so those resources show as creates`,
    );
  }
  return notes;
}

/**
 * Plans each stack folder offline, each in its own copy under `work`; never writes to the stack folders.
 * Resolves to the results in the order of `stackDirs`.
 */
export async function planStacksOffline(stackDirs: readonly string[], work: string, options: OfflinePlanOptions): Promise<StackResult[]> {
  const env = offlineEnv(options.env);
  const cache = pluginCache(options.env, options.cwd, work);
  if (cache.dir) env.TF_PLUGIN_CACHE_DIR = cache.dir;
  // Terraform uses a cached provider only when the lock file records its checksum: a stack without a lock
  // file gets one written for the same provider requirements (this run's, or a previous run's).
  const locks = new Map<string, string>();
  const savedLock = (key: string) => (cache.locks ? path.join(cache.locks, `${key}.lock.hcl`) : undefined);

  const results: Array<StackResult | undefined> = new Array(stackDirs.length);
  let reported = 0;
  const report = () => {
    for (; reported < results.length && results[reported]; reported++) options.onResult(results[reported]!);
  };

  let running = 0;
  const waiting: Array<() => void> = [];
  const slot = async () => {
    if (running >= options.concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
  };
  const release = () => {
    running--;
    waiting.shift()?.();
  };

  const plans: Array<Promise<void>> = [];
  for (const [i, stackDir] of stackDirs.entries()) {
    const stack = path.basename(stackDir);
    const dir = path.join(work, stack);
    const copy = prepareCopy(stackDir, dir);
    const notes = notesFor(copy, options.cwd);
    const lockFile = path.join(dir, ".terraform.lock.hcl");
    const knownLock = locks.get(copy.requirementsKey) ?? readIfExists(savedLock(copy.requirementsKey));
    if (!fs.existsSync(lockFile) && knownLock) fs.writeFileSync(lockFile, knownLock);
    const init = await runTerraform(["init", "-input=false", "-no-color"], dir, env, options.terraformBin);
    if (init.code !== 0) {
      results[i] = { stack, failed: { step: "init", run: init }, notes };
      report();
      continue;
    }
    const lock = readIfExists(lockFile);
    if (lock && !locks.has(copy.requirementsKey)) {
      locks.set(copy.requirementsKey, lock);
      const saved = savedLock(copy.requirementsKey);
      if (saved && !fs.existsSync(saved)) fs.writeFileSync(saved, lock);
    }
    await slot();
    plans.push(
      runTerraform(["plan", "-refresh=false", "-lock=false", "-input=false", "-no-color"], dir, env, options.terraformBin)
        .then((plan) => {
          results[i] =
            plan.code === 0
              ? { stack, summary: planSummary(plan.stdout), planOutput: plan.stdout, notes }
              : { stack, failed: { step: "plan", run: plan }, notes };
          report();
        })
        .finally(release),
    );
  }
  await Promise.all(plans);
  return results as StackResult[];
}

function readIfExists(file: string | undefined): string | undefined {
  try {
    return file ? fs.readFileSync(file, "utf8") : undefined;
  } catch {
    return undefined;
  }
}
