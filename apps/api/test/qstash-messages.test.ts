import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@upstash/qstash';
import { startTarget, uniquePrefix, waitFor, type Reply, type Target } from '@knocker/test-kit';
import { arrivals, startDoor, type Door } from './qstash-door.js';

// What `messages.get` and the DLQ tell of a message through the unmodified SDK: its headers and
// body as published and the QStash settings it was given, read from the request Knocker stored.
const WAIT = { timeoutMs: 20_000 };
const MiB = 1024 * 1024;

const prefix = uniquePrefix('qstash-messages');
let target: Target;
let door: Door | undefined;
let client: Client;

beforeAll(async () => {
  target = await startTarget((req): Reply => (req.url.startsWith('/fail') ? { status: 500, body: 'down' } : { status: 200, body: 'ok' }));
  door = await startDoor(prefix, { token: 'qstash-messages-token-0123456789', current: 'sig_current_messages_0123456789', next: 'sig_next_messages_0123456789ab' }, {
    MAX_BODY_SIZE: String(4 * MiB),
  });
  client = door.client;
});

afterAll(async () => {
  await Promise.all([door?.kill(), target?.close()]);
});

const idOf = (sent: unknown) => (sent as { messageId: string }).messageId;

describe('messages.get, through the SDK', () => {
  it('tells the headers, body and settings a message was published with', async () => {
    const id = idOf(await client.publishJSON({
      url: `${target.url}/later`, body: { hello: 'world' }, delay: 600, retries: 2, headers: { 'My-Header': 'mine' }, label: ['first', 'second'],
      callback: `${target.url}/cb`, failureCallback: `${target.url}/ko`, flowControl: { key: 'msg-flow', parallelism: 2, rate: 5, period: '1m' },
    }));
    const message = await client.messages.get(id);
    expect(message).toMatchObject({
      messageId: id, url: `${target.url}/later`, method: 'POST', maxRetries: 2, body: '{"hello":"world"}',
      header: { 'My-Header': ['mine'], 'Content-Type': ['application/json'] },
      callback: `${target.url}/cb`, failureCallback: `${target.url}/ko`, label: 'first', labels: ['first', 'second'],
      flowControlKey: 'msg-flow', parallelism: 2, rate: 5, period: 60, createdAt: expect.any(Number),
    });
    expect(message.notBefore! - message.createdAt).toBeGreaterThanOrEqual(599_000);
    expect(message).not.toHaveProperty('bodyBase64');
    expect(message).not.toHaveProperty('queueName');
    await client.messages.cancel(id);

    const binary = idOf(await client.publish({ url: `${target.url}/later-bin`, body: new Uint8Array([0xff, 0xfe, 0x00, 0x41]) as unknown as string, delay: 600 }));
    const got = await client.messages.get(binary);
    expect(got).toMatchObject({ bodyBase64: Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('base64') });
    expect(got).not.toHaveProperty('body');
    await client.messages.cancel(binary);
  });

  it('names the queue, the URL group and endpoint, and the schedule a message came through', async () => {
    const queued = idOf(await client.queue({ queueName: 'msg-queue' }).enqueueJSON({ url: `${target.url}/later-q`, body: {}, delay: 600 }));
    await expect(client.messages.get(queued)).resolves.toMatchObject({ queueName: 'msg-queue' });
    await client.messages.cancel(queued);

    await client.urlGroups.addEndpoints({ name: 'msg-group', endpoints: [{ name: 'named', url: `${target.url}/later-g1` }, { url: `${target.url}/later-g2` }] });
    const copies = (await client.publishJSON({ urlGroup: 'msg-group', body: {}, delay: 600 })) as unknown as Array<{ messageId: string }>;
    const [named, unnamed] = await Promise.all(copies.map((c) => client.messages.get(c.messageId)));
    expect(named).toMatchObject({ topicName: 'msg-group', endpointName: 'named', url: `${target.url}/later-g1` });
    expect(unnamed).toMatchObject({ topicName: 'msg-group', url: `${target.url}/later-g2` });
    expect(unnamed).not.toHaveProperty('endpointName');
    await client.messages.cancel(copies.map((c) => c.messageId));

    const { scheduleId } = await client.schedules.create({ destination: `${target.url}/tick`, cron: '* * * * * *' as string, body: 'tick' });
    const [tick] = await arrivals(target).arrived('/tick');
    await client.schedules.delete(scheduleId);
    await expect(client.messages.get(String(tick!.headers['upstash-message-id']))).resolves.toMatchObject({ scheduleId, body: 'tick' });
  });
});

describe('the DLQ, through the SDK', () => {
  it('lists a failed message with its header, body and last status', async () => {
    const id = idOf(await client.publish({ url: `${target.url}/fail-one`, body: 'the body', headers: { 'X-Kept': 'yes' }, retries: 0 }));
    let listed: Awaited<ReturnType<Client['dlq']['listMessages']>>['messages'] = [];
    await waitFor(async () => (listed = (await client.dlq.listMessages({ dlqIds: [id] })).messages).length === 1, WAIT);
    expect(listed[0]).toMatchObject({ dlqId: id, body: 'the body', header: { 'X-Kept': ['yes'] }, responseStatus: 500, createdAt: expect.any(Number) });
    const byFilter = await client.dlq.listMessages({ filter: { url: `${target.url}/fail-one` } });
    expect(byFilter.messages).toEqual([expect.objectContaining({ dlqId: id, body: 'the body' })]);
  });

  it('ends a page early, with a cursor, before its bodies pass their bound', async () => {
    const url = `${target.url}/fail-big`;
    // 3 MiB each, 4 MiB as stored: two fill the 8 MiB a page may carry.
    const ids: string[] = [];
    for (const fill of ['a', 'b', 'c']) ids.push(idOf(await client.publish({ url, body: fill.repeat(3 * MiB), retries: 0 })));
    await waitFor(async () => (await client.dlq.listMessages({ filter: { url }, count: 1 })).messages.length === 1
      && (await client.dlq.listMessages({ dlqIds: ids })).messages.length === 3, WAIT);
    const first = await client.dlq.listMessages({ filter: { url }, count: 3 });
    expect(first.messages).toHaveLength(2);
    expect(first.cursor).toEqual(expect.any(String));
    const second = await client.dlq.listMessages({ filter: { url }, count: 3, cursor: first.cursor });
    expect(second.messages).toHaveLength(1);
    expect(second.cursor).toBeUndefined();
    const all = [...first.messages, ...second.messages];
    expect(all.map((m) => m.dlqId).sort()).toEqual([...ids].sort());
    expect(all.every((m) => m.body?.length === 3 * MiB)).toBe(true);
    // Named by id, all three are listed; the one past the bound without its body.
    const named = (await client.dlq.listMessages({ dlqIds: ids })).messages;
    expect(named.map((m) => m.body === undefined)).toEqual([false, false, true]);
  }, 60_000);
});
