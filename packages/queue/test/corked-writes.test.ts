import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { sharedRedisUrl } from '@knocker/test-kit';
import { writeOncePerTurn } from '../src/corked-writes.js';

// Only ECHO: nothing is written to the shared Redis.
let corked: Redis;
let plain: Redis;

beforeAll(async () => {
  corked = writeOncePerTurn(new Redis(sharedRedisUrl()));
  plain = new Redis(sharedRedisUrl());
  await Promise.all([corked.echo('ready'), plain.echo('ready')]);
});

afterAll(() => {
  corked?.disconnect();
  plain?.disconnect();
});

/** How many times the socket hands data to the kernel while `run` goes. */
async function socketWrites(redis: Redis, run: () => Promise<unknown>): Promise<number> {
  const socket = redis.stream as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const [write, writev] = [socket._write, socket._writev];
  let calls = 0;
  socket._write = (...a) => { calls++; write.apply(socket, a); };
  socket._writev = (...a) => { calls++; writev.apply(socket, a); };
  try {
    await run();
  } finally {
    socket._write = write;
    socket._writev = writev;
  }
  return calls;
}

const fifty = (redis: Redis) => Promise.all(Array.from({ length: 50 }, (_, i) => redis.echo(`m${i}`)));

describe('writeOncePerTurn', () => {
  it('sends the commands of one turn in one write, each with its own answer', async () => {
    let answers: string[] = [];
    expect(await socketWrites(corked, async () => (answers = await fifty(corked)))).toBe(1);
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    // The same commands without it take more writes: the measure can tell the two apart.
    expect(await socketWrites(plain, () => fifty(plain))).toBeGreaterThan(1);
  });

  it('sends commands of later turns too', async () => {
    for (let i = 0; i < 5; i++) expect(await corked.echo(`turn ${i}`)).toBe(`turn ${i}`);
    await new Promise((r) => setImmediate(r));
    expect(await corked.echo('after a pause')).toBe('after a pause');
  });
});
