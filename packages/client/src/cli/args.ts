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
