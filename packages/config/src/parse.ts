// Strict scalar parsers for environment strings. Each returns a zod schema so
// error messages can name the variable and the value that was refused.
import { z } from 'zod';
import { parseDuration } from './duration.js';

const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

export function seconds(opts: { min?: number; above?: number; max?: number }) {
  return z.string().trim().transform((raw, ctx) => {
    const value = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
    const tooLow = opts.above !== undefined ? value <= opts.above : opts.min !== undefined && value < opts.min;
    if (!Number.isFinite(value) || tooLow || (opts.max !== undefined && value > opts.max)) {
      ctx.addIssue({ code: 'custom', message: `expected ${describeRange('a number', opts)}, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return value;
  });
}

/** Seconds, plain (`90`) or in units (`30m`, `7d`), the way the `Knocker-Delay` header is written. */
export function duration(opts: { above: number; max: number }) {
  return z.string().trim().transform((raw, ctx) => {
    const value = parseDuration(raw);
    if (value === undefined || value <= opts.above || value > opts.max) {
      ctx.addIssue({ code: 'custom', message: `expected seconds or a duration such as 12h or 7d, above ${opts.above} and at most ${opts.max} seconds, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return value;
  });
}

export function integer(opts: { min?: number; max?: number }) {
  return z.string().trim().transform((raw, ctx) => {
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || (opts.min !== undefined && value < opts.min) || (opts.max !== undefined && value > opts.max)) {
      ctx.addIssue({ code: 'custom', message: `expected ${describeRange('a whole number', opts)}, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return value;
  });
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off', ''];

export function boolean() {
  return z.string().trim().transform((raw, ctx) => {
    const v = raw.toLowerCase();
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    ctx.addIssue({ code: 'custom', message: `expected true or false, got ${JSON.stringify(raw)}` });
    return z.NEVER;
  });
}

/** true, false or auto; empty is auto, the default, so that clearing the variable never opens anything. */
export function booleanOrAuto() {
  return z.string().trim().transform((raw, ctx): boolean | 'auto' => {
    const v = raw.toLowerCase();
    if (v === 'auto' || v === '') return 'auto';
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    ctx.addIssue({ code: 'custom', message: `expected true, false or auto, got ${JSON.stringify(raw)}` });
    return z.NEVER;
  });
}

export function oneOf<T extends string>(values: readonly T[]) {
  return z.string().trim().transform((raw, ctx) => {
    const v = raw.toLowerCase() as T;
    if (values.includes(v)) return v;
    ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}` });
    return z.NEVER;
  });
}

/** Knocker accepts a JSON list; a comma-separated list is easier to write in compose files. */
export function hostList() {
  return z.string().trim().transform((raw, ctx) => {
    let items: unknown = raw === '' ? [] : raw.split(',');
    if (raw.startsWith('[')) {
      try {
        items = JSON.parse(raw);
      } catch {
        items = null;
      }
    }
    if (!Array.isArray(items) || !items.every((h) => typeof h === 'string')) {
      ctx.addIssue({ code: 'custom', message: `expected a JSON list of host names or a comma-separated list, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return items.map((h: string) => h.trim().toLowerCase()).filter((h) => h !== '');
  });
}

export function urlPath() {
  return z.string().trim().refine((v) => /^\/[^\s?#]*$/.test(v), { message: 'expected a path starting with /' });
}

function describeRange(what: string, opts: { min?: number; above?: number; max?: number }): string {
  const low = opts.above !== undefined ? ` above ${opts.above}` : opts.min !== undefined ? ` from ${opts.min}` : '';
  const high = opts.max !== undefined ? `${opts.above !== undefined ? ' and' : ''} ${opts.above !== undefined ? 'at most' : 'to'} ${opts.max}` : '';
  return `${what}${low}${high}`;
}

/** A comma-separated list whose entries must each pass `valid`; the first bad entry is named. */
export function list(what: string, valid: (entry: string) => boolean) {
  return z.string().trim().transform((raw, ctx) => {
    const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
    const bad = entries.find((e) => !valid(e));
    if (bad === undefined) return entries;
    ctx.addIssue({ code: 'custom', message: `expected comma-separated ${what}, got ${JSON.stringify(bad)}` });
    return z.NEVER;
  });
}

/**
 * Comma-separated secrets. The message never repeats a value: start-up errors end up in logs.
 * A minimum length keeps guessable keys out.
 */
export function secretList(minLength: number) {
  return z.string().trim().transform((raw, ctx) => {
    const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
    const bad = entries.findIndex((e) => e.length < minLength || !/^[\x21-\x7e]+$/.test(e));
    if (bad === -1) return entries;
    ctx.addIssue({ code: 'custom', message: `expected comma-separated keys of at least ${minLength} visible ASCII characters; key #${bad + 1} is not (value not shown)` });
    return z.NEVER;
  });
}

export interface ClusterSeeds {
  nodes: Array<{ host: string; port: number }>;
  username: string;
  password: string;
  tls: boolean;
}

/**
 * Seed nodes of a Redis Cluster, or the sentinels of a Sentinel set (`what` names them in
 * messages): `host:port` entries, or redis:// / rediss:// URLs whose credentials and TLS
 * apply to every Redis they lead to (as REDIS_URL's do). URLs that disagree are refused: one
 * cluster has one password. Credentials are never repeated in a message.
 */
export function seedList(what = 'seed nodes') {
  return z.string().trim().transform((raw, ctx): ClusterSeeds | undefined => {
    const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
    if (entries.length === 0) return undefined;
    const seeds: ClusterSeeds = { nodes: [], username: '', password: '', tls: false };
    const access = new Set<string>();
    for (const [i, entry] of entries.entries()) {
      const url = URL.parse(/^[a-z]+:\/\//i.test(entry) ? entry : `redis://${entry}`);
      const port = Number(url?.port);
      if (!url || !/^rediss?:$/.test(url.protocol) || url.hostname === '' || !Number.isInteger(port) || port < 1 || port > 65535 || !/^\/?$/.test(url.pathname) || url.search !== '') {
        ctx.addIssue({ code: 'custom', message: `expected comma-separated host:port ${what} (or redis:// URLs with a port); entry #${i + 1} is not (value not shown)` });
        return z.NEVER;
      }
      seeds.nodes.push({ host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port });
      if (url.username !== '' || url.password !== '' || url.protocol === 'rediss:') {
        access.add(`${url.protocol} ${url.username} ${url.password}`);
        seeds.tls = url.protocol === 'rediss:';
        seeds.username = decodeURIComponent(url.username);
        seeds.password = decodeURIComponent(url.password);
      }
    }
    if (access.size > 1) {
      ctx.addIssue({ code: 'custom', message: `expected ${what} URLs that agree on scheme and credentials (give them once, or identically on every entry)` });
      return z.NEVER;
    }
    return seeds;
  });
}

// Standard Webhooks: a signing secret is 24 to 64 random bytes, written whsec_<base64>.
const SIGNING_SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/**
 * Comma-separated `whsec_<base64>` secrets, decoded to their keys once here. The message
 * never repeats a value.
 */
export function signingSecrets(minBytes: number, maxBytes: number) {
  return z.string().trim().transform((raw, ctx) => {
    const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
    const keys: Buffer[] = [];
    for (const [i, entry] of entries.entries()) {
      const encoded = SIGNING_SECRET.exec(entry)?.[1];
      const key = encoded === undefined ? undefined : Buffer.from(encoded, 'base64');
      // Node skips characters it cannot decode; a secret that does not encode back was mistyped.
      const exact = key !== undefined && key.toString('base64').replace(/=+$/, '') === encoded?.replace(/=+$/, '');
      if (!key || !exact || key.length < minBytes || key.length > maxBytes) {
        ctx.addIssue({ code: 'custom', message: `expected comma-separated whsec_<base64> secrets of ${minBytes} to ${maxBytes} bytes; secret #${i + 1} is not (value not shown)` });
        return z.NEVER;
      }
      keys.push(key);
    }
    return keys;
  });
}
