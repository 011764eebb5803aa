import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { loadConfig } from '@knocker/config';
import { checkFlowKey, checkRequestId, InvalidRequestError, KNOCKER_HEADERS, parseCron, parseDuration, parseKnockRequest } from '@knocker/protocol';
import { buildOpenApi, describedHeaders, openApiOptions, renderOpenApi } from './index.js';

const root = new URL('../../../', import.meta.url);
const config = loadConfig({});
// The reference shows the QStash door's routes, which QSTASH_TOKENS turns on.
const options = { ...openApiOptions(config), qstash: true };
const doc = buildOpenApi(options) as any;

describe('docs/openapi.json', () => {
  it('is the document built from the default configuration, the door on (run `pnpm openapi` after a change)', async () => {
    expect(await readFile(new URL('docs/openapi.json', root), 'utf8')).toBe(renderOpenApi(doc));
  });

  it('passes redocly lint', async () => {
    const bin = new URL('node_modules/.bin/redocly', root).pathname;
    const run = await promisify(execFile)(bin, ['lint', 'docs/openapi.json', '--format=stylish'], { cwd: root.pathname, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } })
      .then((r) => ({ code: 0, out: r.stdout + r.stderr }), (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout + err.stderr }));
    expect(run).toEqual({ code: 0, out: expect.stringContaining('valid') });
  }, 60_000);
});

describe('the relay headers', () => {
  const params: any[] = doc.paths['/{path}'].parameters;
  const header = (name: string) => params.find((p) => p.in === 'header' && p.name === name);
  // Formats are left to the contract test; these compare ranges and patterns with the parser.
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ components: doc.components }, 'doc');
  const schemaOf = (name: string) => ajv.compile(JSON.parse(JSON.stringify(header(name).schema).replaceAll('"#/', '"doc#/')));
  const accepted = (headers: Record<string, string>): true | string => {
    try {
      parseKnockRequest({ method: 'POST', target: '/x', rawHeaders: Object.entries({ 'Knocker-Host': 'a.example', ...headers }).flat() }, config.protocol);
      return true;
    } catch (err) {
      if (err instanceof InvalidRequestError) return Object.keys(err.errors).join(',');
      throw err;
    }
  };

  it('describes every header the parser reads, and no other', () => {
    expect(describedHeaders(options).sort()).toEqual([...KNOCKER_HEADERS].sort());
  });

  // Thousandths, written as the parser reads them: plain decimals, a minus sign refused by both.
  const decimals = (max: number) => fc.integer({ min: -1000, max: max * 2000 }).map((n) => n / 1000);
  it.each([
    ['Knocker-Timeout', decimals(options.timeoutMax)],
    ['Knocker-Retries', fc.oneof(decimals(options.retriesMax), fc.integer({ min: -2, max: options.retriesMax * 2 }))],
    ['Knocker-Backoff-Factor', decimals(options.backoffFactorMax)],
  ])('%s: the parser accepts exactly the values the document allows', (name, values) => {
    const valid = schemaOf(name);
    fc.assert(fc.property(values, (v) => {
      expect([v, valid(v)]).toEqual([v, accepted({ [name]: String(v) }) === true]);
    }), { numRuns: 300 });
  });

  it('Knocker-Id and route ids: the pattern allows exactly what checkRequestId allows', () => {
    const pattern = new RegExp(doc.components.schemas.RequestId.pattern);
    const chars = fc.constantFrom(...'aZ09._~/+=@-:% é\n'.split(''));
    fc.assert(fc.property(fc.string({ unit: chars, minLength: 0, maxLength: 130 }), (id) => {
      expect([id, pattern.test(id)]).toEqual([id, checkRequestId(id) === undefined]);
    }), { numRuns: 500 });
  });

  it("Knocker-Id: the header's schema allows exactly what the parser takes, Knocker's own forms refused", () => {
    const valid = schemaOf('Knocker-Id');
    const start = fc.constantFrom('', 'cb-', 'CB-', 'cB-', 'ok-', 'Ok-', 'c', 'o', 'x');
    const end = fc.constantFrom('', '@', '@0', '@1700000000000', '@1a', 'a@1', '-cb');
    const middle = fc.string({ unit: fc.constantFrom(...'abck09.-@/'.split('')), maxLength: 8 });
    fc.assert(fc.property(start, middle, end, (a, b, c) => {
      const id = `${a}${b}${c}`;
      expect([id, valid(id)]).toEqual([id, accepted({ 'Knocker-Id': id }) === true]);
    }), { numRuns: 500 });
  });

  it('Knocker-Flow-Key: the pattern allows exactly what checkFlowKey allows', () => {
    const pattern = new RegExp(doc.components.schemas.FlowKey.pattern, 'u');
    const chars = fc.constantFrom(...'aZ09._~:@/+=-[]{} ,é'.split(''));
    fc.assert(fc.property(fc.string({ unit: chars, minLength: 0, maxLength: 130 }), (key) => {
      expect([key, pattern.test(key)]).toEqual([key, checkFlowKey(key) === undefined]);
    }), { numRuns: 500 });
  });

  it('Knocker-Delay: the pattern allows exactly the durations the parser reads', () => {
    const pattern = new RegExp(header('Knocker-Delay').schema.pattern);
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0129.dhmsDx '.split('')), maxLength: 10 }), (text) => {
      expect([text, pattern.test(text)]).toEqual([text, text.trim() === text && parseDuration(text) !== undefined]);
    }), { numRuns: 1000 });
  });

  it('Knocker-Not-Before: the pattern allows exactly the times the parser reads', () => {
    const pattern = new RegExp(header('Knocker-Not-Before').schema.pattern);
    // At most 9 characters: every such time is in the past, within DELAY_MAX of now.
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0129.-e+ x'.split('')), maxLength: 9 }), (text) => {
      expect([text, pattern.test(text)]).toEqual([text, text.trim() === text && accepted({ 'Knocker-Not-Before': text }) === true]);
    }), { numRuns: 1000 });
  });

  it('Knocker-Cron: every expression the parser accepts has the form the pattern gives', () => {
    const pattern = new RegExp(header('Knocker-Cron').schema.pattern);
    // Mostly values every field takes, so that many expressions are accepted; some that only
    // one field takes, some no field takes, and some noise.
    const field = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('*', '?', '5', '1-5', '*/15', '2-6/2', '1,2,3') },
      { weight: 1, arbitrary: fc.constantFrom('0', '59', 'L', '5L', '1#2', 'MON', 'jan-mar', 'SUN', '60', 'x', '@daily') },
      { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789*?,/#-LWMONJAé$%.'.split('')), minLength: 1, maxLength: 4 }) },
    );
    const space = fc.constantFrom(' ', '  ', '\t');
    const expression = fc.tuple(
      fc.constantFrom('', 'CRON_TZ=Europe/Paris ', 'CRON_TZ=utc  ', 'CRON_TZ=Nowhere/Town ', 'CRON_TZ= ', 'TZ=UTC '),
      fc.array(fc.tuple(field, space), { minLength: 4, maxLength: 7 }),
    ).map(([zone, fields]) => `${zone}${fields.map(([f, sp], i) => (i === 0 ? f : `${sp}${f}`)).join('')}`);
    let taken = 0;
    fc.assert(fc.property(expression, (cron) => {
      const ok = typeof parseCron(cron) === 'object';
      if (ok) taken += 1;
      // The pattern may allow more (values out of range): the parser then says which field.
      expect([cron, !ok || pattern.test(cron)]).toEqual([cron, true]);
      expect([cron, pattern.test(cron) || accepted({ 'Knocker-Cron': cron }) !== true]).toEqual([cron, true]);
    }), { numRuns: 2000 });
    expect(taken).toBeGreaterThan(100);
  });

  it('Knocker-Scheme and Knocker-Callback: the document refuses what the parser refuses', () => {
    const scheme = schemaOf('Knocker-Scheme');
    for (const v of ['http', 'https', 'ftp', '']) expect([v, scheme(v)]).toEqual([v, accepted({ 'Knocker-Scheme': v }) === true]);
    const callback = schemaOf('Knocker-Callback');
    for (const v of ['http://cb.example/x', 'https://cb.example', 'ftp://cb.example', 'cb.example/x', `http://cb.example/${'x'.repeat(2048)}`]) {
      expect([v, callback(v)]).toEqual([v, accepted({ 'Knocker-Callback': v }) === true]);
    }
  });
});
