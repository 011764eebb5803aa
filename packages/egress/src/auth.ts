import type { AuthSetting } from '@knocker/config';
import { portOf, TargetTable } from '@knocker/config';
import type { TokenSource } from './token.js';

/** The credentials Knocker adds for one hop. */
export interface Authorization {
  /** `['authorization', 'Bearer …']`: sent, never stored, logged, or given to a callback. */
  header: [name: string, value: string];
  /** The target answered 401: true when a fresh token is worth one more try (the refused one is dropped). */
  renew(): boolean;
}

/** One attempt's clock, as the worker keeps it: waiting for a token counts against the attempt's deadline. */
export interface AttemptClock {
  expired: boolean;
  step: string;
  error(): Error;
  watch(abort: (err: Error) => void): void;
}

export interface Authorizer {
  /**
   * The Authorization for a hop to `url`, or undefined: no TARGET_AUTH entry matches, or the
   * caller sent its own Authorization, which wins. Rejects with TokenUnavailableError when the
   * token endpoint fails, and with the clock's error when the attempt's time runs out first.
   */
  authorize(url: URL, headers: ReadonlyArray<readonly [string, string]>, clock?: AttemptClock): Promise<Authorization | undefined>;
}

/** What an entry gives: a static token (bearer_file) or a source of fetched ones (oauth2). */
export type Credential = { kind: 'bearer'; token: string } | { kind: 'oauth2'; source: TokenSource };

export function createAuthorizer(entries: ReadonlyArray<{ setting: AuthSetting; credential: Credential }>): Authorizer {
  const table = new TargetTable(entries.map((e) => [e.setting.target, e.credential] as const));
  return {
    async authorize(url, headers, clock) {
      if (headers.some(([name]) => name === 'authorization')) return undefined;
      const credential = table.find(url.hostname, portOf(url));
      if (credential === undefined) return undefined;
      if (credential.kind === 'bearer') return { header: ['authorization', `Bearer ${credential.token}`], renew: () => false };
      const token = await within(clock, credential.source.token());
      return {
        header: ['authorization', `Bearer ${token}`],
        renew: () => {
          credential.source.forget(token);
          return true;
        },
      };
    },
  };
}

/** Waits for `promise`, or fails when the attempt's deadline passes first. */
function within<T>(clock: AttemptClock | undefined, promise: Promise<T>): Promise<T> {
  if (clock === undefined) return promise;
  if (clock.expired) return Promise.reject(clock.error());
  clock.step = 'waiting for a token';
  return new Promise<T>((resolve, reject) => {
    clock.watch(reject);
    promise.then(resolve, reject);
  });
}
