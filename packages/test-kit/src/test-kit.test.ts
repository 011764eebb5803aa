import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  freePortRun,
  installLoopbackOnly,
  pingRedis,
  request,
  startProcess,
  startRedis,
  startTarget,
  stopAll,
  targetPool,
  uniquePrefix,
  waitFor,
} from './index.js';
import type { ChildHandle, RedisServer, Target } from './index.js';

const targets: Target[] = [];
const children: ChildHandle[] = [];
const redises: RedisServer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(targets.map((t) => t.close()));
  await stopAll(children);
  await Promise.all(redises.map((r) => r.stop()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function script(source: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kt-script-'));
  dirs.push(dir);
  const file = join(dir, 'child.mjs');
  await writeFile(file, source);
  return file;
}

describe('small helpers', () => {
  it('freePort returns a bindable port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });

  it('freePortRun returns the first of consecutive bindable ports, skipping busy and avoided ones', async () => {
    const { createServer } = await import('node:net');
    const listen = (port: number) => new Promise<import('node:net').Server>((resolve, reject) => {
      const s = createServer().once('error', reject).listen(port, '127.0.0.1', () => resolve(s));
    });
    const first = await freePortRun(3);
    const held = await Promise.all([first, first + 1, first + 2].map(listen));
    // Every port of the run was free; now that they are held, no run may touch them.
    const next = await freePortRun(3, [first + 5]);
    for (const p of [next, next + 1, next + 2]) expect([first, first + 1, first + 2, first + 5]).not.toContain(p);
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  });

  it('uniquePrefix is a short hash-tagged name of allowed characters', () => {
    const a = uniquePrefix('api');
    expect(a).toMatch(/^\{kt-api-[0-9a-f]{8}\}$/);
    expect(uniquePrefix('api')).not.toBe(a);
    expect(uniquePrefix()).toMatch(/^\{kt-test-[0-9a-f]{8}\}$/);
    const odd = uniquePrefix('we ird/label:'.repeat(10));
    expect(odd).toMatch(/^[A-Za-z0-9_{}.-]+$/);
    expect(odd.length).toBeLessThanOrEqual(64);
  });

  it('waitFor returns the first truthy value and names what it waited for on timeout', async () => {
    let calls = 0;
    await expect(waitFor(() => ++calls >= 3 && calls, { intervalMs: 5 })).resolves.toBe(3);
    await expect(waitFor(() => false, { timeoutMs: 100, what: 'godot' })).rejects.toThrow(
      'Timed out after 100ms waiting for godot',
    );
  });
});

describe('target and request', () => {
  it('sees repeated header lines and the exact body bytes', async () => {
    const target = await startTarget();
    targets.push(target);
    const body = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 13, 10, 0]);
    const reply = await request(`${target.url}/hook?x=1`, {
      method: 'POST',
      headers: [
        ['X-Dup', 'one'],
        ['X-Dup', 'two'],
        ['Content-Type', 'application/octet-stream'],
      ],
      body,
    });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('ok');

    const [seen] = await target.waitForRequests(1);
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/hook?x=1');
    expect(seen?.n).toBe(1);
    expect(seen?.body.equals(body)).toBe(true);
    const dup = seen?.rawHeaders.flatMap((v, i, all) => (i % 2 === 0 && v === 'X-Dup' ? [all[i + 1]] : []));
    expect(dup).toEqual(['one', 'two']);
    expect(seen?.headers.host).toBe(target.host);
  });

  it('follows the responder, including status, headers, body and delay', async () => {
    const target = await startTarget(() => ({ status: 503, headers: { 'retry-after': '1' }, body: '{"busy":true}', delayMs: 150 }));
    targets.push(target);
    const reply = await request(target.url, { headers: { accept: 'application/json' } });
    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toBe('1');
    expect(reply.json<{ busy: boolean }>()).toEqual({ busy: true });
    expect(reply.ms).toBeGreaterThanOrEqual(140);

    target.respond = () => ({ status: 204 });
    expect((await request(target.url)).status).toBe(204);
    expect(target.requests.map((r) => r.n)).toEqual([1, 2]);
  });

  it('destroy resets the connection and request() rejects', async () => {
    const target = await startTarget(() => ({ destroy: true }));
    targets.push(target);
    await expect(request(target.url, { timeoutMs: 2000 })).rejects.toThrow();
    expect(target.requests).toHaveLength(1);
  });

  it('request() times out, and waitForRequests reports how many arrived', async () => {
    const target = await startTarget(() => ({ delayMs: 5000 }));
    targets.push(target);
    await expect(request(target.url, { timeoutMs: 100 })).rejects.toThrow('timed out after 100 ms');
    await expect(target.waitForRequests(2, 50)).rejects.toThrow('1 arrived');
    // The pending delayed reply must not hold the process open.
    await target.close();
  });

  it('a target pool starts targets with their responders and closes them all', async () => {
    const pool = targetPool();
    const [a, b] = await Promise.all([pool.start(() => ({ status: 201 })), pool.start()]);
    expect((await request(a.url)).status).toBe(201);
    expect((await request(b.url)).status).toBe(200);
    await pool.closeAll();
    await expect(request(a.url, { timeoutMs: 1000 })).rejects.toThrow();
    await expect(request(b.url, { timeoutMs: 1000 })).rejects.toThrow();
  });
});

describe('installLoopbackOnly', () => {
  it('answers made-up names and destroys sockets aimed off loopback before they connect', async () => {
    const { connect } = await import('node:net');
    const uninstall = installLoopbackOnly({ 'here.test': ['127.0.0.1'], 'away.test': ['10.0.0.1'] });
    const target = await startTarget();
    targets.push(target);
    const reach = (host: string) =>
      new Promise<string>((resolve) => {
        const s = connect({ host, port: target.port });
        s.on('connect', () => (s.destroy(), resolve('connected'))).on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      });
    expect(await reach('here.test')).toBe('connected');
    expect(await reach('away.test')).toBe('ETESTNOTLOOPBACK');
    expect(await reach('10.0.0.1')).toBe('ETESTNOTLOOPBACK');
    expect(await reach('169.254.169.254')).toBe('ETESTNOTLOOPBACK');
    uninstall();
    expect(await reach('here.test')).toBe('ENOTFOUND');
  });
});

describe('startRedis', () => {
  it('can be paused, resumed, killed, restarted and stopped', async () => {
    const redis = await startRedis();
    redises.push(redis);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await pingRedis(redis.url)).toBe(true);

    redis.pause();
    expect(await pingRedis(redis.url, 150)).toBe(false);
    redis.resume();
    expect(await pingRedis(redis.url)).toBe(true);

    await redis.kill();
    expect(await pingRedis(redis.url)).toBe(false);
    await redis.restart();
    expect(await pingRedis(redis.url)).toBe(true);

    await redis.stop();
    await redis.stop();
    expect(await pingRedis(redis.url)).toBe(false);
  });

  it('pingRedis is false for nothing listening or a bad url', async () => {
    expect(await pingRedis(`redis://127.0.0.1:${await freePort()}`)).toBe(false);
    expect(await pingRedis('not a url')).toBe(false);
  });
});

describe('startProcess', () => {
  it('waits for the ready line and can be killed', async () => {
    const entry = await script(`console.log('starting'); setTimeout(() => console.log('ready on ' + process.env.KT_WORD), 50); setInterval(() => {}, 1000);`);
    const child = await startProcess({ name: 'sleeper', entry, env: { KT_WORD: 'bird' }, ready: /ready on bird/ });
    children.push(child);
    expect(child.alive()).toBe(true);
    expect(child.pid).toBeGreaterThan(0);
    expect(child.output()).toContain('starting');

    const exit = await child.kill();
    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(child.alive()).toBe(false);
    await expect(child.exited).resolves.toEqual(exit);
  });

  it('rejects with the output when the process exits before it is ready', async () => {
    const entry = await script(`console.error('boom: no config'); process.exit(3);`);
    await expect(startProcess({ name: 'crasher', entry, env: {}, ready: /ready/ })).rejects.toThrow(
      /crasher exited before it was ready \(code 3\)[\s\S]*boom: no config/,
    );
  });

  it('rejects and kills the process when it is never ready', async () => {
    const entry = await script(`setInterval(() => {}, 1000);`);
    await expect(startProcess({ name: 'mute', entry, env: {}, ready: /ready/, readyTimeoutMs: 200 })).rejects.toThrow(
      'mute did not print /ready/ within 200ms',
    );
  });
});
