import { describeExit, spawnWatched, terminate } from './child.js';
import type { Exit } from './child.js';

export type { Exit } from './child.js';

export interface StartProcessOptions {
  /** Used in error messages. */
  name: string;
  /** JavaScript file run with the current node binary. */
  entry: string;
  /** Merged over the current environment. */
  env: Record<string, string>;
  /** Matched against stdout and stderr combined. */
  ready: RegExp;
  readyTimeoutMs?: number;
  /** Passed after entry. */
  args?: string[];
  /** Passed to node before entry, e.g. `--import`. */
  nodeArgs?: string[];
}

/** A running app under test. */
export interface ChildHandle {
  name: string;
  pid: number;
  /** The last ~2 MB of stdout and stderr, interleaved as they arrived. */
  output(): string;
  exited: Promise<Exit>;
  /** Sends signal (default SIGTERM), waits for exit, and SIGKILLs after 10 s. */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
  alive(): boolean;
}

const OUTPUT_CAP = 2 * 1024 * 1024;

export async function startProcess(opts: StartProcessOptions): Promise<ChildHandle> {
  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  const w = spawnWatched(process.execPath, [...(opts.nodeArgs ?? []), opts.entry, ...(opts.args ?? [])], {
    env: { ...process.env, ...opts.env },
    outputCap: OUTPUT_CAP,
  });
  const handle: ChildHandle = {
    name: opts.name,
    pid: w.child.pid ?? -1,
    output: () => w.output.text(),
    exited: w.exited,
    kill: (signal) => terminate(w, signal),
    alive: w.alive,
  };

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      unwatch();
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const check = (): void => {
      // A global or sticky regex keeps state between test() calls.
      opts.ready.lastIndex = 0;
      if (opts.ready.test(w.output.text())) settle();
    };
    const unwatch = w.output.watch(check);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void terminate(w, 'SIGKILL');
    }, timeoutMs);
    void w.drained.then((exit) =>
      settle(
        new Error(
          timedOut
            ? `${opts.name} did not print ${String(opts.ready)} within ${timeoutMs}ms:\n${w.output.tail()}`
            : `${opts.name} exited before it was ready (${describeExit(exit)}):\n${w.output.tail()}`,
        ),
      ),
    );
    check();
  });
  return handle;
}

/** Stops every child still running, in parallel; for afterAll hooks. */
export async function stopAll(children: readonly ChildHandle[], signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await Promise.all(children.filter((c) => c.alive()).map((c) => c.kill(signal)));
}
