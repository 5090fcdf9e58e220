import { Construct, Node } from "constructs";
import {
  CloudBackend,
  LocalBackend,
  NamedCloudWorkspace,
  S3Backend,
  TaggedCloudWorkspaces,
  TerraformElement,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
} from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AdoptKey, chatApiRegionFor, chatTopicArns, existingChatConfigurations, SesGuardConfig, SesRegion, STACK_PLACEHOLDER } from "./config";
import { forgetBlocks, REMOVED_BLOCKS_TERRAFORM } from "../shared/data-bearing";
import type { Forgotten } from "./stack-record";
import { terraformName } from "../shared/logical-id";
import { regionNames } from "../shared/names";
import { SesGuard, sesGuardPropsFromConfig } from "../ses-guard";

export interface SesGuardStackProps {
  /** A validated config (see `parseConfig`). */
  readonly config: SesGuardConfig;
  /**
   * The region this stack guards; one stack per region, each with its own state.
   * @default - the config's first (home) region
   */
  readonly region?: SesRegion;
  /**
   * Local state file, relative to the directory terraform runs in (the stack folder).
   * @default - `terraform.<stack name>.tfstate` in the folder terraform runs in
   */
  readonly localStatePath?: string;
  /**
   * Resources this stack forgot earlier (the stack record's `forgotten`), which stayed in AWS: held
   * again under the same name, they are imported instead of created anew, which would fail.
   * @default - none
   */
  readonly forgotten?: Forgotten;
}

/** Stack name for a region: `<name>-<region>`. Stable: state keys, workspaces and CI paths are named after it. */
export function stackName(config: Pick<SesGuardConfig, "name">, region: string): string {
  return regionNames(config.name, region).stack;
}

/** One region's SES guard as a Terraform stack: provider, backend, resources, imports, outputs. */
export class SesGuardStack extends TerraformStack {
  public readonly guard: SesGuard;
  public readonly region: SesRegion;
  /** What this stack takes back of what it forgot earlier (see `forgotten`), in words. */
  public readonly reclaimed: string[] = [];
  private readonly logicalIds = new Map<string, string>();

  constructor(scope: Construct, id: string, props: SesGuardStackProps) {
    super(scope, id);
    const { config } = props;
    this.region = props.region ?? config.regions[0];
    this.configureBackend(config, id, props.localStatePath);
    const defaultTags = Object.keys(config.tags).length ? [{ tags: config.tags }] : undefined;
    new AwsProvider(this, "aws", { region: this.region, defaultTags });
    const guardProps = sesGuardPropsFromConfig(config, this.region);
    // The channel configurations live where the Amazon Q Developer in chat applications API is, in the
    // home stack. The other stacks keep the provider while chat is on: one that created a configuration
    // before it moved home needs it to delete it.
    const chatRegion = chatApiRegionFor(config, this.region);
    const chat =
      guardProps.chat && chatRegion !== this.region
        ? {
            ...guardProps.chat,
            provider: new AwsProvider(this, "chatbot", { alias: "chatbot", region: chatRegion, defaultTags }),
          }
        : guardProps.chat;
    this.guard = new SesGuard(this, "SesGuard", { ...guardProps, chat });
    this.addImports(config.adopt[this.region] ?? {});
    this.reclaim(props.forgotten ?? {}, config);

    const output = (outputId: string, value: string | readonly string[], description: string) => new TerraformOutput(this, outputId, { value, description });
    output("alarm_topic_arn", this.guard.alarmTopic.arn, "SNS topic the reputation alarms notify.");
    output("archive_bucket_name", this.guard.archiveBucketName, "S3 bucket holding the SES event archive.");
    output("delivery_stream_name", this.guard.deliveryStream.streamName, "Firehose stream SES publishes events to.");
    output(
      "configuration_set_name",
      this.guard.eventPublishing.configurationSetName,
      "SES configuration set to send with (ConfigurationSetName) so events are archived.",
    );
    if (this.guard.eventCatalog && this.guard.athena) {
      output(
        "athena_workgroup",
        this.guard.athena.workgroupName,
        "Athena workgroup to investigate the archive in: its saved queries answer who bounced or complained, where and since when.",
      );
      output("glue_database", this.guard.eventCatalog.databaseName, "Glue database of the event archive's table.");
      output("glue_table", this.guard.eventCatalog.tableName, "Glue table over the event archive (partition projection: new days need no crawler).");
      output(
        "athena_results_bucket_name",
        this.guard.athena.resultsBucketName,
        "S3 bucket holding Athena query results (expired after investigation.resultsExpirationDays).",
      );
    }
    if (this.guard.dashboard) {
      output(
        "dashboard_url",
        this.guard.dashboard.consoleUrl,
        "The region's CloudWatch dashboard: reputation rates with their levels, volume, archive health and alarms.",
      );
    }
    if (this.guard.sesEventAlerts) {
      output(
        "ses_events_topic_arn",
        this.guard.sesEventAlerts.topic.arn,
        "SNS topic of the SES events relayed to chat, as Amazon Q Developer custom notifications.",
      );
    }
    const existingChat = existingChatConfigurations(config);
    if (this.region === config.regions[0] && existingChat.length) {
      output(
        "chat_topic_arns",
        // Names, not attributes: the other regions' topics are other stacks' (see chatTopicArns).
        chatTopicArns(config),
        `Topics to subscribe your existing channel configurations to (${existingChat.join(", ")}): every region's alarm and SES-events topics.`,
      );
    }
    if (this.guard.autoPause) {
      output("resume_sending_command", this.guard.autoPause.resumeCommand, "Resumes sending after an automatic pause (run it once the cause is fixed).");
    }
    if (this.guard.notifications) {
      output("notification_topic_arn", this.guard.notifications.topic.arn, "SNS topic receiving per-message bounce and complaint notifications.");
    }
    const subscriptions = [
      ...(this.guard.alarms.alarmTopic?.subscriptions.subscriptions ?? []),
      ...(this.guard.notifications?.subscriptions?.subscriptions ?? []),
    ];
    if (subscriptions.length) {
      // Read from state after apply: SNS keeps each e-mail subscription pending until its owner confirms.
      const refs = subscriptions.map((s) => `${s.terraformResourceType}.${s.friendlyUniqueId}`).join(", ");
      output(
        "pending_email_confirmations",
        `\${[for s in [${refs}] : s.endpoint if s.pending_confirmation]}`,
        "Addresses that have not confirmed their SNS subscription yet: they receive nothing until they click the link in the confirmation mail.",
      );
    }
    output(
      "next_steps",
      [
        subscriptions.length
          ? "Every address in pending_email_confirmations must click the link in the AWS Notification - Subscription Confirmation mail; until then it receives no alarm or notification (an unconfirmed subscription cannot be deleted, SNS drops it after a few days)."
          : "Make sure your existing topics' policies let CloudWatch and SES publish.",
        `Send with ConfigurationSetName=${this.guard.eventPublishing.configurationSetName} (or the X-SES-CONFIGURATION-SET header) so that events are archived.`,
        ...(this.guard.athena
          ? [`When an alarm fires, open Athena workgroup ${this.guard.athena.workgroupName} and run its saved queries (README: Investigating an alarm).`]
          : []),
      ].join(" "),
      "What to do after the first apply.",
    );
  }

  /**
   * The synthesized stack, with a `removed` block (destroy = false) for each data-bearing resource it
   * does not hold (see forgetBlocks): a config change that moves one out of this stack forgets it.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdktf's own signature
  public toTerraform(): any {
    const tf = super.toTerraform();
    const forget = forgetBlocks(tf.resource ?? {});
    if (forget.length > 0) tf.removed = forget;
    // `removed` blocks came with Terraform 1.7 (import blocks with 1.5): every stack asks for it, so a
    // config change that adds some never meets an older terraform halfway; terraform init enforces it.
    tf.terraform = { ...tf.terraform, required_version: REMOVED_BLOCKS_TERRAFORM };
    return tf;
  }

  private configureBackend(config: SesGuardConfig, name: string, localStatePath: string | undefined): void {
    const b = config.backend;
    const perStack = (template: string) => template.split(STACK_PLACEHOLDER).join(name);
    switch (b.type) {
      case "local":
        // Relative, so the JSON is the same on every machine; outside cdktf.out, so a re-synth never deletes state.
        new LocalBackend(this, { path: localStatePath ?? `terraform.${name}.tfstate` });
        return;
      case "s3":
        new S3Backend(this, { bucket: b.bucket, key: perStack(b.key), region: b.region, encrypt: b.encrypt, dynamodbTable: b.dynamodbTable });
        // cdktf 0.21 predates S3-native locking (Terraform 1.11); the setting goes in as a raw override.
        if (b.useLockfile) this.addOverride("terraform.backend.s3.use_lockfile", true);
        return;
      case "cloud":
        new CloudBackend(this, {
          organization: b.organization,
          hostname: b.hostname,
          workspaces: b.workspaceTags
            ? new TaggedCloudWorkspaces([...b.workspaceTags], b.project)
            : new NamedCloudWorkspace(perStack(b.workspace ?? STACK_PLACEHOLDER), b.project),
        });
        return;
    }
  }

  /** `import` blocks for adopted resources, so the first plan imports instead of creating. */
  private addImports(adopt: Partial<Record<AdoptKey, string>>): void {
    const g = this.guard;
    const targets: Record<AdoptKey, TerraformResource | undefined> = {
      alarmTopic: g.alarms.alarmTopic?.topic,
      notificationTopic: g.notifications?.snsTopic,
      archiveBucket: g.archiveBucket?.bucket,
      configurationSet: g.eventPublishing.configurationSet,
      deliveryStream: g.deliveryStream.stream,
      logGroup: g.deliveryStream.logGroup,
      firehoseRole: g.deliveryStream.role,
      sesRole: g.eventPublishing.role,
    };
    for (const key of Object.keys(adopt).sort() as AdoptKey[]) {
      const target = targets[key];
      const id = adopt[key];
      // Config validation already refused adopting what this stack does not create.
      if (!target || !id) throw new Error(`adopt.${this.region}.${key}: ses-guard creates no such resource in this stack`);
      target.importFrom(id);
    }
  }

  /** Imports what the stack forgot earlier and holds again under the same name (unless `adopt` already imports it). */
  private reclaim(forgotten: Forgotten, config: SesGuardConfig): void {
    const { archiveBucket, eventCatalog } = this.guard;
    if (archiveBucket && forgotten.archiveBucket === archiveBucket.bucketName && !config.adopt[this.region]?.archiveBucket) {
      archiveBucket.bucket.importFrom(archiveBucket.bucketName);
      this.reclaimed.push(`the archive bucket ${archiveBucket.bucketName}`);
    }
    if (eventCatalog && forgotten.eventCatalog === `${eventCatalog.databaseName}.${eventCatalog.tableName}`) {
      // Import IDs as the provider documents them: <catalog ID>:<database> and <catalog ID>:<database>:<table>.
      eventCatalog.database.importFrom(`${config.accountId}:${eventCatalog.databaseName}`);
      eventCatalog.table.importFrom(`${config.accountId}:${eventCatalog.databaseName}:${eventCatalog.tableName}`);
      this.reclaimed.push(`the Glue table ${forgotten.eventCatalog}`);
    }
  }

  /**
   * Readable, hash-free resource addresses (`aws_s3_bucket.archive_bucket`)
   * derived from construct IDs, so plans and `import` blocks read plainly. The
   * SesGuard composite and IDs named `Resource` (a construct's main resource, as
   * in aws-cdk) add no segment. Renaming a construct ID moves a resource.
   */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const id = terraformName(
      node.scopes
        .slice(node.scopes.indexOf(this) + 1)
        .filter((s) => !(s instanceof SesGuard))
        .map((s) => s.node.id),
    );
    const owner = this.logicalIds.get(id);
    if (owner !== undefined && owner !== node.path) {
      throw new Error(`Two resources map to the Terraform name "${id}": ${owner} and ${node.path}; give one a different ID`);
    }
    this.logicalIds.set(id, node.path);
    return id;
  }
}
