// Writes docs/openapi.json from the built document builder with the default configuration and
// the QStash door on (which QSTASH_TOKENS turns on), so the reference shows its routes too;
// `--check` only says whether the committed file is current (the tests also check this).
import { readFile, writeFile } from 'node:fs/promises';
import { loadConfig } from '../packages/config/dist/index.js';
import { buildOpenApi, openApiOptions, renderOpenApi } from '../packages/openapi/dist/index.js';

const file = new URL('../docs/openapi.json', import.meta.url);
const text = renderOpenApi(buildOpenApi({ ...openApiOptions(loadConfig({})), qstash: true }));
if (process.argv.includes('--check')) {
  const committed = await readFile(file, 'utf8').catch(() => '');
  if (committed !== text) {
    console.error('docs/openapi.json is out of date: run pnpm openapi');
    process.exit(1);
  }
} else {
  await writeFile(file, text);
  console.log('wrote docs/openapi.json');
}
