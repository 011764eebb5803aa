import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createLogger } from './logger.js';

const dir = mkdtempSync(join(tmpdir(), 'telemetry-logger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

describe('createLogger', () => {
  it('appends formatted lines to LOG_FILE and drops levels below the threshold', async () => {
    const file = join(dir, 'text.log');
    const logger = createLogger({ name: 'api', level: 'info', file, format: '%(levelname)-8s %(name)s %(message)s' });
    logger.debug('not shown');
    logger.info('started', { port: 8000 });
    logger.warning('slow');
    logger.error('failed', { id: 'abc' });
    logger.critical('down');
    await logger.close();
    expect(lines(file)).toEqual(['INFO     api started port=8000', 'WARNING  api slow', 'ERROR    api failed id=abc', 'CRITICAL api down']);
  });

  it('appends to an existing file instead of truncating it', async () => {
    const file = join(dir, 'append.log');
    for (const message of ['first', 'second']) {
      const logger = createLogger({ name: 'worker', level: 'debug', file, format: '%(message)s' });
      logger.debug(message);
      await logger.close();
    }
    expect(lines(file)).toEqual(['first', 'second']);
  });

  it('writes json lines', async () => {
    const file = join(dir, 'json.log');
    const logger = createLogger({ name: 'worker', level: 'warning', file, format: 'json' });
    logger.info('not shown');
    logger.warning('retrying', { id: 'abc', attempt: 2 });
    await logger.close();
    const [line, ...rest] = lines(file);
    expect(rest).toEqual([]);
    const parsed = JSON.parse(line ?? '') as Record<string, unknown>;
    expect(parsed).toMatchObject({ level: 'warning', name: 'worker', pid: process.pid, message: 'retrying', id: 'abc', attempt: 2 });
    expect(Date.parse(String(parsed.time))).not.toBeNaN();
  });

  it('ignores calls after close and can be closed twice', async () => {
    const file = join(dir, 'closed.log');
    const logger = createLogger({ name: 'api', level: 'info', file, format: '%(message)s' });
    logger.info('before');
    await logger.close();
    logger.info('after');
    await logger.close();
    expect(lines(file)).toEqual(['before']);
  });

  it('fails at creation when the file cannot be opened', () => {
    expect(() => createLogger({ name: 'api', level: 'info', file: join(dir, 'missing', 'x.log'), format: 'json' })).toThrow(/ENOENT/);
  });

  it('closes a stdout logger without ending stdout', async () => {
    const logger = createLogger({ name: 'api', level: 'critical', file: '-', format: 'json' });
    logger.info('not shown');
    await logger.close();
    expect(process.stdout.writableEnded).toBe(false);
  });
});

describe('createLogger batching', () => {
  it('writes the lines of one turn together, in order, by the next turn', async () => {
    const file = join(dir, 'batch.log');
    const logger = createLogger({ name: 'worker', level: 'info', file, format: '%(levelname)s %(message)s' });
    for (let i = 0; i < 100; i++) logger.info(`line ${i}`);
    logger.warning('last');
    logger.debug('below the threshold');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 50));
    // Written without close: the batch does not wait for more lines.
    expect(lines(file)).toEqual([...Array.from({ length: 100 }, (_, i) => `INFO line ${i}`), 'WARNING last']);
    logger.error('after');
    await logger.close();
    expect(lines(file).at(-1)).toBe('ERROR after');
  });

  it('writes a line logged just before process.exit()', () => {
    // The built package, by its own name, as the apps load it.
    const script = "import('@knocker/telemetry').then(({ createLogger }) => { createLogger({ name: 'api', level: 'info', file: '-', format: '%(message)s' }).critical('cannot listen'); process.exit(1); })";
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: new URL('..', import.meta.url) });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('cannot listen\n');
  });
});
