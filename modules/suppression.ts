import { Construct } from "constructs";
import { Condition, countWhen, isToken } from "./shared/expressions";
import { Sesv2AccountSuppressionAttributes } from "@cdktf/provider-aws/lib/sesv2-account-suppression-attributes";
import { SUPPRESSION_REASONS, SuppressionReason } from "./app/config";

/** Throws unless `reasons` are SES suppression reasons, each once; `where` names the prop in the message. */
export function checkSuppressionReasons(where: string, reasons: readonly string[]): void {
  for (const reason of reasons) {
    if (!(SUPPRESSION_REASONS as readonly string[]).includes(reason)) {
      throw new Error(`${where}: got ${JSON.stringify(reason)}; allowed: ${SUPPRESSION_REASONS.join(", ")}`);
    }
  }
  if (new Set(reasons).size !== reasons.length) throw new Error(`${where}: got ${JSON.stringify(reasons)}; allowed: each reason once`);
}

export interface AccountSuppressionProps {
  /**
   * Why SES adds an address to the account-level suppression list: `BOUNCE` (hard bounces),
   * `COMPLAINT`. An empty list turns automatic suppression off.
   */
  readonly reasons: readonly SuppressionReason[];
  /**
   * Terraform condition under which the setting is managed (`count`).
   * @default - always
   */
  readonly condition?: Condition;
}

/**
 * The account-level suppression list settings of the provider's region: SES adds every address
 * that hard-bounces or complains (per `reasons`) to the list and stops sending to it, in this
 * region. The setting is one per account and region, so each region's stack sets its own.
 * Removing the resource leaves the setting as it was (the provider's delete does nothing).
 */
export class AccountSuppression extends Construct {
  public readonly attributes: Sesv2AccountSuppressionAttributes;

  constructor(scope: Construct, id: string, props: AccountSuppressionProps) {
    super(scope, id);
    // A token (the plain module's variable) is checked by the module's validation blocks instead.
    if (!isToken(props.reasons)) checkSuppressionReasons("AccountSuppression reasons", props.reasons);
    this.attributes = new Sesv2AccountSuppressionAttributes(this, "Resource", {
      ...countWhen(this, props.condition),
      suppressedReasons: [...props.reasons],
    });
  }
}
