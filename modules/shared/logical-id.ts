/**
 * The Terraform name segment for a construct ID: `BounceRateCritical` becomes
 * `bounce_rate_critical`, `ops@example.com` becomes `ops_at_example_com`.
 * Config validation uses it too, so two list entries never share a name.
 */
export function logicalIdSegment(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/@/g, "_at_")
    .replace(/[^A-Za-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

/**
 * A resource's Terraform name from the construct IDs below its stack (the stack's and the plain
 * module's alike): `Resource` IDs, a construct's main resource as in aws-cdk, add no segment, so
 * `Alarms/Topic/Resource` is `alarms_topic`. Renaming a construct ID moves a resource.
 */
export function terraformName(constructIds: readonly string[]): string {
  return constructIds
    .filter((id) => id !== "Resource")
    .map(logicalIdSegment)
    .join("_");
}
