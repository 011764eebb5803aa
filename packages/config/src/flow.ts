/** The limits of one flow key; 0 turns a limit off. */
export interface KeyLimits {
  /** Attempts in flight at once, across every worker. */
  concurrency: number;
  /** Attempts started per second, across every worker. */
  rate: number;
}

export interface BreakerSettings {
  /** Consecutive failed attempts that open the breaker; 0 turns it off. */
  failures: number;
  cooldownMs: number;
  /** The cooldown doubles on each trip in a row, up to this. */
  cooldownMaxMs: number;
}

/** Flow control as configured: defaults for every key, overrides for some. */
export interface FlowSettings {
  defaults: KeyLimits;
  overrides: ReadonlyMap<string, KeyLimits>;
  breaker: BreakerSettings;
}

// Becomes part of Redis key names and of an admin route's path: no spaces, braces or commas.
const FLOW_KEY = /^[A-Za-z0-9[][A-Za-z0-9._~:@/+=[\]-]{0,127}$/;

/**
 * Checks a flow-control key, given in `Knocker-Flow-Key`, in a route or in HOST_LIMITS; returns
 * what is wrong with it, if anything. Defined here, below the protocol, as HOST_LIMITS needs it.
 */
export function checkFlowKey(key: string): string | undefined {
  return FLOW_KEY.test(key) ? undefined : 'must be 1 to 128 characters (letters, digits and . _ ~ : @ / + = - [ ]), starting with a letter, digit or [';
}

const NUMBER = /^(\d+(\.\d*)?|\.\d+)$/;

/**
 * Reads HOST_LIMITS: entries separated by `;`, each a key followed by `concurrency=N` and/or
 * `rate=R`, e.g. `api.example.com:443 concurrency=2 rate=10; tenant-7 rate=0.5`. A limit an
 * entry leaves out is the default's (HOST_CONCURRENCY, HOST_RATE); 0 turns it off for that key.
 * Returns the overrides, or what is wrong with the first bad entry.
 */
export function parseHostLimits(raw: string, defaults: KeyLimits): Map<string, KeyLimits> | string {
  const out = new Map<string, KeyLimits>();
  for (const entry of raw.split(';').map((e) => e.trim()).filter((e) => e !== '')) {
    const [key = '', ...settings] = entry.split(/\s+/);
    const bad = checkFlowKey(key);
    if (bad !== undefined) return `expected a flow key at the start of ${JSON.stringify(entry)}: it ${bad}`;
    if (out.has(key)) return `expected each key once, got ${key} twice`;
    if (settings.length === 0) return `expected concurrency=N and/or rate=R after the key in ${JSON.stringify(entry)}`;
    const limits = { ...defaults };
    for (const setting of settings) {
      const [name, value = '', extra] = setting.split('=');
      const n = NUMBER.test(value) && extra === undefined ? Number(value) : Number.NaN;
      if (name === 'concurrency' && Number.isSafeInteger(n) && n <= 100_000) limits.concurrency = n;
      else if (name === 'rate' && Number.isFinite(n) && n <= 100_000) limits.rate = n;
      else return `expected concurrency=<whole number> or rate=<attempts per second> in ${JSON.stringify(entry)}, got ${JSON.stringify(setting)}`;
    }
    out.set(key, limits);
  }
  return out;
}
