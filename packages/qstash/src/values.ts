import { randomUUID } from 'node:crypto';
import { parseCron, parseDuration, type CronSpec, type ProtocolLimits } from '@knocker/protocol';
import type { UpstashHeaders } from './headers.js';

// The values of a publish's headers, each read with its bounds; a problem is written to
// `errors` under the header's name and the fallback returned.

// Knocker keeps a schedule's id in each tick's id (`<id>@<ms>`), hence the bound.
const SCHEDULE_ID = /^[A-Za-z0-9_.-]{1,100}$/;

export function readSchedule(h: UpstashHeaders, now: number, errors: Record<string, string>): { id: string; cron: CronSpec } | undefined {
  const raw = h.control.get('upstash-cron');
  const cron = raw === undefined ? 'is required: the schedule\'s cron expression' : parseCron(raw, new Date(now));
  if (typeof cron === 'string') errors['upstash-cron'] = cron;
  if (h.control.has('upstash-delay') || h.control.has('upstash-not-before')) errors['upstash-delay'] = 'is not supported on schedules here: each tick is sent when due';
  const id = h.control.get('upstash-schedule-id') ?? `scd_${randomUUID().replaceAll('-', '')}`;
  if (!SCHEDULE_ID.test(id)) errors['upstash-schedule-id'] = 'must be 1 to 100 letters, digits, _ . or -';
  return typeof cron === 'string' ? undefined : { id, cron };
}

export function readUrl(name: string, value: string, limits: ProtocolLimits, errors: Record<string, string>, destination = false): string {
  const url = value.length <= 2048 && !/\s/.test(value) ? URL.parse(value) : null;
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    errors[name] = destination
      ? 'must be an absolute http:// or https:// URL of at most 2048 characters or the name of a URL group'
      : 'must be an absolute http:// or https:// URL of at most 2048 characters';
    return '';
  }
  if (destination && limits.hostsOnly.length > 0 && !limits.hostsOnly.includes(url.hostname) && !limits.hostsOnly.includes(url.host)) {
    errors[name] = `is not allowed: this Knocker delivers only to ${limits.hostsOnly.join(', ')} (HOSTS_ONLY)`;
  }
  const refused = limits.refuseAddress?.(url.hostname);
  if (refused !== undefined) errors[name] = `is not allowed: ${refused}`;
  return value;
}

export function readInteger(h: UpstashHeaders, name: string, fallback: number, max: number, errors: Record<string, string>): number {
  const raw = h.control.get(name);
  if (raw === undefined) return fallback;
  if (/^\d{1,6}$/.test(raw) && Number(raw) <= max) return Number(raw);
  errors[name] = `must be a whole number from 0 to ${max}, got ${JSON.stringify(raw.slice(0, 64))}`;
  return fallback;
}

export function readSeconds(h: UpstashHeaders, name: string, fallback: number, max: number, errors: Record<string, string>): number {
  const raw = h.control.get(name);
  if (raw === undefined) return fallback;
  const seconds = parseDuration(raw);
  if (seconds !== undefined && seconds > 0 && seconds <= max) return seconds;
  errors[name] = `must be a duration above 0 and at most ${max} seconds (30s, 5m, 1h), got ${JSON.stringify(raw.slice(0, 64))}`;
  return fallback;
}

/** `Upstash-Not-Before` (unix seconds) wins over `Upstash-Delay`, as in QStash. */
export function readNotBefore(h: UpstashHeaders, now: number, maxSeconds: number, errors: Record<string, string>): number | undefined {
  const at = h.control.get('upstash-not-before');
  if (at !== undefined) {
    if (!/^\d{1,12}$/.test(at)) errors['upstash-not-before'] = `must be a unix time in seconds, got ${JSON.stringify(at.slice(0, 64))}`;
    else if (Number(at) * 1000 > now + maxSeconds * 1000) errors['upstash-not-before'] = `must be at most ${maxSeconds} seconds from now (DELAY_MAX)`;
    else return Math.max(now, Number(at) * 1000);
    return undefined;
  }
  const seconds = readDelaySeconds(h, 'upstash-delay', maxSeconds, errors);
  return seconds === undefined || seconds === 0 ? undefined : now + Math.round(seconds * 1000);
}

/** A delay header (`10s`, `5m`, `1d10h30m`) in seconds, at most `maxSeconds`; undefined when absent or bad. */
export function readDelaySeconds(h: UpstashHeaders, name: string, maxSeconds: number, errors: Record<string, string>): number | undefined {
  const delay = h.control.get(name);
  if (delay === undefined) return undefined;
  const seconds = parseDuration(delay);
  if (seconds === undefined || seconds > maxSeconds) {
    errors[name] = `must be a duration of at most ${maxSeconds} seconds (DELAY_MAX), such as 10s, 5m, 1d10h30m, got ${JSON.stringify(delay.slice(0, 64))}`;
    return undefined;
  }
  return seconds;
}
