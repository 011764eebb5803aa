// Reading the repository's deployment files the way the checks need them.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const read = (path: string): string => readFileSync(`${root}${path}`, 'utf8');
export const readYaml = <T = any>(path: string): T => parse(read(path)) as T;
export const readJson = <T = any>(path: string): T => JSON.parse(read(path)) as T;

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command from the repository root; never throws on a non-zero exit. */
export function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: root, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ status: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

/**
 * The variables of a table in the docs page `page` under `heading` (up to the next heading of
 * the same or a higher level): first cell one or more `NAME`s, second cell `value` or the word
 * empty.
 */
export function docVariables(page: string, heading: string): Map<string, string> {
  const lines = read(page).split('\n');
  const level = heading.match(/^#+/)?.[0].length ?? 0;
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`${page} has no "${heading}"`);
  const vars = new Map<string, string>();
  for (const line of lines.slice(start + 1)) {
    const h = line.match(/^(#+) /);
    if (h && (h[1] as string).length <= level) break;
    const row = line.match(/^\| ((?:`[A-Z][A-Z0-9_]*`(?:, )?)+) \| ([^|]*) \|/);
    if (!row) continue;
    const cell = (row[2] as string).trim();
    const value = cell === 'empty' ? '' : cell.match(/^`(.*)`$/)?.[1];
    if (value === undefined) throw new Error(`${page} ${heading}: cannot read the default ${JSON.stringify(cell)}`);
    for (const [, name] of (row[1] as string).matchAll(/`([A-Z0-9_]+)`/g)) vars.set(name as string, value);
  }
  return vars;
}

export interface EnvLine {
  name: string;
  value: string;
  /** Set as it stands, rather than a commented-out default. */
  active: boolean;
}

/** NAME=value lines of .env.example, commented (`# NAME=value`) or not. */
export function envExample(): EnvLine[] {
  return read('.env.example').split('\n').flatMap((line) => {
    const m = line.match(/^(# )?([A-Z][A-Z0-9_]*)=(.*)$/);
    return m ? [{ name: m[2] as string, value: m[3] as string, active: m[1] === undefined }] : [];
  });
}
