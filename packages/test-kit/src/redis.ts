import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeExit, spawnWatched, terminate } from './child.js';
import type { Watched } from './child.js';
import { freePort } from './port.js';
import { pingRedis } from './redis-ping.js';
import { sleep } from './wait.js';

export interface RedisOptions {
  /** Default true: fault-injection tests usually restart Redis and expect the data back. */
  appendonly?: boolean;
  /** Default 'always', so a SIGKILL loses nothing that was acknowledged. */
  appendfsync?: 'always' | 'everysec' | 'no';
  port?: number;
  /** requirepass: clients must AUTH, and `url` carries it. */
  password?: string;
}

/** A private redis-server for tests that kill, pause or restart it. */
export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  /** Signals the server (default SIGTERM) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and dir, so the AOF is reloaded. */
  restart(): Promise<void>;
  /** SIGSTOP: connections are accepted by the kernel but never answered. */
  pause(): void;
  resume(): void;
  /** Kills it and removes its dir; safe to call more than once. */
  stop(): Promise<void>;
  /** Captured log of the current (or last) run. */
  output(): string;
}

const READY_TIMEOUT_MS = 10_000;
const OUTPUT_CAP = 256 * 1024;
const PORT_ATTEMPTS = 3;

function serverArgs(port: number, dir: string, opts: RedisOptions): string[] {
  return [
    '--bind', '127.0.0.1',
    '--port', String(port),
    '--save', '',
    '--dir', dir,
    '--appendonly', opts.appendonly === false ? 'no' : 'yes',
    '--appendfsync', opts.appendfsync ?? 'always',
    '--daemonize', 'no',
    '--logfile', '',
    ...(opts.password === undefined ? [] : ['--requirepass', opts.password]),
  ];
}

async function launch(port: number, dir: string, opts: RedisOptions): Promise<Watched> {
  const w = spawnWatched('redis-server', serverArgs(port, dir, opts), { outputCap: OUTPUT_CAP });
  const url = redisUrl(port, opts);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!w.alive()) {
      const exit = await w.drained;
      throw new Error(`redis-server on port ${port} exited before it was ready (${describeExit(exit)}):\n${w.output.tail()}`);
    }
    if (await pingRedis(url, 200)) return w;
    if (Date.now() > deadline) {
      await terminate(w, 'SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING within ${READY_TIMEOUT_MS}ms:\n${w.output.tail()}`);
    }
    await sleep(50);
  }
}

export async function startRedis(opts: RedisOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'knocker-redis-'));
  let current: Watched;
  let port: number;
  try {
    ({ port, current } = await launchOnSomePort(dir, opts));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  let stopping: Promise<void> | undefined;
  const signal = (sig: NodeJS.Signals): void => {
    if (current.alive()) current.child.kill(sig);
  };
  const kill = async (sig: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    await terminate(current, sig);
  };

  return {
    port,
    url: redisUrl(port, opts),
    dir,
    kill,
    async restart() {
      if (stopping) throw new Error('restart() after stop()');
      await kill();
      current = await launch(port, dir, opts);
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    stop() {
      // The data is thrown away, so there is nothing to shut down gracefully.
      stopping ??= kill('SIGKILL').then(() => rm(dir, { recursive: true, force: true }));
      return stopping;
    },
    output: () => current.output.text(),
  };
}

// A port picked by freePort can be taken before redis binds it; try another.
async function launchOnSomePort(dir: string, opts: RedisOptions): Promise<{ port: number; current: Watched }> {
  if (opts.port !== undefined) return { port: opts.port, current: await launch(opts.port, dir, opts) };
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return { port, current: await launch(port, dir, opts) };
    } catch (err) {
      const inUse = err instanceof Error && /address already in use/i.test(err.message);
      if (!inUse || attempt >= PORT_ATTEMPTS) throw err;
    }
  }
}

function redisUrl(port: number, opts: RedisOptions): string {
  return opts.password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(opts.password)}@127.0.0.1:${port}`;
}
