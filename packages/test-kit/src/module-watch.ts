import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

/** What the watch records: OpenTelemetry and its BullMQ add-on. */
export const WATCHED_MODULES = /@opentelemetry\/|bullmq-otel/;

/**
 * Writes every module a process loads whose name matches WATCHED_MODULES to `file`, one a
 * line: ESM imports through a resolve hook, CommonJS requires (as Sentry's SDK makes them)
 * through Module._load. A test reads the file to prove what a process never loaded.
 */
export function watchModules(file: string): void {
  register(new URL('./module-watch-hooks.js', import.meta.url), { data: { file } });
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = loader._load;
  loader._load = function watchedLoad(this: unknown, request: string, ...rest: unknown[]) {
    if (WATCHED_MODULES.test(request)) appendFileSync(file, `require ${request}\n`);
    return load.call(this, request, ...rest);
  };
}
