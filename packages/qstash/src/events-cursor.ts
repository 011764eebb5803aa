import type { ListedState } from '@knocker/queue';

/** The states `GET /v2/events` walks, each with a listing of its own; their order in a cursor. */
export const EVENT_STREAMS: readonly ListedState[] = ['failed', 'cancelled', 'delivered', 'delayed', 'waiting'];
/** Where each listing is: not started (absent), done, or the store's cursor. */
export type StreamSlots = Partial<Record<ListedState, string>>;
export const DONE = '~';

const VERSION = 'e1';
// The store refuses a cursor of more than 4096 characters; five of them and the separators.
const CURSOR_MAX_CHARS = EVENT_STREAMS.length * 4097 + VERSION.length;
const SLOT = /^(~|[A-Za-z0-9_-]*)$/;

/** One cursor for the five listings: `e1.<failed>.<cancelled>.<delivered>.<delayed>.<waiting>`. */
export function encodeEventsCursor(slots: StreamSlots): string {
  return [VERSION, ...EVENT_STREAMS.map((s) => slots[s] ?? '')].join('.');
}

/** The listings' places, or undefined when this is not a cursor the door gave (the store checks each place). */
export function decodeEventsCursor(raw: string): StreamSlots | undefined {
  if (raw.length > CURSOR_MAX_CHARS) return undefined;
  const [version, ...parts] = raw.split('.');
  if (version !== VERSION || parts.length !== EVENT_STREAMS.length || !parts.every((p) => SLOT.test(p))) return undefined;
  const slots: StreamSlots = {};
  EVENT_STREAMS.forEach((s, i) => {
    if (parts[i] !== '') slots[s] = parts[i];
  });
  return slots;
}
