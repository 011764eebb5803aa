import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { OutputTail } from './output.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A spawned process whose output is captured and whose exit is a promise. */
export interface Watched {
  child: ChildProcess;
  output: OutputTail;
  /** Resolves when the process has exited (or could not be spawned). */
  exited: Promise<Exit>;
  /** Like exited, but also waits briefly for the last output to be read. */
  drained: Promise<Exit>;
  alive(): boolean;
}

// Grandchildren can hold the pipes open; do not wait for them for long.
const DRAIN_GRACE_MS = 500;

export function spawnWatched(
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; outputCap: number },
): Watched {
  const child = spawn(command, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = new OutputTail(opts.outputCap);
  let exit: Exit | undefined;
  let closed = false;

  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => output.append(chunk));
  }

  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
    child.on('error', (err) => {
      // 'error' also reports failed kill() calls of a live process; only a
      // failed spawn means there will be no 'exit'.
      if (child.pid !== undefined) return;
      output.append(`\n[spawn ${command} failed: ${err.message}]\n`);
      exit = { code: null, signal: null };
      resolve(exit);
    });
  });
  const closedPromise = new Promise<void>((resolve) => {
    child.once('close', () => {
      closed = true;
      resolve();
    });
  });
  const drained = exited.then(async (result) => {
    if (!closed && child.pid !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closedPromise, new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_GRACE_MS)))]);
      clearTimeout(timer);
    }
    return result;
  });

  return { child, output, exited, drained, alive: () => exit === undefined };
}

/**
 * Sends signal and waits for exit, escalating to SIGKILL after graceMs so a
 * stuck process cannot hang a test run.
 */
export async function terminate(w: Watched, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<Exit> {
  if (!w.alive()) return w.exited;
  w.child.kill(signal);
  // A process stopped with SIGSTOP would hold the signal pending forever.
  if (signal !== 'SIGKILL') w.child.kill('SIGCONT');
  const timer = setTimeout(() => w.child.kill('SIGKILL'), graceMs);
  try {
    return await w.exited;
  } finally {
    clearTimeout(timer);
  }
}

export function describeExit(exit: Exit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}
