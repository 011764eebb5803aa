import dc from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { installLoopbackOnly } from '@knocker/test-kit';
import { AddressRefusedError, createAddressPolicy, createGuardedAgents, guardedLookup, type Resolver } from './index.js';

// Test names resolve here, never through DNS; only the loopback ones are ever connected to.
const NAMES: Record<string, string[]> = {
  'metadata.test': ['169.254.169.254'],
  'internal.test': ['10.0.0.1'],
  'loop.test': ['127.0.0.1'],
  'mixed.test': ['169.254.169.254', '127.0.0.1'],
};
const resolve: Resolver = (hostname, callback) => {
  const found = NAMES[hostname];
  if (!found) return callback(Object.assign(new Error(`unknown test name ${hostname}`), { code: 'ENOTFOUND' }), []);
  callback(null, found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
};

let server: http.Server;
let port: number;
let connections = 0;
// Every client socket Node creates is announced here. A refused IP literal creates none; a
// refused name creates one whose lookup fails, and net destroys such a socket unconnected.
interface Seen { lookupError?: Error; connected: boolean }
const sockets: Seen[] = [];
const watchSocket = (message: unknown) => {
  const seen: Seen = { connected: false };
  const { socket } = message as { socket: import('node:net').Socket };
  socket.on('lookup', (err) => (seen.lookupError = err ?? undefined)).on('connect', () => (seen.connected = true));
  sockets.push(seen);
};
function expectNoConnection(from: { sockets: number; connections: number }): void {
  expect(connections).toBe(from.connections);
  for (const seen of sockets.slice(from.sockets)) {
    expect(seen.connected).toBe(false);
    expect(seen.lookupError).toBeInstanceOf(AddressRefusedError);
  }
}

let uninstall: () => void;
beforeAll(async () => {
  // Should the guard fail, its test fails here instead of a packet leaving the machine.
  uninstall = installLoopbackOnly();
  server = http.createServer((_req, res) => res.end('ok'));
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  dc.subscribe('net.client.socket', watchSocket);
});
afterAll(async () => {
  uninstall();
  dc.unsubscribe('net.client.socket', watchSocket);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function get(agent: http.Agent, host: string): Promise<{ status?: number; error?: Error }> {
  return new Promise((done) => {
    const req = http.get({ host, port, path: '/', agent, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode }));
    });
    req.on('error', (error) => done({ error }));
  });
}

describe('guarded agents', () => {
  const open = createGuardedAgents(createAddressPolicy({ blockPrivateNetworks: false, allowedNetworks: [] }), { resolve });
  const closed = createGuardedAgents(createAddressPolicy({ blockPrivateNetworks: true, allowedNetworks: [] }), { resolve });
  afterAll(() => [open, closed].forEach((a) => (a.http.destroy(), a.https.destroy())));

  it.each([
    ['a name resolving to the metadata address', 'metadata.test', /169\.254\.0\.0\/16 \(link-local\)/, 1],
    ['a link-local IP literal', '169.254.169.254', /link-local/, 0],
  ])('refuses %s before connecting', async (_what, host, reason, newSockets) => {
    const before = { sockets: sockets.length, connections };
    const { error } = await get(open.http, host);
    expect(error).toBeInstanceOf(AddressRefusedError);
    expect(error?.message).toMatch(reason);
    expect((error as AddressRefusedError).code).toBe('ERR_ADDRESS_REFUSED');
    expect(sockets.length - before.sockets).toBe(newSockets);
    expectNoConnection(before);
  });

  it('refuses private names and literals with BLOCK_PRIVATE_NETWORKS, before the loopback server sees a connection', async () => {
    const before = { sockets: sockets.length, connections };
    for (const host of ['loop.test', '127.0.0.1', 'internal.test', '10.0.0.1']) {
      expect((await get(closed.http, host)).error).toBeInstanceOf(AddressRefusedError);
    }
    expectNoConnection(before);
  });

  it('connects to allowed addresses, skipping the refused ones of a mixed answer', async () => {
    expect(await get(open.http, 'loop.test')).toEqual({ status: 200 });
    expect(await get(open.http, '127.0.0.1')).toEqual({ status: 200 });
    expect(await get(open.http, 'mixed.test')).toEqual({ status: 200 });
  });
});

describe('guardedLookup', () => {
  const lookup = guardedLookup(createAddressPolicy({ blockPrivateNetworks: false, allowedNetworks: [] }), resolve);
  const call = (host: string, all: boolean) =>
    new Promise<{ err: Error | null; address: unknown; family?: number }>((r) => lookup(host, { all }, (err, address, family) => r({ err, address, family })));

  it('answers in the form net asks for', async () => {
    expect(await call('mixed.test', true)).toEqual({ err: null, address: [{ address: '127.0.0.1', family: 4 }], family: undefined });
    expect(await call('mixed.test', false)).toEqual({ err: null, address: '127.0.0.1', family: 4 });
  });

  it('passes resolver errors on', async () => {
    expect((await call('nowhere.test', false)).err).toMatchObject({ code: 'ENOTFOUND' });
  });
});
