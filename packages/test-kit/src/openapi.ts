import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Json = any;

/** An answer as a test saw it. */
export interface SeenAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Checks answers and webhook bodies against an OpenAPI 3.1 document, and records what it saw. */
export interface OpenApiChecker {
  /** Throws naming what differs when the answer is not one the document describes for this request. */
  check(method: string, url: string, answer: SeenAnswer): void;
  /** Throws unless `body` is what the document says webhook `name` sends. */
  checkWebhook(name: string, body: unknown): void;
  /** `METHOD path status` of every documented answer, and of those checked so far. */
  documented(): string[];
  seen(): string[];
}

const ROOT = 'openapi';

export function openApiChecker(doc: Json): OpenApiChecker {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema(rebase(doc.components ? { components: doc.components } : {}), ROOT);
  const compiled = new Map<string, ValidateFunction>();
  const seen = new Set<string>();
  const paths: Record<string, Json> = doc.paths ?? {};
  const keys = Object.keys(paths).sort((a, b) => templated(a) - templated(b) || b.split('/').length - a.split('/').length);

  const deref = (node: Json): Json => {
    let n = node;
    while (n && typeof n.$ref === 'string') n = pointer(doc, n.$ref);
    return n;
  };
  const validate = (where: string, schema: Json, value: unknown): void => {
    let fn = compiled.get(where);
    if (!fn) {
      fn = ajv.compile(rebase(schema));
      compiled.set(where, fn);
    }
    if (!fn(value)) throw new Error(`${where}: ${ajv.errorsText(fn.errors, { dataVar: 'body' })}\n${JSON.stringify(value).slice(0, 2000)}`);
  };
  const checkAgainst = (where: string, response: Json, answer: SeenAnswer): void => {
    const type = String(answer.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    const content = response.content as Record<string, Json> | undefined;
    if (!content) return;
    const media = content[type] ?? content['*/*'];
    if (!media) throw new Error(`${where}: content type "${type}" is not documented (${Object.keys(content).join(', ')})`);
    const body = type.endsWith('json') ? JSON.parse(answer.text) : answer.text;
    validate(`${where} ${type}`, media.schema ?? {}, body);
  };

  return {
    check(method, url, answer) {
      const path = new URL(url, 'http://x').pathname;
      const key = keys.find((k) => matches(k, path));
      const op = key === undefined ? undefined : paths[key][method.toLowerCase()];
      if (!key || !op) throw new Error(`${method} ${path}: no documented operation`);
      const responses = op.responses as Record<string, Json>;
      const status = String(answer.status);
      const response = responses[status] ?? responses[`${status[0]}XX`] ?? responses['default'];
      if (!response) throw new Error(`${method} ${key}: status ${status} is not documented (${Object.keys(responses).join(', ')})`);
      checkAgainst(`${method.toUpperCase()} ${key} ${status}`, deref(response), answer);
      seen.add(`${method.toUpperCase()} ${key} ${status}`);
    },
    checkWebhook(name, body) {
      const op = doc.webhooks?.[name]?.post;
      const schema = op?.requestBody?.content?.['application/json']?.schema;
      if (!schema) throw new Error(`webhook ${name}: no JSON body documented`);
      validate(`webhook ${name}`, schema, body);
    },
    documented() {
      return Object.entries(paths).flatMap(([key, item]) =>
        Object.entries(item as Record<string, Json>)
          .filter(([m]) => m !== 'parameters')
          .flatMap(([m, op]) => Object.keys(op.responses ?? {}).map((s) => `${m.toUpperCase()} ${key} ${s}`)),
      );
    },
    seen: () => [...seen],
  };
}

const templated = (key: string): number => (key === '/{path}' ? 2 : key.includes('{') ? 1 : 0);

function matches(key: string, path: string): boolean {
  if (key === '/{path}') return true;
  const pattern = key.split('/').map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return new RegExp(`^${pattern}$`).test(path);
}

/** Local refs (`#/components/…`) point into the document added under ROOT. */
function rebase(node: Json): Json {
  if (Array.isArray(node)) return node.map(rebase);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${ROOT}${v}` : rebase(v)]));
}

function pointer(doc: Json, ref: string): Json {
  return ref.slice(2).split('/').reduce((n: Json, part) => n?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}
