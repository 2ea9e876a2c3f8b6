/**
 * Region and credentials for the endpoints on this machine — DynamoDB Local, the local runtime's
 * EventBridge and API — which check neither: what the local runtime, the tools pointed at it and
 * the tests sign with, so that no AWS credentials are needed to run any of them.
 */
export const LOCAL_AWS = {
  region: "eu-west-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
} as const;
