import { parseIp } from './ip.js';
import { checkPath, isHostName, readEntries, splitEntries, splitSetting, type TargetPattern } from './targets.js';

/** One TARGET_TLS entry, read: file paths only; their content is read when the process starts. */
export interface TlsSetting {
  target: TargetPattern;
  /** A PEM bundle trusted for this target, besides Node's own store and NODE_EXTRA_CA_CERTS. */
  ca?: string;
  /** PEM client certificate (chain) and its key, for mutual TLS. */
  cert?: string;
  key?: string;
  /** A file holding the key's passphrase. */
  passphraseFile?: string;
  /** The name sent in SNI and checked against the server's certificate, instead of the URL's host. */
  servername?: string;
}

const FILES = { ca: 'ca', cert: 'cert', key: 'key', passphrase_file: 'passphraseFile' } as const;
const KEYS = `ca=, cert=, key=, passphrase_file= or servername=`;

/** Reads TARGET_TLS: `;`-separated entries `host:port|*.suffix ca=FILE cert=FILE key=FILE passphrase_file=FILE servername=NAME`. */
export function parseTargetTls(raw: string): TlsSetting[] | string {
  const entries = splitEntries(raw, { maxLength: 32_768, maxEntries: 64 });
  if (typeof entries === 'string') return entries;
  const read = readEntries<TlsSetting>(entries, ({ words }, target) => {
    const setting: TlsSetting = { target };
    const seen = new Set<string>();
    if (words.length === 0) return `expected ${KEYS} after the target`;
    for (const word of words) {
      const [key, value] = splitSetting(word);
      // The value of a key that is not known is not shown: it might be a secret put in the wrong place.
      if (key !== 'servername' && !(key in FILES)) return `expected ${KEYS}, got ${JSON.stringify(key.slice(0, 40))}`;
      if (seen.has(key)) return `expected ${key}= once`;
      seen.add(key);
      if (key === 'servername') {
        if (value === undefined || !isHostName(value.toLowerCase()) || parseIp(value) !== undefined) return 'servername= must be a host name';
        setting.servername = value.toLowerCase();
        continue;
      }
      const problem = checkPath(key, value);
      if (problem !== undefined) return problem;
      setting[FILES[key as keyof typeof FILES]] = value;
    }
    if ((setting.cert === undefined) !== (setting.key === undefined)) return 'cert= and key= go together';
    if (setting.passphraseFile !== undefined && setting.key === undefined) return 'passphrase_file= needs key=';
    return setting;
  });
  return typeof read === 'string' ? read : read.map(([, setting]) => setting);
}
