// Module hooks for watchModules; they run on Node's loader thread.
import { appendFileSync } from 'node:fs';
import { WATCHED_MODULES } from './module-watch.js';

let file = '';

export function initialize(data: { file: string }): void {
  file = data.file;
}

export async function resolve(specifier: string, context: unknown, next: (s: string, c: unknown) => Promise<unknown>): Promise<unknown> {
  if (WATCHED_MODULES.test(specifier)) appendFileSync(file, `import ${specifier}\n`);
  return next(specifier, context);
}
