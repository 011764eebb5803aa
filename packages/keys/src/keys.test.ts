import { describe, expect, it } from '@jest/globals';
import { FLOW_KEY_PARTS, QUEUES, REDIS_KEYS, deliveryJobId, flowKeys, groupKeys, prefixKeys, qstashQueueKeys, queueKeys, scheduleKeys, shardPrefixes } from './index.js';

// A key the builders make that the list does not name would be missing from docs/architecture.md.
// The last row, BullMQ's keys reached through its API, names no key the builders make.
const patterns = REDIS_KEYS.filter((k) => !k.key.endsWith(':*')).map((k) => new RegExp(`^${k.key.replace(/[{}.*+?^$()|[\]\\]/g, (c) => (c === '*' ? '.+' : `\\${c}`)).replace(/<[^>]+>/g, '.+')}$`));
const named = (key: string) => patterns.some((p) => p.test(key));

describe('the key module', () => {
  it('builds only keys the list names, for every shard and prefix', () => {
    for (const prefix of ['{knocker}', 'plain', '{a}.b']) {
      const shards = [...shardPrefixes(prefix, 1), ...(prefix.includes('{') ? shardPrefixes(prefix, 3) : [])];
      const built = [
        ...Object.values(prefixKeys(prefix).leases), prefixKeys(prefix).layouts,
        scheduleKeys(prefix).definitions, scheduleKeys(prefix).paused, scheduleKeys(prefix).ticks('nightly'), groupKeys(prefix).definitions, qstashQueueKeys(prefix).definitions,
        flowKeys(prefix).index, flowKeys(prefix).limited, ...flowKeys(prefix).parts('api.example.com:443'),
        ...shards.flatMap((s) => {
          const q = queueKeys(s, QUEUES.delivery);
          const job = deliveryJobId('order-42');
          return [q.job(job), q.logs(job), q.claim(job), q.wait, q.paused, q.prioritized, q.delayed, q.failed, q.completed, q.events, q.meta, q.marker, q.orderLine('k-1'), q.orderState('k-1'), q.orders, q.orderChecks, q.orderPaused, queueKeys(s, QUEUES.callback).meta];
        }),
      ];
      expect(built.filter((k) => !named(k))).toEqual([]);
    }
  });

  it('names the flow parts in the order the scripts take them', () => {
    expect(flowKeys('{k}').parts('x')).toEqual(FLOW_KEY_PARTS.map((p) => `{k}:flow:k:x:${p}`));
  });

  it('never changes a name: renaming a key strands what is stored under it', () => {
    expect(queueKeys('{knocker}', QUEUES.delivery).job(deliveryJobId('a'))).toBe('{knocker}:deliveries:req-a');
    expect(prefixKeys('{knocker}')).toEqual({
      layouts: '{knocker}:layouts',
      leases: {
        queues: '{knocker}:metrics-publisher', flow: '{knocker}:flow:metrics-publisher', schedules: '{knocker}:schedules:metrics-publisher', orders: '{knocker}:order:metrics-publisher',
      },
    });
    expect(scheduleKeys('{knocker}').ticks('s')).toBe('{knocker}:schedules:knocker-ticks:s');
    expect(groupKeys('{knocker}').definitions).toBe('{knocker}:groups:knocker-definitions');
    expect(qstashQueueKeys('{knocker}').definitions).toBe('{knocker}:qstash-queues:knocker-definitions');
    expect(queueKeys('{knocker}', QUEUES.delivery).orderPaused).toBe('{knocker}:deliveries:knocker-order-paused');
  });
});
