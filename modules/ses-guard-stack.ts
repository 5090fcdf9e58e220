import { Construct, Node } from "constructs";
import { LocalBackend, TerraformElement, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SesGuardConfig } from "./config";
import { logicalIdSegment } from "./logical-id";
import { SesGuard, sesGuardPropsFromConfig } from "./ses-guard";

export interface SesGuardStackProps {
  /** A validated config (see `parseConfig`). */
  readonly config: SesGuardConfig;
  /**
   * Local state file, relative to the directory terraform runs in (the stack folder).
   * @default - `terraform.<stack name>.tfstate` in the folder terraform runs in
   */
  readonly localStatePath?: string;
}

/** Stack name for a config: stable, because local state files and CI paths are named after it. */
export function stackName(config: Pick<SesGuardConfig, "name" | "region">): string {
  return `${config.name}-${config.region}`;
}

/** One region's SES guard as a Terraform stack: provider, resources, outputs. */
export class SesGuardStack extends TerraformStack {
  public readonly guard: SesGuard;
  private readonly logicalIds = new Map<string, string>();

  constructor(scope: Construct, id: string, props: SesGuardStackProps) {
    super(scope, id);
    const { config } = props;
    // Relative, so the JSON is the same on every machine; outside cdktf.out, so a re-synth never deletes state.
    new LocalBackend(this, { path: props.localStatePath ?? `terraform.${id}.tfstate` });
    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: Object.keys(config.tags).length ? [{ tags: config.tags }] : undefined,
    });
    this.guard = new SesGuard(this, "SesGuard", sesGuardPropsFromConfig(config));

    const output = (id: string, value: string, description: string) => new TerraformOutput(this, id, { value, description });
    output("alarm_topic_arn", this.guard.alarmTopic.arn, "SNS topic the reputation alarms notify.");
    output("archive_bucket_name", this.guard.archiveBucket.bucketName, "S3 bucket holding the SES event archive.");
    output("delivery_stream_name", this.guard.deliveryStream.streamName, "Firehose stream SES publishes events to.");
    output(
      "configuration_set_name",
      this.guard.eventPublishing.configurationSetName,
      "SES configuration set to send with (ConfigurationSetName) so events are archived.",
    );
    if (this.guard.notifications) {
      output("notification_topic_arn", this.guard.notifications.topic.arn, "SNS topic receiving per-message bounce and complaint notifications.");
    }
  }

  /**
   * Readable, hash-free resource addresses (`aws_s3_bucket.archive_bucket_bucket`)
   * derived from construct IDs, so plans and `import` blocks read plainly. The
   * SesGuard composite and IDs named `Resource` (a construct's main resource, as
   * in aws-cdk) add no segment. Renaming a construct ID moves a resource.
   */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(element) ? element.node : element;
    const scopes = node.scopes.slice(node.scopes.indexOf(this) + 1).filter((s) => !(s instanceof SesGuard) && s.node.id !== "Resource");
    const id = scopes.map((s) => logicalIdSegment(s.node.id)).join("_");
    const owner = this.logicalIds.get(id);
    if (owner !== undefined && owner !== node.path) {
      throw new Error(`Two resources map to the Terraform name "${id}": ${owner} and ${node.path}; give one a different ID`);
    }
    this.logicalIds.set(id, node.path);
    return id;
  }
}
