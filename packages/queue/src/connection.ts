import { Redis, type Cluster } from 'ioredis';

/** A single Redis, or a Redis Cluster that routes each command to the master of its keys' slot. */
export type Connection = Redis | Cluster;

/**
 * For the api. Commands fail at once while Redis is unreachable (no offline queue) and give
 * up after `timeoutMs` when Redis hangs, so a client gets a 503 instead of waiting; ioredis
 * keeps reconnecting in the background, so the api recovers without a restart. Commands
 * issued in one tick leave in one write (auto-pipelining): under load, one socket write per
 * request was the api's largest single cost.
 */
export function producerConnection(url: string, timeoutMs: number): Redis {
  return new Redis(url, {
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
}

/**
 * For workers. BullMQ blocks on this connection waiting for jobs, so commands must never
 * time out or give up (`maxRetriesPerRequest: null`); reconnection is retried forever.
 */
export function workerConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
}
