// What the backlog section looks into beside its timings: where a fresh request's time went
// during a drain, and what a waiting request's bytes in Redis are made of; and its retries
// made due at once.
import { latencySummary } from './stats.mjs';

/**
 * Follows the jobs named `POST <host>` as they complete, each split into its stages from
 * BullMQ's own times and the attempt it returned: added → taken by a worker (`queued`), taken
 * → call started (`before`), the call (`call`), the call's end → completed (`after`). Polled,
 * since the workers keep only the last RETAIN_COMPLETED_COUNT completed jobs.
 */
export function watchFresh(redis, queue, host, everyMs = 100) {
  const completed = queue.toKey('completed');
  const stages = { queued: [], before: [], call: [], after: [] };
  const seen = new Set();
  let since = Date.now();
  const poll = async () => {
    const flat = await redis.zrangebyscore(completed, since, '+inf', 'WITHSCORES');
    const ids = flat.filter((_, i) => i % 2 === 0);
    // A margin for jobs completed out of order, by several workers' clocks.
    if (flat.length > 0) since = Math.max(since, Number(flat.at(-1)) - 200);
    const p = redis.pipeline();
    for (const id of ids) p.hmget(queue.toKey(id), 'name', 'timestamp', 'processedOn', 'finishedOn', 'returnvalue');
    for (const [i, [, [name, added, taken, finished, rv]]] of (await p.exec()).entries()) {
      if (name !== `POST ${host}` || !rv || seen.has(ids[i])) continue;
      seen.add(ids[i]);
      const { attempt } = JSON.parse(rv);
      const start = Date.parse(attempt.started_at);
      stages.queued.push(taken - added);
      stages.before.push(start - taken);
      stages.call.push(attempt.duration_ms);
      stages.after.push(finished - start - attempt.duration_ms);
    }
  };
  let running = Promise.resolve();
  let failed;
  const timer = setInterval(() => (running = running.then(poll).catch((err) => void (failed ??= err))), everyMs);
  return async () => {
    clearInterval(timer);
    await running.then(poll);
    if (failed) throw failed;
    return Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, latencySummary(v)]));
  };
}

/**
 * Where a waiting request's bytes are: a sample of job hashes (MEMORY USAGE, encoding, each
 * field's length), the delayed set and the event stream per request, and what else the fill
 * added (`used_memory` growth minus those).
 */
export async function bytesOf(redis, queue, { waiting, growth, sample = 200 }) {
  const delayedKey = queue.toKey('delayed');
  const ids = await redis.zrange(delayedKey, 0, sample - 1);
  let hashBytes = 0;
  const fields = {};
  let encoding;
  for (const id of ids) {
    hashBytes += Number(await redis.memory('USAGE', queue.toKey(id), 'SAMPLES', 0));
    encoding ??= await redis.object('ENCODING', queue.toKey(id));
  }
  const one = await redis.hgetall(queue.toKey(ids[0]));
  for (const [k, v] of Object.entries(one)) fields[k] = Buffer.byteLength(v);
  const job = hashBytes / ids.length;
  const delayed = Number(await redis.memory('USAGE', delayedKey)) / Math.max(1, await redis.zcard(delayedKey));
  const events = Number(await redis.memory('USAGE', queue.toKey('events')) ?? 0) / waiting;
  return { job, encoding, fields, delayed, events, rest: growth / waiting - job - delayed - events };
}

/**
 * Every delayed job's time moved `waitS` seconds and more earlier, order kept, and the workers
 * woken: as if that time had passed. (BullMQ's Queue.promoteJobs would move them to the wait list itself,
 * not as its workers promote a retry that comes due.)
 */
export async function comeDue(redis, queue, waitS) {
  const delayed = queue.toKey('delayed');
  const shift = (waitS + 100) * 1000 * 0x1000;
  // By score, not by rank: the workers take jobs that came due out of the set meanwhile.
  const notYet = `(${Date.now() * 0x1000}`;
  for (;;) {
    const page = await redis.zrangebyscore(delayed, notYet, '+inf', 'WITHSCORES', 'LIMIT', 0, 10_000);
    if (page.length === 0) break;
    const args = [];
    for (let i = 0; i < page.length; i += 2) args.push(Number(page[i + 1]) - shift, page[i]);
    await redis.zadd(delayed, 'XX', ...args);
  }
  await redis.zadd(queue.toKey('marker'), 0, '0');
}

/**
 * Redis commands slower than `us` from now until the returned function is called: how many, the
 * longest, their sum (ms) and the slowest's command name. The drain's scripts hold Redis for
 * their whole run, and every other client waits meanwhile.
 */
export async function watchSlow(redis, us = 2000) {
  const before = await redis.config('GET', 'slowlog-log-slower-than');
  await redis.config('SET', 'slowlog-log-slower-than', us);
  await redis.config('SET', 'slowlog-max-len', 10_000);
  await redis.slowlog('RESET');
  return async () => {
    const log = await redis.slowlog('GET', 10_000);
    await redis.config('SET', 'slowlog-log-slower-than', before[1]);
    const took = log.map((e) => Number(e[2]) / 1000);
    // A script by its number of keys, which names BullMQ's (moveToActive-11, moveToFinished-14, ...).
    const nameOf = (args) => (/^eval/i.test(String(args[0])) ? `script/${args[2]}` : String(args[0]));
    const byName = {};
    for (const e of log) {
      const b = (byName[nameOf(e[3])] ??= { count: 0, totalMs: 0, maxMs: 0 });
      b.count += 1;
      b.totalMs += Number(e[2]) / 1000;
      b.maxMs = Math.max(b.maxMs, Number(e[2]) / 1000);
    }
    return { count: log.length, maxMs: Math.max(0, ...took), totalMs: took.reduce((a, b) => a + b, 0), byName };
  };
}
