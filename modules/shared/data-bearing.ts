// The resources that hold or guard data: no config change may make a plan destroy one of them.
// Stated once here; the stack's `removed` blocks, the synth's stack record, the plan review and the
// lifecycle tests read it. The Athena results bucket is not one: its results are re-creatable by
// running the query again, so it is force_destroy'd with the workgroup (AthenaWorkgroup).

/** A group of data-bearing resources that enter and leave a stack together. */
export interface DataBearingGroup {
  /** What the group is, for messages. */
  readonly label: string;
  /** Its resource addresses in a stack (construct IDs are a public contract, so these never move). */
  readonly addresses: readonly string[];
}

/** The guards S3 keeps beside a bucket: each is its own resource, and each goes with the bucket. */
const BUCKET_GUARDS = [
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_logging",
] as const;

/** The suffix of each guard's name after the bucket's own (`archive_bucket` + `_public_access_block`). */
const GUARD_SUFFIX: Record<(typeof BUCKET_GUARDS)[number], string> = {
  aws_s3_bucket_public_access_block: "public_access_block",
  aws_s3_bucket_ownership_controls: "ownership_controls",
  aws_s3_bucket_server_side_encryption_configuration: "encryption",
  aws_s3_bucket_policy: "policy",
  aws_s3_bucket_versioning: "versioning",
  aws_s3_bucket_lifecycle_configuration: "lifecycle",
  aws_s3_bucket_logging: "access_logging",
};

function bucketGroup(label: string, name: string): DataBearingGroup {
  return { label, addresses: [`aws_s3_bucket.${name}`, ...BUCKET_GUARDS.map((type) => `${type}.${name}_${GUARD_SUFFIX[type]}`)] };
}

/** Every data-bearing group a stack can hold, keyed by what decides whether it holds it. */
export const DATA_BEARING = {
  /** The event archive: recipients' addresses, kept for the lifecycle's days. */
  archiveBucket: bucketGroup("the archive bucket and its guards", "archive_bucket"),
  /**
   * The customer-managed key: a deleted key leaves whatever it encrypted unreadable. Not its alias,
   * which holds nothing: it goes with the key's configuration, so a key created again later can
   * take the name (the forgotten key keeps its description).
   */
  encryptionKey: { label: "the KMS key", addresses: ["aws_kms_key.encryption_key"] },
  /** The catalog that makes the archive queryable (its table definition, partition projection included). */
  eventCatalog: {
    label: "the Glue database and table",
    addresses: ["aws_glue_catalog_database.event_catalog_database", "aws_glue_catalog_table.event_catalog_table"],
  },
} as const satisfies Record<string, DataBearingGroup>;

export type DataBearingKey = keyof typeof DATA_BEARING;

/** Resource types that hold or guard data (a plan that destroys one loses data or exposes it). */
export const DATA_BEARING_TYPES: readonly string[] = [
  ...new Set(Object.values(DATA_BEARING).flatMap((g) => g.addresses.map((a) => a.slice(0, a.indexOf("."))))),
].sort();

/** The Terraform versions that understand `removed` blocks. */
export const REMOVED_BLOCKS_TERRAFORM = ">= 1.7";

/** A Terraform `removed` block that forgets a resource without destroying it. */
export interface ForgetBlock {
  readonly from: string;
  readonly lifecycle: { readonly destroy: false };
}

/** Whether a stack's synthesized `resource` section declares an address (`type.name`). */
function declares(resources: Readonly<Record<string, Readonly<Record<string, unknown>>>>, address: string): boolean {
  const [type, name] = address.split(".");
  return resources[type]?.[name] !== undefined;
}

/**
 * `removed` blocks for every data-bearing group a stack does not hold, so that a config change that
 * moves one out of the stack (a bucket becoming shared, an own KMS key, investigation turned off)
 * forgets it instead of destroying it: "prevent_destroy ... doesn't prevent Terraform from
 * destroying the resource if you remove the resource configuration" (Terraform docs, lifecycle
 * meta-argument). A `removed` block whose address is not in state plans nothing (the docs do not say;
 * test/data-bearing.test.ts checks it on the terraform it runs), so a stack that never held the group is unaffected. A group
 * the stack holds gets none: an option that turns off one of its guards (versioning, access
 * logging) is meant to remove that guard.
 */
export function forgetBlocks(resources: Readonly<Record<string, Readonly<Record<string, unknown>>>>): ForgetBlock[] {
  return Object.values(DATA_BEARING)
    .filter((group) => !declares(resources, group.addresses[0]))
    .flatMap((group) => group.addresses.filter((address) => !declares(resources, address)))
    .map((from) => ({ from, lifecycle: { destroy: false } }));
}
