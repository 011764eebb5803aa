import { RESERVED_ID_FORMS } from '@knocker/protocol';
import type { JsonObject, OpenApiOptions } from './options.js';

// The form of a Knocker-Cron the parser may accept; which values it does is its own to say.
const CRON_FIELD = '[0-9A-Za-z*?,/#-]+';
const CRON_PATTERN = `^(CRON_TZ=\\S+\\s+)?${CRON_FIELD}(\\s+${CRON_FIELD}){4,5}$`;

/**
 * The `Knocker-*` request headers, as OpenAPI header parameters. Ranges come from the running
 * limits, so a served document says what this Knocker accepts.
 */
export function knockerHeaders(o: OpenApiOptions): Record<string, JsonObject> {
  return {
    'Knocker-Host': {
      description: 'Required unless Knocker-Group is given. Host to deliver to, with an optional `:port` (kept). A leading `http://` or `https://` is stripped. A host name or IP literal (`[::1]` for IPv6); no user info, path or spaces; in HOSTS_ONLY when that is set; an IP literal must pass the address policy.',
      schema: { type: 'string', minLength: 1, maxLength: 270, example: 'target-server.com' },
    },
    'Knocker-Scheme': {
      description: 'Scheme of the delivery (case-insensitive).',
      schema: { type: 'string', enum: ['http', 'https'], default: o.scheme },
    },
    'Knocker-Timeout': {
      description: 'Seconds for one attempt (TIMEOUT_MAX caps it).',
      schema: { type: 'number', exclusiveMinimum: 0, maximum: o.timeoutMax, default: o.timeout },
    },
    'Knocker-Retries': {
      description: 'Retries after the first attempt: N means N + 1 attempts (RETRIES_MAX caps it).',
      schema: { type: 'integer', minimum: 0, maximum: o.retriesMax, default: o.retries },
    },
    'Knocker-Backoff-Factor': {
      description: 'Seconds; after failed attempt n the next waits min(RETRIES_BACKOFF_FACTOR_MAX, factor × 2^(n−1) + jitter in [0, 1)).',
      schema: { type: 'number', minimum: 0, maximum: o.backoffFactorMax, default: o.backoffFactor },
    },
    'Knocker-Callback': {
      description: 'URL called with POST when every attempt failed (the `failureCallback` webhook).',
      schema: { type: 'string', format: 'uri', pattern: '^[hH][tT][tT][pP][sS]?://\\S+$', maxLength: 2048 },
    },
    'Knocker-Success-Callback': {
      description: "URL called with POST and the target's answer (status, headers, body) once the request is delivered; kept in config as `success_callback`.",
      schema: { type: 'string', format: 'uri', pattern: '^[hH][tT][tT][pP][sS]?://\\S+$', maxLength: 2048 },
    },
    'Knocker-Id': {
      description: `Your id for the request. A request whose id is still stored is not stored again: the answer is \`Duplicate\`, with that request's state. Not of a form Knocker gives its own messages: ${RESERVED_ID_FORMS.map((f) => `\`${f.form.replace(/ \(.*/, '')}\``).join(', ')}. Default: a random 32-character hex id.`,
      schema: { allOf: [{ $ref: '#/components/schemas/RequestId' }, { not: { anyOf: RESERVED_ID_FORMS.map((f) => ({ pattern: schemaPattern(f.pattern) })) } }] },
    },
    'Knocker-Delay': {
      description: `Wait this long before the first attempt: plain seconds (\`90\`, \`1.5\`: digits with at most one dot, no sign or exponent) or a duration in the units d, h, m, s (either case), each at most once and largest first, whole numbers but for seconds (\`30s\`, \`5m\`, \`1h30m\`, \`2d\`, \`1.5s\`). From 0 to ${o.delayMax} seconds (DELAY_MAX). The answer then has \`not_before\`. Not with Knocker-Cron.`,
      schema: { type: 'string', pattern: '^(?=.)(\\d+(\\.\\d*)?|\\.\\d+|(\\d+[dD])?(\\d+[hH])?(\\d+[mM])?(\\d+(\\.\\d+)?[sS])?)$', example: '1h30m' },
    },
    'Knocker-Not-Before': {
      description: `Unix time, in seconds, of the first attempt: digits with at most one dot (\`1893456000\`, \`1893456000.5\`), no sign or exponent. At most ${o.delayMax} seconds (DELAY_MAX) from now; a time in the past means now. Wins over Knocker-Delay; not with Knocker-Cron.`,
      schema: { type: 'string', pattern: '^(\\d+(\\.\\d*)?|\\.\\d+)$', example: '1893456000' },
    },
    'Knocker-Cron': {
      description: [
        'Store a schedule instead of sending once: at every tick Knocker sends this request, with the id `<Knocker-Id>@<tick time in ms>`; the answer is `ScheduleAccepted`.',
        '5 fields (minute hour day-of-month month day-of-week) or 6 (second first), separated by spaces, optionally after `CRON_TZ=<IANA zone>` and a space (the zone in any case; UTC without it).',
        'Values: second and minute 0-59, hour 0-23, day of month 1-31 or `L` (the last), month 1-12 or `JAN`-`DEC`, day of week 0-7 (0 and 7 are Sunday) or `SUN`-`SAT`, `5L` (the last Friday) or `1#2` (the second Monday).',
        'Each field takes `*` or `?`, a value, a range `a-b`, a step `*/n` or `a-b/n`, and lists of these `a,b`. Macros such as `@daily` are refused, and so is an expression that can never fire (`0 0 30 2 *`). `H` is read but picks a random value on every read: avoid it.',
        'Not with Knocker-Delay or Knocker-Not-Before. With a Knocker-Id of its own, at most 114 characters; a request with the Knocker-Id of a stored schedule replaces it. At most SCHEDULES_MAX schedules (409 `schedules_full`).',
      ].join(' '),
      schema: { type: 'string', pattern: CRON_PATTERN, example: 'CRON_TZ=Europe/Paris 0 9 * * 1-5' },
    },
    'Knocker-Group': {
      description: "Send a copy to every endpoint of this group instead of to Knocker-Host: each copy is the request sent to the endpoint's origin with its path prefix joined to this path and query, with the id `<id>~~<endpoint name>`; the answer is `GroupAccepted`. Not with Knocker-Host, Knocker-Scheme or Knocker-Cron. An unknown group is a 404, an empty one a 409 `group_empty`.",
      schema: { $ref: '#/components/schemas/GroupName' },
    },
    'Knocker-Flow-Key': {
      description: "The flow-control key the request counts under (per-key concurrency and rate limits, breaker) instead of its target's `host:port`; kept in config as `flow_key`.",
      schema: { $ref: '#/components/schemas/FlowKey' },
    },
    'Knocker-Retry-On': {
      description: 'Which failures are retried: comma-separated statuses (`429`), classes (`5xx`) and `network` (no answer), case-insensitive, up to 32; any other failure ends the request at once. May be repeated; the values are joined.',
      schema: { type: 'string', example: '5xx, 429, network' },
    },
    'Knocker-Catch': {
      description: 'Error codes reported by the target (Knocker-Error-Code) that end the request at once: comma-separated glob patterns (`*`, `?`, `[…]`), up to 20 of 1 to 128 of `A-Z a-z 0-9 . _ : / @ + = ~ -`. May be repeated; the values are joined.',
      schema: { type: 'string', example: 'request.*, auth.denied' },
    },
  };
}

/** Header names in the parameters above, lower-case, plus the two credentials (security schemes). */
export function describedHeaders(o: OpenApiOptions): string[] {
  return [...Object.keys(knockerHeaders(o)), 'Knocker-Api-Key', 'Knocker-Admin-Key'].map((h) => h.toLowerCase());
}

/** A regular expression as JSON Schema writes one: without flags, so case-insensitive letters become classes. */
function schemaPattern(re: RegExp): string {
  if (!re.flags.includes('i')) return re.source;
  return re.source.replace(/\\.|[A-Za-z]/g, (c) => (c.length === 2 ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`));
}
