/**
 * SDK errors that mean "could not check" (exit 2): no or rejected credentials, an unreachable
 * endpoint, a missing permission, throttling the SDK's retries did not absorb, or an answer the
 * doctor does not understand. Each becomes one line; never a stack trace.
 */

export type CannotCheckCause = "credentials" | "unreachable" | "access-denied" | "throttled" | "unexpected";

/** One line for the user, and why; the CLI prints `message` and exits 2. */
export class CannotCheckError extends Error {
  constructor(
    public readonly kind: CannotCheckCause,
    message: string,
    /** The IAM action that was denied, for access-denied. */
    public readonly missingPermission?: string,
  ) {
    super(message);
    this.name = "CannotCheckError";
  }
}

/** What was being called, for the message. */
export interface CallSite {
  readonly service: string;
  readonly operation: string;
  readonly region: string;
  /** The IAM action the call needs; undefined for sts:GetCallerIdentity, which needs none. */
  readonly action?: string;
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const CREDENTIAL_REJECTED = new Set([
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidAccessKeyId",
  "InvalidToken",
  "TokenRefreshRequired",
]);
const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation", "UnauthorizedException", "Forbidden"]);
const THROTTLED = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "RequestThrottled",
  "RequestThrottledException",
  "ProvisionedThroughputExceededException",
]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ECONNABORTED"]);

function errorName(e: SdkErrorShape): string {
  return e.name && e.name !== "Error" ? e.name : (e.Code ?? e.code ?? "Error");
}

const PRINT_POLICY = "npm run doctor -- --print-policy prints the read-only policy the doctor needs";

/**
 * Maps an error thrown by an SDK call to the one-line reason the doctor could not check, or
 * undefined when the error is an answer a check interprets itself (a resource not found).
 */
export function cannotCheck(error: unknown, site: CallSite, expected: (name: string) => boolean = () => false): CannotCheckError | undefined {
  const e = (error ?? {}) as SdkErrorShape;
  const name = errorName(e);
  if (expected(name)) return undefined;
  const where = `${site.service} ${site.operation} in ${site.region}`;
  const message = (e.message ?? String(error)).split("\n")[0];
  if (name === "CredentialsProviderError" || /could not load credentials/i.test(message)) {
    return new CannotCheckError(
      "credentials",
      "no AWS credentials found: set AWS_PROFILE (after `aws sso login` or `aws configure`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available",
    );
  }
  if (CREDENTIAL_REJECTED.has(name)) {
    return new CannotCheckError(
      "credentials",
      `AWS rejected the credentials (${name} from ${where}): they are wrong or expired; refresh them (aws sso login) and run again`,
    );
  }
  if (ACCESS_DENIED.has(name) || (e.$metadata?.httpStatusCode === 403 && !CREDENTIAL_REJECTED.has(name))) {
    // IAM's message names the action ("is not authorized to perform: ses:GetAccount on resource: ...").
    const named = /perform:\s*([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1];
    const action = named ?? site.action ?? `${site.service}:${site.operation}`;
    const resource = /on resource:\s*(\S+)/.exec(message)?.[1];
    return new CannotCheckError(
      "access-denied",
      `access denied: missing permission ${action}${resource ? ` on ${resource}` : ""} (${where}); ${PRINT_POLICY}`,
      action,
    );
  }
  if (THROTTLED.has(name)) {
    const attempts = e.$metadata?.attempts;
    return new CannotCheckError("throttled", `throttled by ${where} (${name}) after ${attempts ?? "the SDK's"} attempts; run again in a minute`);
  }
  const code = e.code ?? "";
  if (NETWORK_CODES.has(code) || name === "TimeoutError" || name === "RequestTimeout" || name === "RequestTimeoutException" || name === "NetworkingError") {
    const endpoint = process.env.AWS_ENDPOINT_URL ? ` (AWS_ENDPOINT_URL=${process.env.AWS_ENDPOINT_URL})` : "";
    return new CannotCheckError("unreachable", `cannot reach the ${site.service} endpoint in ${site.region}${endpoint}: ${code || name}: ${message}`);
  }
  return new CannotCheckError("unexpected", `unexpected answer from ${where}: ${name}: ${message}`);
}
