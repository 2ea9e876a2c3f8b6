/**
 * What a handler function gets when an argument is not given (`HandlerFunction`), and the
 * logging defaults every component that runs handlers passes on.
 */
import { DEFAULT_LOG_LEVEL } from "../../handlers/runtime/log";

export const FUNCTION_DEFAULTS = {
  /** Seconds before an invocation is stopped. */
  timeoutSeconds: 10,
  /** Memory (and so CPU), in MB. */
  memoryMb: 256,
  /** The handlers' `LOG_LEVEL`. */
  logLevel: DEFAULT_LOG_LEVEL,
  /** Days a log group keeps its logs (the functions' and the API's access logs). */
  logRetentionDays: 30,
} as const;
