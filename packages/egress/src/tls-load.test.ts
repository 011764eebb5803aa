import { afterAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeCertificateAuthority } from '@knocker/test-kit';
import { parseTargetTls } from '@knocker/config';
import { defaultCas, loadTargetTls } from './tls-load.js';

const dir = mkdtempSync(path.join(tmpdir(), 'egress-tls-'));
const ca = makeCertificateAuthority('Egress Unit CA', path.join(dir, 'ca'));
const client = ca.client('knocker');
const other = ca.client('other');
const expired = ca.client('old', { notBefore: '20200101000000Z', notAfter: '20200102000000Z' });
const locked = ca.client('locked', { passphrase: 'open sesame' });
const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const passphrase = file('pass', 'open sesame\n');
const wrongPassphrase = file('wrong-pass', 'hunter2\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (settings: string) => {
  const [setting] = parseTargetTls(`api.example:443 ${settings}`) as [Parameters<typeof loadTargetTls>[0]];
  return setting;
};
const load = (settings: string) => loadTargetTls(entry(settings), () => defaultCas(undefined));

describe('TARGET_TLS files', () => {
  it('builds one TLS context from a CA bundle, a client certificate and its key', async () => {
    const loaded = await load(`ca=${ca.certPath} cert=${client.certPath} key=${client.keyPath} servername=api.internal`);
    expect(loaded).toMatchObject({ options: { servername: 'api.internal' }, certExpires: expect.any(Date) });
  });

  it('opens an encrypted key with its passphrase file', async () => {
    expect(typeof (await load(`cert=${locked.certPath} key=${locked.keyPath} passphrase_file=${passphrase}`))).toBe('object');
  });

  it.each([
    ['a missing file', () => `ca=${path.join(dir, 'nope.pem')}`, /ca=.*nope\.pem cannot be read \(ENOENT\)/],
    ['a directory', () => `ca=${dir}`, /is not a regular file/],
    ['a CA file without certificates', () => `ca=${file('junk.pem', 'not a certificate')}`, /must hold PEM certificates only, and at least one/],
    ['an expired client certificate', () => `cert=${expired.certPath} key=${expired.keyPath}`, /cert=.* expired on 2020-01-02T00:00:00\.000Z/],
    ['a key that belongs to another certificate', () => `cert=${client.certPath} key=${other.keyPath}`, /key=.* does not match cert=/],
    ['an encrypted key without passphrase', () => `cert=${locked.certPath} key=${locked.keyPath}`, /is encrypted: give its passphrase with passphrase_file=/],
    ['a wrong passphrase', () => `cert=${locked.certPath} key=${locked.keyPath} passphrase_file=${wrongPassphrase}`, /cannot be opened with the passphrase/],
    ['a certificate file holding a key', () => `cert=${client.keyPath} key=${client.keyPath}`, /holds no PEM certificate/],
  ])('refuses %s, naming the setting and never a secret', async (_what, settings, message) => {
    const problem = await load(settings());
    expect(problem).toMatch(message);
    expect(problem).not.toMatch(/open sesame|hunter2|PRIVATE KEY/);
  });

  it('adds ca= to the default store instead of replacing it', async () => {
    const extra = file('extra.pem', ca.cert);
    const cas = await defaultCas(extra);
    expect(cas.length).toBeGreaterThan(100);
    expect(cas.at(-1)).toContain('BEGIN CERTIFICATE');
    expect(await defaultCas(path.join(dir, 'missing.pem'))).toHaveLength(cas.length - 1);
  });

  it('reads a file again when asked: what it holds now counts', async () => {
    const rotating = path.join(dir, 'rotating.pem');
    copyFileSync(expired.certPath, rotating);
    expect(await load(`cert=${rotating} key=${expired.keyPath}`)).toMatch(/expired/);
    copyFileSync(client.certPath, rotating);
    expect(typeof (await load(`cert=${rotating} key=${client.keyPath}`))).toBe('object');
  });
});
