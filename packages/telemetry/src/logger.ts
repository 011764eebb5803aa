import { once } from 'node:events';
import winston from 'winston';
import { openDestination } from './destination.js';
import { compileFormat } from './format.js';
import { LEVELS, type LogLevel } from './levels.js';
import type { LogMeta, LogRecord } from './record.js';

// winston's transports read the finished line from this symbol (triple-beam's MESSAGE).
const MESSAGE = Symbol.for('message');

export interface LoggerOptions {
  /** Shown by `%(name)s` and the json `name` field: `api` or `worker`. */
  name: string;
  level: LogLevel;
  /** `-` for stdout, else a file to append to. */
  file: string;
  /** `json`, or a Python logging format string. */
  format: string;
}

export interface Logger {
  debug(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  warning(message: string, meta?: LogMeta): void;
  error(message: string, meta?: LogMeta): void;
  critical(message: string, meta?: LogMeta): void;
  /** Writes out what is pending and ends the output; later calls are dropped. */
  close(): Promise<void>;
}

interface RecordInfo {
  level: LogLevel;
  message: string;
  record: LogRecord;
}

export function createLogger(opts: LoggerOptions): Logger {
  const render = compileFormat(opts.format, { name: opts.name, pid: process.pid });
  const destination = openDestination(opts.file);
  const threshold = LEVELS[opts.level];

  const sink = winston.createLogger({
    levels: LEVELS,
    level: opts.level,
    exitOnError: false,
    format: winston.format((info) => {
      info[MESSAGE] = render((info as unknown as RecordInfo).record);
      return info;
    })(),
    transports: [new winston.transports.Stream({ stream: destination.stream, eol: '\n' })],
  });

  let closing: Promise<void> | undefined;

  const method =
    (level: LogLevel) =>
    (message: string, meta?: LogMeta): void => {
      // Filtered here, before any allocation: debug calls sit on hot paths.
      if (LEVELS[level] > threshold || closing !== undefined) return;
      const record: LogRecord = { time: new Date(), level, message: String(message), meta };
      sink.log({ level, message: record.message, record } satisfies RecordInfo);
    };

  return {
    debug: method('debug'),
    info: method('info'),
    warning: method('warning'),
    error: method('error'),
    critical: method('critical'),
    close() {
      closing ??= (async () => {
        // winston finishes only after its transports have taken every line.
        const finished = once(sink, 'finish');
        sink.end();
        await finished;
        await destination.close();
      })();
      return closing;
    },
  };
}
