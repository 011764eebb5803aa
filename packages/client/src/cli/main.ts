import { readFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { Knocker } from '../client.js';
import { KnockerApiError, KnockerError } from '../errors.js';
import { KNOCK_OPTIONS, type KnockOptions } from '../options.js';
import { FINAL_STATES, type Inspection } from '../types.js';
import { addAdminCommands } from './admin.js';
import { integer, number, time } from './args.js';
import * as format from './format.js';

export interface Io {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: () => Promise<Buffer>;
}

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Raised for a command line that cannot work, whatever the api would say: exit 2. */
class UsageError extends Error {}

/** Runs `knocker <argv>`; resolves with the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('knocker')
    .description('Send requests through Knocker and follow them')
    .option('--url <url>', 'the Knocker api (KNOCKER_URL)', io.env['KNOCKER_URL'] ?? 'http://localhost:8000')
    // No defaults from the environment for keys: help would print them.
    .option('--api-key <key>', 'Knocker-Api-Key (KNOCKER_API_KEY)')
    .option('--admin-key <key>', 'Knocker-Admin-Key, for every command but send and status (KNOCKER_ADMIN_KEY)')
    .option('--json', 'print the answers as JSON')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const client = () => {
    const o = program.opts<{ url: string; apiKey?: string; adminKey?: string }>();
    if (!URL.canParse(o.url)) throw new UsageError(`--url (or KNOCKER_URL) must be an absolute URL, got ${JSON.stringify(o.url)}`);
    return new Knocker({ url: o.url, apiKey: o.apiKey ?? io.env['KNOCKER_API_KEY'], adminKey: o.adminKey ?? io.env['KNOCKER_ADMIN_KEY'] });
  };
  const json = () => program.opts<{ json?: boolean }>().json === true;
  const print = (value: unknown, human: string) => io.stdout(`${json() ? JSON.stringify(value, null, 2) : human}\n`);
  const ended = (r: Inspection) => (r.state === 'failed' || r.state === 'cancelled' ? EXIT.failed : EXIT.ok);

  const send = program.command('send')
    .description('hand a request to Knocker for delivery')
    .argument('<method>', 'HTTP method the target receives')
    .argument('<url>', 'where Knocker delivers: https://target.example/hook')
    .option('-H, --header <header>', "a header for the target, 'Name: value' (repeatable)", collect, [])
    .option('-d, --data <text>', 'the body')
    .option('--data-file <path>', 'the body, from a file, or - for standard input')
    .option('--config <name=value>', 'another Knocker-<name> header, kept in config and sent to the callback (repeatable)', collect, [])
    .option('--wait', 'then follow the request until it is delivered or failed, as watch does');
  addKnockOptions(send);
  send.action(async (method: string, url: string, opts: Record<string, unknown>) => {
    if (!URL.canParse(url)) throw new UsageError(`<url> must be an absolute http:// or https:// URL, got ${JSON.stringify(url)}`);
    if (opts['wait'] && opts['cron'] !== undefined) throw new UsageError('--wait follows one request; a schedule sends one at each tick (see schedules inspect)');
    const knock: KnockOptions = { url, ...(await knockFrom(method, opts, io)) };
    const answer = await client().knock(knock);
    print(answer, 'schedule' in answer ? format.scheduleAccepted(answer) : format.accepted(answer));
    const id = 'duplicate' in answer && answer.duplicate ? answer.id : answer.config.id;
    if (opts['wait']) code = ended(await follow(client(), id, 500, io, json()));
  });

  const fanOut = program.command('send-group')
    .description('hand a request to Knocker for every endpoint of a group: one copy each (see groups)')
    .argument('<method>', 'HTTP method the endpoints receive')
    .argument('<group>', "the group's name")
    .argument('[path]', "the path and query each copy gets after its endpoint's prefix", '/')
    .option('-H, --header <header>', "a header for the endpoints, 'Name: value' (repeatable)", collect, [])
    .option('-d, --data <text>', 'the body')
    .option('--data-file <path>', 'the body, from a file, or - for standard input')
    .option('--config <name=value>', 'another Knocker-<name> header, kept in config and sent to the callbacks (repeatable)', collect, []);
  addKnockOptions(fanOut, 'cron');
  fanOut.action(async (method: string, group: string, path: string, opts: Record<string, unknown>) => {
    if (!path.startsWith('/')) throw new UsageError(`[path] must start with /, got ${JSON.stringify(path)}`);
    const answer = await client().knockGroup(group, { path, ...(await knockFrom(method, opts, io)) });
    print(answer, format.groupAccepted(answer));
  });

  program.command('inspect').description('show a stored request: state, attempts, logs, callback (exit 1 when it failed or was cancelled)')
    .argument('<id>').action(async (id: string) => {
      const r = await client().requests.get(id);
      print(r, format.inspection(r));
      code = ended(r);
    });
  program.command('retry').description('replay a failed request').argument('<id>').action(async (id: string) => {
    const r = await client().requests.retry(id);
    print(r, `${r.id}: ${r.state}`);
  });
  program.command('cancel').description('cancel a waiting or delayed request').argument('<id>').action(async (id: string) => {
    const r = await client().requests.cancel(id);
    print(r, `${r.id}: ${r.state}`);
  });
  program.command('logs').description("print a request's log lines").argument('<id>').action(async (id: string) => {
    const lines = await client().requests.logs(id);
    print(lines, lines.join('\n'));
  });
  program.command('status').description('queue counts and totals').action(async () => {
    const s = await client().status();
    print(s, format.status(s));
  });
  addAdminCommands(program, { client, print });
  program.command('watch').description('follow a request until it is delivered, failed or cancelled (exit 1 unless delivered)')
    .argument('<id>').option('--interval <ms>', 'between two looks', integer('interval'), 500)
    .action(async (id: string, opts: { interval: number }) => {
      code = ended(await follow(client(), id, opts.interval, io, json()));
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    return failure(err, io);
  }
}

/** Prints each new attempt and state until the request ends; returns its last inspection. */
async function follow(knocker: Knocker, id: string, intervalMs: number, io: Io, json: boolean): Promise<Inspection> {
  let state = '';
  let attempts = 0;
  for (;;) {
    const r = await knocker.requests.get(id);
    if (!json) {
      for (const a of r.attempts.slice(attempts)) io.stdout(`${format.attemptLine(a).trim()}\n`);
      if (r.state !== state) io.stdout(`${r.id}: ${r.state}\n`);
    }
    attempts = r.attempts.length;
    state = r.state;
    if (FINAL_STATES.includes(r.state)) {
      if (json) io.stdout(`${JSON.stringify(r, null, 2)}\n`);
      return r;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function failure(err: unknown, io: Io): number {
  if (err instanceof CommanderError) {
    // Help and version are not failures; every other parse error is bad usage.
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof UsageError || err instanceof TypeError) {
    io.stderr(`knocker: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof KnockerApiError) {
    io.stderr(`knocker: ${err.status} ${err.code}\n${Object.entries(err.errors).flatMap(([f, ps]) => ps.map((p) => `  ${f}: ${p}\n`)).join('')}`);
    return EXIT.failed;
  }
  if (err instanceof KnockerError) {
    io.stderr(`knocker: ${err.message}\n`);
    return EXIT.failed;
  }
  throw err;
}

/** A flag for each per-request option (KNOCK_OPTIONS) but `except`. */
function addKnockOptions(command: Command, except?: string): void {
  for (const o of KNOCK_OPTIONS) {
    if (o.key === except) continue;
    const opt = new Option(`--${o.flag} <${o.kind === 'list' ? 'patterns' : 'value'}>`, `${o.header}: ${o.help}`);
    if (o.kind === 'integer') opt.argParser(integer(o.flag));
    if (o.kind === 'number') opt.argParser(number(o.flag));
    if (o.kind === 'list') opt.argParser(collect).default([]);
    if (o.kind === 'time') opt.argParser(time(o.flag));
    command.addOption(opt);
  }
}

/** The knock the flags of `send` or `send-group` describe, but its target. */
async function knockFrom(method: string, opts: Record<string, unknown>, io: Io): Promise<Omit<KnockOptions, 'url'>> {
  if (opts['data'] !== undefined && opts['dataFile'] !== undefined) throw new UsageError('give --data or --data-file, not both');
  const knock: Omit<KnockOptions, 'url'> = { method, headers: (opts['header'] as string[]).map(headerPair), config: Object.fromEntries((opts['config'] as string[]).map(configPair)) };
  if (opts['data'] !== undefined) knock.body = String(opts['data']);
  if (opts['dataFile'] !== undefined) knock.body = await readBody(String(opts['dataFile']), io);
  for (const o of KNOCK_OPTIONS) {
    const v = opts[o.key];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) Object.assign(knock, { [o.key]: v });
  }
  return knock;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function headerPair(raw: string): [string, string] {
  const i = raw.indexOf(':');
  if (i <= 0) throw new UsageError(`--header must be 'Name: value', got ${JSON.stringify(raw)}`);
  return [raw.slice(0, i).trim(), raw.slice(i + 1).trim()];
}

function configPair(raw: string): [string, string] {
  const i = raw.indexOf('=');
  if (i <= 0) throw new UsageError(`--config must be name=value, got ${JSON.stringify(raw)}`);
  return [raw.slice(0, i).trim(), raw.slice(i + 1)];
}

async function readBody(path: string, io: Io): Promise<Uint8Array> {
  try {
    return new Uint8Array(path === '-' ? await io.stdin() : await readFile(path));
  } catch (err) {
    throw new UsageError(`cannot read --data-file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
