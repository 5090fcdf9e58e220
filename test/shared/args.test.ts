// The flag reader every command uses (util.parseArgs underneath): what it accepts, and the one line it gives otherwise.
import { allowedFlags, FlagSpec, parseFlags, UsageError, wholeNumber } from "../../modules/shared/args";

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
