// Harness that runs real Terraform offline against synthesized Terraform JSON.
//
// Provider installation: a CLI config with a filesystem_mirror for hashicorp/aws
// (direct installs excluded). For an *unpacked* mirror Terraform symlinks
// .terraform/providers/... straight to the mirror, so nothing is copied and every
// init costs ~0.6 s (hashing the binary for the lock file). A plugin cache or a
// shared TF_DATA_DIR measured no faster and is unsafe across parallel workers.
import { execFileSync, spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OFFLINE_SWITCHES } from "../../modules/app/offline-plan";

const AWS_PROVIDER = "registry.terraform.io/hashicorp/aws";
export const PLAN_FILE = "plan.bin";
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export interface TerraformInfo {
  available: boolean;
  reason?: string;
  terraformBin?: string;
  terraformVersion?: string;
  /** Terraform's platform, e.g. linux_amd64. */
  platform?: string;
  /** Directory containing registry.terraform.io/hashicorp/aws. */
  mirrorDir?: string;
  /** aws provider versions in the mirror for this platform. */
  awsVersions?: string[];
}

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PlanResource {
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  index?: string | number;
  provider_name?: string;
  values: Record<string, unknown>;
}

export interface PlanModule {
  address?: string;
  resources?: PlanResource[];
  child_modules?: PlanModule[];
}

export interface ResourceChange {
  address: string;
  module_address?: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  index?: string | number;
  change: {
    actions: string[];
    before: unknown;
    after: unknown;
    after_unknown?: unknown;
  };
}

export interface PlanJson {
  format_version: string;
  terraform_version: string;
  planned_values: {
    outputs?: Record<string, { sensitive: boolean; value?: unknown; type?: unknown }>;
    root_module: PlanModule;
  };
  resource_changes?: ResourceChange[];
  output_changes?: Record<string, { actions: string[]; after?: unknown }>;
  variables?: Record<string, { value: unknown }>;
  configuration?: Record<string, unknown>;
}

export interface PlannedResource {
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  values: Record<string, unknown>;
}

// ---------------------------------------------------------------- detection

/** An executable file called name in a folder of env.PATH. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** aws versions under mirrorDir that have a provider binary for platform. */
function awsVersionsIn(mirrorDir: string, platform: string): string[] {
  const awsDir = path.join(mirrorDir, AWS_PROVIDER);
  let versions: string[];
  try {
    versions = fs.readdirSync(awsDir);
  } catch {
    return [];
  }
  return versions.filter((v) => {
    try {
      return fs.readdirSync(path.join(awsDir, v, platform)).some((f) => f.startsWith("terraform-provider-aws_"));
    } catch {
      return false;
    }
  });
}

function safeReaddir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Breadth-first search for a `registry.terraform.io` dir holding aws; bounded so it stays fast. */
function searchMirror(roots: string[], platform: string): string | undefined {
  const maxDepth = 3;
  for (const root of roots) {
    let level = [root];
    for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
      const next: string[] = [];
      for (const dir of level) {
        for (const entry of safeReaddir(dir)) {
          if (entry.name === "registry.terraform.io") {
            if (awsVersionsIn(dir, platform).length > 0) return dir;
            continue;
          }
          if (entry.name.startsWith(".") && depth > 0) continue;
          if (entry.name === "node_modules" || entry.name === "proc") continue;
          // Dirent says symlink for linked dirs; follow them (depth bound prevents cycles).
          const full = path.join(dir, entry.name);
          if (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(full))) next.push(full);
        }
      }
      level = next;
    }
  }
  return undefined;
}

/** Finds terraform and an offline hashicorp/aws mirror; never throws. */
export function detectTerraform(env: NodeJS.ProcessEnv = process.env): TerraformInfo {
  const terraformBin = findOnPath("terraform", env);
  if (!terraformBin) return { available: false, reason: "terraform was not found on PATH" };

  let terraformVersion: string;
  let platform: string;
  try {
    // os.devNull as CLI config: avoids the warning about a missing TF_CLI_CONFIG_FILE.
    const out = execFileSync(terraformBin, ["version", "-json"], {
      env: { ...env, TF_CLI_CONFIG_FILE: os.devNull, CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
      timeout: 30_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const parsed = JSON.parse(out) as { terraform_version: string; platform: string };
    terraformVersion = parsed.terraform_version;
    platform = parsed.platform;
  } catch (err) {
    return { available: false, terraformBin, reason: `\`${terraformBin} version -json\` failed: ${String(err)}` };
  }

  const base = { terraformBin, terraformVersion, platform };
  const explicit = env.SES_GUARD_TF_MIRROR;
  if (explicit) {
    // An explicit setting that is wrong is reported, not silently replaced by a search.
    const awsVersions = awsVersionsIn(explicit, platform);
    if (awsVersions.length === 0) {
      return {
        ...base,
        available: false,
        reason: `SES_GUARD_TF_MIRROR=${explicit} has no ${AWS_PROVIDER}/<version>/${platform}/terraform-provider-aws_* file`,
      };
    }
    return { ...base, available: true, mirrorDir: explicit, awsVersions };
  }

  const home = os.homedir();
  const roots = ["/opt", "/usr/share", "/usr/local/share", path.join(home, ".terraform.d"), path.join(home, ".local", "share"), "/var/cache"];
  const mirrorDir = searchMirror(roots, platform);
  if (!mirrorDir) {
    return {
      ...base,
      available: false,
      reason:
        `no offline mirror of ${AWS_PROVIDER} for ${platform} found; set SES_GUARD_TF_MIRROR ` +
        `to a directory containing ${AWS_PROVIDER}/<version>/${platform}/ (searched ${roots.join(", ")})`,
    };
  }
  return { ...base, available: true, mirrorDir, awsVersions: awsVersionsIn(mirrorDir, platform) };
}

export const tf: TerraformInfo = detectTerraform();

// Temp dirs made by copyStackToTemp in this test file; removed in describeTerraform's afterAll.
const tempDirs = new Set<string>();

/** Registers a temp folder for removal after the describeTerraform block (the combined roots' too). */
export function trackTempDir(dir: string): void {
  tempDirs.add(dir);
}

function cleanupTempDirs(): void {
  if (process.env.SES_GUARD_KEEP_TF_TMP === "1") return;
  // rmSync unlinks the provider symlinks, it does not follow them into the mirror.
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** `describe` when terraform is usable; a failing test in CI; `describe.skip` (with a warning) otherwise. */
export function describeTerraform(name: string, fn: () => void): void {
  describeIfAvailable(
    name,
    tf.available ? undefined : `Terraform integration tests cannot run: ${tf.reason}`,
    "terraform and the offline aws provider mirror are available",
    fn,
  );
}

/**
 * `describe` (removing this file's temp dirs afterwards) when nothing is missing; else, under CI, a
 * failing test named `needs` that gives the reason, and locally `describe.skip` with a warning.
 */
export function describeIfAvailable(name: string, missing: string | undefined, needs: string, fn: () => void): void {
  if (missing === undefined) {
    describe(name, () => {
      afterAll(cleanupTempDirs);
      fn();
    });
    return;
  }
  if (/^(true|1)$/i.test(process.env.CI ?? "")) {
    // A failing test rather than a throw so the rest of the file still runs and reports.
    describe(name, () => {
      test(needs, () => {
        throw new Error(`${missing} (CI is set, so this fails instead of skipping)`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}". ${missing}`);
  describe.skip(name, fn);
}

// ---------------------------------------------------------------- running

/** The folder holding the harness's CLI config and temp stacks (one per user). */
export function sharedDir(): string {
  const uid = process.getuid?.() ?? os.userInfo().username;
  const dir = path.join(os.tmpdir(), `ses-guard-tf-${uid}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // /tmp is shared between users: refuse a dir someone else planted.
  if (process.getuid && fs.statSync(dir).uid !== process.getuid()) {
    throw new Error(`${dir} is not owned by the current user`);
  }
  return dir;
}

/** Write-then-rename so parallel jest workers never read a half-written file. */
function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

let cliConfigFile: string | undefined;

/** Our own CLI config (never the user's ~/.terraformrc); content-addressed so runs with different mirrors don't clash. */
function ensureCliConfig(mirrorDir: string): string {
  if (cliConfigFile) return cliConfigFile;
  // JSON.stringify yields valid HCL string/list literals.
  const content = [
    "disable_checkpoint = true",
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirrorDir)}`,
    `    include = ${JSON.stringify([AWS_PROVIDER])}`,
    "  }",
    "  direct {",
    `    exclude = ${JSON.stringify([AWS_PROVIDER])}`,
    "  }",
    "}",
    "",
  ].join("\n");
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 12);
  const file = path.join(sharedDir(), `terraformrc-${hash}`);
  if (!fs.existsSync(file)) writeFileAtomic(file, content);
  cliConfigFile = file;
  return file;
}

/** The harness's CLI config (the offline provider mirror), for a command under test that runs terraform itself. */
export function harnessCliConfig(): string {
  if (!tf.available || !tf.mirrorDir) throw new Error(`terraform is unavailable: ${tf.reason}`);
  return ensureCliConfig(tf.mirrorDir);
}

// Inherited vars that could make runs non-hermetic (real credentials, TF_DATA_DIR, TF_VAR_*, TF_CLI_ARGS...).
const DROPPED_ENV = /^(AWS_|TF_)/;
const KEPT_ENV = new Set(["TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_LOG_CORE"]);

function childEnv(cliConfig: string, extra?: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!DROPPED_ENV.test(k) || KEPT_ENV.has(k)) env[k] = v;
  }
  return {
    ...env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    // terraform and the provider are Go: a 700 MB provider builds its schema at every start, mostly
    // garbage-collecting. A laxer GC target measured about a quarter less CPU per start, for ~40 MB more memory.
    GOGC: process.env.GOGC ?? "400",
    // AWS's documented example keys: enough for an offline plan, never real.
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_EC2_METADATA_DISABLED: "true",
    // Keep the provider away from the user's real profiles.
    AWS_CONFIG_FILE: os.devNull,
    AWS_SHARED_CREDENTIALS_FILE: os.devNull,
    ...extra,
  };
}

/** Runs terraform in dir (no shell). Resolves with the exit code; rejects only if it cannot start. */
export function terraform(
  dir: string,
  args: string[],
  opts: {
    env?: Record<string, string>;
    timeoutMs?: number;
    /** Written to stdin (terraform console reads expressions there). */
    input?: string;
    /** Each piece of stdout as it comes; `stop` ends terraform (SIGTERM) before it is done. */
    onStdout?: (text: string, stop: () => void) => void;
  } = {},
): Promise<TerraformResult> {
  if (!tf.available || !tf.terraformBin || !tf.mirrorDir) {
    return Promise.reject(new Error(`terraform is unavailable: ${tf.reason}`));
  }
  const env = childEnv(ensureCliConfig(tf.mirrorDir), opts.env);
  const bin = tf.terraformBin;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: dir,
      env,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const stop = () => child.kill("SIGTERM");
    child.stdout!.on("data", (b: Buffer) => {
      out.push(b);
      opts.onStdout?.(b.toString("utf8"), stop);
    });
    child.stderr!.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      let stderr = Buffer.concat(err).toString("utf8");
      if (signal) stderr += `\n[harness] terraform ${args[0]} was killed by ${signal} (timeout?)`;
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr });
    });
  });
}

function failure(step: string, dir: string, res: TerraformResult): Error {
  return new Error(`terraform ${step} failed (exit ${res.code}) in ${dir}\n${res.stderr.trim()}\n${res.stdout.trim()}`.trim());
}

/** Runs terraform in dir; throws with its output unless it exits 0. */
export async function mustRun(dir: string, args: string[], opts: Parameters<typeof terraform>[2] = {}): Promise<TerraformResult> {
  const res = await terraform(dir, args, opts);
  if (res.code !== 0) throw failure(args[0], dir, res);
  return res;
}

interface Diagnostic {
  severity: string;
  summary: string;
  detail?: string;
  range?: { filename: string; start: { line: number } };
}

function formatDiagnostics(diags: Diagnostic[]): string {
  return diags
    .map((d) => {
      const where = d.range ? ` (${d.range.filename}:${d.range.start.line})` : "";
      return `${d.severity}: ${d.summary}${where}${d.detail ? `\n  ${d.detail}` : ""}`;
    })
    .join("\n");
}

export async function mustValidate(dir: string): Promise<void> {
  const validate = await terraform(dir, ["validate", "-json", "-no-color"]);
  let result: { valid: boolean; diagnostics: Diagnostic[] };
  try {
    result = JSON.parse(validate.stdout);
  } catch {
    throw failure("validate", dir, validate);
  }
  if (!result.valid || validate.code !== 0) {
    throw new Error(`terraform validate failed in ${dir}\n${formatDiagnostics(result.diagnostics)}`);
  }
}

/**
 * `init -backend=false` and validate: for configs that cannot plan offline (a remote backend
 * that needs credentials, or `import` blocks, which read the real resource).
 */
export async function initValidate(dir: string): Promise<void> {
  await mustRun(dir, ["init", "-backend=false", "-input=false", "-no-color"]);
  await mustValidate(dir);
}

/**
 * init, validate, plan and show -json in dir; throws with terraform's diagnostics on failure.
 * backend=false replaces the stack's backend with a throwaway local state in dir (via an
 * override file): `init -backend=false` is not enough, as plan then refuses to run when the
 * config declares a backend. Default keeps the stack's backend (fine for cdktf's local one;
 * with -lock=false and no apply it only reads that state file, if present).
 */
export async function initValidatePlan(
  dir: string,
  opts: {
    vars?: Record<string, string>;
    backend?: boolean;
    validate?: boolean;
    /** Runs between init and validate/plan, e.g. a re-synth of the folder, which must not need a new init. */
    afterInit?: () => void;
  } = {},
): Promise<PlanJson> {
  // Synthesized stacks carry a plain provider block; the offline switches come from an override file,
  // the way a user would plan without credentials.
  const offline = { provider: { aws: OFFLINE_SWITCHES } };
  fs.writeFileSync(path.join(dir, "zz_harness_offline_override.tf.json"), JSON.stringify(offline, null, 2));
  if (opts.backend === false) {
    const override = { terraform: { backend: { local: { path: path.join(dir, "harness.tfstate") } } } };
    fs.writeFileSync(path.join(dir, "zz_harness_backend_override.tf.json"), JSON.stringify(override, null, 2));
  }
  await mustRun(dir, ["init", "-input=false", "-no-color"]);
  opts.afterInit?.();
  // plan validates too; a separate validate (the default) gives its clearer diagnostics.
  if (opts.validate !== false) await mustValidate(dir);

  const varArgs = Object.entries(opts.vars ?? {}).map(([k, v]) => `-var=${k}=${v}`);
  await mustRun(dir, ["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", `-out=${PLAN_FILE}`, ...varArgs]);
  const show = await mustRun(dir, ["show", "-json", "-no-color", PLAN_FILE]);
  return JSON.parse(show.stdout) as PlanJson;
}

// ---------------------------------------------------------------- plan queries

/** Every resource in planned_values, child modules included. */
export function plannedResources(plan: PlanJson): PlannedResource[] {
  const result: PlannedResource[] = [];
  const walk = (mod: PlanModule): void => {
    for (const r of mod.resources ?? []) {
      result.push({ address: r.address, mode: r.mode, type: r.type, name: r.name, values: r.values });
    }
    for (const child of mod.child_modules ?? []) walk(child);
  };
  walk(plan.planned_values.root_module);
  return result;
}

export function resourcesOfType(plan: PlanJson, type: string): PlannedResource[] {
  return plannedResources(plan).filter((r) => r.type === type);
}

export function resourceChanges(plan: PlanJson): ResourceChange[] {
  return plan.resource_changes ?? [];
}

// ---------------------------------------------------------------- stacks

const SKIPPED_ON_COPY = /^(\.terraform|.*\.tfstate(\.backup)?|\.terraform\.tfstate\.lock\.info|plan\.bin)$/;

/** Copies a synthesized stack (cdktf.out/stacks/<name>) to a fresh temp dir, minus any terraform working state. */
export function copyStackToTemp(stackDir: string): string {
  const files = safeReaddir(stackDir).map((e) => e.name);
  if (!files.some((f) => f.endsWith(".tf.json") || f.endsWith(".tf"))) {
    throw new Error(`${stackDir} has no *.tf.json / *.tf files (was the app synthesized?)`);
  }
  const dir = fs.mkdtempSync(path.join(sharedDir(), "stack-"));
  tempDirs.add(dir);
  fs.cpSync(stackDir, dir, {
    recursive: true,
    filter: (src) => src === stackDir || !SKIPPED_ON_COPY.test(path.basename(src)),
  });
  return dir;
}
