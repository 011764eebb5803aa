import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './port.js';
import { waitFor } from './wait.js';

/** Debian's tinyproxy, run in the foreground by a test on a free loopback port. */
export interface Tinyproxy {
  port: number;
  /** `http://127.0.0.1:<port>` (or the address it listens on), without credentials. */
  url: string;
  /** Its log file so far. */
  log(): string;
  /** The request lines it logged: `CONNECT 127.0.0.1:4000 HTTP/1.1`, `GET http://… HTTP/1.1`. */
  requests(): string[];
  close(): Promise<void>;
}

export interface TinyproxyOptions {
  /** Ports a CONNECT may reach (tinyproxy allows only 443 and 563 otherwise). */
  connectPorts: number[];
  /** Address it listens on; 127.0.0.1 by default. */
  listen?: string;
  /** Proxy credentials it asks for (Proxy-Authorization Basic). */
  basicAuth?: { user: string; password: string };
}

/** Starts tinyproxy with a config of its own (Port, Listen, Allow, ConnectPort lines, LogLevel Info). */
export async function startTinyproxy(opts: TinyproxyOptions): Promise<Tinyproxy> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kt-tinyproxy-'));
  const port = await freePort();
  const listen = opts.listen ?? '127.0.0.1';
  const logFile = path.join(dir, 'tinyproxy.log');
  const config = [
    `Port ${port}`, `Listen ${listen}`, 'Allow 127.0.0.0/8', 'Timeout 30', 'MaxClients 200', 'LogLevel Info', `LogFile "${logFile}"`,
    ...opts.connectPorts.map((p) => `ConnectPort ${p}`),
    ...(opts.basicAuth ? [`BasicAuth ${opts.basicAuth.user} ${opts.basicAuth.password}`] : []),
  ];
  writeFileSync(path.join(dir, 'tinyproxy.conf'), `${config.join('\n')}\n`);
  writeFileSync(logFile, '');
  const child = spawn('tinyproxy', ['-d', '-c', path.join(dir, 'tinyproxy.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => void (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let failed: Error | undefined;
  child.once('error', (err) => void (failed = new Error(`tinyproxy cannot be started (apt-get install tinyproxy): ${err.message}`)));
  const log = () => readFileSync(logFile, 'utf8');
  await waitFor(() => {
    if (failed) throw failed;
    if (child.exitCode !== null) throw new Error(`tinyproxy exited (${child.exitCode}): ${output}${log()}`);
    return /Accepting connections/.test(log());
  }, { timeoutMs: 10_000, what: 'tinyproxy to accept connections' });
  return {
    port,
    url: `http://${listen}:${port}`,
    log,
    requests: () => [...log().matchAll(/Request \(file descriptor \d+\): (.+)$/gm)].map((m) => m[1] as string),
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
