/**
 * The `{rewardId}` of a catalogue route, checked as every id is: a bad one is `400
 * invalid_request` naming the field, before any request to the table.
 */
import type { APIGatewayProxyEvent } from "aws-lambda";
import * as v from "valibot";
import { IdSchema } from "../domain/contract";
import { describeIssues } from "../domain/describe-issues";
import { ClientError } from "./proxy-router";

export function rewardIdOf(event: APIGatewayProxyEvent): string {
  const rewardId = v.safeParse(IdSchema, event.pathParameters?.rewardId);
  if (!rewardId.success) throw new ClientError(400, "invalid_request", describeIssues(rewardId.issues, "rewardId"));
  return rewardId.output;
}

/** `404 reward_not_found`, as every route that names a reward answers it. */
export const rewardNotFound = (rewardId: string): ClientError =>
  new ClientError(404, "reward_not_found", `no reward ${rewardId} in the catalogue`);
