import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { runMain } from './index.js';

class SettingError extends Error {}

describe('runMain', () => {
  const written: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  afterEach(() => void written.splice(0));

  it('ends the process with 1 when start-up fails, saying why', async () => {
    const codes: number[] = [];
    await runMain('knocker api', async () => { throw new TypeError('Unexpected ( at index 3: /hc('); }, (e) => e instanceof SettingError, (c) => void codes.push(c));
    expect(codes).toEqual([1]);
    expect(written.join('')).toMatch(/^knocker api: start-up failed: TypeError: Unexpected \( at index 3: \/hc\(\n {4}at /);
  });

  it('ends it with 78 on a configuration error, with its message alone', async () => {
    const codes: number[] = [];
    await runMain('knocker worker', async () => { throw new SettingError('WORKER_CONCURRENCY: expected a whole number'); }, (e) => e instanceof SettingError, (c) => void codes.push(c));
    expect(codes).toEqual([78]);
    expect(written).toEqual(['knocker worker: WORKER_CONCURRENCY: expected a whole number\n']);
  });

  it('leaves a process that started alone', async () => {
    const codes: number[] = [];
    await runMain('knocker api', async () => undefined, () => false, (c) => void codes.push(c));
    expect(codes).toEqual([]);
    expect(written).toEqual([]);
    write.mockRestore();
  });
});
