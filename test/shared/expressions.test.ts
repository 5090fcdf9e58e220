// The helpers that turn Terraform tokens into expressions inside constructs (modules/shared/expressions.ts).
import { App, TerraformStack, TerraformVariable, Token } from "cdktf";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import {
  attributeOf,
  choose,
  chooseIfSet,
  countWhen,
  emailIterator,
  expression,
  ternaryHcl,
  hclOf,
  isNullable,
  isSetHcl,
  isToken,
  nullable,
  orDefault,
  partitionExpression,
  stringExpression,
} from "../../modules/shared/expressions";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";

function stack() {
  const s = new TerraformStack(new App({ skipValidation: true }), "s");
  const str = (name: string) => new TerraformVariable(s, name, { type: "string" }).stringValue;
  return { s, str };
}

test("hclOf: a reference as it is, other expressions parenthesized, mixed text as a template, literals as JSON", () => {
  const { s, str } = stack();
  const name = str("name");
  expect(hclOf(s, name)).toBe("var.name");
  expect(hclOf(s, stringExpression(s, "var.a == null"))).toBe("(var.a == null)");
  expect(hclOf(s, stringExpression(s, "var.a == null"), false)).toBe("var.a == null");
  // One call binds tighter than any operator: no parentheses.
  expect(hclOf(s, stringExpression(s, "one(aws_x.y[*].arn)"))).toBe("one(aws_x.y[*].arn)");
  expect(hclOf(s, stringExpression(s, "max(1, 2) + 1"))).toBe("(max(1, 2) + 1)");
  // Only the literal parts of a template are escaped; the interpolation keeps its quotes.
  expect(hclOf(s, `say "${stringExpression(s, 'lower("X")')}"`)).toBe('"say \\"${lower("X")}\\""');
  expect(hclOf(s, ["a", 1])).toBe('["a",1]');
  // Braces and quotes inside an interpolation's strings do not end it; a backslash escapes a quote there.
  expect(hclOf(s, `a ${stringExpression(s, 'replace(var.x, "}", "\\"")')} b`)).toBe('"a ${replace(var.x, "}", "\\"")} b"');
  expect(hclOf(s, `${stringExpression(s, "var.a")}-${stringExpression(s, "var.b")}`)).toBe('"${var.a}-${var.b}"');
  // Two calls joined by an operator are one expression only in parentheses.
  expect(hclOf(s, stringExpression(s, "f(a) + g(b)"))).toBe("(f(a) + g(b))");
  expect(hclOf(s, stringExpression(s, "f(g(a), (b))"))).toBe("f(g(a), (b))");
  expect(hclOf(s, stringExpression(s, "a.b[0].c"))).toBe("(a.b[0].c)");
  expect(hclOf(s, null)).toBe("null");
});

test("countWhen: nothing without a condition, else count from the condition", () => {
  const { s } = stack();
  expect(countWhen(s, undefined)).toEqual({});
  const { count } = countWhen(s, expression(s, "var.on"));
  expect(hclOf(s, count)).toBe("(var.on ? 1 : 0)");
  // The conditional binds loosest: its condition needs no parentheses of its own.
  expect(hclOf(s, countWhen(s, expression(s, "var.a == null")).count)).toBe("(var.a == null ? 1 : 0)");
  expect(ternaryHcl(s, expression(s, "var.on"), "yes", null)).toBe('var.on ? "yes" : null');
});

test("hclOf of a list: element by element when an element holds an expression, JSON otherwise", () => {
  const { s, str } = stack();
  expect(hclOf(s, [`arn:${str("partition")}:x`, "plain"])).toBe('["arn:${var.partition}:x", "plain"]');
  expect(hclOf(s, [str("whole"), "b"])).toBe('[var.whole, "b"]');
  expect(hclOf(s, ["a", "b"])).toBe('["a","b"]');
});

test("choose and chooseIfSet: decided here for literals, by Terraform for tokens", () => {
  const { s, str } = stack();
  expect(choose(s, true, "REQUIRE", "OPTIONAL")).toBe("REQUIRE");
  expect(choose(s, false, "REQUIRE", "OPTIONAL")).toBe("OPTIONAL");
  expect(hclOf(s, choose(s, expression(s, "var.tls"), "REQUIRE", "OPTIONAL"))).toBe('(var.tls ? "REQUIRE" : "OPTIONAL")');
  // A branch holding a token keeps it as an interpolation, not as bare text.
  expect(hclOf(s, choose(s, expression(s, "var.on"), `arn:${str("name")}`, "none"))).toBe('(var.on ? "arn:${var.name}" : "none")');
  expect(chooseIfSet(s, "arn:aws:kms:us-east-1:123456789012:key/k", "aws:kms", "AES256")).toBe("aws:kms");
  expect(chooseIfSet(s, undefined, "aws:kms", "AES256")).toBe("AES256");
  // A resource attribute is a value, always set; a nullable variable is set as Terraform finds it.
  expect(chooseIfSet(s, str("attribute"), "aws:kms", "AES256")).toBe("aws:kms");
  expect(hclOf(s, chooseIfSet(s, nullable(str("key")), "aws:kms", "AES256"))).toBe('(var.key != null ? "aws:kms" : "AES256")');
});

test("attributeOf: the plain reference for a single resource, one(...[*]) for a counted one", () => {
  const { s } = stack();
  const single = new SnsTopic(s, "single", { name: "a" });
  const counted = new SnsTopic(s, "counted", { name: "b", ...countWhen(s, expression(s, "var.on")) });
  expect(hclOf(s, attributeOf(single, "arn"))).toBe("aws_sns_topic.single.arn");
  expect(hclOf(s, attributeOf(counted, "arn"))).toBe("one(aws_sns_topic.counted[*].arn)");
  // Terraform's snake_case names the construct's camelCase attribute.
  expect(hclOf(s, attributeOf(new KmsKey(s, "key", {}), "key_id"))).toBe("aws_kms_key.key.key_id");
});

test("nullable tokens: orDefault and isSetHcl treat null as not given; other tokens are values", () => {
  const { s, str } = stack();
  const maybe = nullable(str("maybe"));
  const always = str("always");
  expect(isToken(always) && !isNullable(always)).toBe(true);
  expect(isNullable(maybe)).toBe(true);
  expect(orDefault(s, undefined, "fallback")).toBe("fallback");
  expect(orDefault<string | null>(s, null, "fallback")).toBe("fallback");
  expect(isSetHcl(s, null)).toBe("false");
  expect(orDefault(s, "given", "fallback")).toBe("given");
  expect(orDefault(s, always, "fallback")).toBe(always);
  expect(hclOf(s, orDefault(s, maybe, "fallback"))).toBe('(var.maybe != null ? var.maybe : "fallback")');
  expect(isSetHcl(s, maybe)).toBe("var.maybe != null");
  expect(isSetHcl(s, "literal")).toBe("true");
  expect(isSetHcl(s, undefined)).toBe("false");
  // When it is set is known better than "!= null" (a key created in the same plan): that is used.
  const key = nullable(stringExpression(s, "var.encrypt ? aws_kms_key.k.arn : null"), "var.encrypt");
  expect(isSetHcl(s, key)).toBe("var.encrypt");
});

test("emailIterator: one instance per lower-case address, filtered by the condition", () => {
  const { s } = stack();
  const emails = new TerraformVariable(s, "emails", { type: "list(string)" }).listValue;
  const each = emailIterator(s, emails, expression(s, "var.on"));
  new SnsTopicSubscription(s, "subs", { forEach: each, topicArn: "arn", protocol: "email", endpoint: each.value });
  const json = s.toTerraform() as { resource: { aws_sns_topic_subscription: { subs: { for_each: string; endpoint: string } } } };
  expect(json.resource.aws_sns_topic_subscription.subs.for_each).toBe("${{ for email in var.emails : lower(email) => email if var.on }}");
  expect(json.resource.aws_sns_topic_subscription.subs.endpoint).toBe("${each.value}");
  const unfiltered = emailIterator(s, emails);
  new SnsTopicSubscription(s, "all", { forEach: unfiltered, topicArn: "arn", protocol: "email", endpoint: unfiltered.value });
  const all = (s.toTerraform() as { resource: { aws_sns_topic_subscription: { all: { for_each: string } } } }).resource.aws_sns_topic_subscription.all;
  expect(all.for_each).toBe("${{ for email in var.emails : lower(email) => email }}");
});

test("partitionExpression: the partition rule of arn.ts, for a region given as a token", () => {
  const { s, str } = stack();
  const partition = partitionExpression(str("region"));
  expect(Token.isUnresolved(partition)).toBe(true);
  expect(hclOf(s, partition)).toBe('(startswith(var.region, "cn-") ? "aws-cn" : startswith(var.region, "us-gov-") ? "aws-us-gov" : "aws")');
});
