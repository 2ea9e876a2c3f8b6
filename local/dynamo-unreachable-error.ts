/**
 * Thrown when the DynamoDB Local a runtime is given (`DYNAMODB_ENDPOINT` for `npm start`) does not
 * answer: nothing would work, so the runtime does not start. A file of its own so that `npm
 * start`'s failure messages can name it without loading the DynamoDB SDK.
 */
export class DynamoUnreachableError extends Error {
  override name = "DynamoUnreachableError";
}
