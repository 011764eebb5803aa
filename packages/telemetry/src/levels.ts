// Python's level names: LOG_LEVEL and LOG_FORMAT are shared with the Python Knocker.
export const LEVELS = { critical: 0, error: 1, warning: 2, info: 3, debug: 4 } as const;

export type LogLevel = keyof typeof LEVELS;

/** What `%(levelname)s` renders, as Python's logging does. */
export const LEVEL_NAMES: Readonly<Record<LogLevel, string>> = {
  critical: 'CRITICAL',
  error: 'ERROR',
  warning: 'WARNING',
  info: 'INFO',
  debug: 'DEBUG',
};

export const LEVEL_LIST = Object.keys(LEVELS) as LogLevel[];
