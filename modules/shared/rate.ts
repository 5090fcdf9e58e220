import { RULES } from "./rules";

/**
 * A bounce or complaint rate. CloudWatch reports `Reputation.*Rate` as a
 * fraction (0.05 = 5 %); people write percent. Making the unit explicit at
 * the call site (`Rate.percent(5)`) removes the chance of mixing them up.
 */
export class Rate {
  /** A rate given in percent, strictly between 0 and 100 (5 means 5 %). */
  public static percent(value: number): Rate {
    if (!RULES.percent.holds(value)) throw new Error(`Rate.percent: got ${String(value)}; allowed: ${RULES.percent.allowed}`);
    return new Rate(value);
  }

  /** A rate given as the fraction CloudWatch reports, strictly between 0 and 1. */
  public static fraction(value: number): Rate {
    if (!Number.isFinite(value) || value <= 0 || value >= 1) {
      throw new Error(`Rate.fraction: got ${String(value)}; allowed: a number greater than 0 and less than 1 (0.05 means 5 %)`);
    }
    // 0.07 * 100 is 7.000000000000001 in floating point; 12 significant digits is far beyond any real threshold.
    return new Rate(Number((value * 100).toPrecision(12)));
  }

  /**
   * A percent given as a Terraform token (the plain module's variable): unchecked here, since the
   * module's validation checks it, and with no literal `fraction` (divide the token instead).
   */
  public static percentToken(token: number): Rate {
    return new Rate(token, true);
  }

  private constructor(
    public readonly percent: number,
    /** Created by `percentToken`. */
    public readonly isToken = false,
  ) {}

  /**
   * The value CloudWatch compares against. Rounded to 10 significant digits
   * so 0.1 % renders as 0.001, not 0.0010000000000000002.
   */
  public get fraction(): number {
    if (this.isToken) throw new Error("Rate.fraction: a token rate has no literal fraction; divide the token by 100 in Terraform");
    return Number((this.percent / 100).toPrecision(10));
  }

  public toString(): string {
    return `${this.percent} %`;
  }
}

/** The levels at which AWS reviews an account, and at which it may pause sending. */
export const AWS_REVIEW_LEVEL = {
  bounce: Rate.percent(5),
  complaint: Rate.percent(0.1),
} as const;

export const AWS_PAUSE_LEVEL = {
  bounce: Rate.percent(10),
  complaint: Rate.percent(0.5),
} as const;

/**
 * The lowest alarm levels that make sense. A level below them fires on almost any bounce or
 * complaint, and is nearly always a fraction written where percent was meant (0.05 for 5 %).
 */
export const PLAUSIBLE_FLOOR = {
  bounce: Rate.percent(0.5),
  complaint: Rate.percent(0.01),
} as const;

/**
 * Why a level in percent is below the plausible floor, with the value the user probably meant
 * (the same number read as a fraction); undefined when it is not.
 */
export function implausibleLevelProblem(kind: keyof typeof PLAUSIBLE_FLOOR, percent: number): string | undefined {
  if (!(percent > 0) || percent >= PLAUSIBLE_FLOOR[kind].percent) return undefined;
  // Rounded to 6 decimal places, as the plain module rounds it: 0.02 x 100 is 2, not 2.0000000000000004.
  return implausibleLevelText(kind, String(percent), String(Number((percent * 100).toFixed(6))));
}

/** The message's wording, with the given and the meant value as text (the plain module passes expressions). */
export function implausibleLevelText(kind: keyof typeof PLAUSIBLE_FLOOR, given: string, meant: string): string {
  return `at least ${PLAUSIBLE_FLOOR[kind].percent} (the levels are percent: 5 means 5 %, not 0.05); ${given} percent fires on almost any ${kind}: did you mean ${meant}?`;
}
