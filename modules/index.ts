// The constructs, one per file: `SesGuard` composes the others for one SES region.
export * from "./alarm-topic";
export * from "./archive-alarms";
export * from "./archive-bucket";
export * from "./athena-workgroup";
export * from "./bucket-baseline";
export * from "./delivery-stream";
export * from "./email-subscriptions";
export * from "./encryption-key";
export * from "./event-catalog";
export * from "./event-publishing";
export * from "./identity-notifications";
export * from "./reputation-alarms";
export * from "./ses-guard";
export * from "./suppression";
