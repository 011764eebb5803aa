import { describe, expect, it } from '@jest/globals';
import { compileFormat } from './format.js';
import type { LogRecord } from './record.js';

const identity = { name: 'worker', pid: 4242 };
const time = new Date(Date.UTC(2026, 10, 23, 6, 16, 37, 123));
const record = (over: Partial<LogRecord> = {}): LogRecord => ({ time, level: 'warning', message: 'hello', meta: undefined, ...over });

describe('text format', () => {
  it('renders the default Knocker format', () => {
    const render = compileFormat('%(asctime)s %(levelname)-8s %(message)s', identity);
    expect(render(record())).toBe('2026-11-23 06:16:37,123 WARNING  hello');
    expect(render(record({ level: 'info' }))).toBe('2026-11-23 06:16:37,123 INFO     hello');
  });

  it('renders every known token', () => {
    const render = compileFormat('[%(name)s:%(process)s] %(levelname)s: %(message)s', identity);
    expect(render(record({ level: 'critical' }))).toBe('[worker:4242] CRITICAL: hello');
  });

  it('pads left-aligned with `-` and right-aligned without, never truncating', () => {
    const render = compileFormat('|%(levelname)8s|%(name)-8s|%(process)6s|%(message)-3s|%(levelname)-2s|', identity);
    expect(render(record({ level: 'error', message: 'long message' }))).toBe('|   ERROR|worker  |  4242|long message|ERROR|');
  });

  it('pads the time when asked', () => {
    expect(compileFormat('%(asctime)25s', identity)(record())).toBe('  2026-11-23 06:16:37,123');
  });

  it('keeps unknown tokens and stray text verbatim, and `%%` as `%`', () => {
    const render = compileFormat('100%% %(funcName)s %(message)s %', identity);
    expect(render(record())).toBe('100% %(funcName)s hello %');
    expect(compileFormat('%%(name)s', identity)(record())).toBe('%(name)s');
  });

  it('appends meta as key=value, quoting what is not a plain word', () => {
    const render = compileFormat('%(message)s', identity);
    const meta = { id: 'abc', attempt: 3, ok: false, url: 'http://x/y?a=1', note: 'two words', empty: '', tags: ['a'], skipped: undefined };
    expect(render(record({ meta }))).toBe(
      'hello id=abc attempt=3 ok=false url="http://x/y?a=1" note="two words" empty="" tags=["a"]',
    );
  });

  it('renders errors, bigints and circular values without throwing', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const render = compileFormat('%(message)s', identity);
    expect(render(record({ meta: { err: new TypeError('bad'), n: 10n, c: circular } }))).toBe(
      'hello err="TypeError: bad" n="10" c="[unserializable]"',
    );
  });

  it('leaves the line alone when meta is empty', () => {
    expect(compileFormat('%(message)s', identity)(record({ meta: {} }))).toBe('hello');
  });
});

describe('json format', () => {
  const render = compileFormat('json', identity);

  it('writes one parseable object with the fixed fields first', () => {
    const line = render(record({ level: 'info', message: 'say "hi"\n', meta: { id: 'abc', attempt: 2 } }));
    expect(line).not.toContain('\n');
    expect(Object.keys(JSON.parse(line))).toEqual(['time', 'level', 'name', 'pid', 'message', 'id', 'attempt']);
    expect(JSON.parse(line)).toEqual({
      time: '2026-11-23T06:16:37.123Z',
      level: 'info',
      name: 'worker',
      pid: 4242,
      message: 'say "hi"\n',
      id: 'abc',
      attempt: 2,
    });
  });

  it('does not let meta override the fixed fields', () => {
    const parsed = JSON.parse(render(record({ meta: { level: 'debug', message: 'forged', extra: 1 } }))) as Record<string, unknown>;
    expect(parsed.level).toBe('warning');
    expect(parsed.message).toBe('hello');
    expect(parsed.extra).toBe(1);
  });

  it('keeps the line when a meta value cannot be serialised', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const parsed = JSON.parse(render(record({ meta: { c: circular, err: new Error('boom'), fn: () => 1 } }))) as Record<string, unknown>;
    expect(parsed.c).toBe('[unserializable]');
    expect(parsed.err).toMatchObject({ name: 'Error', message: 'boom' });
    expect('fn' in parsed).toBe(false);
  });
});
