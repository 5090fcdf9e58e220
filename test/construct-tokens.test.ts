// The constructs given Terraform tokens instead of values (what the plain module does): a switch becomes
// count, a list for_each, a value that may be null a conditional; checks move to the module's validation.
import { Node } from "constructs";
import { App, TerraformElement, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { terraformName } from "../modules/shared/logical-id";
import { ArchiveBucket } from "../modules/archive-bucket";
import { SesGuard } from "../modules/ses-guard";
import { Rate } from "../modules/shared/rate";
import { nullable } from "../modules/shared/expressions";

type Json = Record<string, any>;

/** Names as the stack and the module give them: from the construct IDs below the SesGuard. */
class NamedStack extends TerraformStack {
  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const ids = node.scopes.map((c) => c.node.id);
    return ids.includes("Guard") ? terraformName(ids.slice(ids.indexOf("Guard") + 1)) : node.id;
  }
}

/** A SesGuard fed entirely with variables (none declared with a type: only references matter here). */
function tokenGuard(): Json {
  const stack = new NamedStack(new App({ skipValidation: true }), "tokens");
  const v = (name: string) => new TerraformVariable(stack, name, {});
  const str = (name: string) => v(name).stringValue;
  const num = (name: string) => v(name).numberValue;
  const list = (name: string) => v(name).listValue;
  const bool = (name: string) => v(name).booleanValue;
  new SesGuard(stack, "Guard", {
    namePrefix: str("prefix"),
    accountId: str("account"),
    region: str("region"),
    alarms: {
      emails: list("alarm_emails"),
      bounceRate: { warning: Rate.percentToken(num("bw")), critical: Rate.percentToken(num("bc")) },
      complaintRate: { warning: Rate.percentToken(num("cw")), critical: Rate.percentToken(num("cc")) },
      periodSeconds: num("period"),
      evaluationPeriods: num("periods"),
    },
    archive: {
      bucketName: nullable(str("bucket")),
      configurationSetName: nullable(str("set")),
      requireTls: bool("tls"),
      versioning: bool("versioning"),
      accessLogBucketName: nullable(str("logs")),
      accessLogPrefix: nullable(str("logs_prefix")),
      eventTypes: list("event_types") as never,
      bufferingIntervalSeconds: num("interval"),
      bufferingSizeMiB: num("size"),
      lifecycle: {
        transitions: list("transitions") as never,
        expirationDays: num("expiration"),
        abortIncompleteMultipartUploadDays: num("abort"),
        noncurrentVersionExpirationDays: num("noncurrent"),
        transitionMinimumObjectSize: str("min_size") as never,
      },
      logRetentionDays: num("retention"),
    },
    encryption: { kmsKeyArn: nullable(str("key")), archive: bool("encrypt") },
    notifications: {
      enabled: bool("notify"),
      identities: list("identities"),
      types: list("types") as never,
      emails: list("notify_emails"),
      includeOriginalHeaders: bool("headers"),
    },
    investigation: {
      enabled: bool("investigate"),
      lookbackDays: num("lookback"),
      bytesScannedCutoffPerQueryMiB: num("cutoff"),
      resultsExpirationDays: num("results_days"),
      resultsBucketName: nullable(str("results_bucket")),
      campaignTag: str("tag"),
    },
    suppression: { accountLevel: nullable(list("account_level")) as never, configurationSet: nullable(list("set_level")) as never },
  });
  return JSON.parse(Testing.synth(stack)).resource;
}

const r = tokenGuard();
const one = (type: string, name: string) => r[type][name];

test("the key is created only without one given, and what uses it takes the given one or the created one", () => {
  expect(one("aws_kms_key", "encryption_key").count).toBe("${var.key == null ? 1 : 0}");
  expect(one("aws_kms_alias", "encryption_key_alias")).toMatchObject({
    count: "${var.key == null ? 1 : 0}",
    target_key_id: "${one(aws_kms_key.encryption_key[*].key_id)}",
  });
  expect(one("aws_sns_topic", "alarms_topic").kms_master_key_id).toBe("${var.key != null ? var.key : one(aws_kms_key.encryption_key[*].arn)}");
  // The partition follows the region, as arn.ts does for a literal region.
  expect(one("aws_kms_key", "encryption_key").policy).toContain(
    '"AWS":"arn:${startswith(var.region, "cn-") ? "aws-cn" : startswith(var.region, "us-gov-") ? "aws-us-gov" : "aws"}:iam::${var.account}:root"',
  );
});

test("alarms: thresholds are the percent divided in Terraform, the periods and the subscriptions are expressions", () => {
  const alarm = one("aws_cloudwatch_metric_alarm", "alarms_bounce_rate_warning");
  expect(alarm).toMatchObject({ threshold: "${(var.bw / 100)}", period: "${var.period}", evaluation_periods: "${var.periods}" });
  expect(alarm.alarm_description).toContain("reached ${var.bw} % (warning)");
  expect(one("aws_cloudwatch_metric_alarm", "archive_alarms_data_freshness").threshold).toBe("${max(var.interval, 60)}");
  expect(one("aws_sns_topic_subscription", "alarms_topic_subscriptions").for_each).toBe("${{ for email in var.alarm_emails : lower(email) => email }}");
});

test("the archive bucket: a name that may be null, counted versioning and logging, dynamic lifecycle blocks, encryption by expression", () => {
  expect(one("aws_s3_bucket", "archive_bucket").bucket).toBe('${var.bucket != null ? var.bucket : "${var.prefix}-events-${var.account}-${var.region}"}');
  expect(one("aws_s3_bucket_versioning", "archive_bucket_versioning").count).toBe("${var.versioning ? 1 : 0}");
  expect(one("aws_s3_bucket_logging", "archive_bucket_access_logging")).toMatchObject({
    count: "${var.logs != null ? 1 : 0}",
    target_prefix: expect.stringMatching(/^\$\{var\.logs_prefix != null \? var\.logs_prefix : "s3-access\//),
  });
  // The whole rules, as Terraform JSON: cdktf resolves a dynamic block only directly on a resource.
  const lifecycle = one("aws_s3_bucket_lifecycle_configuration", "archive_bucket_lifecycle");
  expect(lifecycle.transition_default_minimum_object_size).toBe("${var.min_size}");
  expect(lifecycle.rule).toEqual([
    {
      id: "archive-tiering-and-expiration",
      status: "Enabled",
      filter: [{ prefix: "" }],
      dynamic: {
        transition: { for_each: "${var.transitions}", content: { days: "${transition.value.days}", storage_class: "${transition.value.storage_class}" } },
        noncurrent_version_expiration: {
          for_each: "${var.versioning ? [var.noncurrent] : []}",
          content: { noncurrent_days: "${noncurrent_version_expiration.value}" },
        },
      },
      expiration: [{ days: "${var.expiration}" }],
    },
    {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      filter: [{ prefix: "" }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: "${var.abort}" }],
    },
  ]);
  // The archive's key is the key only while encrypt is on, and known to be set exactly then.
  const sse = one("aws_s3_bucket_server_side_encryption_configuration", "archive_bucket_encryption").rule[0].apply_server_side_encryption_by_default;
  expect(sse.sse_algorithm).toBe('${var.encrypt ? "aws:kms" : "AES256"}');
  expect(sse.kms_master_key_id).toMatch(/^\$\{var\.encrypt \? \(var\.key != null/);
});

test("the stream: encryption and the KMS statement only while the archive key is set", () => {
  const stream = one("aws_kinesis_firehose_delivery_stream", "delivery_stream");
  expect(stream.server_side_encryption.key_type).toBe('${var.encrypt ? "CUSTOMER_MANAGED_CMK" : "AWS_OWNED_CMK"}');
  expect(stream.extended_s3_configuration).toMatchObject({ buffering_interval: "${var.interval}", buffering_size: "${var.size}" });
  // First apply: the stream waits for its own role's policy and for the SES role's (ses-guard.ts says why).
  expect(stream.depends_on).toEqual(["aws_iam_role_policy.delivery_stream_role_policy", "aws_iam_role_policy.event_publishing_role_policy"]);
  expect(one("aws_iam_role_policy", "delivery_stream_role_policy").policy).toMatch(/,%\{ if var\.encrypt \}\{"Sid":"EncryptObjectsThroughS3".*\},%\{ endif \}/);
});

test("event publishing: TLS by expression, the set's suppression only when given, the provider's region checked at plan time", () => {
  const set = one("aws_sesv2_configuration_set", "event_publishing_configuration_set");
  expect(set.delivery_options.tls_policy).toBe('${var.tls ? "REQUIRE" : "OPTIONAL"}');
  expect(set.dynamic.suppression_options.for_each).toBe("${var.set_level != null ? [var.set_level] : []}");
  expect(set.suppression_options).toBeUndefined();
  expect(set.lifecycle.precondition[0].condition).toMatch(/^\$\{contains\(\["us-east-1",.*\], var\.region\)\}$/);
  expect(one("aws_sesv2_configuration_set_event_destination", "event_publishing_event_destination").event_destination.matching_event_types).toBe(
    "${var.event_types}",
  );
  expect(one("aws_sesv2_account_suppression_attributes", "account_suppression")).toEqual(
    expect.objectContaining({ count: "${var.account_level != null ? 1 : 0}", suppressed_reasons: "${var.account_level}" }),
  );
});

test("investigation: every resource counted by the switch, query text with Terraform's plural and lower case", () => {
  for (const [type, name] of [
    ["aws_glue_catalog_database", "event_catalog_database"],
    ["aws_glue_catalog_table", "event_catalog_table"],
    ["aws_s3_bucket", "athena_results_bucket"],
    ["aws_s3_bucket_policy", "athena_results_bucket_policy"],
    ["aws_athena_workgroup", "athena"],
    ["aws_athena_named_query", "athena_bounce_rate_by_campaign"],
  ]) {
    expect([name, one(type, name).count]).toEqual([name, "${var.investigate ? 1 : 0}"]);
  }
  expect(one("aws_s3_bucket_logging", "athena_results_bucket_access_logging").count).toBe("${var.investigate && var.logs != null ? 1 : 0}");
  expect(one("aws_glue_catalog_database", "event_catalog_database").name).toBe('${replace(var.prefix, "-", "_")}_events');
  expect(one("aws_glue_catalog_table", "event_catalog_table").database_name).toBe("${one(aws_glue_catalog_database.event_catalog_database[*].name)}");
  const workgroup = one("aws_athena_workgroup", "athena").configuration;
  expect(workgroup.bytes_scanned_cutoff_per_query).toBe("${(var.cutoff * 1048576)}");
  expect(workgroup.result_configuration.encryption_configuration.encryption_option).toBe('${var.encrypt ? "SSE_KMS" : "SSE_S3"}');
  // The table stops where Athena stops reading: the same rule as config.ts's queryableDays, in Terraform.
  expect(JSON.stringify(one("aws_glue_catalog_table", "event_catalog_table").parameters)).toContain(
    'length([for t in var.transitions : t.days if contains([\\"GLACIER\\",\\"DEEP_ARCHIVE\\"], t.storage_class)]) > 0 ? min(var.expiration, element(',
  );
  const query = one("aws_athena_named_query", "athena_bounce_rate_by_campaign");
  expect(query.workgroup).toBe("${one(aws_athena_workgroup.athena[*].name)}");
  expect(query.query).toContain("the last ${var.lookback} day%{ if var.lookback != 1 }s%{ endif }");
  expect(query.query).toContain("INTERVAL '${var.lookback}' DAY");
  expect(query.query).toContain("lower(k) = '${lower(var.tag)}'");
});

test("notifications: topic and policy counted by the switch, one topic per identity and type, the identities' ARNs as a list", () => {
  expect(one("aws_sns_topic", "notifications_topic").count).toBe("${var.notify ? 1 : 0}");
  const policy = one("aws_sns_topic_policy", "notifications_policy");
  expect(policy.arn).toBe("${one(aws_sns_topic.notifications_topic[*].arn)}");
  expect(policy.policy).toContain('"aws:SourceArn":${jsonencode([for identity in var.identities : "arn:');
  expect(one("aws_sns_topic_subscription", "notifications_subscriptions").for_each).toBe(
    "${{ for email in var.notify_emails : lower(email) => email if var.notify }}",
  );
  const topics = one("aws_ses_identity_notification_topic", "notifications_identities");
  expect(topics.for_each).toBe(
    '${{ for pair in setproduct(var.identities, var.types) : "${pair[0]}/${pair[1]}" => { identity = pair[0], notification_type = pair[1] } if var.notify }}',
  );
  expect(topics).toMatchObject({ include_original_headers: "${var.headers}", depends_on: ["aws_sns_topic_policy.notifications_policy"] });
});

test("a lifecycle partly given as tokens keeps the defaults of the rest, and literal transitions stay literal beside a token switch", () => {
  const stack = new NamedStack(new App({ skipValidation: true }), "mixed");
  const on = new TerraformVariable(stack, "on", {}).booleanValue;
  new ArchiveBucket(stack, "Guard", {
    bucketName: "acme-events",
    region: "eu-west-1",
    versioning: on,
    lifecycle: { expirationDays: new TerraformVariable(stack, "days", {}).numberValue },
  });
  const rules = JSON.parse(Testing.synth(stack)).resource.aws_s3_bucket_lifecycle_configuration.lifecycle.rule;
  // The default transitions (30 d STANDARD_IA, 90 d GLACIER_IR), as a literal list for the dynamic block.
  expect(rules[0].dynamic.transition.for_each).toBe('${[{"days":30,"storage_class":"STANDARD_IA"},{"days":90,"storage_class":"GLACIER_IR"}]}');
  expect(rules[0].dynamic.noncurrent_version_expiration.for_each).toBe("${var.on ? [30] : []}");
  expect(rules[0].expiration).toEqual([{ days: "${var.days}" }]);
  expect(rules[1].abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 7 }]);
  // Literal everything: plain blocks, no dynamic ones.
  const plain = new NamedStack(new App({ skipValidation: true }), "plain");
  new ArchiveBucket(plain, "Guard", { bucketName: "acme-events", region: "eu-west-1", versioning: true });
  const literal = JSON.parse(Testing.synth(plain)).resource.aws_s3_bucket_lifecycle_configuration.lifecycle.rule;
  expect(literal[0].dynamic).toBeUndefined();
  expect(literal[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
});

test("a token prefix beside a literal look-back and campaign tag: only what is a token becomes an expression", () => {
  const stack = new NamedStack(new App({ skipValidation: true }), "partly");
  new SesGuard(stack, "Guard", {
    namePrefix: new TerraformVariable(stack, "prefix", {}).stringValue,
    accountId: "123456789012",
    region: "eu-west-1",
    alarms: {
      emails: ["ops@example.com"],
      bounceRate: { warning: Rate.percent(2), critical: Rate.percent(5) },
      complaintRate: { warning: Rate.percent(0.05), critical: Rate.percent(0.1) },
    },
    investigation: { lookbackDays: 1, campaignTag: "Campaign" },
  });
  const json = JSON.parse(Testing.synth(stack)).resource;
  const query = json.aws_athena_named_query.athena_bounce_rate_by_campaign.query as string;
  expect(query).toContain("the last 1 day.");
  expect(query).toContain("lower(k) = 'campaign'");
  expect(json.aws_glue_catalog_database.event_catalog_database.name).toBe('${replace(var.prefix, "-", "_")}_events');
  // A literal region: the partition is the literal one.
  expect(json.aws_kms_key.encryption_key.policy).toContain('"AWS":"arn:aws:iam::123456789012:root"');
});
