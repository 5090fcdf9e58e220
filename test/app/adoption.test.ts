// Adoption by teams already on Terraform: backends, several regions, bring-your-own resources, imports.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing } from "cdktf";
import { buildApp } from "../../modules/app/cli";
import { ConfigError, configWarnings, notificationIdentitiesFor, parseConfig, SesGuardConfig } from "../../modules/app/config";
import { regionNames } from "../../modules/shared/names";
import { SesGuardStack, stackName } from "../../modules/app/ses-guard-stack";

const examples = path.join(__dirname, "..", "..", "examples");
const example = (file: string) => parseConfig(JSON.parse(fs.readFileSync(path.join(examples, file), "utf8")), file);

function base(): Record<string, any> {
  return {
    accountId: "123456789012",
    alarms: { emails: ["ops@example.com"] },
    notifications: { identities: ["example.com"] },
  };
}
const withChange = (change: (c: Record<string, any>) => void) => {
  const c = base();
  change(c);
  return c;
};

/** Synthesized JSON of every stack in the app, by stack name. */
function synthAll(config: SesGuardConfig): Record<string, any> {
  const app = buildApp(config, Testing.app().outdir);
  const out: Record<string, any> = {};
  for (const stack of app.node.children) {
    if (stack instanceof SesGuardStack) out[stack.node.id] = JSON.parse(Testing.synth(stack));
  }
  return out;
}

function configError(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("accepted");
}

describe("backends", () => {
  test("local by default, a relative state file per stack", () => {
    const stacks = synthAll(parseConfig(withChange((c) => (c.regions = ["us-east-1", "eu-west-1"]))));
    expect(stacks["ses-guard-us-east-1"].terraform.backend).toEqual({ local: { path: "terraform.ses-guard-us-east-1.tfstate" } });
    expect(stacks["ses-guard-eu-west-1"].terraform.backend).toEqual({ local: { path: "terraform.ses-guard-eu-west-1.tfstate" } });
  });

  test("s3 with S3-native locking and a DynamoDB table, one key per stack", () => {
    const stacks = synthAll(example("backend-s3.json"));
    expect(stacks["ses-guard-us-west-2"].terraform.backend).toEqual({
      s3: {
        bucket: "acme-terraform-state",
        key: "ses-guard/ses-guard-us-west-2.tfstate",
        region: "us-east-1",
        encrypt: true,
        use_lockfile: true,
        dynamodb_table: "terraform-locks",
      },
    });
    expect(stacks["ses-guard-us-east-1"].terraform.backend.s3.key).toBe("ses-guard/ses-guard-us-east-1.tfstate");
  });

  test("s3 without the lockfile or a table emits neither", () => {
    const cfg = parseConfig(withChange((c) => (c.backend = { type: "s3", bucket: "state-bucket", region: "eu-west-1", useLockfile: false })));
    const s3 = synthAll(cfg)["ses-guard-us-east-1"].terraform.backend.s3;
    expect(s3).not.toHaveProperty("use_lockfile");
    expect(s3).not.toHaveProperty("dynamodb_table");
  });

  test("cloud: one named workspace per stack, or workspaces by tag", () => {
    expect(synthAll(example("backend-cloud.json"))["ses-guard-eu-west-1"].terraform.cloud).toEqual({
      organization: "acme",
      workspaces: { name: "email-ses-guard-eu-west-1", project: "email" },
    });
    const tagged = parseConfig(withChange((c) => (c.backend = { type: "cloud", organization: "acme", hostname: "tfe.example.com", workspaceTags: ["ses"] })));
    expect(synthAll(tagged)["ses-guard-us-east-1"].terraform.cloud).toEqual({
      organization: "acme",
      hostname: "tfe.example.com",
      workspaces: { tags: ["ses"] },
    });
  });

  test("no stack carries a local backend next to a remote one", () => {
    const stacks = synthAll(example("backend-cloud.json"));
    expect(stacks["ses-guard-eu-west-1"].terraform.backend).toBeUndefined();
  });
});

describe("several regions", () => {
  const cfg = example("multi-region.json");
  const stacks = synthAll(cfg);
  // The same regions with one bucket shared in the home region (archive.bucketPerRegion: false).
  const raw = JSON.parse(fs.readFileSync(path.join(examples, "multi-region.json"), "utf8"));
  const sharedCfg = parseConfig({ ...raw, archive: { bucketPerRegion: false } }, "multi-region.json, shared bucket");
  const shared = synthAll(sharedCfg);

  test("one stack per region, named <name>-<region>, each with its own provider region", () => {
    expect(Object.keys(stacks).sort()).toEqual(["mail-ap-southeast-2", "mail-eu-west-1", "mail-us-east-1"]);
    for (const region of cfg.regions) expect(stacks[stackName(cfg, region)].provider.aws[0].region).toBe(region);
  });

  test("each region has its own alarms, configuration set, stream, roles and notification topics", () => {
    for (const region of cfg.regions) {
      const r = stacks[stackName(cfg, region)].resource;
      const names = regionNames(cfg.name, region);
      expect(Object.keys(r.aws_cloudwatch_metric_alarm).filter((a) => a.startsWith("alarms_"))).toHaveLength(4);
      expect(r.aws_cloudwatch_metric_alarm.archive_alarms_data_freshness.dimensions).toEqual({ DeliveryStreamName: "mail-events" });
      expect(r.aws_sesv2_configuration_set.event_publishing_configuration_set.configuration_set_name).toBe("mail");
      expect(r.aws_kinesis_firehose_delivery_stream.delivery_stream.name).toBe("mail-events");
      expect(r.aws_iam_role.delivery_stream_role.name).toBe(names.firehoseRole);
      expect(r.aws_iam_role.event_publishing_role.name).toBe(names.sesRole);
      // Each region notifies for its own identities (an identity is verified per region).
      expect(Object.keys(r.aws_ses_identity_notification_topic.notifications_identities.for_each).sort()).toEqual(
        notificationIdentitiesFor(cfg, region)
          .flatMap((i) => [`${i}/Bounce`, `${i}/Complaint`])
          .sort(),
      );
    }
    expect(notificationIdentitiesFor(cfg, "ap-southeast-2")).toEqual(["example.com.au"]);
  });

  test("several regions get a bucket each by default: Firehose documents no cross-region delivery to S3", () => {
    expect(cfg.archive.bucketPerRegion).toBe(true);
    for (const region of cfg.regions) {
      const r = stacks[stackName(cfg, region)].resource;
      expect(r.aws_s3_bucket.archive_bucket.bucket).toBe(`mail-events-123456789012-${region}`);
      expect(r.aws_kinesis_firehose_delivery_stream.delivery_stream.extended_s3_configuration.bucket_arn).toBe("${aws_s3_bucket.archive_bucket.arn}");
    }
    expect(configWarnings(cfg).filter((w) => w.includes("inter-region"))).toEqual([]);
  });

  test("a shared bucket is kept when asked for, with a warning naming the regions and the transfer cost", () => {
    expect(sharedCfg.archive.bucketPerRegion).toBe(false);
    expect(configWarnings(sharedCfg)).toContain(
      "eu-west-1, ap-southeast-2 write events to the bucket in us-east-1: AWS's Firehose documentation does not list cross-region delivery to S3, and those events are billed as inter-region data transfer (about 0.02 USD per GB); for a bucket in each region, set archive.bucketPerRegion to true, without archive.bucketName or existing.bucketName",
    );
    // A named bucket is one bucket: it is shared, not an error.
    expect(parseConfig({ ...raw, archive: { bucketName: "one-archive" } }).archive.bucketPerRegion).toBe(false);
  });

  test("IAM role names differ between regions (IAM is global)", () => {
    const roles = cfg.regions.flatMap((region) => Object.values<any>(stacks[stackName(cfg, region)].resource.aws_iam_role).map((r) => r.name));
    expect(new Set(roles).size).toBe(roles.length);
  });

  test("one shared bucket in the home region; the other streams write to it across regions, under their own prefix", () => {
    const stacks = shared;
    const home = stacks["mail-us-east-1"].resource;
    expect(home.aws_s3_bucket.archive_bucket.bucket).toBe("mail-events-123456789012-us-east-1");
    for (const region of ["eu-west-1", "ap-southeast-2"]) {
      const r = stacks[stackName(cfg, region)].resource;
      expect(r.aws_s3_bucket).toBeUndefined();
      const s3 = r.aws_kinesis_firehose_delivery_stream.delivery_stream.extended_s3_configuration;
      expect(s3.bucket_arn).toBe("arn:aws:s3:::mail-events-123456789012-us-east-1");
      expect(s3.prefix.startsWith(`events/${region}/`)).toBe(true);
      expect(s3.error_output_prefix.startsWith(`errors/${region}/`)).toBe(true);
      const policy = JSON.parse(r.aws_iam_role_policy.delivery_stream_role_policy.policy);
      expect(policy.Statement[0].Resource).toBe("arn:aws:s3:::mail-events-123456789012-us-east-1/*");
      expect(stacks[stackName(cfg, region)].output.archive_bucket_name.value).toBe("mail-events-123456789012-us-east-1");
    }
  });

  test("the other regions' stacks depend on the home stack (it creates the bucket)", () => {
    const app = buildApp(sharedCfg, Testing.app().outdir);
    const byId = (id: string) => app.node.findChild(id) as SesGuardStack;
    expect(byId("mail-eu-west-1").dependencies.map((d) => d.node.id)).toEqual(["mail-us-east-1"]);
    expect(byId("mail-us-east-1").dependencies).toEqual([]);
  });

  test("bucketPerRegion: each region creates its own bucket and no stack depends on another", () => {
    const per = example("bucket-per-region.json");
    const all = synthAll(per);
    for (const region of per.regions) {
      expect(all[stackName(per, region)].resource.aws_s3_bucket.archive_bucket.bucket).toBe(`mail-events-123456789012-${region}`);
    }
    const app = buildApp(per, Testing.app().outdir);
    for (const region of per.regions) expect((app.node.findChild(stackName(per, region)) as SesGuardStack).dependencies).toEqual([]);
  });
});

describe("bring your own", () => {
  const cfg = example("bring-your-own.json");
  const json = synthAll(cfg)["byo-us-east-1"];
  const r = json.resource;

  test("existing topics are referenced, not created", () => {
    expect(r.aws_sns_topic).toBeUndefined();
    expect(r.aws_sns_topic_policy).toBeUndefined();
    expect(r.aws_sns_topic_subscription).toBeUndefined();
    for (const alarm of Object.values<any>(r.aws_cloudwatch_metric_alarm)) {
      expect(alarm.alarm_actions).toEqual(["arn:aws:sns:us-east-1:123456789012:platform-alarms"]);
    }
    for (const t of Object.values<any>(r.aws_ses_identity_notification_topic)) {
      expect(t.topic_arn).toBe("arn:aws:sns:us-east-1:123456789012:ses-feedback");
    }
    expect(json.output.alarm_topic_arn.value).toBe("arn:aws:sns:us-east-1:123456789012:platform-alarms");
  });

  test("an existing bucket is written to, with the Firehose role's permission still created", () => {
    expect(Object.keys(r).filter((t) => t.startsWith("aws_s3_"))).toEqual([]);
    expect(r.aws_kinesis_firehose_delivery_stream.delivery_stream.extended_s3_configuration.bucket_arn).toBe("arn:aws:s3:::acme-central-logs");
    const policy = JSON.parse(r.aws_iam_role_policy.delivery_stream_role_policy.policy);
    expect(policy.Statement.map((s: any) => s.Resource)).toContain("arn:aws:s3:::acme-central-logs");
  });

  test("an existing configuration set gets only the event destination and the SES role", () => {
    expect(r.aws_sesv2_configuration_set).toBeUndefined();
    expect(r.aws_sesv2_configuration_set_event_destination.event_publishing_event_destination.configuration_set_name).toBe("transactional");
    const trust = JSON.parse(r.aws_iam_role.event_publishing_role.assume_role_policy);
    expect(trust.Statement[0].Condition.ArnLike["aws:SourceArn"]).toBe("arn:aws:ses:us-east-1:123456789012:configuration-set/transactional");
  });
});

describe("adopt: import blocks", () => {
  test("each adopted ID becomes an import block to the resource ses-guard manages", () => {
    const json = synthAll(example("adopt.json"))["legacy-us-east-1"];
    // Import blocks came with Terraform 1.5, removed blocks with 1.7; terraform init enforces this.
    expect(json.terraform.required_version).toBe(">= 1.7");
    const imports = Object.fromEntries(json.import.map((i: { to: string; id: string }) => [i.to, i.id]));
    expect(imports).toEqual({
      "aws_sns_topic.alarms_topic": "arn:aws:sns:us-east-1:123456789012:legacy-alarms",
      "aws_s3_bucket.archive_bucket": "legacy-ses-events",
      "aws_sesv2_configuration_set.event_publishing_configuration_set": "transactional",
      "aws_kinesis_firehose_delivery_stream.delivery_stream": "arn:aws:firehose:us-east-1:123456789012:deliverystream/legacy-events",
      "aws_cloudwatch_log_group.delivery_stream_log_group": "/aws/kinesisfirehose/legacy-events",
    });
  });

  test("roles and the notification topic can be adopted too", () => {
    const cfg = parseConfig(
      withChange((c) => {
        c.adopt = {
          "us-east-1": {
            notificationTopic: "arn:aws:sns:us-east-1:123456789012:ses-guard-notifications",
            firehoseRole: "ses-guard-firehose-us-east-1",
            sesRole: "ses-guard-ses-publisher-us-east-1",
          },
        };
      }),
    );
    const imports: Array<{ to: string }> = synthAll(cfg)["ses-guard-us-east-1"].import;
    const to = imports.map((i) => i.to).sort();
    expect(to).toEqual(["aws_iam_role.delivery_stream_role", "aws_iam_role.event_publishing_role", "aws_sns_topic.notifications_topic"]);
  });

  test("a stack without adopted resources has no import blocks", () => {
    const json = synthAll(example("minimal.json"))["ses-guard-us-east-1"];
    expect(json.import).toBeUndefined();
  });

  test("a stack with import blocks requires Terraform 1.7 (removed blocks), which terraform enforces; synth needs no terraform", () => {
    // cdktf would run `terraform version` on this machine once per imported resource, and fail without it.
    const withoutTerraform = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d && !fs.existsSync(path.join(d, "terraform")));
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ses-guard-adopt-"));
    try {
      // A copy: the synth writes its stack record beside the config.
      fs.copyFileSync(path.join(examples, "adopt.json"), path.join(work, "adopt.json"));
      const r = spawnSync(process.execPath, [path.join(__dirname, "..", "..", "scripts", "synth.js"), "--config", "adopt.json"], {
        cwd: work,
        encoding: "utf8",
        env: { PATH: withoutTerraform.join(path.delimiter) },
      });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
      const json = JSON.parse(fs.readFileSync(path.join(work, "cdktf.out", "stacks", "legacy-us-east-1", "cdk.tf.json"), "utf8"));
      expect(json.terraform.required_version).toBe(">= 1.7");
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

describe("bad adoption input: one clear message naming the field", () => {
  test.each<[string, (c: Record<string, any>) => void, string]>([
    [
      "an ARN in the wrong format",
      (c) => (c.existing = { alarmTopicArns: { "us-east-1": "arn:aws:sqs:us-east-1:123456789012:q" } }),
      'existing.alarmTopicArns.us-east-1: got "arn:aws:sqs:us-east-1:123456789012:q"; allowed: an SNS topic ARN',
    ],
    [
      "an existing topic from another region",
      (c) => (c.existing = { alarmTopicArns: { "us-east-1": "arn:aws:sns:eu-west-1:123456789012:t" } }),
      "allowed: a topic in us-east-1 (SNS topics are regional)",
    ],
    [
      "an existing topic for a region not guarded",
      (c) => (c.existing = { alarmTopicArns: { "eu-west-1": "arn:aws:sns:eu-west-1:123456789012:t" } }),
      'existing.alarmTopicArns.eu-west-1: got "arn:aws:sns:eu-west-1:123456789012:t"; allowed: a key from regions (us-east-1)',
    ],
    ["a region SES does not serve", (c) => (c.regions = ["us-east-1", "eu-west-9"]), 'regions[1]: got "eu-west-9"; allowed: one of "us-east-1"'],
    ["a duplicate region", (c) => (c.regions = ["us-east-1", "us-east-1"]), 'regions[1]: got "us-east-1"; allowed: each region once'],
    [
      "an existing bucket name that breaks S3 rules",
      (c) => (c.existing = { bucketName: "Logs_Bucket" }),
      'existing.bucketName: got "Logs_Bucket"; allowed: an S3 bucket name',
    ],
    [
      "an import ID of the wrong shape",
      (c) => (c.adopt = { "us-east-1": { deliveryStream: "ses-guard-events" } }),
      'adopt.us-east-1.deliveryStream: got "ses-guard-events"; allowed: a Firehose delivery stream ARN',
    ],
    [
      "an import ID for another name",
      (c) => (c.adopt = { "us-east-1": { configurationSet: "other" } }),
      'adopt.us-east-1.configurationSet: got "other"; allowed: "ses-guard", the configuration set name ses-guard manages here',
    ],
    [
      "an import ARN from another account",
      (c) => (c.adopt = { "us-east-1": { alarmTopic: "arn:aws:sns:us-east-1:999999999999:ses-guard-alarms" } }),
      "allowed: the topic ARN of the resource ses-guard manages here: region us-east-1, account 123456789012, ses-guard-alarms",
    ],
    [
      "adopting a resource that is brought",
      (c) => {
        c.existing = { configurationSetName: "mine" };
        c.adopt = { "us-east-1": { configurationSet: "mine" } };
      },
      'adopt.us-east-1.configurationSet: got "mine"; allowed: nothing: existing.configurationSetName is used',
    ],
    [
      "adopting the shared bucket outside the home region",
      (c) => {
        c.regions = ["us-east-1", "eu-west-1"];
        c.archive = { bucketPerRegion: false };
        c.adopt = { "eu-west-1": { archiveBucket: "ses-guard-events-123456789012-us-east-1" } };
      },
      "allowed: nothing: the shared bucket is managed by the home region us-east-1",
    ],
    ["adopting in a region not guarded", (c) => (c.adopt = { "eu-west-1": { archiveBucket: "b-b-b" } }), "adopt.eu-west-1: got"],
    [
      "an s3 state key shared by several regions",
      (c) => {
        c.regions = ["us-east-1", "eu-west-1"];
        c.backend = { type: "s3", bucket: "state-bucket", region: "us-east-1", key: "ses.tfstate" };
      },
      'backend.key: got "ses.tfstate"; allowed: a key containing {stack} when there are several regions',
    ],
    [
      "a cloud workspace shared by several regions",
      (c) => {
        c.regions = ["us-east-1", "eu-west-1"];
        c.backend = { type: "cloud", organization: "o", workspace: "ses" };
      },
      'backend.workspace: got "ses"; allowed: a workspace name containing {stack}',
    ],
    ["an unknown backend type", (c) => (c.backend = { type: "gcs" }), 'backend.type: got "gcs"; allowed: one of "local", "s3", "cloud"'],
    [
      "an s3 backend without a bucket",
      (c) => (c.backend = { type: "s3", region: "us-east-1" }),
      "backend.bucket: got nothing; allowed: a value (required) of type string",
    ],
    [
      "a fixed bucket name with one bucket per region",
      (c) => {
        c.regions = ["us-east-1", "eu-west-1"];
        c.archive = { bucketPerRegion: true, bucketName: "one-bucket" };
      },
      'archive.bucketName: got "one-bucket"; allowed: no fixed bucket name with archive.bucketPerRegion',
    ],
  ])("%s", (_name, change, message) => {
    expect(configError(withChange(change))).toContain(message);
  });
});

describe("names stay within service limits", () => {
  test("the longest name prefix in the longest region", () => {
    const cfg = parseConfig(
      withChange((c) => {
        c.name = "a".repeat(24);
        c.regions = ["ap-southeast-2"];
      }),
    );
    const names = regionNames(cfg.name, "ap-southeast-2");
    const r = synthAll(cfg)[names.stack].resource;
    const limits: Array<[string, number]> = [
      [r.aws_iam_role.delivery_stream_role.name, 64],
      [r.aws_iam_role.event_publishing_role.name, 64],
      [r.aws_kinesis_firehose_delivery_stream.delivery_stream.name, 64],
      [r.aws_sesv2_configuration_set.event_publishing_configuration_set.configuration_set_name, 64],
      [r.aws_s3_bucket.archive_bucket.bucket, 63],
      [r.aws_sns_topic.alarms_topic.name, 256],
      [r.aws_cloudwatch_metric_alarm.alarms_complaint_rate_critical.alarm_name, 255],
      [r.aws_cloudwatch_log_group.delivery_stream_log_group.name, 512],
    ];
    for (const [name, max] of limits) expect(name.length).toBeLessThanOrEqual(max);
    for (const [name] of limits) expect(name.startsWith("aaaa") || name.startsWith("/aws/kinesisfirehose/aaaa")).toBe(true);
  });

  test("a name prefix over 24 characters is refused", () => {
    expect(configError(withChange((c) => (c.name = "a".repeat(25))))).toContain("name: got");
  });
});
