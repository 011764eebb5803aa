import type { JsonObject, OpenApiOptions } from './options.js';

/**
 * The `Knocker-*` request headers, as OpenAPI header parameters. Ranges come from the running
 * limits, so a served document says what this Knocker accepts.
 */
export function knockerHeaders(o: OpenApiOptions): Record<string, JsonObject> {
  return {
    'Knocker-Host': {
      required: true,
      description: 'Host to deliver to, with an optional `:port` (kept). A leading `http://` or `https://` is stripped. A host name or IP literal (`[::1]` for IPv6); no user info, path or spaces; in HOSTS_ONLY when that is set; an IP literal must pass the address policy.',
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
      description: 'Your id for the request. A request whose id is still stored is not stored again: the answer is the stored one with `duplicate: true`. Default: a random 32-character hex id.',
      schema: { $ref: '#/components/schemas/RequestId' },
    },
    'Knocker-Delay': {
      description: `Wait this long before the first attempt: plain seconds (\`90\`, \`1.5\`) or a duration with the units d, h, m, s, largest first (\`30s\`, \`5m\`, \`1h30m\`); at most ${o.delayMax} seconds (DELAY_MAX). The answer then has \`not_before\`.`,
      schema: { type: 'string', pattern: '^(?=.)(\\d+(\\.\\d*)?|\\.\\d+|(\\d+[dD])?(\\d+[hH])?(\\d+[mM])?(\\d+(\\.\\d+)?[sS])?)$', example: '1h30m' },
    },
    'Knocker-Not-Before': {
      description: `Unix time, in seconds, of the first attempt; wins over Knocker-Delay; a time in the past means now; at most ${o.delayMax} seconds (DELAY_MAX) from now.`,
      schema: { type: 'number', minimum: 0, example: 1893456000 },
    },
    'Knocker-Cron': {
      description: 'A cron expression of 5 fields (minute hour day month weekday) or 6 (seconds first), optionally after `CRON_TZ=<IANA zone>`; cannot be combined with Knocker-Delay or Knocker-Not-Before.',
      schema: { type: 'string', example: 'CRON_TZ=Europe/Paris 0 9 * * 1-5' },
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
