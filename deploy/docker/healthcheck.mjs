// @ts-check
// The images' HEALTHCHECK: `node healthcheck.mjs api|worker` exits 0 when the process
// answers 200 on its liveness path (HEALTH_PATH/_self) and 1 otherwise. It reads the same
// variables as the apps, so a changed PORT, METRICS_PORT, HEALTH_PATH or HEALTH_API_KEY
// needs no change here. The images have no curl or wget; node is there anyway.
import http from 'node:http';

const env = process.env;
const app = process.argv[2];
const port = app === 'api' ? (env.PORT ?? '8000') : app === 'worker' ? (env.METRICS_PORT ?? '8001') : undefined;
if (port === undefined) {
  console.error('usage: node healthcheck.mjs api|worker');
  process.exit(1);
}
// An app bound to every address answers on loopback; one bound to a single address, there.
const bind = (env.BIND_ADDRESS ?? '').trim();
const host = bind === '' || bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind.replace(/^\[(.*)\]$/, '$1');
const base = (env.HEALTH_PATH ?? '/hc').trim().replace(/\/+$/, '');
const key = env.HEALTH_API_KEY ?? '';
const path = `${base}/_self${key === '' ? '' : `?api-key=${encodeURIComponent(key)}`}`;

const req = http.get({ host, port: Number(port), path, timeout: 3000 }, (res) => {
  res.resume();
  if (res.statusCode !== 200) console.error(`${app} health: ${path.replace(/\?.*/, '')} answered ${res.statusCode}`);
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('no answer within 3 s')));
req.on('error', (err) => {
  console.error(`${app} health: ${host}:${port}: ${err.message}`);
  process.exit(1);
});
