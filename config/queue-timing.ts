/**
 * How long a queue hides a message it handed to the writer. Lambda's guidance for SQS event
 * sources: at least 6× the function's timeout, plus the batching window, so a batch still being
 * worked on is never delivered to a second invocation. The stack and the local runtime both use it.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export function visibilityTimeoutSeconds(writerTimeoutSeconds: number, batchingWindowSeconds: number): number {
  return VISIBILITY_TIMEOUT_FACTOR * writerTimeoutSeconds + batchingWindowSeconds;
}
