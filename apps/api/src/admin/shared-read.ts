/** How long a read of the health and status routes serves every request: about a second. */
export const SHARED_READ_MS = 1000;

/**
 * A read shared by whoever asks for it: callers that arrive while it is in flight wait for it,
 * and its result serves every caller for `ttlMs` after it arrived, so however many ask, it
 * runs at most once per `ttlMs`. A failed read is not kept: the next caller reads again.
 */
export function sharedRead<T>(read: () => Promise<T>, ttlMs = SHARED_READ_MS, now: () => number = () => performance.now()): () => Promise<T> {
  let inflight: Promise<T> | undefined;
  let kept: { value: T; at: number } | undefined;
  return () => {
    if (kept && now() - kept.at < ttlMs) return Promise.resolve(kept.value);
    inflight ??= read().then(
      (value) => {
        kept = { value, at: now() };
        inflight = undefined;
        return value;
      },
      (err: unknown) => {
        inflight = undefined;
        throw err;
      },
    );
    return inflight;
  };
}
