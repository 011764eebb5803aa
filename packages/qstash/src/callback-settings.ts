import { DEFAULT_DELAY_MAX_SECONDS, type ProtocolLimits } from '@knocker/protocol';
import type { QstashCallbackSettings, QstashTraits } from '@knocker/queue';
import { forwardProblem, type UpstashHeaders } from './headers.js';
import { readRetryDelay } from './retry-delay.js';
import { readDelaySeconds, readInteger, readSeconds } from './values.js';

const KINDS = [['upstash-callback', 'callback'], ['upstash-failure-callback', 'failureCallback']] as const;
// The callback's method goes to the worker's client, which sends a body with any of them.
const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);

/**
 * `Upstash-Callback-{Method,Timeout,Retries,Delay,Retry-Delay,Forward-*}` and the failure
 * callback's, as the callback job will carry them, within RETRIES_MAX, TIMEOUT_MAX and
 * DELAY_MAX. Each needs its callback; an unknown setting is refused by name, never ignored.
 */
export function readCallbackSettings(h: UpstashHeaders, limits: ProtocolLimits, errors: Record<string, string>): Pick<QstashTraits, 'callback' | 'failureCallback'> {
  const out: Pick<QstashTraits, 'callback' | 'failureCallback'> = {};
  for (const [header, trait] of KINDS) {
    const prefix = `${header}-`;
    const settings: QstashCallbackSettings = {};
    for (const [name, value] of h.control) {
      if (!name.startsWith(prefix)) continue;
      const setting = name.slice(prefix.length);
      if (!h.control.has(header)) errors[name] = `needs ${header} (the callback it configures)`;
      else if (setting === 'method') {
        if (METHODS.has(value.toUpperCase())) settings.method = value.toUpperCase();
        else errors[name] = `must be one of ${[...METHODS].join(', ')}`;
      } else if (setting === 'timeout') settings.timeout = readSeconds(h, name, limits.timeout, limits.timeoutMax, errors);
      else if (setting === 'retries') settings.retries = readInteger(h, name, 0, limits.retriesMax, errors);
      else if (setting === 'retry-delay') settings.retryDelay = readRetryDelay(h, name, errors);
      else if (setting === 'delay') settings.delay = readDelaySeconds(h, name, limits.delayMax ?? DEFAULT_DELAY_MAX_SECONDS, errors);
      else if (setting.startsWith('forward-')) {
        const target = setting.slice('forward-'.length);
        const problem = target === 'content-type' ? 'cannot be forwarded: the callback\'s body is QStash\'s JSON' : forwardProblem(target);
        if (problem === undefined) (settings.headers ??= []).push([target, value]);
        else errors[name] = problem;
      } else errors[name] = 'is not a callback setting this Knocker knows (method, timeout, retries, delay, retry-delay, forward-*)';
    }
    if (Object.keys(settings).length > 0) out[trait] = settings;
  }
  return out;
}
