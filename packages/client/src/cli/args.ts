import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';

/** Parsers of option values; a wrong one is bad usage (exit 2). */
export function integer(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`--${flag} must be a whole number`);
    return Number(value);
  };
}

export function number(flag: string) {
  return (value: string): number => {
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) throw new InvalidArgumentError(`--${flag} must be a number`);
    return Number(value);
  };
}

export function time(flag: string) {
  return (value: string): number | Date => {
    if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
    const at = Date.parse(value);
    if (Number.isNaN(at)) throw new InvalidArgumentError(`--${flag} must be unix seconds or an ISO time`);
    return new Date(at);
  };
}

/** The filters the listing, the bulk replay and the bulk delete take, as options of `cmd`. */
export function filterOptions(cmd: Command, limit: string): Command {
  return cmd
    .option('--host <host>', "the target's host, or host:port")
    .option('--flow-key <key>', 'the flow key the requests counted under')
    .option('--since <time>', 'at or after (unix seconds or an ISO time)', time('since'))
    .option('--until <time>', 'at or before (unix seconds or an ISO time)', time('until'))
    .option('--status-code <code>', 'the status of the last attempt', integer('status-code'))
    .option('--group <name>', 'the fan-out group the requests were sent to')
    .option('--order-key <key>', 'their Knocker-Order-Key')
    .option('--limit <n>', limit, integer('limit'));
}
