import { readSecretFile } from './files.js';
import type { AuthSetting } from '@knocker/config';

/** An entry of TARGET_AUTH with its secret read: the client secret (oauth2) or the token itself (bearer_file). */
export interface LoadedAuth {
  setting: AuthSetting;
  secret: string;
}

const MAX_CLIENT_SECRET_BYTES = 4096;
const MAX_BEARER_BYTES = 16 * 1024;
// RFC 6750 §2.1's b64token: what may follow "Bearer " in a header.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Reads an entry's secret file; a message naming the setting, never the secret, when it cannot be used. */
export async function loadAuth(setting: AuthSetting): Promise<LoadedAuth | string> {
  if (setting.kind === 'bearer') {
    const token = await readSecretFile('bearer_file', setting.bearerFile, MAX_BEARER_BYTES);
    if (typeof token !== 'string') return token.problem;
    if (!B64TOKEN.test(token)) return `bearer_file=${setting.bearerFile} must hold one token of letters, digits and -._~+/ (RFC 6750)`;
    return { setting, secret: token };
  }
  const secret = await readSecretFile('client_secret_file', setting.clientSecretFile, MAX_CLIENT_SECRET_BYTES);
  return typeof secret === 'string' ? { setting, secret } : secret.problem;
}
