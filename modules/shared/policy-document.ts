/**
 * IAM policy documents as plain objects, rendered to JSON in one place so
 * every policy we emit has the same key order and no hand-built strings.
 */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: { readonly Service?: string; readonly AWS?: string } | "*";
  readonly Action: string | readonly string[];
  /** Omitted in trust policies. */
  readonly Resource?: string | readonly string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export function policyDocument(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** Deterministic JSON: keys in the order we wrote them, no whitespace. */
export function renderPolicy(doc: PolicyDocument): string {
  return JSON.stringify(doc);
}

/**
 * A policy whose statement `sid` is kept only while the HCL bool `conditionHcl` holds: a template
 * directive around it, so the policy stays readable JSON (for a switch given as a Terraform token).
 */
export function renderPolicyWithOptionalStatement(doc: PolicyDocument, sid: string, conditionHcl: string): string {
  const statement = doc.Statement.find((s) => s.Sid === sid);
  const json = renderPolicy(doc);
  const text = statement && JSON.stringify(statement);
  if (!text || doc.Statement[doc.Statement.length - 1] === statement || !json.includes(`${text},`)) {
    throw new Error(`policy statement ${sid} not found, or last (its comma goes with it)`);
  }
  return json.replace(`${text},`, () => `%{ if ${conditionHcl} }${text},%{ endif }`);
}

/** A policy with the JSON string `placeholder` replaced by an HCL list expression (a list given as a Terraform token). */
export function renderPolicyWithList(doc: PolicyDocument, placeholder: string, listHcl: string): string {
  const json = renderPolicy(doc);
  const quoted = JSON.stringify(placeholder);
  if (!json.includes(quoted)) throw new Error(`policy placeholder ${placeholder} not found`);
  // jsonencode() renders a list of strings as JSON.stringify does (except that it escapes <, > and &).
  return json.replace(quoted, () => "${jsonencode(" + listHcl + ")}");
}

/**
 * A topic policy statement letting an AWS service publish, scoped against the confused-deputy
 * problem: only for this account (`aws:SourceAccount`) and the named sources (`aws:SourceArn`, a
 * pattern or a list).
 */
export function topicPublisher(sid: string, service: string, topicArn: string, accountId: string, sourceArn: string | readonly string[]): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sns:Publish",
    Resource: topicArn,
    Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": sourceArn } },
  };
}

/**
 * Trust policy for an AWS service, scoped against the confused-deputy
 * problem: only this account, and only the named resource.
 */
export function serviceTrustPolicy(service: string, accountId: string, sourceArn: string): PolicyDocument {
  return policyDocument({
    Sid: "AllowServiceForThisResourceOnly",
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    Condition: {
      StringEquals: { "aws:SourceAccount": accountId },
      ArnLike: { "aws:SourceArn": sourceArn },
    },
  });
}

/**
 * Trust policy for Amazon Data Firehose. Firehose passes the account ID as the external ID when it
 * assumes a delivery role; AWS documents no `aws:SourceArn` or `aws:SourceAccount` for it, and a
 * condition Firehose never satisfies fails the stream at create (Amazon Data Firehose Developer
 * Guide, "Controlling access with Amazon Data Firehose": "Allow Firehose to assume an IAM role").
 */
export function firehoseTrustPolicy(accountId: string): PolicyDocument {
  return policyDocument({
    Sid: "AllowFirehoseForThisAccountOnly",
    Effect: "Allow",
    Principal: { Service: "firehose.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "sts:ExternalId": accountId } },
  });
}

/**
 * Actions whose Service Authorization Reference entry lists no resource type, so IAM takes only `"*"`
 * for them: ses:PutAccountSendingAttributes (auto-pause with scope account; "Actions, resources, and
 * condition keys for Amazon Simple Email Service v2"), and the CloudWatch metric reads the chat role
 * draws alarm graphs with ("Actions, resources, and condition keys for Amazon CloudWatch").
 */
export const METRIC_READ_ACTIONS = [
  "cloudwatch:GetMetricData",
  "cloudwatch:GetMetricStatistics",
  "cloudwatch:GetMetricWidgetImage",
  "cloudwatch:ListMetrics",
] as const;
export const ACTIONS_WITHOUT_RESOURCE_TYPE: readonly string[] = ["ses:PutAccountSendingAttributes", ...METRIC_READ_ACTIONS];
