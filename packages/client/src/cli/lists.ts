import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ReplayFilter } from '../admin-types.js';
import type { ListedRequest, ListQuery } from '../list-types.js';
import type { KnockOptions } from '../options.js';
import type { AdminContext } from './admin.js';
import { filterOptions } from './args.js';
import * as format from './format.js';

/** `list`, `remove`, `delete-failed` and `batch`. */
export function addListCommands(program: Command, ctx: AdminContext & { stdin: () => Promise<Buffer> }): void {
  const { client, print } = ctx;
  filterOptions(program.command('list'), 'per page (1 to 1000, default 100)')
    .description('list requests in a state, newest first: the failed ones (dead letters) unless --state says otherwise (admin key)')
    .option('--state <state>', 'failed, delivered, waiting, delayed or cancelled', 'failed')
    .option('--cursor <cursor>', 'the page after the one that printed it')
    .option('--all', 'every page, one after the other')
    .action(async (opts: ListQuery & { all?: boolean }) => {
      const { all, ...query } = opts;
      if (all) {
        const every: ListedRequest[] = [];
        for await (const r of client().requests.each(query)) every.push(r);
        print(every, every.length === 0 ? 'none' : every.map(format.listedLine).join('\n'));
        return;
      }
      const page = await client().requests.list(query);
      const next = page.cursor === undefined ? '' : `\nmore: --cursor ${page.cursor}`;
      print(page, `${page.requests.length === 0 ? 'none' : page.requests.map(format.listedLine).join('\n')}${next}`);
    });
  program.command('remove').alias('cancel').description('cancel a waiting or delayed request; remove a failed, delivered or cancelled one (admin key)').argument('<id>')
    .action(async (id: string) => {
      const r = await client().requests.remove(id);
      print(r, `${r.id}: ${r.state}`);
    });
  filterOptions(program.command('delete-failed'), 'at most this many (1 to 1000, default 100)')
    .description('remove the failed requests that match every filter given, oldest failure first (admin key)')
    .action(async (opts: ReplayFilter) => {
      const r = await client().requests.deleteMany(opts);
      print(r, `deleted ${r.deleted}${r.ids.length > 0 ? `: ${r.ids.join(', ')}` : ''}${r.more ? '\nmore may match: run it again' : ''}`);
    });
  program.command('batch').description('hand many requests to Knocker in one call: a JSON array of them, each as send takes it ({url, method, headers, body, retries, …})')
    .argument('<file>', 'the JSON file, or - for standard input')
    .action(async (file: string) => {
      const text = (file === '-' ? await ctx.stdin() : await readFile(file)).toString('utf8');
      let requests: unknown;
      try {
        requests = JSON.parse(text);
      } catch {
        throw new TypeError(`${file} is not JSON: it must hold an array of requests`);
      }
      if (!Array.isArray(requests)) throw new TypeError(`${file} must hold a JSON array of requests`);
      const r = await client().knockMany(requests as KnockOptions[]);
      print(r, r.results.map(format.accepted).join('\n'));
    });
}
