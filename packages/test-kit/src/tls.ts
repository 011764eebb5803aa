import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Same relative place from src/ and dist/. A self-signed certificate (its own CA) for
// localhost, 127.0.0.1 and the made-up names allowed.test and secure.test, valid until 2126:
// for https targets on loopback, trusted by an app started with NODE_EXTRA_CA_CERTS=certPath.
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

export const loopbackTls = {
  certPath: fixture('loopback-tls.crt'),
  get cert(): Buffer {
    return readFileSync(fixture('loopback-tls.crt'));
  },
  get key(): Buffer {
    return readFileSync(fixture('loopback-tls.key'));
  },
};
