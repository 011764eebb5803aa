import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@knocker/config';
import { parseKnockRequest } from '@knocker/protocol';
import { readBatch } from './batch-items.js';

const { protocol } = loadConfig({ SCHEME: 'https' });
const limits = { protocol, maxItems: 3, maxBodySize: 16 };
const fixed = (id: string) => ({ knocker: { 'Knocker-Id': id } });

describe('readBatch', () => {
  it('reads each item as the protocol reads a single request with those headers', () => {
    const headers = { 'Knocker-Host': 'a.example', 'Knocker-Retries': '4', 'X-Trace': ['1', '2'], ...fixed('same').knocker };
    const [item] = readBatch(JSON.stringify([{ method: 'PUT', url: '/p?q=1', headers, body: 'hi' }]), limits);
    const single = parseKnockRequest({ method: 'PUT', target: '/p?q=1', rawHeaders: ['Knocker-Host', 'a.example', 'Knocker-Retries', '4', 'X-Trace', '1', 'X-Trace', '2', 'Knocker-Id', 'same'] }, protocol);
    expect(item).toEqual({ knock: single, body: Buffer.from('hi'), chosenId: true });
  });

  it('takes the target from an absolute URL unless Knocker-Host says otherwise, and bytes from body_base64', () => {
    const [a, b] = readBatch(JSON.stringify([
      { url: 'http://b.example:8080/x', body_base64: Buffer.from([0, 255]).toString('base64') },
      { url: 'http://b.example/y', headers: { 'Knocker-Host': 'c.example' } },
    ]), limits);
    expect([a?.knock.url, a?.knock.method, a?.body, a?.chosenId]).toEqual(['http://b.example:8080/x', 'POST', Buffer.from([0, 255]), false]);
    expect(b?.knock.url).toBe('https://c.example/y');
  });

  it('names the item and field of the first wrong item', () => {
    const wrong = (items: unknown[]) => {
      try {
        readBatch(JSON.stringify(items), limits);
      } catch (err) {
        return Object.keys((err as { errors: object }).errors);
      }
      return [];
    };
    expect(wrong([{ url: '/a', headers: { 'Knocker-Host': 'a.example' } }, { url: '/b' }])).toEqual(['items[1].headers.knocker-host']);
    expect(wrong([{ url: 'http://a.example/', body: 'x'.repeat(17) }])).toEqual(['items[0].body']);
    expect(wrong([{ url: 'http://a.example/', headers: fixed('k').knocker }, { url: 'http://a.example/', headers: fixed('k').knocker }])).toEqual(['items[1].headers.knocker-id']);
    expect(wrong([1, 2, 3, 4])).toEqual(['body']);
  });
});
