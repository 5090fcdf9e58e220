// Real `terraform apply` of synthesized stacks into moto_server (an AWS emulator on loopback), and
// plans of changed stacks against the state that apply left. Builds on the offline harness
// (./terraform.ts): many stacks as child modules of one root, so terraform and each provider
// configuration start once.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import type { BucketLocationConstraint } from "@aws-sdk/client-s3";
import { describeIfAvailable, findOnPath, mustRun, PlanJson, terraform, tf } from "./terraform";
import { OFFLINE_SWITCHES } from "../../modules/app/offline-plan";
import { CombinedPlan, relocateResources, scopeToModule, StateResource, writeCombinedRoot } from "./combined-root";

// The AWS SDK's notice about Node versions it will drop is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export interface Unsupported {
  /** Why moto 5.2 cannot hold it, as found by applying the examples against it. */
  readonly reason: string;
  /**
   * What the provider reports when it is tried anyway (applyInEmulator's `attempt`): each run checks
   * the reason still holds. None where trying costs minutes, or where nothing can try it.
   */
  readonly error?: RegExp;
}

/** Resource types moto 5.2 cannot emulate: left out of every apply here, with what depends on them. */
export const UNSUPPORTED_IN_EMULATOR: Readonly<Record<string, Unsupported>> = {
  aws_chatbot_slack_channel_configuration: {
    reason: "moto has no Chatbot service: every call answers 500 (no backend for chatbot.REGION.amazonaws.com)",
    error: /operation error chatbot: CreateSlackChannelConfiguration, .*StatusCode: 500/s,
  },
  aws_chatbot_teams_channel_configuration: {
    reason: "moto has no Chatbot service: every call answers 500 (no backend for chatbot.REGION.amazonaws.com)",
    error: /operation error chatbot: CreateMicrosoftTeamsChannelConfiguration, .*StatusCode: 500/s,
  },
  aws_ses_identity_notification_topic: {
    reason:
      "after SetIdentityNotificationTopic the provider always calls SetIdentityHeadersInNotificationsEnabled (include_original_headers true or false), which moto's SES does not implement (500); the identity need not be verified first",
    error: /SetIdentityHeadersInNotificationsEnabled, .*StatusCode: 500/s,
  },
  aws_sesv2_account_suppression_attributes: {
    reason: "moto's SESv2 has no PutAccountSuppressionAttributes (404)",
    error: /PutAccountSuppressionAttributes, https response error StatusCode: 404/,
  },
  aws_sesv2_configuration_set: {
    reason:
      'moto creates it, but then answers GetConfigurationSet with SendingOptions {"SendingEnabled": {}} (an object, not a boolean) for a set created without SendingOptions, which the provider cannot decode',
    error: /GetConfigurationSet, .*expected Enabled to be of type \*bool/s,
  },
  aws_sesv2_configuration_set_event_destination: {
    reason: "moto's SESv2 has no configuration set event destinations (the API answers 404); besides, it needs the configuration set",
  },
  aws_athena_workgroup: {
    reason:
      "moto's Athena answers ListTagsForResource of an untagged resource with 400 \"Does Not Exist\", and the provider lists a new workgroup's tags, so a workgroup without (default) tags fails",
  },
  aws_s3_bucket_lifecycle_configuration: {
    reason:
      "after PutBucketLifecycleConfiguration the provider waits for 10 equal reads 5 s apart, after 10 s (55 s at best, by design), and moto omits TransitionDefaultMinimumObjectSize and reorders transitions, so a rule with transitions never matches (3 minutes, then an error)",
  },
};

/** The table docs/testing.md shows (a test checks it is there, so it cannot drift). */
export function unsupportedTable(): string {
  return [
    "| resource type | why moto 5.2 cannot hold it | tried in every run |",
    "| --- | --- | --- |",
    ...Object.entries(UNSUPPORTED_IN_EMULATOR).map(([type, u]) => `| \`${type}\` | ${u.reason} | ${u.error ? "yes" : "no"} |`),
  ].join("\n");
}

// ---------------------------------------------------------------- detection

export interface MotoInfo {
  readonly available: boolean;
  readonly reason?: string;
  readonly bin?: string;
}

export function detectMoto(env: NodeJS.ProcessEnv = process.env): MotoInfo {
  const bin = findOnPath("moto_server", env);
  return bin ? { available: true, bin } : { available: false, reason: "moto_server (Python moto, the AWS emulator) was not found on PATH" };
}

export const moto: MotoInfo = detectMoto();

/** Like describeTerraform, needing moto_server as well. */
export function describeEmulator(name: string, fn: () => void): void {
  const missing = [tf.available ? undefined : tf.reason, moto.reason].filter((r) => r !== undefined);
  describeIfAvailable(
    name,
    missing.length ? `Emulator tests cannot run: ${missing.join("; ")}` : undefined,
    "terraform, the offline aws provider mirror and moto_server are available",
    fn,
  );
}

// ---------------------------------------------------------------- the emulator process

export interface Emulator {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** What moto logged besides its successful requests (errors, tracebacks): what to read when a call fails. */
  log(): string;
  stop(): Promise<void>;
}

/** A loopback port nobody listens on now (the kernel's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}

const running = new Set<ChildProcess>();
// A test run that dies without afterAll must not leave emulators behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Starts moto_server on a free loopback port and waits until it answers. */
export async function startEmulator(timeoutMs = 30_000): Promise<Emulator> {
  // The port is free when picked, but another process may take it first: then moto exits, and a new one is tried.
  for (let attempt = 1; ; attempt++) {
    const emulator = await startOn(await freePort(), timeoutMs);
    if (typeof emulator !== "string") return emulator;
    if (attempt === 3) throw new Error(emulator);
  }
}

/** The emulator, or why it did not answer. */
async function startOn(port: number, timeoutMs: number): Promise<Emulator | string> {
  if (!moto.bin) throw new Error(moto.reason);
  const endpoint = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^AWS_/.test(k)) env[k] = v;
  const child = spawn(moto.bin, ["-H", "127.0.0.1", "-p", String(port)], { env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  // What moto says besides one line per successful request: its errors and their tracebacks.
  const lines: string[] = [];
  const keep = (b: Buffer) => {
    lines.push(
      ...b
        .toString("utf8")
        .split("\n")
        .filter((l) => l && !/ HTTP\/1\.1" [1-4]\d\d /.test(l)),
    );
    if (lines.length > 1000) lines.splice(0, lines.length - 1000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(`${endpoint}/moto-api/`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      return `moto_server on port ${port} did not answer within ${timeoutMs} ms:\n${lines.join("\n")}`;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, log: () => lines.join("\n"), stop };
}

// ---------------------------------------------------------------- provider settings

/** The role the provider assumes: moto's STS then serves every call in accountId. */
export const EMULATOR_ROLE = "ses-guard-emulator";

/**
 * Laid over every provider block (aliased ones too): the emulator's account, no AWS-only checks.
 * The endpoint itself comes from AWS_ENDPOINT_URL (see terraformEnv), not an `endpoints` block:
 * with one, every plan took about 4 times the CPU (12 configurations of 20 topics: 8 s, 30-37 s
 * with an endpoints block of 2 or 15 services), and the provider's AWS SDK reads the variable
 * for every service and for assume_role's STS call.
 */
export function emulatorProvider(accountId: string): Record<string, unknown> {
  return {
    ...OFFLINE_SWITCHES,
    // The provider builds some ARNs (an Athena workgroup's, to tag it) from the account STS names.
    skip_requesting_account_id: false,
    s3_use_path_style: true,
    // Not the default 25: an unimplemented call (500) must fail in seconds. Not 1 either: the
    // emulator's web server now and then drops a kept-alive connection, which a retry mends.
    max_retries: 3,
    assume_role: [{ role_arn: `arn:aws:iam::${accountId}:role/${EMULATOR_ROLE}`, session_name: EMULATOR_ROLE }],
  };
}

/**
 * terraform's environment: every AWS call to the emulator, and anything else that is not on
 * loopback to a closed port (Go never proxies loopback), so nothing can reach AWS.
 */
export function terraformEnv(emulator: Emulator): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: emulator.endpoint,
    HTTPS_PROXY: "http://127.0.0.1:9",
    HTTP_PROXY: "http://127.0.0.1:9",
    NO_PROXY: "127.0.0.1,localhost",
  };
}

// ---------------------------------------------------------------- apply

export interface EmulatorStack {
  /** A synthesized stack folder (cdk.tf.json). */
  readonly dir: string;
  /** The account its provider blocks assume a role in. */
  readonly accountId: string;
}

/** A v4 state file. */
export interface TerraformState {
  readonly version: number;
  readonly terraform_version: string;
  readonly lineage: string;
  readonly serial: number;
  readonly resources: StateResource[];
}

export interface Applied {
  readonly emulator: Emulator;
  /** The root the stacks were applied from; its state is harness.tfstate. */
  readonly root: string;
  readonly state: TerraformState;
  /** `module.<stack>.<type>.<name>` of every resource left out, with why. */
  readonly excluded: ReadonlyMap<string, string>;
  /** Resources of the types tried anyway (`attempt`) that failed, with the provider's error. */
  readonly failed: ReadonlyMap<string, string>;
  readonly stacks: Readonly<Record<string, EmulatorStack>>;
  /** Each module's `providers` map (see writeCombinedRoot). */
  readonly providers: ReadonlyMap<string, Record<string, string>>;
  /** terraform apply's wall time. */
  readonly applySeconds: number;
  /** One stack's resources as its own state would hold them: no module, its own provider names. */
  stackResources(name: string): StateResource[];
}

/** Every `type.name` a stack declares, and the `type.name`s each one refers to (references and depends_on). */
function resourceGraph(stackDir: string): Map<string, Set<string>> {
  const json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  const graph = new Map<string, Set<string>>();
  for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const [name, body] of Object.entries(byName)) {
      const text = JSON.stringify(body);
      const refs = [...text.matchAll(/\$\{[^}]*\}/g)].flatMap((m) => [...m[0].matchAll(/\b(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)/g)].map((r) => `${r[1]}.${r[2]}`));
      const dependsOn = ((body as { depends_on?: string[] }).depends_on ?? []).filter((d) => d.startsWith("aws_"));
      graph.set(`${type}.${name}`, new Set([...refs, ...dependsOn]));
    }
  }
  return graph;
}

/**
 * The resources of a stack the apply leaves out: those of unsupported types (but the `attempt`ed
 * ones) and, transitively, whatever refers to one that is left out or attempted.
 */
export function excludedResources(stackDir: string, attempt: ReadonlySet<string> = new Set()): Map<string, string> {
  const graph = resourceGraph(stackDir);
  const excluded = new Map<string, string>();
  const typeOf = (address: string) => address.slice(0, address.indexOf("."));
  for (const address of graph.keys()) {
    const unsupported = UNSUPPORTED_IN_EMULATOR[typeOf(address)];
    if (unsupported && !attempt.has(typeOf(address))) excluded.set(address, unsupported.reason);
  }
  const unavailable = (a: string) => excluded.has(a) || attempt.has(typeOf(a));
  for (let grew = true; grew;) {
    grew = false;
    for (const [address, refs] of graph) {
      const on = [...refs].find(unavailable);
      if (!unavailable(address) && on) {
        excluded.set(address, `depends on ${on}`);
        grew = true;
      }
    }
  }
  return excluded;
}

interface JsonMessage {
  type?: string;
  diagnostic?: { severity: string; summary: string; detail?: string; address?: string };
  hook?: { resource?: { addr?: string }; elapsed_seconds?: number };
}

/** terraform's -json output, one message a line (other lines, if any, skipped). */
function messages(stdout: string): JsonMessage[] {
  return stdout.split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line) as JsonMessage];
    } catch {
      return [];
    }
  });
}

/**
 * terraform apply of the stacks, each a child module of one root, into the emulator: every provider
 * block (aliased ones too) assumes a role in the stack's account, AWS_ENDPOINT_URL sends every call
 * to the emulator, and every resource of an unsupported type, with what depends on it, is left out
 * (`-target` of all the others). `attempt` names unsupported types to try anyway: their failures
 * are returned, any other failure throws. A resource still not created after `convergeSeconds`
 * stops the apply, reported as not converging: a type that slow counts as unsupported here.
 */
export async function applyInEmulator(
  emulator: Emulator,
  stacks: Record<string, EmulatorStack>,
  opts: {
    attempt?: readonly string[];
    convergeSeconds?: number;
    /** Apply only these addresses (`type.name`) of every stack, and what they refer to (terraform's -target). */
    only?: readonly string[];
  } = {},
): Promise<Applied> {
  const attempt = new Set(opts.attempt ?? []);
  const providers = new Map<string, Record<string, string>>();
  const dirs = Object.fromEntries(Object.entries(stacks).map(([name, s]) => [name, s.dir]));
  const root = writeCombinedRoot(dirs, { providers, providerSettings: (name) => emulatorProvider(stacks[name].accountId) });
  const excluded = new Map<string, string>();
  const targets: string[] = [];
  for (const name of Object.keys(stacks)) {
    const left = excludedResources(path.join(root, name), attempt);
    for (const address of resourceGraph(path.join(root, name)).keys()) {
      if (left.has(address)) excluded.set(`module.${name}.${address}`, left.get(address)!);
      else if (!opts.only || opts.only.includes(address)) targets.push(`-target=module.${name}.${address}`);
    }
  }
  const env = terraformEnv(emulator);
  await mustRun(root, ["init", "-input=false", "-no-color"], { env });
  // The KMS keys are the slowest here (the provider waits for 5 equal reads of each setting): about 15 s.
  const convergeSeconds = opts.convergeSeconds ?? 60;
  const stuck = new Set<string>();
  let pending = "";
  const watch = (text: string, stop: () => void) => {
    const lines = (pending + text).split("\n");
    pending = lines.pop()!;
    for (const m of messages(lines.join("\n"))) {
      if (m.type === "apply_progress" && (m.hook?.elapsed_seconds ?? 0) >= convergeSeconds && m.hook?.resource?.addr) {
        stuck.add(m.hook.resource.addr);
        stop();
      }
    }
  };
  const started = Date.now();
  const res = await terraform(root, ["apply", "-auto-approve", "-input=false", "-lock=false", "-json", "-parallelism=64", ...targets], {
    env,
    onStdout: watch,
  });
  const applySeconds = (Date.now() - started) / 1000;
  const output = messages(res.stdout);
  const failed = new Map<string, string>();
  const unexpected: string[] = [];
  for (const { diagnostic: d } of output) {
    if (d?.severity !== "error") continue;
    const type = d.address?.split(".").find((part) => part.startsWith("aws_"));
    const text = `${d.summary}${d.detail ? `: ${d.detail}` : ""}`;
    if (d.address && type && attempt.has(type)) failed.set(d.address.replace(/\[.*\]$/, ""), text);
    else unexpected.push(`${d.address ?? "(no address)"}: ${text}`);
  }
  if (stuck.size > 0 || (res.code !== 0 && (unexpected.length > 0 || failed.size === 0))) {
    throw new Error(
      [
        `terraform apply failed (exit ${res.code}) in ${root}`,
        stuck.size ? `not created within ${convergeSeconds} s, so stopped (add the type to UNSUPPORTED_IN_EMULATOR?): ${[...stuck].join(", ")}` : "",
        ...unexpected,
        res.stderr.trim(),
        unexpected.length ? `moto_server's errors:\n${emulator.log().slice(-4000)}` : "",
      ]
        .filter(Boolean)
        .join("\n"),
    );
  }
  const state = JSON.parse(fs.readFileSync(path.join(root, "harness.tfstate"), "utf8")) as TerraformState;
  const stackResources = (name: string): StateResource[] => {
    const childKeyOf = new Map(Object.entries(providers.get(name) ?? {}).map(([key, rootAlias]) => [rootAlias.slice("aws.".length), key]));
    return state.resources
      .filter((r) => r.module === `module.${name}`)
      .map(({ module: _module, ...r }) => {
        const match = /^(provider\["[^"]+"\])\.(\w+)$/.exec(r.provider);
        const key = match && childKeyOf.get(match[2]);
        return { ...r, provider: key ? `${match[1]}${key === "aws" ? "" : key.slice("aws".length)}` : r.provider };
      });
  };
  return { emulator, root, state, excluded, failed, stacks, providers, applySeconds, stackResources };
}

// ---------------------------------------------------------------- plan against the applied state

export interface PlannedStack extends EmulatorStack {
  /** The applied stack whose resources this one starts from; none for a new stack. */
  readonly from?: string;
}

/**
 * Plans changed stacks, each a child module of one new root whose state holds a copy of the
 * applied stack it comes `from` (same account, so a refresh reads the emulator's objects): one
 * init and one plan for them all. `only` limits the plan to those addresses (`type.name`) of
 * every module (`-target`): the copies keep just them and what they refer to, so terraform
 * validates a tenth of the config; an address the config dropped but the state holds is planned
 * too (destroyed, or forgotten by a `removed` block). `showDestroys` takes `prevent_destroy` out of
 * the copies, so that a plan destroying such a resource shows it instead of stopping with
 * "Instance cannot be destroyed" (which would stop the plan of every stack).
 */
export async function planAgainstApplied(
  applied: Applied,
  stacks: Record<string, PlannedStack>,
  opts: { refresh?: boolean; only?: readonly string[]; showDestroys?: boolean } = {},
): Promise<CombinedPlan> {
  const providers = new Map<string, Record<string, string>>();
  const dirs = Object.fromEntries(Object.entries(stacks).map(([name, s]) => [name, s.dir]));
  const root = writeCombinedRoot(dirs, { providers, providerSettings: (name) => emulatorProvider(stacks[name].accountId) });
  for (const name of Object.keys(stacks)) narrowCopy(path.join(root, name), opts);
  const resources = Object.entries(stacks).flatMap(([name, s]) => {
    if (!s.from) return [];
    if (applied.stacks[s.from]?.accountId !== s.accountId) throw new Error(`${name}: from ${s.from}, which was applied in another account`);
    return relocateResources(applied.stackResources(s.from), name, providers.get(name));
  });
  const { version, terraform_version, lineage } = applied.state;
  fs.writeFileSync(path.join(root, "harness.tfstate"), JSON.stringify({ version, terraform_version, lineage, serial: 1, outputs: {}, resources }));
  const run = { env: terraformEnv(applied.emulator) };
  const targets = (opts.only ?? []).flatMap((address) => Object.keys(stacks).map((name) => `-target=module.${name}.${address}`));
  await mustRun(root, ["init", "-input=false", "-no-color"], run);
  await mustRun(
    root,
    ["plan", `-refresh=${opts.refresh ?? false}`, "-input=false", "-lock=false", "-no-color", "-parallelism=64", "-out=plan.bin", ...targets],
    run,
  );
  const plan = JSON.parse((await mustRun(root, ["show", "-json", "-no-color", "plan.bin"], run)).stdout) as PlanJson;
  return { plan, module: (name) => scopeToModule(plan, name) };
}

type Resources = Record<string, Record<string, { lifecycle?: { prevent_destroy?: boolean } }>>;

/** A planned copy (root/<stack>) cut to `only` and what it refers to (no outputs), and without prevent_destroy if asked. */
function narrowCopy(stackDir: string, opts: { only?: readonly string[]; showDestroys?: boolean }): void {
  const file = path.join(stackDir, "cdk.tf.json");
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as { resource?: Resources; output?: unknown };
  if (opts.only) {
    const graph = resourceGraph(stackDir);
    const keep = new Set<string>();
    const add = (address: string) => {
      if (keep.has(address) || !graph.has(address)) return;
      keep.add(address);
      for (const ref of graph.get(address)!) add(ref);
    };
    opts.only.forEach(add);
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      for (const name of Object.keys(byName)) if (!keep.has(`${type}.${name}`)) delete byName[name];
      if (Object.keys(byName).length === 0) delete json.resource![type];
    }
    delete json.output;
  }
  if (opts.showDestroys)
    for (const byName of Object.values(json.resource ?? {})) for (const body of Object.values(byName)) delete body.lifecycle?.prevent_destroy;
  fs.writeFileSync(file, JSON.stringify(json));
}

/** Every `type.name` of a stack whose lifecycle has prevent_destroy. */
export function preventDestroyOf(stackDir: string): string[] {
  const resources = (JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")).resource ?? {}) as Resources;
  return Object.entries(resources).flatMap(([type, byName]) =>
    Object.entries(byName)
      .filter(([, body]) => body.lifecycle?.prevent_destroy)
      .map(([name]) => `${type}.${name}`),
  );
}

// ---------------------------------------------------------------- what exists before an apply

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Keys that moto's STS issued for accountId (what the provider's assume_role gets too). */
export async function accountCredentials(emulator: Emulator, accountId: string): Promise<Credentials> {
  const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
  const sts = new STSClient({ region: "us-east-1", endpoint: emulator.endpoint, credentials: FAKE_KEYS });
  try {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/${EMULATOR_ROLE}`, RoleSessionName: EMULATOR_ROLE }));
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}

/** AWS's documented example keys: never real. */
export const FAKE_KEYS: Credentials = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

/** What a config names but does not create, made in the emulator the way its owner would have. */
export interface Prerequisites {
  /** Buckets by region; an access-log target gets the policy that lets S3 deliver logs to it. */
  readonly buckets?: ReadonlyArray<{ readonly region: string; readonly name: string; readonly receivesAccessLogs?: boolean }>;
  /** SES identities (domains, or addresses with @) by region, verified. */
  readonly identities?: ReadonlyArray<{ readonly region: string; readonly identity: string }>;
}

export async function createPrerequisites(emulator: Emulator, accountId: string, what: Prerequisites): Promise<void> {
  const credentials = await accountCredentials(emulator, accountId);
  const [{ S3Client, CreateBucketCommand, PutBucketPolicyCommand }, { SESClient, VerifyDomainIdentityCommand, VerifyEmailIdentityCommand }] = await Promise.all(
    [import("@aws-sdk/client-s3"), import("@aws-sdk/client-ses")],
  );
  const common = { endpoint: emulator.endpoint, credentials };
  await Promise.all([
    ...(what.buckets ?? []).map(async ({ region, name, receivesAccessLogs }) => {
      const s3 = new S3Client({ ...common, region, forcePathStyle: true });
      try {
        // us-east-1 takes no location constraint (S3 API Reference, CreateBucket).
        const location = region === "us-east-1" ? undefined : { LocationConstraint: region as BucketLocationConstraint };
        await s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: location }));
        // What S3 server access logging needs of a target bucket (moto checks it as S3 does).
        const allowLogging = {
          Effect: "Allow",
          Principal: { Service: "logging.s3.amazonaws.com" },
          Action: ["s3:PutObject"],
          Resource: `arn:aws:s3:::${name}/*`,
        };
        if (receivesAccessLogs)
          await s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify({ Version: "2012-10-17", Statement: [allowLogging] }) }));
      } finally {
        s3.destroy();
      }
    }),
    ...(what.identities ?? []).map(async ({ region, identity }) => {
      const ses = new SESClient({ ...common, region });
      try {
        if (identity.includes("@")) await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: identity }));
        else await ses.send(new VerifyDomainIdentityCommand({ Domain: identity }));
      } finally {
        ses.destroy();
      }
    }),
  ]);
}
