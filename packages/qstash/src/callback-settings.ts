import type { ProtocolLimits } from '@knocker/protocol';
import type { QstashCallbackSettings, QstashTraits } from '@knocker/queue';
import { forwardProblem, type UpstashHeaders } from './headers.js';
import { readSeconds } from './values.js';

const KINDS = [['upstash-callback', 'callback'], ['upstash-failure-callback', 'failureCallback']] as const;
// The callback's method goes to the worker's client, which sends a body with any of them.
const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
// Knocker retries a callback as it retried its message: its job options come from the message's.
const NOT_HONOURED = new Set(['retries', 'delay', 'retry-delay']);

/**
 * `Upstash-Callback-{Method,Timeout,Forward-*}` and the failure callback's, as the callback
 * job will carry them. Each needs its callback; what the worker cannot honour (retries, delay,
 * retry delay) is refused by name rather than ignored.
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
      else if (setting.startsWith('forward-')) {
        const target = setting.slice('forward-'.length);
        const problem = target === 'content-type' ? 'cannot be forwarded: the callback\'s body is QStash\'s JSON' : forwardProblem(target);
        if (problem === undefined) (settings.headers ??= []).push([target, value]);
        else errors[name] = problem;
      } else if (NOT_HONOURED.has(setting)) errors[name] = 'is not supported here: a callback is retried like its message';
      else errors[name] = 'is not a callback setting this Knocker knows (method, timeout, forward-*)';
    }
    if (Object.keys(settings).length > 0) out[trait] = settings;
  }
  return out;
}
