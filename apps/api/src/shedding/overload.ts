import { OverloadedError } from '../errors.js';

/** Says when the api is past its capacity. */
export interface LoadGuard {
  /** The refusal for a new request while the api is overloaded. */
  refusal(): OverloadedError | undefined;
  /** `inflight` relay requests are under way, now that one entered or left. */
  underWay(inflight: number): void;
  /** A relay request that was let in was answered `ms` after it arrived. */
  answered(ms: number): void;
  stop(): void;
}

/** Time in ms, and a repeating timer; tests pass their own. */
export interface Clock {
  now(): number;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/**
 * How long a queue must stand before it counts as more than a burst (CoDel's interval), in
 * time and in answers: a burst of up to `BURST` requests at once, as many as Node asks the
 * kernel to hold connections for (its default listen backlog), is let in whole however slowly
 * it goes through, as on a cold start on a busy machine, where 500 take a second or more.
 */
export const INTERVAL_MS = 100;
export const BURST = 511;

// Load is shed only with this many relay requests under way: a loop that runs late because
// other processes took the CPU, with few requests waiting, is not the api's overload.
export const SHED_MIN_INFLIGHT = 64;

export interface StandingQueue {
  /** A wait of `waitMs`, seen at `now`; `queued` false: the queue was too short to matter. */
  observe(waitMs: number, now: number, queued?: boolean): void;
  /** A request was answered. */
  answered(): void;
  /** The least wait since the queue began to stand, while it stands at `now`. */
  standing(now: number): number | undefined;
}

/**
 * CoDel's test for a standing queue (Nichols and Jacobson, "Controlling Queue Delay"), fed the
 * wait of each thing that went through the queue: it stands once every wait seen for an
 * interval, from the first one above `targetMs` on, was above it too, until one is below it
 * again. A burst fills a queue that then drains: some request waits little in any interval,
 * while past capacity none does. Here the interval also spans `burst` answers, so that no
 * request of a burst that size is judged by the waits of the others; but a queue that stands
 * again within `memoryMs` of the last (16 intervals, as CoDel remembers its drop rate) is the
 * same overload coming back, not a burst after a calm, and stands after the interval alone. A
 * wait seen while the queue is too short to matter counts as one below the target, as an empty
 * queue does in CoDel, and so does a spell of `quietMs` without any: the queue drained unseen.
 */
export function standingQueue(targetMs: number, { intervalMs = INTERVAL_MS, burst = BURST, quietMs = 10 * INTERVAL_MS, memoryMs = 16 * INTERVAL_MS } = {}): StandingQueue {
  let firstAbove: number | undefined;
  let least = Infinity;
  let answers = 0;
  let standing = false;
  let stood = -Infinity;
  let seen = -Infinity;
  const drained = () => {
    firstAbove = undefined;
    standing = false;
  };
  return {
    observe(waitMs, now, queued = true) {
      if (now - seen > quietMs) drained();
      seen = now;
      if (waitMs < targetMs || !queued) return drained();
      if (firstAbove === undefined) {
        firstAbove = now + intervalMs;
        least = waitMs;
        answers = 0;
        return;
      }
      least = Math.min(least, waitMs);
      // Judged when a wait is seen, not when a request arrives: through a turn of the event
      // loop longer than the interval no wait is seen, and what that turn reads is let in.
      if (now >= firstAbove && (answers >= burst || now - stood <= memoryMs)) standing = true;
      if (standing) stood = now;
    },
    answered() {
      if (firstAbove !== undefined) answers++;
    },
    standing(now) {
      return standing && now - seen <= quietMs ? least : undefined;
    },
  };
}

const TICK_MS = 10;
const OFF: LoadGuard = { refusal: () => undefined, underWay: () => undefined, answered: () => undefined, stop: () => undefined };

/**
 * Past capacity, requests wait in socket buffers while each turn of the event loop handles a
 * growing pile of them: answers slow down for everyone and nothing says so. A timer that
 * should fire every 10 ms measures how late the loop runs, which is how long what just arrived
 * waits before the loop reads it; while that wait stands above `targetMs` (standingQueue) with
 * SHED_MIN_INFLIGHT or more relay requests under way, new requests get a cheap 503, which
 * shortens the turns again. `targetMs` 0 turns it off.
 */
export function watchEventLoop(targetMs: number, clock: Clock = realClock): LoadGuard {
  if (targetMs === 0) return OFF;
  const queue = standingQueue(targetMs);
  let inflight = 0;
  let last = clock.now();
  const stop = clock.every(TICK_MS, () => {
    const now = clock.now();
    queue.observe(now - last - TICK_MS, now, inflight >= SHED_MIN_INFLIGHT);
    last = now;
  });
  return {
    refusal() {
      const least = queue.standing(clock.now());
      return least === undefined ? undefined : new OverloadedError(`event loop at least ${Math.round(least)} ms late for ${INTERVAL_MS} ms, MAX_EVENT_LOOP_DELAY_MS`);
    },
    underWay: (n) => void (inflight = n),
    answered: () => queue.answered(),
    stop,
  };
}

/**
 * The other face of overload: the loop keeps time, but requests wait in line, for a Redis that
 * the other processes on the machine leave short of CPU, or behind one another. While the time
 * from a relay request's arrival to its answer stands above `targetMs` (standingQueue), new
 * requests are refused; refusals are cheap, so the ones let in are answered sooner again.
 * Every answer is a wait of its own, whatever else was under way. 0 turns it off.
 */
export function watchAnswerTimes(targetMs: number, clock: Pick<Clock, 'now'> = realClock): LoadGuard {
  if (targetMs === 0) return OFF;
  const queue = standingQueue(targetMs);
  return {
    refusal() {
      const least = queue.standing(clock.now());
      return least === undefined ? undefined : new OverloadedError(`answers took at least ${Math.round(least)} ms for ${INTERVAL_MS} ms, MAX_ANSWER_DELAY_MS`);
    },
    underWay: () => undefined,
    answered(ms) {
      queue.observe(ms, clock.now());
      queue.answered();
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
    underWay: (n) => guards.forEach((g) => g.underWay(n)),
    answered: (ms) => guards.forEach((g) => g.answered(ms)),
    stop: () => guards.forEach((g) => g.stop()),
  };
}
