/**
 * A balance that kept changing under a request for all its attempts (`LedgerBusyError`), or a
 * reward's codes that concurrent redemptions kept writing under an upload, is no failure of the
 * request: the client sends it again (with the same idempotency key, or the same codes).
 */
import type { APIGatewayProxyResult } from "aws-lambda";
import { LedgerBusyError } from "../ledger/busy-retry";
import { errorResponse, type Headers } from "./responses";

/** How long a client waits before retrying a busy request, in seconds (`Retry-After`). */
export const BUSY_RETRY_AFTER_SECONDS = 1;

/** What a busy answer about a balance tells the client: retry with the same `idName`. */
export const retryWithSame = (idName: string): string => `the balance is changing right now; retry with the same ${idName}`;

/** `work`'s answer, or `503 busy` with `advice` (how to retry) and `Retry-After`. */
export async function unlessBusy(
  work: () => Promise<APIGatewayProxyResult>,
  headers: Headers,
  advice: string,
): Promise<APIGatewayProxyResult> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LedgerBusyError) {
      return errorResponse(503, "busy", advice, {
        ...headers,
        "Retry-After": String(BUSY_RETRY_AFTER_SECONDS),
      });
    }
    throw error;
  }
}
