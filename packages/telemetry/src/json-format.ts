import { encodeJson } from './encode.js';
import type { LoggerIdentity, RecordFormatter } from './record.js';

// A meta key must not be able to forge or hide the fields every line carries.
const RESERVED = new Set(['time', 'level', 'name', 'pid', 'message']);

/**
 * One JSON object per line: time, level, name, pid, message, then meta.
 * Built by hand so the field order is fixed and one bad meta value cannot
 * lose the whole line.
 */
export function compileJsonFormat(identity: LoggerIdentity): RecordFormatter {
  const fixed = `,"name":${JSON.stringify(identity.name)},"pid":${identity.pid}`;
  return (record) => {
    let line = `{"time":"${record.time.toISOString()}","level":"${record.level}"${fixed},"message":${JSON.stringify(record.message)}`;
    if (record.meta !== undefined) {
      for (const key of Object.keys(record.meta)) {
        if (RESERVED.has(key)) continue;
        const value = encodeJson(record.meta[key]);
        if (value !== undefined) line += `,${JSON.stringify(key)}:${value}`;
      }
    }
    return `${line}}`;
  };
}
