import type { LogLevel } from './levels.js';

export type LogMeta = Record<string, unknown>;

/** One log call, before formatting. */
export interface LogRecord {
  time: Date;
  level: LogLevel;
  message: string;
  meta: LogMeta | undefined;
}

/** Turns a record into one output line (without the line break). */
export type RecordFormatter = (record: LogRecord) => string;

/** Constant per logger, so a format can bake them in once. */
export interface LoggerIdentity {
  name: string;
  pid: number;
}
