import { OverloadedError } from '@knocker/protocol';

/** Says when the api is past its capacity, from how late its event loop runs. */
export interface LoadGuard {
  /** The refusal for a new request while the api is overloaded. */
  refusal(): OverloadedError | undefined;
  stop(): void;
}

const TICK_MS = 10;

/**
 * Past capacity, requests wait in socket buffers while each turn of the event loop handles a
 * growing pile of them: answers slow down for everyone and nothing says so. A timer that
 * should fire every 10 ms measures how late the loop runs; while its mean over the last window
 * is above `maxDelayMs`, new requests get a cheap 503, which shortens the turns again.
 * `maxDelayMs` 0 turns it off.
 */
export function watchEventLoop(maxDelayMs: number, windowMs = 100): LoadGuard {
  if (maxDelayMs === 0) return { refusal: () => undefined, stop: () => undefined };
  let late = 0;
  let last = performance.now();
  let windowStart = last;
  let sum = 0;
  let count = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    sum += Math.max(0, now - last - TICK_MS);
    count++;
    last = now;
    if (now - windowStart >= windowMs) {
      late = sum / count;
      windowStart = now;
      sum = 0;
      count = 0;
    }
  }, TICK_MS);
  timer.unref();
  return {
    refusal: () => (late > maxDelayMs ? new OverloadedError(late) : undefined),
    stop: () => clearInterval(timer),
  };
}
