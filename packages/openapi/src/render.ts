import type { JsonObject } from './options.js';

/** The committed file's exact text, so a regenerated document is byte-for-byte comparable. */
export function renderOpenApi(doc: JsonObject): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
