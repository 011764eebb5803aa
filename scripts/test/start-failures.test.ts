// An app whose start-up fails for a reason other than a bad variable must exit, saying why:
// a process that neither listens nor exits looks started to `pnpm start` (or any other
// supervisor) and never serves. A HEALTH_PATH that the configuration accepts but express
// cannot route fails while the app builds its routes.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { freePort, sharedRedisUrl, startProcess, uniquePrefix } from '@knocker/test-kit';

const entry = (app: string) => fileURLToPath(new URL(`../../apps/${app}/dist/main.js`, import.meta.url));

describe('an app whose start-up fails', () => {
  for (const app of ['api', 'worker']) {
    it(`(the ${app}) exits with 1, saying why`, async () => {
      const child = await startProcess({
        name: app,
        entry: entry(app),
        env: {
          PORT: String(await freePort()), METRICS_PORT: String(await freePort()), BIND_ADDRESS: '127.0.0.1',
          REDIS_URL: sharedRedisUrl(), QUEUE_PREFIX: uniquePrefix('startup'), HEALTH_PATH: '/hc(',
        },
        ready: /start-up failed/,
        readyTimeoutMs: 60_000,
      });
      const exit = await child.exited;
      expect(exit).toEqual({ code: 1, signal: null });
      expect(child.output()).toMatch(new RegExp(`knocker ${app}: start-up failed: TypeError: Unexpected \\( at index 3: /hc\\(`));
    }, 90_000);
  }
});
