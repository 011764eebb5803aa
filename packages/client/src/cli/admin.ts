import type { Command } from 'commander';
import type { Knocker } from '../client.js';
import type { ReplayFilter } from '../admin-types.js';
import { integer, time } from './args.js';
import * as format from './format.js';

export interface AdminContext {
  client: () => Knocker;
  /** Prints `value` as JSON with --json, else `human`. */
  print: (value: unknown, human: string) => void;
}

/** `schedules …`, `groups …`, `hosts …` and `retry-failed`: the admin routes beyond one request. */
export function addAdminCommands(program: Command, ctx: AdminContext): void {
  const { client, print } = ctx;
  const schedules = program.command('schedules').description('the schedules stored by send --cron (admin key)');
  schedules.command('list').description('every schedule, active and paused').action(async () => {
    const all = await client().schedules.list();
    print(all, all.length === 0 ? 'no schedules' : all.map(format.scheduleLine).join('\n'));
  });
  schedules.command('inspect').description('a schedule: its request, next ticks and the requests of its last ticks').argument('<id>')
    .action(async (id: string) => {
      const s = await client().schedules.get(id);
      print(s, format.scheduleInspection(s));
    });
  schedules.command('remove').description('delete a schedule: no further tick').argument('<id>').action(async (id: string) => {
    const r = await client().schedules.remove(id);
    print(r, `${r.id}: ${r.state}`);
  });
  for (const action of ['pause', 'resume'] as const) {
    schedules.command(action).description(action === 'pause' ? 'no tick until resumed' : 'tick again from the next one due').argument('<id>')
      .action(async (id: string) => {
        const r = await client().schedules[action](id);
        print(r, `${r.id}: ${r.state}${r.next ? `, next ${r.next}` : ''}`);
      });
  }

  addGroupCommands(program, ctx);

  const hosts = program.command('hosts').description("flow keys (a target's host:port, or a --flow-key): limits, breaker, pause (admin key)");
  hosts.command('list').description('the flow keys with work, the busiest first').action(async () => {
    const h = await client().hosts.list();
    print(h, format.hostList(h));
  });
  for (const action of ['pause', 'resume'] as const) {
    hosts.command(action).description(action === 'pause' ? 'hold new attempts to a key until resumed' : 'let the held requests of a key go again')
      .argument('<key>').action(async (key: string) => {
        const r = await client().hosts[action](key);
        print(r, `${r.key}: ${r.paused ? 'paused' : 'resumed'}`);
      });
  }

  program.command('retry-failed').description('replay the failed requests that match every filter given, oldest failure first (admin key)')
    .option('--host <host>', "the target's host, or host:port")
    .option('--flow-key <key>', 'the flow key the requests counted under')
    .option('--since <time>', 'failed at or after (unix seconds or an ISO time)', time('since'))
    .option('--until <time>', 'failed at or before (unix seconds or an ISO time)', time('until'))
    .option('--status-code <code>', 'the status of the last attempt', integer('status-code'))
    .option('--limit <n>', 'at most this many (1 to 1000, default 100)', integer('limit'))
    .action(async (opts: ReplayFilter) => {
      const r = await client().requests.retryMany(opts);
      const more = r.more ? '\nmore may match: run it again' : '';
      print(r, `replayed ${r.replayed}${r.ids.length > 0 ? `: ${r.ids.join(', ')}` : ''}${more}`);
    });
}

/** `groups …`: the fan-out groups send-group sends to. */
function addGroupCommands(program: Command, { client, print }: AdminContext): void {
  const groups = program.command('groups').description('fan-out groups: named lists of endpoints (admin key)');
  groups.command('list').description('every group with its endpoints').action(async () => {
    const all = await client().groups.list();
    print(all, all.length === 0 ? 'no groups' : all.map(format.group).join('\n'));
  });
  groups.command('get').description('one group').argument('<name>').action(async (name: string) => {
    const g = await client().groups.get(name);
    print(g, format.group(g));
  });
  groups.command('put').description('create or replace a group with these endpoints, in order').argument('<name>')
    .argument('<endpoints...>', 'endpoints as name=url: billing=https://billing.example audit=http://10.0.0.5:8080/hooks')
    .action(async (name: string, endpoints: string[]) => {
      const r = await client().groups.put(name, endpoints.map(endpointPair));
      print(r, format.group(r.group));
    });
  groups.command('remove').description('delete a group; requests already stored stay').argument('<name>').action(async (name: string) => {
    const r = await client().groups.remove(name);
    print(r, `${r.name}: ${r.state}`);
  });
  groups.command('set-endpoint').description('add an endpoint, or change its url').argument('<name>').argument('<endpoint>').argument('<url>')
    .action(async (name: string, endpoint: string, url: string) => {
      const r = await client().groups.setEndpoint(name, endpoint, url);
      print(r, format.group(r.group));
    });
  groups.command('remove-endpoint').description('remove one endpoint').argument('<name>').argument('<endpoint>').action(async (name: string, endpoint: string) => {
    const r = await client().groups.removeEndpoint(name, endpoint);
    print(r, format.group(r.group));
  });
}

function endpointPair(raw: string): { name: string; url: string } {
  const i = raw.indexOf('=');
  if (i <= 0) throw new TypeError(`an endpoint must be name=url, got ${JSON.stringify(raw)}`);
  return { name: raw.slice(0, i), url: raw.slice(i + 1) };
}
