import type { Config } from '@knocker/config';
import { producerConnection, workerConnection, type Connection } from '@knocker/queue';

export type Role = 'api' | 'worker';

/** How each app differs in what the runtime does for it. */
export interface RoleTraits {
  /** The api's connection gives up fast (a client must never hang); the workers' waits for Redis. */
  connect(config: Config): Connection;
  /** Whether store calls are bounded by REDIS_TIMEOUT_MS, and stores WAIT for replicas. */
  bounded: boolean;
  /** How long a stopping process keeps serving with failing health checks, and how long it may take in all. */
  drainMs(config: Config): number;
  deadlineMs(config: Config): number;
  /** The api says when Redis goes and comes back (it answers 503 meanwhile); a worker only waits. */
  redisTransitions: boolean;
  stopped: string;
}

const target = (c: Config) => c.redis.cluster ?? c.redis.sentinel ?? c.redis.url;

export const ROLES: Readonly<Record<Role, RoleTraits>> = {
  api: {
    connect: (c) => producerConnection(target(c), c.redis.timeoutMs),
    bounded: true,
    drainMs: (c) => c.api.healthcheckIntervalMs,
    deadlineMs: (c) => c.api.healthcheckIntervalMs + c.api.writeTimeoutMs + 5000,
    redisTransitions: true,
    stopped: 'Api stopped',
  },
  worker: {
    connect: (c) => workerConnection(target(c)),
    bounded: false,
    drainMs: () => 0,
    deadlineMs: (c) => c.worker.shutdownTimeoutMs + 10_000,
    redisTransitions: false,
    stopped: 'Worker stopped',
  },
};
