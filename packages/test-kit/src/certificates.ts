import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** PEM files made with openssl for a test: a certificate and its key. */
export interface Issued {
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
}

export interface CertificateAuthority extends Issued {
  /** A server certificate (serverAuth), for 127.0.0.1 and localhost unless `san` says otherwise. */
  server(name: string, opts?: IssueOptions): Issued;
  /** A client certificate (clientAuth) whose subject CN is `name`. */
  client(name: string, opts?: IssueOptions): Issued;
}

export interface IssueOptions {
  /** subjectAltName, e.g. `IP:127.0.0.1,DNS:localhost` (servers only). */
  san?: string;
  /** Validity, as openssl's YYYYMMDDHHMMSSZ; defaults to a year from yesterday. */
  notBefore?: string;
  notAfter?: string;
  /** Encrypt the key with this passphrase. */
  passphrase?: string;
}

const CONFIG = `[ ca ]
default_ca = kt
[ kt ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[ any ]
commonName = supplied
[ server ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $ENV::KT_SAN
[ client ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
`;

const stamp = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/**
 * A certificate authority of its own in a fresh temporary directory (or `dir`): RSA 2048,
 * made by openssl in well under a second per certificate.
 */
export function makeCertificateAuthority(name = 'Knocker Test CA', dir?: string): CertificateAuthority {
  const home = dir ?? mkdtempSync(path.join(tmpdir(), 'kt-ca-'));
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, 'ca.cnf'), CONFIG);
  writeFileSync(path.join(home, 'index.txt'), '');
  writeFileSync(path.join(home, 'serial'), `${Date.now().toString(16).padStart(16, '0')}\n`);
  const openssl = (args: string[], env: Record<string, string> = {}) =>
    execFileSync('openssl', args, { cwd: home, env: { ...process.env, KT_SAN: 'IP:127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', `/CN=${name}`]);
  const files = (base: string): Issued => {
    const certPath = path.join(home, `${base}.pem`);
    const keyPath = path.join(home, `${base}.key`);
    return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
  };
  let n = 0;
  const issue = (kind: 'server' | 'client', cn: string, opts: IssueOptions = {}): Issued => {
    const base = `${kind}-${++n}`;
    const protect = opts.passphrase === undefined ? ['-nodes'] : ['-passout', `pass:${opts.passphrase}`];
    openssl(['req', '-newkey', 'rsa:2048', ...protect, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${cn}`]);
    const day = 24 * 3600_000;
    openssl([
      'ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${base}.csr`, '-out', `${base}.pem`, '-notext',
      '-extensions', kind, '-startdate', opts.notBefore ?? stamp(new Date(Date.now() - day)), '-enddate', opts.notAfter ?? stamp(new Date(Date.now() + 365 * day)),
    ], { KT_SAN: opts.san ?? 'IP:127.0.0.1,DNS:localhost' });
    return files(base);
  };
  return {
    ...files('ca'),
    server: (cn, opts) => issue('server', cn, opts),
    client: (cn, opts) => issue('client', cn, opts),
  };
}
