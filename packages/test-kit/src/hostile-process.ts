import { fileURLToPath } from 'node:url';
import type { Behaviour, Hit, Hostile } from './hostile.js';
import { startProcess, type ChildHandle } from './process.js';

const entry = fileURLToPath(new URL('../dist/hostile-main.js', import.meta.url));

/** A hostile target run in a child process, killed with close(). */
export type HostileProcess = Hostile & { child: ChildHandle };

/**
 * Runs a hostile target in a child process: one that pours gigabytes must not take the CPU
 * of the test process, whose health probes would then measure their own delay.
 */
export async function spawnHostile(behaviour: Behaviour, opts: { tls?: boolean } = {}): Promise<HostileProcess> {
  const child = await startProcess({
    name: `hostile ${behaviour.kind}`,
    entry,
    args: [JSON.stringify(behaviour), opts.tls ? 'tls' : 'plain'],
    env: {},
    ready: /hostile listening on \d+/,
  });
  const port = Number(/hostile listening on (\d+)/.exec(child.output())?.[1]);
  return {
    child,
    port,
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits: () => parseHits(child.output()),
    close: async () => void (await child.kill('SIGKILL')),
  };
}

/** The `hit <json>` lines of a hostile child's output. */
export function parseHits(output: string): Hit[] {
  return [...output.matchAll(/^hit (\{.*\})$/gm)].map((m) => JSON.parse(m[1] as string) as Hit);
}
