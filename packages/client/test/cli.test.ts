import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sharedRedisUrl, startApi, startWorker, stopAll, targetPool, uniquePrefix, waitFor, type ApiProcess, type ChildHandle } from '@knocker/test-kit';

// The built CLI, run as a user runs it: a child process, configured by the environment.
const bin = fileURLToPath(new URL('../bin/knocker.js', import.meta.url));
const ADMIN_KEY = 'admin-key-for-cli-0123456789';
const prefix = uniquePrefix('cli');
const targets = targetPool();
let api: ApiProcess;
let worker: ChildHandle;

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix };
  [api, worker] = await Promise.all([startApi({ ...opts, env: { ADMIN_API_KEY: ADMIN_KEY, HOST_CONCURRENCY: '10' } }), startWorker(opts)]);
}, 120_000);
afterAll(async () => {
  await Promise.all([stopAll([api, worker].filter(Boolean)), targets.closeAll()]);
});

interface Run { code: number | null; stdout: string; stderr: string }

function knocker(args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env['PATH'] ?? '', KNOCKER_URL: api.url, KNOCKER_ADMIN_KEY: ADMIN_KEY, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

describe('knocker send', () => {
  it('sends with every option as a flag, headers and a body from standard input; --json prints the answer', async () => {
    const t = await targets.start();
    const run = await knocker([
      '--json', 'send', 'PATCH', `${t.url}/items/7?x=1`, '-H', 'X-One: 1', '--header', 'Content-Type: text/plain', '--data-file', '-',
      '--retries', '4', '--timeout', '3', '--backoff-factor', '0', '--callback', 'http://127.0.0.1:9/cb', '--id', 'cli-1', '--catch', 'a.*', '--catch', 'b',
      '--config', 'tenant=acme',
    ], { stdin: 'from stdin' });
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000).toISOString();
    const later = await knocker(['send', 'POST', `${t.url}/later`, '--not-before', at, '--id', 'cli-later']);
    expect(later).toMatchObject({ code: 0, stdout: expect.stringContaining(`not before ${at}`) });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: true, method: 'PATCH', url: `${t.url}/items/7?x=1`, 'body-length': 10,
      config: { id: 'cli-1', retries: 4, timeout: 3, backoff_factor: 0, callback: 'http://127.0.0.1:9/cb', catch: ['a.*', 'b'], 'knocker-tenant': 'acme' },
    });
    const [got] = await t.waitForRequests(1, 20_000);
    expect(got).toMatchObject({ method: 'PATCH', url: '/items/7?x=1', body: Buffer.from('from stdin') });
    expect(got?.headers['x-one']).toBe('1');
  });

  it('reads the body from a file, prints a human line, and with --wait follows it to the end', async () => {
    const t = await targets.start();
    const file = join(await mkdtemp(join(tmpdir(), 'knocker-cli-')), 'body.json');
    await writeFile(file, '{"a":1}');
    const ok = await knocker(['send', 'POST', `${t.url}/ok`, '--data-file', file, '--id', 'cli-ok', '--wait']);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(/^accepted cli-ok: POST http:\/\/127\.0\.0\.1:\d+\/ok .*7 bytes\)$/m);
    expect(ok.stdout).toMatch(/^cli-ok: delivered$/m);
    const again = await knocker(['send', 'POST', `${t.url}/ok`, '-d', 'other', '--id', 'cli-ok']);
    expect(again).toMatchObject({ code: 0, stdout: 'already stored cli-ok: delivered\n' });

    const failing = await targets.start(() => ({ status: 500 }));
    const failed = await knocker(['send', 'POST', `${failing.url}/no`, '-d', 'x', '--retries', '1', '--backoff-factor', '0', '--id', 'cli-failed', '--wait']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^attempt 2 at .*: 500 in \d+ ms, HTTP 500$/m);
    expect(failed.stdout).toMatch(/^cli-failed: failed$/m);
  }, 60_000);

  it('exit 1 with the per-header messages when Knocker refuses; exit 2 for a bad command line', async () => {
    const refused = await knocker(['send', 'POST', 'http://127.0.0.1:9/x', '--retries', '99']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/400 invalid_request\n {2}knocker-retries: must be a whole number from 0 to 10/);
    for (const args of [['send', 'POST'], ['send', 'POST', 'http://x/', '--retries', 'many'], ['frobnicate'], ['send', 'POST', 'not a url'], ['send', 'POST', 'http://x/', '-H', 'no colon'], ['send', 'POST', 'http://x/', '--data-file', '/nonexistent/file']]) {
      const run = await knocker(args);
      expect([args, run.code]).toEqual([args, 2]);
      expect(run.stderr).not.toBe('');
    }
    expect((await knocker(['status'], { env: { KNOCKER_URL: 'nowhere' } })).code).toBe(2);
    const help = await knocker(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/send \[options\] <method> <url>/);
    expect(help.stdout).not.toContain(ADMIN_KEY);
  });
});

describe('knocker inspect, logs, retry, cancel, status, watch', () => {
  it('follows a request through its life', async () => {
    const failing = await targets.start(() => ({ status: 503 }));
    expect((await knocker(['send', 'POST', `${failing.url}/f`, '--retries', '0', '--id', 'cli-life'])).code).toBe(0);
    const watch = await knocker(['watch', 'cli-life', '--interval', '100']);
    expect(watch.code).toBe(1);
    expect(watch.stdout).toMatch(/cli-life: failed/);

    await fetch(`${api.url}/knocker/log?id=cli-life`, { method: 'POST', body: 'a line' });
    const logs = await knocker(['logs', 'cli-life']);
    expect(logs).toMatchObject({ code: 0, stdout: expect.stringMatching(/ a line\n$/) });
    const inspect = await knocker(['--json', 'inspect', 'cli-life']);
    expect(inspect.code).toBe(1);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ id: 'cli-life', state: 'failed', attempts: [{ status_code: 503 }] });

    failing.respond = () => ({ status: 200 });
    expect(await knocker(['retry', 'cli-life'])).toMatchObject({ code: 0, stdout: 'cli-life: waiting\n' });
    expect((await knocker(['watch', 'cli-life', '--interval', '100'])).code).toBe(0);
    const human = await knocker(['inspect', 'cli-life']);
    expect(human).toMatchObject({ code: 0, stdout: expect.stringMatching(/^cli-life: delivered\n {2}POST .*\/f\n/) });

    expect(await knocker(['cancel', 'cli-life'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/409 invalid_state\n {2}state: is delivered/) });
    const slow = await targets.start(() => ({ status: 500 }));
    await knocker(['send', 'POST', `${slow.url}/s`, '--retries', '2', '--backoff-factor', '60', '--id', 'cli-cancel']);
    await waitFor(async () => JSON.parse((await knocker(['--json', 'inspect', 'cli-cancel'])).stdout).state === 'delayed', { what: 'cli-cancel delayed', timeoutMs: 20_000 });
    expect(await knocker(['cancel', 'cli-cancel'])).toMatchObject({ code: 0, stdout: 'cli-cancel: cancelled\n' });

    const status = await knocker(['status']);
    expect(status).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Knocker \d+\.\d+\.\d+: processed \d+/) });
    expect((await knocker(['inspect', 'cli-none'])).code).toBe(1);
    expect((await knocker(['inspect', 'cli-life'], { env: { KNOCKER_ADMIN_KEY: '' } })).stderr).toMatch(/401 unauthorized/);
    expect((await knocker(['--admin-key', ADMIN_KEY, 'inspect', 'cli-life'], { env: { KNOCKER_ADMIN_KEY: '' } })).code).toBe(0);
  }, 90_000);
});

describe('knocker schedules, hosts and retry-failed', () => {
  it('sends with --cron, then lists, inspects, pauses, resumes and removes the schedule', async () => {
    const t = await targets.start();
    const sent = await knocker(['send', 'POST', `${t.url}/tick`, '--cron', 'CRON_TZ=Europe/Paris * * * * * *', '--id', 'cli-schedule', '-d', 'x']);
    expect(sent).toMatchObject({ code: 0, stdout: expect.stringMatching(/^schedule stored cli-schedule: "CRON_TZ=Europe\/Paris \* \* \* \* \* \*" \(Europe\/Paris\), active, next \S+: POST http:\/\/127\.0\.0\.1:\d+\/tick\n$/) });
    expect((await knocker(['send', 'POST', `${t.url}/tick`, '--cron', '* * * * *', '--wait'])).code).toBe(2);
    expect(await knocker(['schedules', 'list'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^cli-schedule: active, .* next \S+: POST .*\/tick$/m) });
    await t.waitForRequests(1, 20_000);
    await waitFor(async () => JSON.parse((await knocker(['--json', 'schedules', 'inspect', 'cli-schedule'])).stdout).last_requests.length > 0, { what: 'a tick listed' });
    const inspect = await knocker(['schedules', 'inspect', 'cli-schedule']);
    expect(inspect).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ {2}next ticks: \S+, /m) });
    expect(inspect.stdout).toMatch(/^ {2}request cli-schedule@\d+: \w+/m);

    expect(await knocker(['schedules', 'pause', 'cli-schedule'])).toMatchObject({ code: 0, stdout: 'cli-schedule: paused\n' });
    expect(await knocker(['schedules', 'resume', 'cli-schedule'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^cli-schedule: active, next \S+\n$/) });
    const removed = await knocker(['--json', 'schedules', 'remove', 'cli-schedule']);
    expect([removed.code, JSON.parse(removed.stdout)]).toEqual([0, { status: true, id: 'cli-schedule', state: 'deleted' }]);
    expect(await knocker(['schedules', 'inspect', 'cli-schedule'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/404 not_found\n {2}id: no schedule/) });
    expect((await knocker(['schedules', 'frobnicate'])).code).toBe(2);
    expect((await knocker(['schedules', 'pause'])).code).toBe(2);
  }, 60_000);

  it('puts a group, sends to it, changes one endpoint, lists and removes it', async () => {
    const [a, b] = await Promise.all([targets.start(), targets.start()]);
    expect(await knocker(['groups', 'put', 'cli-group', `a=${a.url}`, `b=${b.url}/in/`])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^cli-group: 2 endpoints, updated \S+\n {2}a: http:\/\/127\.0\.0\.1:\d+\n {2}b: http:\/\/127\.0\.0\.1:\d+\/in\n$/) });
    const sent = await knocker(['send-group', 'POST', 'cli-group', '/orders?x=1', '--id', 'cli-fan', '-d', 'x']);
    expect(sent).toMatchObject({ code: 0, stdout: `accepted cli-fan for group cli-group (2 copies, 1 bytes):\n  cli-fan~~a: POST ${a.url}/orders?x=1\n  cli-fan~~b: POST ${b.url}/in/orders?x=1\n` });
    expect((await knocker(['send-group', 'POST', 'cli-group', '/orders', '--id', 'cli-fan'])).stdout).toMatch(/^already stored cli-fan for group cli-group:\n {2}cli-fan~~a: \w+\n {2}cli-fan~~b: \w+\n$/);
    await b.waitForRequests(1, 20_000);
    expect((await knocker(['groups', 'set-endpoint', 'cli-group', 'c', `${a.url}/c`])).stdout).toMatch(/^ {2}c: http:\/\/127\.0\.0\.1:\d+\/c$/m);
    expect((await knocker(['groups', 'remove-endpoint', 'cli-group', 'a'])).stdout).toMatch(/^cli-group: 2 endpoints/);
    expect((await knocker(['groups', 'get', 'cli-group'])).stdout).not.toMatch(/^ {2}a: /m);
    expect((await knocker(['groups', 'list'])).stdout).toMatch(/^cli-group: 2 endpoints/m);
    expect(await knocker(['--json', 'groups', 'remove', 'cli-group'])).toMatchObject({ code: 0 });
    expect(await knocker(['send-group', 'POST', 'cli-group'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/404 not_found\n {2}knocker-group: no group "cli-group" is known/) });
    expect((await knocker(['groups', 'put', 'cli-group', 'no-equals-sign'])).code).toBe(2);
    expect((await knocker(['send-group', 'POST', 'cli-group', 'no-slash'])).code).toBe(2);
  }, 60_000);

  it('lists, pauses and resumes a flow key', async () => {
    expect(await knocker(['hosts', 'pause', 'cli-tenant'])).toMatchObject({ code: 0, stdout: 'cli-tenant: paused\n' });
    const list = await knocker(['hosts', 'list']);
    expect(list).toMatchObject({ code: 0, stdout: expect.stringMatching(/^flow control on: concurrency 10, rate unlimited per key by default, no breaker\n/) });
    expect(list.stdout).toMatch(/^ {2}cli-tenant: in flight 0, waiting 0, paused, breaker closed$/m);
    expect(JSON.parse((await knocker(['--json', 'hosts', 'list'])).stdout)).toMatchObject({ flow_control: true, hosts: expect.any(Array) });
    expect(await knocker(['hosts', 'resume', 'cli-tenant'])).toMatchObject({ code: 0, stdout: 'cli-tenant: resumed\n' });
    expect(await knocker(['hosts', 'pause', ' bad'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/400 invalid_request\n {2}key: /) });
  });

  it('replays the failed requests of a host', async () => {
    const failing = await targets.start(() => ({ status: 502 }));
    for (const id of ['cli-many-1', 'cli-many-2']) await knocker(['send', 'POST', `${failing.url}/m`, '--retries', '0', '--id', id]);
    for (const id of ['cli-many-1', 'cli-many-2']) expect((await knocker(['watch', id, '--interval', '100'])).code).toBe(1);
    failing.respond = () => ({ status: 200 });
    const none = await knocker(['retry-failed', '--host', failing.host, '--status-code', '404']);
    expect(none).toMatchObject({ code: 0, stdout: 'replayed 0\n' });
    const one = await knocker(['retry-failed', '--host', failing.host, '--limit', '1', '--since', new Date(Date.now() - 60_000).toISOString()]);
    expect(one).toMatchObject({ code: 0, stdout: expect.stringMatching(/^replayed 1: cli-many-\d\nmore may match: run it again\n$/) });
    const rest = await knocker(['--json', 'retry-failed', '--host', failing.host, '--status-code', '502']);
    expect(JSON.parse(rest.stdout)).toMatchObject({ replayed: 1, more: false });
    expect((await knocker(['retry-failed', '--limit', 'lots'])).code).toBe(2);
    expect(await knocker(['retry-failed', '--limit', '0'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/400 invalid_request\n {2}limit: /) });
  }, 60_000);
});
