import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

/** What the watch records: OpenTelemetry and its BullMQ add-on. */
export const WATCHED_MODULES = /@opentelemetry\/|bullmq-otel/;

/**
 * Writes every module a process loads whose name matches WATCHED_MODULES to `file`, one a
 * line: ESM imports through a resolve hook, CommonJS requires (as Sentry's SDK and prom-client
 * make them) through Module._load, with the file that required it. A test reads the file to prove what a process never loaded.
 */
export function watchModules(file: string): void {
  register(new URL('./module-watch-hooks.js', import.meta.url), { data: { file } });
  const loader = Module as unknown as { _load: (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => unknown };
  const load = loader._load;
  loader._load = function watchedLoad(this: unknown, request, parent, ...rest) {
    // With who asked, from its package on: a test can tell one dependency's require from another's.
    if (WATCHED_MODULES.test(request)) appendFileSync(file, `require ${request} from ${(parent?.filename ?? '?').split('node_modules/').at(-1)}\n`);
    return load.call(this, request, parent, ...rest);
  };
}
