/**
 * A balance that kept changing under a request for all its attempts (`LedgerBusyError`) is no
 * failure of the request: the client retries it with the same idempotency key.
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { LedgerBusyError } from "../ledger/busy-retry";
import { errorResponse, type Headers } from "./responses";

/** How long a client waits before retrying a busy request, in seconds (`Retry-After`). */
export const BUSY_RETRY_AFTER_SECONDS = 1;

/** `work`'s answer, or `503 busy` naming the key (`idName`) to retry with. */
export async function unlessBusy(
  work: () => Promise<APIGatewayProxyResult>,
  headers: Headers,
  idName: string,
): Promise<APIGatewayProxyResult> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LedgerBusyError) {
      return errorResponse(503, "busy", `the balance is changing right now; retry with the same ${idName}`, {
        ...headers,
        "Retry-After": String(BUSY_RETRY_AFTER_SECONDS),
      });
    }
    throw error;
  }
}
