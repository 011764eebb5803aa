import { OverloadedError } from '@knocker/protocol';

/** Says when the api is past its capacity. */
export interface LoadGuard {
  /** The refusal for a new request while the api is overloaded. */
  refusal(): OverloadedError | undefined;
  /** A relay request that was let in was answered `ms` after it arrived. */
  answered(ms: number): void;
  stop(): void;
}

const TICK_MS = 10;
const OFF: LoadGuard = { refusal: () => undefined, answered: () => undefined, stop: () => undefined };

/**
 * Past capacity, requests wait in socket buffers while each turn of the event loop handles a
 * growing pile of them: answers slow down for everyone and nothing says so. A timer that
 * should fire every 10 ms measures how late the loop runs; while its mean over the last window
 * is above `maxDelayMs`, new requests get a cheap 503, which shortens the turns again.
 * `maxDelayMs` 0 turns it off.
 */
export function watchEventLoop(maxDelayMs: number, windowMs = 100): LoadGuard {
  if (maxDelayMs === 0) return OFF;
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
    refusal: () => (late > maxDelayMs ? new OverloadedError(`event loop ${Math.round(late)} ms late, MAX_EVENT_LOOP_DELAY_MS`) : undefined),
    answered: () => undefined,
    stop: () => clearInterval(timer),
  };
}

/**
 * The other face of overload: the loop keeps time, but requests wait in line, for a Redis that
 * the other processes on the machine leave short of CPU, or behind one another. While the
 * requests answered in the last window took more than `maxMs` on average, new ones are
 * refused; refusals are cheap, so the ones let in are answered sooner again. 0 turns it off.
 */
export function watchAnswerTimes(maxMs: number, windowMs = 100): LoadGuard {
  if (maxMs === 0) return OFF;
  let mean = 0;
  let windowStart = performance.now();
  let sum = 0;
  let count = 0;
  const roll = (now: number) => {
    if (now - windowStart < windowMs) return;
    // A window in which nothing was answered says nothing: the guard lets requests in again.
    mean = count === 0 ? 0 : sum / count;
    windowStart = now;
    sum = 0;
    count = 0;
  };
  return {
    refusal() {
      roll(performance.now());
      return mean > maxMs ? new OverloadedError(`answers took ${Math.round(mean)} ms on average, MAX_ANSWER_DELAY_MS`) : undefined;
    },
    answered(ms) {
      roll(performance.now());
      sum += ms;
      count++;
    },
    stop: () => undefined,
  };
}

/** Refuses when any of them does; each hears of every answer. */
export function anyOf(...guards: LoadGuard[]): LoadGuard {
  return {
    refusal() {
      for (const g of guards) {
        const refused = g.refusal();
        if (refused) return refused;
      }
      return undefined;
    },
    answered: (ms) => guards.forEach((g) => g.answered(ms)),
    stop: () => guards.forEach((g) => g.stop()),
  };
}
