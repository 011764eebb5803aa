import { afterAll, beforeAll } from '@jest/globals';
import { startRedis, startTarget, stopAll, type ChildHandle, type RedisServer, type Target } from '@knocker/test-kit';

export interface OwnRedisSuite {
  /** Set once beforeAll ran. */
  redis: RedisServer;
  /** Stopped after the file's tests, with the targets. */
  children: ChildHandle[];
  target(): Promise<Target>;
}

/** A file's own Redis with an AOF, for tests that kill it with everything else. */
export function useOwnRedis(): OwnRedisSuite {
  const targets: Target[] = [];
  const suite = {
    redis: undefined as unknown as RedisServer,
    children: [] as ChildHandle[],
    async target() {
      const t = await startTarget();
      targets.push(t);
      return t;
    },
  };
  beforeAll(async () => {
    suite.redis = await startRedis({ appendonly: true, appendfsync: 'always' });
  });
  afterAll(async () => {
    await stopAll(suite.children);
    await Promise.all(targets.map((t) => t.close()));
    await suite.redis?.stop();
  });
  return suite;
}
