/**
 * The AWS calls the doctor and the drill may make, one client per service and region, and the
 * wrapper every call goes through: it logs (--verbose), turns "could not check" errors into one
 * line (errors.ts) and refuses calls a check did not declare, so the IAM policy printed from the
 * declarations (policy.ts) is the one the checks need. Only this bundle loads the SDK.
 */
import { DescribeSlackChannelConfigurationsCommand, ListMicrosoftTeamsChannelConfigurationsCommand, ChatbotClient } from "@aws-sdk/client-chatbot";
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, ListMetricsCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { DescribeDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { GetIdentityNotificationAttributesCommand, SESClient } from "@aws-sdk/client-ses";
import {
  GetAccountCommand,
  GetConfigurationSetCommand,
  GetConfigurationSetEventDestinationsCommand,
  GetEmailIdentityCommand,
  SESv2Client,
  SendEmailCommand,
} from "@aws-sdk/client-sesv2";
import { ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { DescribeAutomationExecutionsCommand, DescribeDocumentCommand, SSMClient, StartAutomationExecutionCommand } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CallSite, cannotCheck, CannotCheckError } from "./errors";

export type Service = "sts" | "sesv2" | "ses" | "sns" | "cloudwatch" | "firehose" | "s3" | "events" | "ssm" | "chatbot";

export interface Operation {
  readonly service: Service;
  readonly operation: string;
  /** The IAM action; sts:GetCallerIdentity needs none (STS API Reference, GetCallerIdentity). */
  readonly action?: string;
}

/** An SDK command's class: the key operations are looked up by. */
export type CommandClass = abstract new (...args: never[]) => object;

/** Every operation the doctor and the drill use, by command class (names survive no bundler). */
export const OPERATIONS: ReadonlyMap<CommandClass, Operation> = new Map<CommandClass, Operation>([
  [GetCallerIdentityCommand, { service: "sts", operation: "GetCallerIdentity" }],
  [GetAccountCommand, { service: "sesv2", operation: "GetAccount", action: "ses:GetAccount" }],
  [GetEmailIdentityCommand, { service: "sesv2", operation: "GetEmailIdentity", action: "ses:GetEmailIdentity" }],
  [GetConfigurationSetCommand, { service: "sesv2", operation: "GetConfigurationSet", action: "ses:GetConfigurationSet" }],
  [
    GetConfigurationSetEventDestinationsCommand,
    { service: "sesv2", operation: "GetConfigurationSetEventDestinations", action: "ses:GetConfigurationSetEventDestinations" },
  ],
  [SendEmailCommand, { service: "sesv2", operation: "SendEmail", action: "ses:SendEmail" }],
  [
    GetIdentityNotificationAttributesCommand,
    { service: "ses", operation: "GetIdentityNotificationAttributes", action: "ses:GetIdentityNotificationAttributes" },
  ],
  [ListSubscriptionsByTopicCommand, { service: "sns", operation: "ListSubscriptionsByTopic", action: "sns:ListSubscriptionsByTopic" }],
  [DescribeAlarmsCommand, { service: "cloudwatch", operation: "DescribeAlarms", action: "cloudwatch:DescribeAlarms" }],
  [GetMetricDataCommand, { service: "cloudwatch", operation: "GetMetricData", action: "cloudwatch:GetMetricData" }],
  [SetAlarmStateCommand, { service: "cloudwatch", operation: "SetAlarmState", action: "cloudwatch:SetAlarmState" }],
  [ListMetricsCommand, { service: "cloudwatch", operation: "ListMetrics", action: "cloudwatch:ListMetrics" }],
  [ListRulesCommand, { service: "events", operation: "ListRules", action: "events:ListRules" }],
  [ListTargetsByRuleCommand, { service: "events", operation: "ListTargetsByRule", action: "events:ListTargetsByRule" }],
  [DescribeDocumentCommand, { service: "ssm", operation: "DescribeDocument", action: "ssm:DescribeDocument" }],
  [DescribeAutomationExecutionsCommand, { service: "ssm", operation: "DescribeAutomationExecutions", action: "ssm:DescribeAutomationExecutions" }],
  [StartAutomationExecutionCommand, { service: "ssm", operation: "StartAutomationExecution", action: "ssm:StartAutomationExecution" }],
  [
    DescribeSlackChannelConfigurationsCommand,
    { service: "chatbot", operation: "DescribeSlackChannelConfigurations", action: "chatbot:DescribeSlackChannelConfigurations" },
  ],
  [
    ListMicrosoftTeamsChannelConfigurationsCommand,
    { service: "chatbot", operation: "ListMicrosoftTeamsChannelConfigurations", action: "chatbot:ListMicrosoftTeamsChannelConfigurations" },
  ],
  [DescribeDeliveryStreamCommand, { service: "firehose", operation: "DescribeDeliveryStream", action: "firehose:DescribeDeliveryStream" }],
  // ListObjectsV2 is authorized by s3:ListBucket (S3 API Reference, ListObjectsV2, "Permissions").
  [ListObjectsV2Command, { service: "s3", operation: "ListObjectsV2", action: "s3:ListBucket" }],
  [GetObjectCommand, { service: "s3", operation: "GetObject", action: "s3:GetObject" }],
]);

export function operationOf(command: CommandClass): Operation {
  const op = OPERATIONS.get(command);
  if (!op) throw new Error(`ses-guard doctor: ${command.name} is not in OPERATIONS (modules/doctor/aws.ts)`);
  return op;
}

/** The resource is not there: an answer the check that asked reports as a failure. */
const NOT_FOUND = new Set(["NotFoundException", "ResourceNotFoundException", "NotFound", "NoSuchBucket", "NoSuchKey", "InvalidDocument"]);

/** SES refusing to send (SES API v2 Reference, SendEmail, "Errors"): the drill reports them as failures. */
export const SEND_REFUSED = new Set(["MessageRejected", "MailFromDomainNotVerifiedException", "AccountSuspendedException", "SendingPausedException"]);

/**
 * Errors that are answers about the account, not failures to check. Anything else an SDK call
 * throws becomes a CannotCheckError (exit 2).
 */
const ANSWERS = new Set([...NOT_FOUND, ...SEND_REFUSED]);

export function isNotFound(error: unknown): boolean {
  return NOT_FOUND.has((error as { name?: string })?.name ?? "");
}

export function isSendRefused(error: unknown): boolean {
  return SEND_REFUSED.has((error as { name?: string })?.name ?? "");
}

export interface ApiCall {
  readonly region: string;
  readonly service: Service;
  readonly operation: string;
  readonly milliseconds: number;
  /** "ok" or the error's name. */
  readonly outcome: string;
}

export interface ApiOptions {
  /** Called with one line per API call made (--verbose). */
  readonly log?: (line: string) => void;
  /** Attempts per call, including the first; the SDK's standard retry mode backs off between them. */
  readonly maxAttempts?: number;
}

interface Sender {
  send(command: unknown): Promise<unknown>;
}

/** Per-service clients by region; every call is logged and its errors classified. */
export class Api {
  public readonly calls: ApiCall[] = [];
  private readonly clients = new Map<string, Sender>();

  constructor(private readonly options: ApiOptions = {}) {}

  private client(service: Service, region: string): Sender {
    const key = `${service}/${region}`;
    let client = this.clients.get(key);
    if (!client) {
      const config = {
        region,
        maxAttempts: this.options.maxAttempts ?? 3,
        // Bounded, so an endpoint that swallows packets fails the run instead of hanging it.
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
      };
      // Each client's send() is typed for its own commands; here they are all just senders.
      const make: { [K in Service]: () => Sender } = {
        sts: () => new STSClient(config),
        sesv2: () => new SESv2Client(config),
        ses: () => new SESClient(config),
        sns: () => new SNSClient(config),
        cloudwatch: () => new CloudWatchClient(config),
        firehose: () => new FirehoseClient(config),
        // A bucket given by name may live in another region than the one asked.
        s3: () => new S3Client({ ...config, followRegionRedirects: true }),
        events: () => new EventBridgeClient(config),
        ssm: () => new SSMClient(config),
        chatbot: () => new ChatbotClient(config),
      };
      client = make[service]();
      this.clients.set(key, client);
    }
    return client;
  }

  /**
   * Sends one command. `allowed` is the calling check's declaration; a command outside it is a
   * bug (the printed IAM policy would lack its permission).
   */
  async send<O>(region: string, command: object, allowed?: ReadonlySet<CommandClass>): Promise<O> {
    const commandClass = command.constructor as CommandClass;
    const op = operationOf(commandClass);
    if (allowed && !allowed.has(commandClass)) {
      throw new Error(`ses-guard doctor: a check called ${op.service} ${op.operation} without declaring it`);
    }
    const site: CallSite = { service: op.service, operation: op.operation, region, action: op.action };
    const started = Date.now();
    const record = (outcome: string) => {
      const call = { region, service: op.service, operation: op.operation, milliseconds: Date.now() - started, outcome };
      this.calls.push(call);
      this.options.log?.(`api: ${region} ${op.service} ${op.operation} ${call.milliseconds} ms ${outcome}`);
    };
    try {
      const out = (await this.client(op.service, region).send(command)) as O;
      record("ok");
      return out;
    } catch (error) {
      record((error as { name?: string })?.name ?? "error");
      if (error instanceof CannotCheckError) throw error;
      const reason = cannotCheck(error, site, (name) => ANSWERS.has(name));
      throw reason ?? error;
    }
  }

  /** Stops the clients' sockets, so the process can exit at once. */
  destroy(): void {
    for (const client of this.clients.values()) (client as { destroy?: () => void }).destroy?.();
  }
}

/**
 * Before any client exists: the SDK warns on stderr about Node versions it will drop next year,
 * which would break the one-line contract of exit status 2. An explicit setting wins.
 */
export function quietSdk(env: NodeJS.ProcessEnv): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

/** What a check or the drill sees: `send` limited to the commands it declared. */
export interface ScopedApi {
  send<O>(region: string, command: object): Promise<O>;
}

export function scopedApi(api: Api, declared: readonly CommandClass[]): ScopedApi {
  const allowed = new Set(declared);
  return { send: <O>(region: string, command: object) => api.send<O>(region, command, allowed) };
}
