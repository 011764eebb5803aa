import { compileJsonFormat } from './json-format.js';
import type { LoggerIdentity, RecordFormatter } from './record.js';
import { compileTextFormat } from './text-format.js';

/** LOG_FORMAT: `json`, or a Python logging format string. */
export function compileFormat(format: string, identity: LoggerIdentity): RecordFormatter {
  return format === 'json' ? compileJsonFormat(identity) : compileTextFormat(format, identity);
}
