import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import tls from 'node:tls';
import { readSecretFile, readSmallFile } from './files.js';
import type { TlsSetting } from '@knocker/config';
import type { TargetPattern } from '@knocker/config';

/** A TARGET_TLS entry with its files read and checked. */
export interface TargetTls {
  target: TargetPattern;
  /** Node's TLS options for connections to the target: one context, built once. */
  options: { secureContext: tls.SecureContext; servername?: string };
  /** When the client certificate stops being valid, if there is one. */
  certExpires?: Date;
}

const MAX_CA_BYTES = 4 * 1024 * 1024;
const MAX_PEM_BYTES = 1024 * 1024;
const MAX_PASSPHRASE_BYTES = 4096;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** What the store holds by default: Node's bundled roots and NODE_EXTRA_CA_CERTS, which `ca=` adds to instead of replacing. */
export async function defaultCas(extraCaFile: string | undefined): Promise<string[]> {
  const roots = [...tls.rootCertificates];
  if (extraCaFile === undefined || extraCaFile === '') return roots;
  const extra = await readSmallFile('NODE_EXTRA_CA_CERTS', extraCaFile, MAX_CA_BYTES);
  // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do these entries.
  return typeof extra === 'string' ? roots : [...roots, ...(extra.toString('latin1').match(PEM_CERTIFICATE) ?? [])];
}

/**
 * Reads and checks one entry's files: the CA bundle must hold a certificate still valid, the
 * client certificate must be valid now, its key must open (with the passphrase) and match it.
 * A message naming the setting when not; never the content of a file.
 */
export async function loadTargetTls(setting: TlsSetting, defaults: () => Promise<string[]>, now = Date.now()): Promise<TargetTls | string> {
  const options: tls.SecureContextOptions = {};
  let certExpires: Date | undefined;
  if (setting.ca !== undefined) {
    const pem = await readSmallFile('ca', setting.ca, MAX_CA_BYTES);
    if (typeof pem === 'string') return pem;
    const bundle = pem.toString('latin1').match(PEM_CERTIFICATE) ?? [];
    const certs = bundle.map(parseCertificate);
    if (certs.length === 0 || certs.includes(undefined)) return `ca=${setting.ca} must hold PEM certificates only, and at least one`;
    if (certs.every((c) => Date.parse(c!.validTo) < now)) return `ca=${setting.ca}: every certificate in it has expired`;
    options.ca = [...(await defaults()), ...bundle];
  }
  if (setting.cert !== undefined && setting.key !== undefined) {
    const certPem = await readSmallFile('cert', setting.cert, MAX_PEM_BYTES);
    if (typeof certPem === 'string') return certPem;
    const leaf = parseCertificate(certPem.toString('latin1').match(PEM_CERTIFICATE)?.[0] ?? '');
    if (leaf === undefined) return `cert=${setting.cert} holds no PEM certificate`;
    if (Date.parse(leaf.validTo) < now) return `cert=${setting.cert} expired on ${new Date(leaf.validTo).toISOString()}`;
    if (Date.parse(leaf.validFrom) > now) return `cert=${setting.cert} is not valid before ${new Date(leaf.validFrom).toISOString()}`;
    const keyPem = await readSmallFile('key', setting.key, MAX_PEM_BYTES);
    if (typeof keyPem === 'string') return keyPem;
    let passphrase: string | undefined;
    if (setting.passphraseFile !== undefined) {
      const read = await readSecretFile('passphrase_file', setting.passphraseFile, MAX_PASSPHRASE_BYTES);
      if (typeof read !== 'string') return read.problem;
      passphrase = read;
    }
    const key = openKey(keyPem, passphrase);
    if (typeof key === 'string') return `key=${setting.key} ${key}`;
    if (!leaf.checkPrivateKey(key)) return `key=${setting.key} does not match cert=${setting.cert}`;
    Object.assign(options, { cert: certPem, key: keyPem, passphrase });
    certExpires = new Date(leaf.validTo);
  }
  let secureContext: tls.SecureContext;
  try {
    secureContext = tls.createSecureContext(options);
  } catch (err) {
    return `the TLS options were refused (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  return {
    target: setting.target,
    options: { secureContext, ...(setting.servername !== undefined && { servername: setting.servername }) },
    ...(certExpires !== undefined && { certExpires }),
  };
}

function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

/** The private key, or why it cannot be opened (OpenSSL's words are left out: they say nothing the operator can use). */
function openKey(pem: Buffer, passphrase: string | undefined): KeyObject | string {
  try {
    return createPrivateKey({ key: pem, format: 'pem', ...(passphrase !== undefined && { passphrase }) });
  } catch (err) {
    // OpenSSL 3 reports a missing passphrase in more ways than one; the PEM header says it plainly.
    const encrypted = (err as NodeJS.ErrnoException).code === 'ERR_MISSING_PASSPHRASE' || /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem.toString('latin1'));
    if (passphrase === undefined && encrypted) return 'is encrypted: give its passphrase with passphrase_file=';
    return passphrase === undefined ? 'holds no readable PEM private key' : 'cannot be opened with the passphrase of passphrase_file= (or is no PEM private key)';
  }
}
