/**
 * Structured logs: one JSON object per line on stdout, which CloudWatch Logs (JSON log
 * format) and the local runtime both read as is. Callers pass ids only, never personal data.
 */
import * as v from "valibot";

export const LogLevelSchema = v.picklist(["debug", "info", "warn", "error"]);
export type LogLevel = v.InferOutput<typeof LogLevelSchema>;

/** The level when none is set: the handlers' `LOG_LEVEL` default, and the components'. */
export const DEFAULT_LOG_LEVEL = "info" satisfies LogLevel;

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/** Where log lines go; tests pass an array's `push` to read what was logged. */
export type LogSink = (line: string) => void;

const stdout: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export function createLogger(minimum: LogLevel, sink: LogSink = stdout): Logger {
  return {
    log(level, message, fields = {}) {
      if (rank[level] < rank[minimum]) return;
      sink(JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields }));
    },
  };
}
