import { once } from 'node:events';
import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';

/** Where log lines go: stdout for `-`, else a file appended to. */
export interface Destination {
  readonly stream: Writable;
  /** Resolves once everything written so far reached the file. */
  close(): Promise<void>;
}

export function openDestination(file: string): Destination {
  // stdout belongs to the process; ending it would break later writers.
  if (file === '-') return { stream: process.stdout, close: async () => {} };

  // Opened synchronously so a bad LOG_FILE stops the start, not the first log line.
  const fd = openSync(file, 'a');
  const stream = createWriteStream(file, { fd });
  let reported = false;
  // A full disk must not crash the relay; like Python's logging, say it once on stderr.
  stream.on('error', (err) => {
    if (reported) return;
    reported = true;
    process.stderr.write(`Logging error: cannot write to ${file}: ${err.message}\n`);
  });

  return {
    stream,
    close: async () => {
      if (stream.closed) return;
      const closed = once(stream, 'close');
      stream.end();
      await closed.catch(() => {}); // a write error was already reported
    },
  };
}
