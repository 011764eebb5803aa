import { parseIp } from './ip.js';

/**
 * Which targets an entry of TARGET_TLS or TARGET_AUTH is for: one `host:port`, or every name
 * under a suffix (`*.corp.example`, on any port, or `*.corp.example:8443` on that one).
 */
export type TargetPattern =
  | { kind: 'host'; text: string; host: string; port: number }
  | { kind: 'suffix'; text: string; suffix: string; port: number | undefined };

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const MAX_NAME = 253;

/** A host name as compared: lower case, without a trailing dot; an IP literal in one spelling. */
export function canonicalHost(host: string): string {
  const ip = parseIp(host);
  if (ip !== undefined) return ip.length === 4 ? ip.join('.') : `[${ip.map((b) => b.toString(16).padStart(2, '0')).join('')}]`;
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** True for a DNS name Knocker may be configured with: dot-separated labels of letters, digits, `-` and `_`. */
export function isHostName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME && name.split('.').every((label) => LABEL.test(label));
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** Splits `host:port`, `[v6]:port` or a bare host; the port is undefined when absent, NaN when not one. */
function splitHostPort(text: string): { host: string; port: number | undefined } {
  const bracket = text.startsWith('[') ? text.indexOf(']') : -1;
  const colon = bracket >= 0 ? (text[bracket + 1] === ':' ? bracket + 1 : -1) : text.lastIndexOf(':');
  if (colon < 0) return { host: text, port: undefined };
  return { host: text.slice(0, colon), port: parsePort(text.slice(colon + 1)) ?? Number.NaN };
}

/** Reads a target pattern, or says what is wrong with it. */
export function parseTargetPattern(text: string): TargetPattern | string {
  const expected = `expected host:port or *.suffix at the start of an entry, got ${JSON.stringify(text.slice(0, 300))}`;
  const { host, port } = splitHostPort(text.toLowerCase());
  if (Number.isNaN(port)) return `${expected}: the port must be a whole number from 1 to 65535`;
  if (host.startsWith('*.')) {
    const suffix = host.slice(2);
    return isHostName(suffix) && parseIp(suffix) === undefined ? { kind: 'suffix', text, suffix, port } : expected;
  }
  if (port === undefined) return `${expected}: a host needs its port`;
  if (parseIp(host) === undefined && !isHostName(host)) return expected;
  return { kind: 'host', text, host: canonicalHost(host), port };
}

/** Finds the entry for a target: its `host:port` entry first, else the longest matching suffix, one with a port before one without. */
export class TargetTable<T> {
  private readonly exact = new Map<string, T>();
  private readonly suffixes: Array<{ pattern: Extract<TargetPattern, { kind: 'suffix' }>; value: T }> = [];

  /** Throws on a pattern given twice; parsers check that first. */
  constructor(entries: ReadonlyArray<readonly [TargetPattern, T]>) {
    for (const [pattern, value] of entries) {
      if (pattern.kind === 'host') this.exact.set(`${pattern.host}:${pattern.port}`, value);
      else this.suffixes.push({ pattern, value });
    }
    this.suffixes.sort((a, b) => b.pattern.suffix.length - a.pattern.suffix.length || Number(b.pattern.port !== undefined) - Number(a.pattern.port !== undefined));
  }

  get size(): number {
    return this.exact.size + this.suffixes.length;
  }

  /** `host` as in a URL (`[v6]` in brackets), `port` the URL's or its scheme's default. */
  find(host: string, port: number): T | undefined {
    const name = canonicalHost(host);
    const exact = this.exact.get(`${name}:${port}`);
    // Suffixes are for names: 10.0.0.1 is not under *.0.1.
    if (exact !== undefined || this.suffixes.length === 0 || parseIp(name) !== undefined) return exact;
    for (const { pattern, value } of this.suffixes) {
      if ((pattern.port === undefined || pattern.port === port) && name.endsWith(`.${pattern.suffix}`)) return value;
    }
    return undefined;
  }
}

/** The port a URL reaches: its own, or its scheme's default. */
export function portOf(url: URL): number {
  return url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
}

/** One `;`-separated entry: the target pattern text, then its `key=value` settings (a bare word is a key without value). */
export interface RawEntry {
  target: string;
  words: string[];
}

/** Splits a TARGET_TLS or TARGET_AUTH value into entries, within bounds; a message when out of them. */
export function splitEntries(raw: string, bounds: { maxLength: number; maxEntries: number }): RawEntry[] | string {
  if (raw.length > bounds.maxLength) return `expected at most ${bounds.maxLength} characters, got ${raw.length}`;
  const entries = raw.split(';').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length > bounds.maxEntries) return `expected at most ${bounds.maxEntries} entries, got ${entries.length}`;
  return entries.map((entry) => {
    const [target = '', ...words] = entry.split(/\s+/);
    return { target, words };
  });
}

/** `key=value` into its two halves; a word without `=` is a key with value undefined. */
export function splitSetting(word: string): [string, string | undefined] {
  const eq = word.indexOf('=');
  return eq < 0 ? [word, undefined] : [word.slice(0, eq), word.slice(eq + 1)];
}

/** Reads each entry's pattern, refusing one given twice; a message naming the entry when one is wrong. */
export function readEntries<T>(entries: readonly RawEntry[], read: (entry: RawEntry, pattern: TargetPattern) => T | string): Array<[TargetPattern, T]> | string {
  const seen = new Set<string>();
  const out: Array<[TargetPattern, T]> = [];
  for (const entry of entries) {
    const pattern = parseTargetPattern(entry.target);
    if (typeof pattern === 'string') return pattern;
    const key = pattern.kind === 'host' ? `${pattern.host}:${pattern.port}` : `*.${pattern.suffix}:${pattern.port ?? '*'}`;
    if (seen.has(key)) return `expected each target once, got ${pattern.text} twice`;
    seen.add(key);
    const value = read(entry, pattern);
    if (typeof value === 'string') return `${pattern.text}: ${value}`;
    out.push([pattern, value]);
  }
  return out;
}

/** A file path from a setting: absolute or relative, printable, bounded; a message when not. */
export function checkPath(key: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return `${key}= needs a file path`;
  if (value.length > 1024) return `${key}= must be at most 1024 characters`;
  if (/[\u0000-\u001f\u007f]/.test(value)) return `${key}= must not hold control characters`;
  return undefined;
}
