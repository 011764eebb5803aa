import { OverloadedError } from '../errors.js';
import type { LoadGuard } from './overload.js';

export interface AdmissionOptions {
  /** How often the guard's verdict is taken. */
  windowMs?: number;
  /** The smallest share let in: the guard keeps hearing of some answers. */
  floor?: number;
  /** What the share is multiplied by in a window the guard says overloaded. */
  cut?: number;
  /** What is added to it in a window it does not. */
  step?: number;
  /** The clock, in ms; tests pass their own. */
  now?: () => number;
}

/**
 * An on/off guard, past capacity, refuses everything for a window and then lets in a burst
 * that trips it again: answers come in waves, and a refusal waits behind the slow answers of
 * the last burst. This turns the guard's verdicts into a share of requests let in, cut in each
 * window the guard says overloaded and raised a little in each it does not, so the share
 * settles where the api keeps up and every refusal is quick. Requests are let in evenly (every
 * 1/share-th one), not at random, so the share holds over any few requests.
 */
export function admitShare(guard: LoadGuard, { windowMs = 100, floor = 0.05, cut = 0.5, step = 0.1, now: clock = () => performance.now() }: AdmissionOptions = {}): LoadGuard {
  let share = 1;
  let credit = 0;
  let why: OverloadedError | undefined;
  let windowStart = clock();
  const roll = () => {
    const now = clock();
    const windows = Math.floor((now - windowStart) / windowMs);
    if (windows < 1) return;
    windowStart = now;
    const verdict = guard.refusal();
    if (verdict) why = verdict;
    // Asked only while requests pile up: the windows in between, when none were asked about,
    // count as content ones, or a quiet spell would leave the share low for the next spike.
    share = verdict ? Math.max(floor, share * cut) : Math.min(1, share + step * windows);
  };
  return {
    refusal() {
      roll();
      if (share >= 1) return undefined;
      credit += share;
      if (credit >= 1) {
        credit -= 1;
        return undefined;
      }
      return why ?? new OverloadedError(`letting ${Math.round(share * 100)}% of requests in while it recovers`);
    },
    underWay: (n) => guard.underWay(n),
    answered: (ms) => guard.answered(ms),
    stop: () => guard.stop(),
  };
}
