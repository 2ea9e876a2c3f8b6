/**
 * Fingerprints of requests that carry an idempotency key (a redemption, an adjustment): the same
 * fields always give the same digest and any other value another one, so a true retry is told
 * apart from a different request reusing the key.
 */
import { createHash } from "node:crypto";

export function requestFingerprint(fields: readonly unknown[]): string {
  return createHash("sha256").update(JSON.stringify(fields)).digest("base64url");
}
