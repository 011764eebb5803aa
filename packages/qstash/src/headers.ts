import type { HeaderPair } from '@knocker/protocol';

/** A publish's headers sorted: QStash's settings (`upstash-*`, lower case) and what goes on to the destination. */
export interface UpstashHeaders {
  control: Map<string, string>;
  /** `Upstash-Forward-<H>` as `<h>`, and the Content-Type, in order. */
  forward: HeaderPair[];
}

const FORWARD = 'upstash-forward-';
// Sent by the SDK on every publish; they describe the caller, never the message.
const TELEMETRY = 'upstash-telemetry-';
// Framing and hop-by-hop headers the worker's client sets itself; Knocker's own marks stay Knocker's.
const NEVER_FORWARDED = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authorization', 'proxy-connection', 'x-knocker', 'x-knocker-id', 'x-knocker-attempt', 'x-knocker-origin']);

/**
 * Sorts the headers of a publish; a setting given twice is named in `errors`. Node caps the
 * whole head at 16 KB, and a batch item's headers are bounded by its body, so nothing here
 * grows past what came in.
 */
export function readHeaders(rawHeaders: readonly string[], errors: Record<string, string>): UpstashHeaders {
  const control = new Map<string, string>();
  const forward: HeaderPair[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    if (name === 'content-type') forward.push([name, value]);
    else if (name.startsWith(FORWARD)) {
      const target = name.slice(FORWARD.length);
      const problem = forwardProblem(target);
      if (problem !== undefined) errors[name] = problem;
      else forward.push([target, value]);
    } else if (name.startsWith('upstash-') && !name.startsWith(TELEMETRY)) {
      if (control.has(name)) errors[name] = 'must be given once';
      control.set(name, value.trim());
    }
  }
  return { control, forward };
}

/** Why a header (lower case) may not be forwarded, or undefined when it may. */
export function forwardProblem(target: string): string | undefined {
  return target === '' || NEVER_FORWARDED.has(target) || target.startsWith('knocker-') ? 'cannot be forwarded: the worker sets it, or it is Knocker\'s' : undefined;
}
