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

/** `schedules …`, `hosts …`, `order-key` and `retry-failed`: the admin routes beyond one request. */
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

  program.command('order-key').description("an order key's line: its head and how many wait behind it (admin key)").argument('<key>')
    .action(async (key: string) => {
      const line = await client().orderKeys.get(key);
      print(line, format.orderLine(line));
    });

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
