import { asctime } from './asctime.js';
import { encodeText } from './encode.js';
import { LEVEL_LIST, LEVEL_NAMES, type LogLevel } from './levels.js';
import type { LogMeta, LogRecord, LoggerIdentity, RecordFormatter } from './record.js';

// `%%` first so that `%%(name)s` stays literal, as in Python's %-formatting.
const TOKEN = /%%|%\((\w+)\)(-?)(\d*)s/g;

type Part = string | ((record: LogRecord) => string);

/**
 * Compiles a Python logging format (`%(asctime)s %(levelname)-8s %(message)s`)
 * once per logger: per line only the parts that change are computed, and
 * the logger's name and pid are already baked into the literal text.
 * Tokens it does not know stay verbatim; configuration refuses them earlier.
 */
export function compileTextFormat(format: string, identity: LoggerIdentity): RecordFormatter {
  const parts: Part[] = [];
  let literal = '';
  let last = 0;
  const push = (part: (record: LogRecord) => string): void => {
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(part);
  };

  for (const match of format.matchAll(TOKEN)) {
    literal += format.slice(last, match.index);
    last = match.index + match[0].length;
    if (match[0] === '%%') {
      literal += '%';
      continue;
    }
    const width = Number(match[3] || 0);
    const pad = match[2] === '-' ? (v: string) => v.padEnd(width) : (v: string) => v.padStart(width);
    switch (match[1]) {
      case 'name':
        literal += pad(identity.name);
        break;
      case 'process':
        literal += pad(String(identity.pid));
        break;
      case 'levelname': {
        const names = Object.fromEntries(LEVEL_LIST.map((level) => [level, pad(LEVEL_NAMES[level])])) as Record<LogLevel, string>;
        push((record) => names[record.level]);
        break;
      }
      case 'asctime':
        push(width > 0 ? (record) => pad(asctime(record.time)) : (record) => asctime(record.time));
        break;
      case 'message':
        push(width > 0 ? (record) => pad(record.message) : (record) => record.message);
        break;
      default:
        literal += match[0];
    }
  }
  literal += format.slice(last);
  if (literal !== '') parts.push(literal);

  return (record) => {
    let line = '';
    for (const part of parts) line += typeof part === 'string' ? part : part(record);
    return record.meta === undefined ? line : line + textMeta(record.meta);
  };
}

/** ` key=value` for each meta entry; entries JSON would omit are skipped. */
export function textMeta(meta: LogMeta): string {
  let out = '';
  for (const key of Object.keys(meta)) {
    const value = encodeText(meta[key]);
    if (value !== undefined) out += ` ${key}=${value}`;
  }
  return out;
}
