import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, startApi, startRedis, startTarget, startWorker, stopAll, uniquePrefix, waitFor,
  type ApiProcess, type ChildHandle, type HttpReply, type RedisServer, type Target,
} from '@knocker/test-kit';

// Every secret the apps are given, distinctive enough to grep for.
const SECRETS = {
  apiKey: 'apikey-secret-7f3a9c1e55b2',
  otherApiKey: 'apikey-secret-0d4e8b6a9931',
  redisPassword: 'redispw-secret-62c1d0',
  sentryKey: 'a81f0c3e5d7b4f2a9e6c1d8b3f5a7e90',
};
let redis: RedisServer;
let sentry: Server;
let api: ApiProcess;
let worker: ChildHandle;
let target: Target;
let cb: Target;
const replies: HttpReply[] = [];

beforeAll(async () => {
  redis = await startRedis({ password: SECRETS.redisPassword });
  sentry = createServer((req, res) => req.resume().on('end', () => res.end('{}')));
  await new Promise<void>((r) => sentry.listen(0, '127.0.0.1', r));
  const sentryPort = (sentry.address() as { port: number }).port;
  target = await startTarget(() => ({ status: 500 }));
  cb = await startTarget();
  const opts = {
    redisUrl: redis.url, prefix: uniquePrefix('secrets'), fakeDns: { 'metadata.test': ['169.254.169.254'] },
    env: {
      LOG_LEVEL: 'debug', KNOCKER_API_KEYS: `${SECRETS.apiKey},${SECRETS.otherApiKey}`, SENTRY_FAILED_REQUESTS: 'true',
      SENTRY_DSN: `http://${SECRETS.sentryKey}@127.0.0.1:${sentryPort}/42`, REDIS_TIMEOUT_MS: '500',
    },
  };
  [api, worker] = await Promise.all([startApi(opts), startWorker(opts)]);
});
afterAll(async () => {
  await stopAll([api, worker].filter(Boolean));
  await Promise.all([target?.close(), cb?.close(), new Promise((r) => sentry?.close(r))]);
  await redis?.stop();
});

async function knock(headers: Array<[string, string]>): Promise<HttpReply> {
  const reply = await request(`${api.url}/hook?token=public`, { method: 'POST', headers, body: '{"a":1}', timeoutMs: 5000 });
  replies.push(reply);
  return reply;
}

describe('secrets', () => {
  it('appear in no log line, answer, forwarded header or callback, through failures and a Redis outage', async () => {
    const key: [string, string] = ['Knocker-Api-Key', SECRETS.apiKey];
    const common: Array<[string, string]> = [key, ['Knocker-Retries', '1'], ['Knocker-Backoff-Factor', '0'], ['Knocker-Callback', `${cb.url}/failed`]];
    expect((await knock([['Knocker-Host', target.host], ...common])).status).toBe(200);
    expect((await knock([['Knocker-Host', 'metadata.test'], ...common])).status).toBe(200);
    expect((await knock([['Knocker-Host', target.host], ['Knocker-Api-Key', `${SECRETS.apiKey}-wrong`]])).status).toBe(401);
    expect((await knock([['Knocker-Host', target.host]])).status).toBe(401);
    expect((await knock([['Knocker-Host', 'bad host'], key])).status).toBe(400);
    await cb.waitForRequests(2, 15_000);

    await redis.kill('SIGKILL');
    expect((await knock([['Knocker-Host', target.host], key])).status).toBe(503);
    await new Promise((r) => setTimeout(r, 1000));
    await redis.restart();
    await waitFor(async () => (await knock([['Knocker-Host', target.host], key])).status === 200, { timeoutMs: 15_000, what: 'the api to accept again' });

    const seen = [
      ['api output', api.output()],
      ['worker output', worker.output()],
      ['answers', replies.map((r) => r.text).join('\n')],
      ['headers at the target', target.requests.map((r) => r.rawHeaders.join(': ')).join('\n')],
      ['callbacks', cb.requests.map((r) => `${r.rawHeaders.join(': ')}\n${r.body.toString()}`).join('\n')],
    ];
    // The outputs did record what happened, so their silence about secrets means something.
    expect(api.output()).toMatch(/Redis unreachable at redis:\/\/\*\*\*@127\.0\.0\.1/);
    expect(worker.output()).toMatch(/403 refused, not retried/);
    expect(target.requests.length).toBeGreaterThanOrEqual(2);
    for (const [where, text] of seen) {
      for (const [name, secret] of Object.entries(SECRETS)) {
        if (text!.includes(secret)) throw new Error(`${name} found in the ${where}`);
      }
    }
  });
});
