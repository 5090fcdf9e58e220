// The resources that hold or guard data: no config change may make a plan destroy one of them.
// Stated once here; the stack's `removed` blocks, the synth's stack record, the plan review and the
// lifecycle tests read it.

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
  /** Athena's query results, which hold recipients' addresses too. */
  athenaResultsBucket: bucketGroup("the Athena results bucket and its guards", "athena_results_bucket"),
  /** The customer-managed key: a deleted key leaves whatever it encrypted unreadable. */
  encryptionKey: { label: "the KMS key and its alias", addresses: ["aws_kms_key.encryption_key", "aws_kms_alias.encryption_key_alias"] },
  /** The catalog that makes the archive queryable (its table definition, partition projection included). */
  eventCatalog: {
    label: "the Glue database and table",
    addresses: ["aws_glue_catalog_database.event_catalog_database", "aws_glue_catalog_table.event_catalog_table"],
  },
} as const satisfies Record<string, DataBearingGroup>;

export type DataBearingKey = keyof typeof DATA_BEARING;

/** Resource types that hold or guard data (a plan that destroys one loses data or exposes it). */
export const DATA_BEARING_TYPES: readonly string[] = [
  ...new Set(Object.values(DATA_BEARING).flatMap((g) => g.addresses.map((a) => a.slice(0, a.indexOf(".")))),
)].sort();
