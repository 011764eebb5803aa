import { checkPath, readEntries, splitEntries, splitSetting, type TargetPattern } from './targets.js';

/** OAuth 2.0 client credentials (RFC 6749 §4.4) for a target: paths and names only, the secret is read at start. */
export interface OAuth2Setting {
  kind: 'oauth2';
  target: TargetPattern;
  tokenUrl: string;
  clientId: string;
  clientSecretFile: string;
  /** Sent space-separated; configured comma-separated. */
  scope?: string;
  /** `audience=`, as Auth0 and others name it. */
  audience?: string;
  /** `resource=`, RFC 8707's resource indicator. */
  resource?: string;
  /** client_secret_basic (the default, which every server must support) or client_secret_post. */
  auth: 'basic' | 'post';
}

/** A static token read from a file. */
export interface BearerSetting {
  kind: 'bearer';
  target: TargetPattern;
  bearerFile: string;
}

export type AuthSetting = OAuth2Setting | BearerSetting;

const OAUTH2_KEYS = ['token_url', 'client_id', 'client_secret_file', 'scope', 'audience', 'resource', 'auth'];
// RFC 6749 appendix A: a scope token is %x21 / %x23-5B / %x5D-7E; the comma separates them here.
const SCOPE_TOKEN = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+$/;
const VISIBLE = /^[\x21-\x7e]+$/;

/**
 * Reads TARGET_AUTH: `;`-separated entries `host:port|*.suffix oauth2 token_url=URL client_id=ID
 * client_secret_file=FILE [scope=A,B] [audience=X] [resource=URI] [auth=basic|post]` or
 * `host:port|*.suffix bearer_file=FILE`.
 */
export function parseTargetAuth(raw: string): AuthSetting[] | string {
  const entries = splitEntries(raw, { maxLength: 32_768, maxEntries: 64 });
  if (typeof entries === 'string') return entries;
  const read = readEntries<AuthSetting>(entries, ({ words }, target) => {
    const [first = '', ...rest] = words;
    if (first.startsWith('bearer_file=')) {
      if (rest.length > 0) return 'expected nothing after bearer_file=';
      const path = splitSetting(first)[1];
      const problem = checkPath('bearer_file', path);
      return problem ?? { kind: 'bearer', target, bearerFile: path as string };
    }
    if (first !== 'oauth2') return 'expected oauth2 or bearer_file=FILE after the target';
    return readOAuth2(target, rest);
  });
  return typeof read === 'string' ? read : read.map(([, setting]) => setting);
}

function readOAuth2(target: TargetPattern, words: readonly string[]): OAuth2Setting | string {
  const values = new Map<string, string>();
  for (const word of words) {
    const [key, value] = splitSetting(word);
    // Never shown: an unknown key's value might be a secret put in the wrong place.
    if (!OAUTH2_KEYS.includes(key)) return `expected ${OAUTH2_KEYS.map((k) => `${k}=`).join(', ')}; got ${JSON.stringify(key.slice(0, 40))}`;
    if (values.has(key)) return `expected ${key}= once`;
    if (value === undefined || value === '') return `${key}= needs a value`;
    values.set(key, value);
  }
  const tokenUrl = checkTokenUrl(values.get('token_url'));
  if (tokenUrl !== undefined) return tokenUrl;
  const clientId = values.get('client_id');
  if (clientId === undefined) return 'oauth2 needs client_id=';
  if (clientId.length > 256 || !VISIBLE.test(clientId)) return 'client_id= must be at most 256 visible ASCII characters';
  const secret = checkPath('client_secret_file', values.get('client_secret_file'));
  if (secret !== undefined) return secret;
  const scope = values.get('scope');
  if (scope !== undefined && (scope.length > 1024 || !scope.split(',').every((s) => SCOPE_TOKEN.test(s)))) {
    return 'scope= must be comma-separated scope tokens (visible ASCII but " and \\), at most 1024 characters';
  }
  for (const key of ['audience', 'resource']) {
    const value = values.get(key);
    if (value !== undefined && (value.length > 1024 || !VISIBLE.test(value))) return `${key}= must be at most 1024 visible ASCII characters`;
  }
  const auth = values.get('auth') ?? 'basic';
  if (auth !== 'basic' && auth !== 'post') return 'auth= must be basic or post';
  return {
    kind: 'oauth2', target, tokenUrl: values.get('token_url') as string, clientId,
    clientSecretFile: values.get('client_secret_file') as string, auth,
    ...(scope !== undefined && { scope: scope.split(',').join(' ') }),
    ...(values.has('audience') && { audience: values.get('audience') }),
    ...(values.has('resource') && { resource: values.get('resource') }),
  };
}

/** A message when token_url= is not a plain http(s) URL; credentials in it are refused, not shown. */
function checkTokenUrl(value: string | undefined): string | undefined {
  if (value === undefined) return 'oauth2 needs token_url=';
  if (value.length > 2048) return 'token_url= must be at most 2048 characters';
  const url = URL.parse(value);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return 'token_url= must be an http or https URL';
  if (url.username !== '' || url.password !== '') return 'token_url= must not carry credentials: the secret goes in client_secret_file=';
  if (url.hash !== '') return 'token_url= must not have a fragment';
  return undefined;
}
