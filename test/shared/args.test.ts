// The flag reader every command uses (util.parseArgs underneath): what it accepts, and the one line it gives otherwise.
import { allowedFlags, FlagSpec, flagsNpmTook, npmTookError, oneDashLongFlag, parseFlags, UsageError, wholeNumber } from "../../modules/shared/args";

const SPECS: readonly FlagSpec[] = [
  { name: "--config", short: "c", metavar: "FILE", value: "a file path" },
  { name: "--region", metavar: "REGION", value: "a region", repeat: true },
  { name: "--verbose" },
  { name: "--help", short: "h" },
];

function refusal(argv: string[], opts?: Parameters<typeof parseFlags>[2]): string {
  try {
    parseFlags(argv, SPECS, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(argv)}`);
}

describe("parseFlags accepts", () => {
  test.each([
    [[], {}],
    [["--config", "a.json"], { "--config": "a.json" }],
    [["--config=a.json"], { "--config": "a.json" }],
    [["-c", "a.json"], { "--config": "a.json" }],
    [["--config=a=b.json"], { "--config": "a=b.json" }],
    [["--config=-x"], { "--config": "-x" }],
    [["--region", "eu-west-1", "--region=us-east-1"], { "--region": ["eu-west-1", "us-east-1"] }],
    [["--verbose", "-h"], { "--verbose": true, "--help": true }],
  ])("%j", (argv, flags) => {
    expect(parseFlags(argv, SPECS)).toEqual({ flags, positionals: [] });
  });

  test("positional arguments, in order, where the command takes them (a lone - too)", () => {
    expect(parseFlags(["plan.json", "--verbose", "-"], SPECS, { positionals: true })).toEqual({
      flags: { "--verbose": true },
      positionals: ["plan.json", "-"],
    });
  });
});

describe("parseFlags refuses, in one line", () => {
  test.each([
    [["--bogus"], 'unknown argument "--bogus"; allowed: --config FILE, --region REGION, --verbose, --help'],
    [["--bogus=1"], 'unknown argument "--bogus=1"; allowed: --config FILE, --region REGION, --verbose, --help'],
    [["-x"], 'unknown argument "-x"; allowed: --config FILE, --region REGION, --verbose, --help'],
    [["config.json"], 'unknown argument "config.json"; allowed: --config FILE, --region REGION, --verbose, --help'],
    [["--", "--config"], 'unknown argument "--"; allowed: --config FILE, --region REGION, --verbose, --help'],
    [["--config"], "--config: got no value; allowed: a file path"],
    [["-c"], "-c: got no value; allowed: a file path"],
    [["--config="], "--config: got no value; allowed: a file path"],
    [["--config", "-x"], "--config: got no value; allowed: a file path"],
    [["--config", "--verbose"], "--config: got no value; allowed: a file path"],
    [["--region"], "--region: got no value; allowed: a region"],
    [["--verbose=yes"], '--verbose: got a value "yes"; allowed: --verbose alone'],
    [["--config", "a", "--config", "b"], "--config: given twice; allowed: once"],
    [["-c", "a", "--config=b"], "--config: given twice; allowed: once"],
  ])("%j", (argv, message) => {
    expect(refusal(argv)).toBe(message);
  });

  test("the command's own list of what is allowed, where it gives one", () => {
    expect(refusal(["--bogus"], { allowed: "PLAN_JSON, --help" })).toBe('unknown argument "--bogus"; allowed: PLAN_JSON, --help');
  });

  test("the first mistake is the one reported", () => {
    expect(refusal(["--verbose=1", "--bogus"])).toBe('--verbose: got a value "1"; allowed: --verbose alone');
  });
});

test("allowedFlags lists each flag with its placeholder (VALUE when it has none)", () => {
  expect(allowedFlags([{ name: "--out", value: "a folder" }, { name: "--help" }])).toBe("--out VALUE, --help");
});

describe("wholeNumber", () => {
  test("the fallback when absent; the bounds themselves are allowed", () => {
    expect(wholeNumber("--n", undefined, 1, 10, 5)).toBe(5);
    expect(wholeNumber("--n", "1", 1, 10, 5)).toBe(1);
    expect(wholeNumber("--n", "10", 1, 10, 5)).toBe(10);
  });

  test.each(["0", "11", "1.5", "-1", "1e1", " 3", "three"])("refuses %j, naming the flag and the range", (value) => {
    expect(() => wholeNumber("--n", value, 1, 10, 5)).toThrow(new UsageError(`--n: got ${JSON.stringify(value)}; allowed: a whole number from 1 to 10`));
  });
});

describe("a long flag with one dash names the flag meant", () => {
  test.each([
    [["-config", "x.json"], 'unknown argument "-config"; did you mean --config?'],
    [["-config=x.json"], 'unknown argument "-config=x.json"; did you mean --config=x.json?'],
    [["-region", "eu-west-1"], 'unknown argument "-region"; did you mean --region?'],
    [["-verbose"], 'unknown argument "-verbose"; did you mean --verbose?'],
    [["-help"], 'unknown argument "-help"; did you mean --help?'],
    // Every command answers --version (scripts/version.js), so it is meant even where no spec lists it.
    [["-version"], 'unknown argument "-version"; did you mean --version?'],
    [["--verbose", "-config", "x.json"], 'unknown argument "-config"; did you mean --config?'],
  ])("%j", (argv, message) => {
    expect(refusal(argv)).toBe(message);
  });

  test("a short flag with its value attached is still the short flag (-cx.json), and one-dash words that are no flag get the list", () => {
    expect(parseFlags(["-cx.json"], SPECS)).toEqual({ flags: { "--config": "x.json" }, positionals: [] });
    expect(refusal(["-bogus"])).toBe('unknown argument "-bogus"; allowed: --config FILE, --region REGION, --verbose, --help');
  });

  test("an earlier mistake is still the one reported", () => {
    expect(refusal(["--verbose=1", "-config", "x"])).toBe('--verbose: got a value "1"; allowed: --verbose alone');
  });

  test("oneDashLongFlag: only the command's own long names (and --version)", () => {
    expect(oneDashLongFlag("-config", SPECS)).toBe("--config");
    expect(oneDashLongFlag("-version=1", SPECS)).toBe("--version=1");
    expect(oneDashLongFlag("-c", SPECS)).toBeUndefined();
    expect(oneDashLongFlag("--config", SPECS)).toBeUndefined();
    expect(oneDashLongFlag("-out", SPECS)).toBeUndefined();
  });
});

describe("flags npm took for itself (npm run <script> without --)", () => {
  // What npm 11 passes and sets, measured: `npm run synth --config f.json` runs the script with ["f.json"] and
  // npm_config_config=true; `--config=f.json` passes nothing and sets npm_config_config=f.json.
  const npm = (vars: Record<string, string>) => ({ npm_lifecycle_event: "synth", npm_config_yes: "", npm_config_cache: "/home/u/.npm", ...vars });
  const refusalIn = (argv: string[], env: NodeJS.ProcessEnv, opts: Parameters<typeof parseFlags>[2] = {}) => refusal(argv, { ...opts, env });

  test.each([
    [
      "the value left behind goes back to its flag",
      ["f.json"],
      { npm_config_config: "true" },
      "npm took --config for itself: write npm run synth -- --config f.json",
    ],
    [
      "--flag=value: the value from npm's variable",
      [],
      { npm_config_config: "f.json" },
      "npm took --config for itself: write npm run synth -- --config f.json",
    ],
    [
      "with what came after --",
      ["f.json", "--verbose"],
      { npm_config_config: "true" },
      "npm took --config for itself: write npm run synth -- --config f.json --verbose",
    ],
    [
      "a value with a space is quoted",
      [],
      { npm_config_config: "my config.json" },
      "npm took --config for itself: write npm run synth -- --config 'my config.json'",
    ],
    ["no value at all: the placeholder", [], { npm_config_config: "true" }, "npm took --config for itself: write npm run synth -- --config FILE"],
    ["a switch", [], { npm_config_verbose: "true" }, "npm took --verbose for itself: write npm run synth -- --verbose"],
    [
      "two flags that lost their values: the order is lost, so placeholders",
      ["a.json", "eu-west-1"],
      { npm_config_config: "true", npm_config_region: "true" },
      "npm took --config and --region for itself: write npm run synth -- --config FILE --region REGION",
    ],
    [
      "one lost value and one given with =",
      ["a.json"],
      { npm_config_config: "true", npm_config_region: "eu-west-1" },
      "npm took --config and --region for itself: write npm run synth -- --config a.json --region eu-west-1",
    ],
  ])("%s", (_name, argv, vars, message) => {
    expect(refusalIn(argv, npm(vars))).toBe(message);
  });

  test("the script's name comes from npm_lifecycle_event", () => {
    expect(refusalIn(["plan.json"], { npm_lifecycle_event: "review", npm_config_region: "true" })).toBe(
      "npm took --region for itself: write npm run review -- --region plan.json",
    );
  });

  test("nothing is said outside npm, for a flag given after -- as well, for an empty variable, or for --help", () => {
    expect(refusalIn(["f.json"], { npm_config_config: "true" })).toMatch(/^unknown argument "f\.json"/);
    expect(parseFlags(["--config", "b.json"], SPECS, { env: npm({ npm_config_config: "a.json" }) }).flags).toEqual({ "--config": "b.json" });
    expect(parseFlags(["--config=b.json"], SPECS, { env: npm({ npm_config_config: "a.json" }) }).flags).toEqual({ "--config": "b.json" });
    expect(parseFlags(["-c", "b.json"], SPECS, { env: npm({ npm_config_config: "a.json" }) }).flags).toEqual({ "--config": "b.json" });
    expect(parseFlags([], SPECS, { env: npm({ npm_config_config: "", npm_config_help: "true" }) }).flags).toEqual({});
  });

  test("npm's own settings (yes, offline) explain a refused command line, but set in .npmrc or CI they do not stop a good one", () => {
    const specs: FlagSpec[] = [{ name: "--yes" }, { name: "--offline" }, { name: "--from", metavar: "SENDER", value: "an address" }];
    const env = npm({ npm_config_yes: "true", npm_config_offline: "true" });
    expect(parseFlags(["--from", "a@example.com"], specs, { env }).flags).toEqual({ "--from": "a@example.com" });
    expect(() => parseFlags(["a@example.com"], specs, { env: { ...env, npm_config_from: "true" } })).toThrow(
      new UsageError("npm took --yes, --offline and --from for itself: write npm run synth -- --yes --offline --from a@example.com"),
    );
    expect(flagsNpmTook([], specs, npm({ npm_config_yes: "true" }), false)).toEqual([]);
    expect(flagsNpmTook([], specs, npm({ npm_config_yes: "true" }), true).map((s) => s.name)).toEqual(["--yes"]);
  });

  test("npmTookError is undefined when npm took nothing", () => {
    expect(npmTookError(["f.json"], SPECS, npm({}), true)).toBeUndefined();
  });
});
