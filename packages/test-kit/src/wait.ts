export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the timeout message so a failing test says what never happened. */
  what?: string;
}

export type Probe<T> = () => T | undefined | false | Promise<T | undefined | false>;

const EXPIRED = Symbol('expired');

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls until the probe returns something truthy. Errors thrown by the probe
 * propagate at once: a probe that can fail transiently should catch and return
 * false itself, so real mistakes are not hidden behind a timeout.
 */
export async function waitFor<T>(probe: Probe<T>, opts: WaitForOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  const timedOut = (): Error => new Error(`Timed out after ${timeoutMs}ms waiting for ${opts.what ?? 'condition'}`);

  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw timedOut();
    // A probe that hangs must not outlive the deadline.
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<typeof EXPIRED>((resolve) => {
      timer = setTimeout(() => resolve(EXPIRED), remaining);
    });
    try {
      const value = await Promise.race([Promise.resolve(probe()), expired]);
      if (value === EXPIRED) throw timedOut();
      if (value) return value as T;
    } finally {
      clearTimeout(timer);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
