/**
 * The DynamoDB document client every handler uses, built with the SDK's default
 * configuration so `AWS_REGION` and `AWS_ENDPOINT_URL_DYNAMODB` point it anywhere
 * (AWS in Lambda, DynamoDB Local on a laptop). Created once per Lambda container.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export function createDocumentClient(client = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client);
}
