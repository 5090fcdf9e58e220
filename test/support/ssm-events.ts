/** Systems Manager events as EventBridge delivers them, for tests. */

/** An "EC2 Automation Execution Status-change Notification", shaped as in the Systems Manager User Guide's EventBridge event examples. */
export function automationEvent(runbook: string, status: string, account = "123456789012"): Record<string, any> {
  return {
    version: "0",
    id: "d290ece9-1088-4383-9df6-cd5b4ac42b99",
    "detail-type": "EC2 Automation Execution Status-change Notification",
    source: "aws.ssm",
    account: account,
    time: "2024-11-29T19:43:35Z",
    region: "us-east-1",
    resources: [
      `arn:aws:ssm:us-east-1:${account}:automation-execution/333ba70b-2333-48db-b17e-a5e69c6f4d1c`,
      `arn:aws:ssm:us-east-1:${account}:automation-definition/${runbook}:1`,
    ],
    detail: {
      ExecutionId: "333ba70b-2333-48db-b17e-a5e69c6f4d1c",
      Definition: runbook,
      DefinitionVersion: 1.0,
      Status: status,
      StartTime: "Nov 29, 2024 7:43:23 PM",
      EndTime: "Nov 29, 2024 7:43:25 PM",
      Time: 2630.0,
      ExecutedBy: `arn:aws:sts::${account}:assumed-role/shop-pause-trigger-us-east-1/events`,
    },
  };
}
