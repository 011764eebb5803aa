// docker-compose.yml as docker-compose 1.29 resolves it (no engine needed), its wiring to
// the Prometheus and Grafana files, its variables against the apps' schema, .env.example
// and the configuration docs, and the Redis configuration loaded by a real redis-server.
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, pingRedis, waitFor } from '@knocker/test-kit';
import { parse } from 'yaml';
// The schema is the list of variables the apps read; the package exports only loadConfig.
import { schema } from '../../packages/config/src/schema.js';
import { docVariables, envExample, read, readYaml, root, run, type Run } from './repo.js';

const secrets = { BOARD_USER: 'operator', BOARD_PASSWORD: 'board-secret', GRAFANA_ADMIN_PASSWORD: 'grafana-secret' };
// --env-file: .env.example must itself be a valid env file, and a developer's .env must not
// change the outcome.
const compose = (env: Record<string, string>) => run('docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', 'config'], env);

let config: any;
beforeAll(async () => {
  const resolved = await compose(secrets);
  if (resolved.status !== 0) throw new Error(`docker-compose config failed:\n${resolved.stderr}`);
  config = parse(resolved.stdout);
});

afterAll(async () => {
  await Promise.all(copies.map((dir) => rm(dir, { recursive: true, force: true })));
});

const copies: string[] = [];
/** The repository's files as a fresh clone has them: tracked or new, never ignored (.env). */
async function cleanCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'knocker-clone-'));
  copies.push(dir);
  const files = (await run('git', ['ls-files', '--cached', '--others', '--exclude-standard'])).stdout.split('\n').filter(Boolean);
  for (const file of files.filter((f) => f === 'docker-compose.yml' || f === 'Dockerfile' || f.startsWith('deploy/'))) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await copyFile(join(root, file), join(dir, file));
  }
  return dir;
}

/** docker-compose in `dir` with an environment holding no setting of ours. */
function composeIn(dir: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile('docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME } }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ status: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

const publishedPorts = (resolved: any): string[] =>
  Object.values(resolved.services).flatMap((s: any) => (s.ports ?? []).map((p: any) => (typeof p === 'string' ? p : `${p.host_ip}:${p.published}:${p.target}/${p.protocol}`))).sort();

const service = (name: string) => config.services[name];
const envKeys = (name: string): string[] => Object.keys(service(name).environment ?? {});
/** The container path a repository path is mounted at, read-only. */
const mountOf = (name: string, path: string): string | undefined =>
  (service(name).volumes as string[]).map((v) => v.split(':')).find(([src, , mode]) => src === join(root, path) && mode === 'ro')?.[1];

describe('docker-compose.yml', () => {
  it('is accepted by docker-compose config -q', async () => {
    expect(await run('docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', 'config', '-q'], secrets)).toMatchObject({ status: 0, stderr: '' });
  });

  it('is accepted on a clean copy of the repository, with no .env and nothing set', async () => {
    const res = await composeIn(await cleanCopy(), 'config');
    expect(res).toMatchObject({ status: 0, stderr: '' });
    const bare = parse(res.stdout);
    // Bull Board stays off, Grafana opens to viewers, and nothing is published beyond this host.
    expect(bare.services.api.environment).toMatchObject({ BOARD_USER: '', BOARD_PASSWORD: '' });
    expect(bare.services.grafana.environment).toMatchObject({ GF_AUTH_ANONYMOUS_ENABLED: 'true', GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer', GF_SECURITY_ADMIN_PASSWORD: 'admin' });
    expect(publishedPorts(bare)).toEqual(['127.0.0.1:3000:3000/tcp', '127.0.0.1:8000:8000/tcp', '127.0.0.1:9090:9090/tcp']);
  });

  it('is accepted with a .env made of every line of .env.example, filled in', async () => {
    const dir = await cleanCopy();
    const filled = read('.env.example').replace(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm, (_, name: string, value: string) =>
      `${name}=${(secrets as Record<string, string>)[name] ?? (name === 'PUBLISH_ADDRESS' ? '0.0.0.0' : value)}`);
    await writeFile(join(dir, '.env'), filled);
    expect(await composeIn(dir, 'config', '-q')).toMatchObject({ status: 0, stderr: '' });
    const full = parse((await composeIn(dir, 'config')).stdout);
    expect(full.services.api.environment).toMatchObject({ BOARD_USER: 'operator', BOARD_PASSWORD: 'board-secret', SCHEME: 'https' });
    // PUBLISH_ADDRESS opens the api and Grafana; Prometheus, without a login, stays on this host.
    expect(publishedPorts(full)).toEqual(['0.0.0.0:3000:3000/tcp', '0.0.0.0:8000:8000/tcp', '127.0.0.1:9090:9090/tcp']);
  });

  it('runs Redis with the repository configuration, a volume and a health check', () => {
    const redis = service('redis');
    expect(redis.command.slice(0, 2)).toEqual(['redis-server', mountOf('redis', 'deploy/redis/redis.conf')]);
    expect(redis.volumes).toContain('redis-data:/data:rw');
    expect(redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(redis.ports).toBeUndefined();
  });

  it('starts the api after Redis is healthy, on port 8000, with Bull Board', () => {
    const api = service('api');
    expect(api.build.target).toBe('api');
    expect(api.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(api.ports).toEqual(['127.0.0.1:8000:8000/tcp']);
    expect(api.environment).toMatchObject({ PORT: '8000', REDIS_URL: 'redis://redis:6379', BOARD_USER: 'operator', BOARD_PASSWORD: 'board-secret' });
  });

  it('runs several workers whose metrics port is open inside the network only', () => {
    const worker = service('worker');
    expect(worker.build.target).toBe('worker');
    expect(worker.deploy.replicas).toBeGreaterThanOrEqual(2);
    expect(worker.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(worker.environment).toMatchObject({ METRICS_PORT: '8001', REDIS_URL: 'redis://redis:6379' });
    expect(worker.expose).toEqual(['8001']);
    expect(worker.ports).toBeUndefined();
  });

  it('gives api and workers time to shut down cleanly', () => {
    // api: HEALTHCHECK_INTERVAL (10 s) of draining + WRITE_TIMEOUT (10 s); worker: SHUTDOWN_TIMEOUT (30 s).
    const seconds = (d: string) => Number(d.replace(/s$/, ''));
    expect(seconds(service('api').stop_grace_period)).toBeGreaterThan(20);
    expect(seconds(service('worker').stop_grace_period)).toBeGreaterThan(30);
  });

  it('points Prometheus at every api and worker container by service name and port', () => {
    const prometheusDir = mountOf('prometheus', 'deploy/prometheus');
    expect(service('prometheus').command).toContain(`--config.file=${prometheusDir}/prometheus.yml`);
    const jobs = readYaml('deploy/prometheus/prometheus.yml').scrape_configs as any[];
    const sd = Object.fromEntries(jobs.map((j) => [j.job_name, j.dns_sd_configs]));
    expect(sd).toEqual({
      'knocker-api': [expect.objectContaining({ names: ['api'], type: 'A', port: Number(service('api').environment.PORT) })],
      'knocker-worker': [expect.objectContaining({ names: ['worker'], type: 'A', port: Number(service('worker').environment.METRICS_PORT) })],
    });
  });

  it('provisions Grafana with that Prometheus and the dashboard in the repository', () => {
    const provisioning = mountOf('grafana', 'deploy/grafana/provisioning');
    const dashboards = mountOf('grafana', 'deploy/grafana/dashboards');
    expect(provisioning).toBe('/etc/grafana/provisioning');
    const [source] = readYaml('deploy/grafana/provisioning/datasources/prometheus.yml').datasources;
    expect(source).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
    const [provider] = readYaml('deploy/grafana/provisioning/dashboards/knocker.yml').providers;
    expect(provider.options.path).toBe(dashboards);
    expect(service('grafana').environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(`${dashboards}/knocker.json`);
    expect(service('grafana').environment.GF_SECURITY_ADMIN_PASSWORD).toBe('grafana-secret');
  });
});

describe('variables', () => {
  const schemaKeys = Object.keys(schema.shape).sort();
  let configTable: Map<string, string>;
  let deployTable: Map<string, string>;
  let example: ReturnType<typeof envExample>;
  beforeAll(() => {
    configTable = docVariables('docs/configuration.md', '## Variables');
    deployTable = docVariables('docs/configuration.md', '## Deployment variables');
    example = envExample();
  });

  it('the configuration table of the docs lists every variable of the schema (and those of pnpm start)', () => {
    expect([...configTable.keys()].sort()).toEqual([...schemaKeys, 'WORKERS', 'WORKER_NICE', 'START_REDIS_DIR'].sort());
  });

  it('api and workers receive every Knocker variable, and only those', () => {
    const api = envKeys('api');
    const worker = envKeys('worker');
    expect([...api, ...worker].filter((k) => !schemaKeys.includes(k))).toEqual([]);
    expect(schemaKeys.filter((k) => !api.includes(k) && !worker.includes(k))).toEqual([]);
  });

  it('.env.example lists each variable of both configuration tables once, with its default', () => {
    const names = example.map((l) => l.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    const documented = new Map([...configTable, ...deployTable]);
    expect(names.sort()).toEqual([...documented.keys()].sort());
    for (const { name, value } of example) expect({ name, value }).toEqual({ name, value: documented.get(name) });
  });

  it('.env.example sets exactly the variables compose requires, and every variable compose reads is in it', () => {
    const text = read('docker-compose.yml');
    const required = [...text.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]);
    expect(example.filter((l) => l.active).map((l) => l.name).sort()).toEqual([...new Set(required)].sort());
    const interpolated = [...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] as string);
    expect(interpolated.filter((n) => !example.some((l) => l.name === n))).toEqual([]);
  });
});

/** CONFIG GET over raw RESP, so the check needs no redis-cli. */
function configGet(port: number, name: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(2000, () => socket.destroy(new Error(`CONFIG GET ${name}: no answer`)));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(`*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$${name.length}\r\n${name}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      // *2, $len, name, $len, value: five CRLF-terminated lines.
      const lines = reply.split('\r\n');
      if (lines.length < 6 && reply !== '*0\r\n') return;
      socket.end();
      resolve(reply === '*0\r\n' ? undefined : lines[4]);
    });
  });
}

describe('deploy/redis/redis.conf', () => {
  let dir: string;
  let port: number;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'knocker-redis-conf-'));
    port = await freePort();
    // As compose runs it, on a loopback port and a scratch directory instead of /data.
    const server = spawn('redis-server', [join(root, 'deploy/redis/redis.conf'), '--maxmemory', '1gb', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    stop = async () => {
      server.kill('SIGKILL');
      await exited;
    };
    await waitFor(() => pingRedis(`redis://127.0.0.1:${port}`, 200), { what: 'redis-server with deploy/redis/redis.conf' });
  });
  afterAll(async () => {
    await stop?.();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every job: AOF on, fsync every second, no eviction', async () => {
    const get = (name: string) => configGet(port, name);
    expect(await get('appendonly')).toBe('yes');
    expect(await get('appendfsync')).toBe('everysec');
    expect(await get('maxmemory-policy')).toBe('noeviction');
    expect(await get('maxmemory')).toBe(String(1024 ** 3));
  });
});

describe('deploy/compose.cluster.yml', () => {
  it('runs the api and workers on a cluster of six nodes instead of the one Redis', async () => {
    const resolved = await run('docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', '-f', 'deploy/compose.cluster.yml', 'config'], secrets);
    expect(resolved).toMatchObject({ status: 0, stderr: '' });
    const merged = parse(resolved.stdout);
    const nodes = ['redis', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'redis-6'];
    for (const name of nodes) expect(merged.services[name].command.join(' ')).toMatch(new RegExp(`--cluster-announce-hostname ${name} .*--cluster-enabled yes`));
    for (const app of ['api', 'worker']) {
      expect(merged.services[app].environment).toMatchObject({ REDIS_URL: '', REDIS_CLUSTER_NODES: nodes.map((n) => `${n}:6379`).join(','), QUEUE_SHARDS: '3' });
      expect(merged.services[app].depends_on['redis-cluster-init']).toEqual({ condition: 'service_completed_successfully' });
    }
    expect(merged.services['redis-cluster-init'].command.join(' ')).toMatch(/--cluster create redis:6379 .* --cluster-replicas 1 --cluster-yes/);
  });
});

describe('deploy/compose.sentinel.yml', () => {
  it('runs the api and workers on a primary, two replicas and three sentinels instead of the one Redis', async () => {
    const resolved = await run('docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', '-f', 'deploy/compose.sentinel.yml', 'config'], secrets);
    expect(resolved).toMatchObject({ status: 0, stderr: '' });
    const merged = parse(resolved.stdout);
    for (const name of ['redis-2', 'redis-3']) expect(merged.services[name].command.join(' ')).toMatch(new RegExp(`--replicaof redis 6379 --replica-announce-ip ${name}$`));
    const sentinels = ['sentinel-1', 'sentinel-2', 'sentinel-3'];
    for (const name of sentinels) {
      const [, , script, arg] = merged.services[name].command as string[];
      expect(arg).toBe(name);
      expect(script).toMatch(/'sentinel resolve-hostnames yes' .*'sentinel monitor knocker redis 6379 2'.*exec redis-sentinel \/data\/sentinel\.conf$/);
      expect(merged.services[name].volumes).toEqual([`${name}-data:/data:rw`]);
    }
    for (const app of ['api', 'worker']) {
      expect(merged.services[app].environment).toMatchObject({
        REDIS_URL: '', REDIS_SENTINELS: sentinels.map((n) => `${n}:26379`).join(','), REDIS_SENTINEL_NAME: 'knocker', REDIS_WAIT_REPLICAS: '1',
      });
      for (const name of sentinels) expect(merged.services[app].depends_on[name]).toEqual({ condition: 'service_healthy' });
    }
  });
});
