import { freePort } from './port.js';
import { spawnWatched, terminate, type Exit } from './child.js';
import { childEnv, entry, preload, type KnockerOptions } from './knocker.js';

/** How a start ended: the exit of a process that refused to start, or `listening`. */
export interface StartOutcome {
  exit: Exit | 'listening';
  output: string;
}

/**
 * Starts the api and reports whether it exits (a configuration it refuses) or listens; one that
 * listens is stopped at once. For configurations that must be refused with exit 78.
 */
export async function apiStartOutcome(opts: KnockerOptions, timeoutMs = 30_000): Promise<StartOutcome> {
  const port = await freePort();
  const w = spawnWatched(process.execPath, ['--import', preload, entry('api')], {
    env: { ...process.env, ...childEnv(opts), PORT: String(port) },
    outputCap: 256 * 1024,
  });
  const listening = new Promise<'listening'>((resolve) => {
    const check = (): void => {
      if (/listening on/.test(w.output.text())) resolve('listening');
    };
    w.output.watch(check);
  });
  const timer = setTimeout(() => void terminate(w, 'SIGKILL'), timeoutMs);
  try {
    const exit = await Promise.race([w.drained, listening]);
    return { exit, output: w.output.text() };
  } finally {
    clearTimeout(timer);
    await terminate(w, 'SIGKILL');
  }
}
