import { once } from 'node:events';
import winston from 'winston';
import { openDestination } from './destination.js';
import { compileFormat } from './format.js';
import { LEVELS, type LogLevel } from './levels.js';
import type { LogMeta } from './record.js';

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

const unflushed = new Set<() => void>();
process.on('exit', () => {
  for (const flush of unflushed) flush();
});

export function createLogger(opts: LoggerOptions): Logger {
  const render = compileFormat(opts.format, { name: opts.name, pid: process.pid });
  const destination = openDestination(opts.file);
  const threshold = LEVELS[opts.level];

  const sink = winston.createLogger({
    levels: LEVELS,
    level: opts.level,
    exitOnError: false,
    // The lines arrive rendered; winston's part is the transport and its back-pressure.
    format: winston.format((info) => info)(),
    transports: [new winston.transports.Stream({ stream: destination.stream, eol: '\n' })],
  });

  // A relay logs a line per request and per delivery: thousands a second. winston's pipeline
  // and the write to the destination cost about as much for one line as for a hundred, so the
  // lines of one event-loop turn go to winston together, in order, at the end of the turn.
  let batch: string[] = [];
  let batchLevel: LogLevel = 'critical';
  let flushing: NodeJS.Immediate | undefined;
  const flush = (): void => {
    flushing = undefined;
    if (batch.length === 0) return;
    const text = batch.join('\n');
    sink.log({ level: batchLevel, message: text, [MESSAGE]: text });
    batch = [];
    batchLevel = 'critical';
  };

  // A process that logs its reason and calls process.exit() still writes that line.
  unflushed.add(flush);

  let closing: Promise<void> | undefined;

  const method =
    (level: LogLevel) =>
    (message: string, meta?: LogMeta): void => {
      // Filtered here, before any allocation: debug calls sit on hot paths.
      if (LEVELS[level] > threshold || closing !== undefined) return;
      batch.push(render({ time: new Date(), level, message: String(message), meta }));
      // The batch passes winston's level filter if its least severe line does.
      if (LEVELS[level] > LEVELS[batchLevel]) batchLevel = level;
      flushing ??= setImmediate(flush);
    };

  return {
    debug: method('debug'),
    info: method('info'),
    warning: method('warning'),
    error: method('error'),
    critical: method('critical'),
    close() {
      closing ??= (async () => {
        if (flushing) clearImmediate(flushing);
        flush();
        unflushed.delete(flush);
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
