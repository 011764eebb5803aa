// A hostile target in a process of its own (see spawnHostile): the behaviour comes as JSON in
// argv; every request is reported on stdout as one `hit <json>` line.
import { startHostile, type Behaviour } from './hostile.js';

const behaviour = JSON.parse(process.argv[2] ?? '{}') as Behaviour;
const hostile = await startHostile(behaviour, {
  tls: process.argv[3] === 'tls',
  onHit: (hit) => process.stdout.write(`hit ${JSON.stringify(hit)}\n`),
});
process.stdout.write(`hostile listening on ${hostile.port}\n`);
process.on('SIGTERM', () => void hostile.close().then(() => process.exit(0)));
