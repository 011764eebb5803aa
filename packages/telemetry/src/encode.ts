// A log call must never throw because of what it was asked to log, so every
// value that JSON cannot take as is gets a readable stand-in.

const UNSERIALIZABLE = '"[unserializable]"';

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** JSON text of a value; undefined for what JSON omits (undefined, functions, symbols). */
export function encodeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, replacer);
  } catch {
    // Circular structures, throwing getters or toJSON.
    return UNSERIALIZABLE;
  }
}

// Bare only when a reader can still split ` key=value` pairs on spaces.
const PLAIN = /^[^\s"=]+$/;

/** A meta value as text-format logs show it after `key=`. */
export function encodeText(value: unknown): string | undefined {
  if (typeof value === 'string') return PLAIN.test(value) ? value : JSON.stringify(value);
  if (value instanceof Error) return JSON.stringify(`${value.name}: ${value.message}`);
  return encodeJson(value);
}
