import type { UpstashHeaders } from './headers.js';

/**
 * `Upstash-Retry-Delay`: QStash's arithmetic over `retried` (the retries made so far, 0 before
 * the first), in milliseconds. Read whole at publish time and again at each failed attempt.
 */

/** A retry-delay header, checked: kept as given (trimmed), to be evaluated at each failed attempt. */
export function readRetryDelay(h: UpstashHeaders, name: string, errors: Record<string, string>): string | undefined {
  const raw = h.control.get(name);
  if (raw === undefined) return undefined;
  const parsed = parseRetryDelay(raw);
  if (typeof parsed === 'string') errors[name] = `${parsed}, such as 1000 * pow(2, retried), got ${JSON.stringify(raw.slice(0, 64))}`;
  return raw;
}

/** The longest expression read, and how deep brackets, calls and signs may nest in it. */
export const RETRY_DELAY_MAX_LENGTH = 256;
const DEPTH_MAX = 16;

type Expr = (retried: number) => number;

// Go's math.Round, which QStash evaluates with: halves away from zero.
const round = (x: number) => Math.sign(x) * Math.round(Math.abs(x));
const FUNCTIONS: Record<string, { arity: number; fn: (...args: number[]) => number }> = {
  pow: { arity: 2, fn: Math.pow }, sqrt: { arity: 1, fn: Math.sqrt }, abs: { arity: 1, fn: Math.abs }, exp: { arity: 1, fn: Math.exp },
  floor: { arity: 1, fn: Math.floor }, ceil: { arity: 1, fn: Math.ceil }, round: { arity: 1, fn: round },
  min: { arity: 2, fn: Math.min }, max: { arity: 2, fn: Math.max },
};
const TOKEN = /\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_]\w*)|([-+*/(),]))/y;

class Problem extends Error {}

/** The expression as a function of `retried`, or what is wrong with it. */
export function parseRetryDelay(source: string): Expr | string {
  if (source.trim() === '' || source.length > RETRY_DELAY_MAX_LENGTH) return `must be an expression of 1 to ${RETRY_DELAY_MAX_LENGTH} characters`;
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length && source.slice(TOKEN.lastIndex).trim() !== '') {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (m === null) return `cannot be read at character ${at + source.slice(at).search(/\S/) + 1}: only numbers, retried, + - * / ( ) , and ${Object.keys(FUNCTIONS).join(', ')}`;
    tokens.push((m[1] ?? m[2] ?? m[3])!);
  }
  try {
    const p = new Parser(tokens);
    const expr = p.sum(0);
    if (p.peek() !== undefined) throw new Problem(`has ${JSON.stringify(p.peek())} where it should end`);
    return expr;
  } catch (err) {
    if (err instanceof Problem) return err.message;
    throw err;
  }
}

/**
 * The wait before the next attempt in ms, within [0, `maxMs`] (a division by zero waits the
 * most); undefined without an expression, or when it does not read or gives no number, so the
 * usual backoff applies.
 */
export function retryDelayMsOf(source: string | undefined, retried: number, maxMs: number): number | undefined {
  if (source === undefined) return undefined;
  const expr = parseRetryDelay(source);
  if (typeof expr === 'string') return undefined;
  const ms = expr(retried);
  return Number.isNaN(ms) ? undefined : Math.round(Math.min(maxMs, Math.max(0, ms)));
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: readonly string[]) {}

  peek(): string | undefined {
    return this.tokens[this.pos];
  }

  // sum := product (('+' | '-') product)*
  sum(depth: number): Expr {
    let left = this.product(depth);
    for (let op = this.peek(); op === '+' || op === '-'; op = this.peek()) {
      this.pos += 1;
      const [a, b] = [left, this.product(depth)];
      left = op === '+' ? (r) => a(r) + b(r) : (r) => a(r) - b(r);
    }
    return left;
  }

  // product := unary (('*' | '/') unary)*
  private product(depth: number): Expr {
    let left = this.unary(depth);
    for (let op = this.peek(); op === '*' || op === '/'; op = this.peek()) {
      this.pos += 1;
      const [a, b] = [left, this.unary(depth)];
      left = op === '*' ? (r) => a(r) * b(r) : (r) => a(r) / b(r);
    }
    return left;
  }

  // unary := ('-' | '+') unary | number | 'retried' | name '(' sum (',' sum)* ')' | '(' sum ')'
  private unary(depth: number): Expr {
    if (depth > DEPTH_MAX) throw new Problem(`nests deeper than ${DEPTH_MAX}`);
    const token = this.tokens[this.pos++];
    if (token === undefined) throw new Problem('ends where a value should follow');
    if (token === '-' || token === '+') {
      const inner = this.unary(depth + 1);
      return token === '-' ? (r) => -inner(r) : inner;
    }
    if (/^[\d.]/.test(token)) {
      const n = Number(token);
      return () => n;
    }
    if (token === 'retried') return (r) => r;
    if (token === '(') {
      const inner = this.sum(depth + 1);
      this.expect(')');
      return inner;
    }
    const fn = Object.hasOwn(FUNCTIONS, token) ? FUNCTIONS[token] : undefined;
    if (fn === undefined) throw new Problem(`has ${JSON.stringify(token.slice(0, 32))} where a number, retried, ( or a function (${Object.keys(FUNCTIONS).join(', ')}) should be`);
    this.expect('(');
    const args = [this.sum(depth + 1)];
    while (this.peek() === ',') {
      this.pos += 1;
      args.push(this.sum(depth + 1));
    }
    this.expect(')');
    if (args.length !== fn.arity) throw new Problem(`calls ${token} with ${args.length} argument(s), not ${fn.arity}`);
    return (r) => fn.fn(...args.map((a) => a(r)));
  }

  private expect(token: string): void {
    if (this.tokens[this.pos] !== token) throw new Problem(`needs ${JSON.stringify(token)} after token ${this.pos}`);
    this.pos += 1;
  }
}
