import { QueueUnavailableError } from './errors.js';

/** Bounds a Redis round trip so that a hung Redis turns into a 503, never a hanging client. */
export async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueueUnavailableError(`Redis did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } catch (err) {
    if (err instanceof QueueUnavailableError) throw err;
    // The connection's own commandTimeout is the same bound, and may fire first.
    if (err instanceof Error && err.message === 'Command timed out') throw new QueueUnavailableError(`Redis did not answer within ${ms} ms`);
    throw new QueueUnavailableError(`Redis refused the command (${err instanceof Error ? err.message : String(err)})`);
  } finally {
    clearTimeout(timer);
  }
}
