import { carriedOf } from './answers.js';
import { nameOf } from './url-groups.js';

const stored = (over: Record<string, unknown> = {}) => ({
  headers: [['content-type', 'text/plain'], ['x-trace-id', 'a'], ['x-trace-id', 'b'], ['x-knocker', '1.0']] as Array<[string, string]>,
  body: Buffer.from('héllo').toString('base64'), acceptedAt: 1, ...over,
});

describe('carriedOf', () => {
  it('answers headers QStash\'s way, Knocker\'s mark left out, and a UTF-8 body as text', () => {
    expect(carriedOf('msg_1', 'https://a.example/', stored())).toEqual({
      header: { 'Content-Type': ['text/plain'], 'X-Trace-Id': ['a', 'b'] }, body: 'héllo',
    });
  });

  it('answers a body that is not UTF-8 in base64, and none when empty', () => {
    const binary = Buffer.from([0xc3, 0x28]).toString('base64');
    expect(carriedOf('msg_1', 'https://a.example/', stored({ body: binary }))).toMatchObject({ bodyBase64: binary });
    expect(carriedOf('msg_1', 'https://a.example/', stored({ body: '' }))).not.toHaveProperty('body');
  });

  it('names the queue, schedule, group and endpoint, flow limits and labels the job kept', () => {
    const url = 'https://a.example/x';
    const kept = stored({ orderKey: 'qstash-queue:q1', schedule: 's1', group: 'g1', qstash: { labels: ['l1', 'l2'], flow: { parallelism: 2, period: 60 } } });
    expect(carriedOf('msg_1~~ep', url, kept)).toMatchObject({
      queueName: 'q1', scheduleId: 's1', topicName: 'g1', endpointName: 'ep', parallelism: 2, period: 60, label: 'l1', labels: ['l1', 'l2'],
    });
    // An endpoint named after its URL had no name in the publish.
    expect(carriedOf(`msg_1~~${nameOf(url)}`, url, kept)).not.toHaveProperty('endpointName');
    // A native order key is no queue.
    expect(carriedOf('msg_1', url, stored({ orderKey: 'mine' }))).not.toHaveProperty('queueName');
  });
});
