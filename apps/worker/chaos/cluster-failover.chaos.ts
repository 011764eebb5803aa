import { afterAll, expect, it } from '@jest/globals';
import { shardIndexOf, shardPrefixes, slotOf } from '@knocker/keys';
import {
  request, runLoad, sleep, startApi, startCluster, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ChildHandle, type RedisCluster, type Target,
} from '@knocker/test-kit';

// One master of a 3-master cluster is SIGKILLed under load, with REDIS_WAIT_REPLICAS=1. Its
// shard answers 503 fast until its replica is promoted and has a replica again (the killed
// node, restarted); the other shards go on; workers resume on the promoted replica by
// themselves; and no request answered 2xx is lost.
const SHARDS = 3;
const VICTIM = 1;
const TIMEOUT_MS = 1000;
let cluster: RedisCluster;
let target: Target;
const children: ChildHandle[] = [];

afterAll(async () => {
  await stopAll(children, 'SIGKILL');
  await target?.close();
  await cluster?.stop();
});

it('loses no acknowledged request when a master dies, and resumes on its replica', async () => {
  cluster = await startCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 2000 });
  target = await startTarget();
  const prefix = uniquePrefix('chaos-failover');
  const env = {
    QUEUE_SHARDS: String(SHARDS), REDIS_WAIT_REPLICAS: '1', REDIS_TIMEOUT_MS: String(TIMEOUT_MS), MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0',
    LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000',
  };
  const opts = { clusterNodes: cluster.seeds, prefix, env };
  const [api, ...workers] = await Promise.all([startApi(opts), startWorker(opts), startWorker(opts)]);
  children.push(api, ...workers);
  const victimSlot = slotOf(shardPrefixes(prefix, SHARDS)[VICTIM]!);
  const victim = await cluster.masterOf(victimSlot);

  const started = Date.now();
  const at = { killed: 0, promoted: 0, rejoined: 0 };
  // Each answer, with the shard of its id and when it came.
  const answers: Array<{ id: string; shard: number; status: number; sentAt: number; ms: number }> = [];
  const fault = (async () => {
    await sleep(2000);
    await victim.kill('SIGKILL');
    at.killed = Date.now();
    await waitFor(async () => (await cluster.masterOf(victimSlot).catch(() => victim)) !== victim, { timeoutMs: 30_000, intervalMs: 100, what: 'a replica to be promoted' });
    at.promoted = Date.now();
    await victim.restart();
    at.rejoined = Date.now();
  })();
  // The victim's shard accepts again once the restarted node has synced as the new master's
  // replica (REDIS_WAIT_REPLICAS=1), which takes seconds on a busy machine: the load goes on
  // until it has, 5 s at least after the rejoin and 30 s at most.
  let victimBack = false;
  const tally = await runLoad({
    count: 100_000, concurrency: 8, id: (i) => `f${i}`,
    until: () => at.rejoined > 0 && Date.now() - at.rejoined > 5000 && (victimBack || Date.now() - at.rejoined > 30_000),
    send: async (i) => {
      const sentAt = Date.now();
      const reply = await request(`${api.url}/item/f${i}`, { method: 'POST', headers: { 'Knocker-Host': target.host, 'Knocker-Id': `f${i}` }, body: String(i), timeoutMs: 5000 });
      const shard = shardIndexOf(`f${i}`, SHARDS);
      if (shard === VICTIM && reply.status === 200 && at.killed > 0 && sentAt >= at.killed) victimBack = true;
      answers.push({ id: `f${i}`, shard, status: reply.status, sentAt, ms: reply.ms });
      return reply;
    },
  });
  await fault;

  const idOf = (r: { url: string }) => /^\/item\/(f\d+)$/.exec(r.url)?.[1];
  const delivered = () => new Set(target.requests.map(idOf));
  await waitFor(() => tally.accepted.every((id) => delivered().has(id)), { timeoutMs: 120_000, intervalMs: 500, what: 'every accepted request to be delivered' });
  await sleep(500);

  const lost = tally.accepted.filter((id) => !delivered().has(id));
  const outage = answers.filter((a) => a.sentAt >= at.killed && a.sentAt < at.rejoined);
  const mine = outage.filter((a) => a.shard === VICTIM);
  const others = outage.filter((a) => a.shard !== VICTIM);
  const victim503 = mine.filter((a) => a.status === 503);
  const slowestVictim503 = Math.max(0, ...victim503.map((a) => a.ms));
  const acceptedAfterKill = new Set(answers.filter((a) => a.shard === VICTIM && a.sentAt >= at.killed && a.status === 200).map((a) => a.id));
  const firstOnPromoted = Math.min(...target.requests.filter((r) => acceptedAfterKill.has(idOf(r) ?? '')).map((r) => r.at));
  const s = (ms: number) => (ms / 1000).toFixed(1);
  console.log(`chaos cluster-failover: sent ${tally.sent}, accepted ${tally.accepted.length}, 503s ${tally.statuses['503'] ?? 0}, delivered ${delivered().size}, lost ${lost.length}; ` +
    `killed at ${s(at.killed - started)} s, replica promoted ${s(at.promoted - at.killed)} s after, old master back as a replica ${s(at.rejoined - at.killed)} s after; ` +
    `while the shard was down: its requests ${mine.length} (503s ${victim503.length}, slowest ${Math.round(slowestVictim503)} ms), other shards' ${others.length} (accepted ${others.filter((a) => a.status === 200).length}); ` +
    `first delivery on the promoted replica ${s(firstOnPromoted - at.killed)} s after the kill; answers ${JSON.stringify(tally.statuses)}`);

  expect(lost).toEqual([]);
  expect(victim503.length).toBeGreaterThan(0);
  expect(slowestVictim503).toBeLessThan(2000 + 1000);
  // The other shards kept accepting while the victim's was down.
  expect(others.filter((a) => a.status === 200).length).toBeGreaterThan(others.length / 2);
  // A request of the victim's shard accepted after the kill was stored on the promoted replica
  // and delivered from it: the workers resumed there without a restart.
  expect(Number.isFinite(firstOnPromoted)).toBe(true);
  expect(workers.every((w) => w.alive())).toBe(true);
});
