import { groupKeys } from '@knocker/keys';
import type { Endpoint } from '@knocker/protocol';
import type { Connection } from './connection.js';
import { runScript, SCRIPTS } from './scripts.js';

/** A fan-out group as stored: its endpoints in the order they were given. */
export interface StoredGroup {
  name: string;
  endpoints: Endpoint[];
  /** Ms since the epoch. */
  createdAt: number;
  updatedAt: number;
}

export interface GroupBounds {
  /** GROUPS_MAX and GROUP_ENDPOINTS_MAX. */
  groups: number;
  endpoints: number;
}

export type EndpointOutcome = 'created' | 'replaced' | 'removed' | 'groups-full' | 'endpoints-full' | 'no-group' | 'no-endpoint';

/**
 * Fan-out groups, one hash under QUEUE_PREFIX (so every shard layout reads the same ones): a
 * name's definition as JSON. Changes of one endpoint are scripts, so two admins changing one
 * group at once both land.
 */
export interface Groups {
  save(name: string, endpoints: readonly Endpoint[], bounds: GroupBounds): Promise<'created' | 'replaced' | 'full'>;
  get(name: string): Promise<StoredGroup | undefined>;
  list(): Promise<StoredGroup[]>;
  remove(name: string): Promise<boolean>;
  setEndpoint(name: string, endpoint: Endpoint, bounds: GroupBounds): Promise<EndpointOutcome>;
  removeEndpoint(name: string, endpoint: string): Promise<EndpointOutcome>;
}

const SET_OUTCOMES: Record<number, EndpointOutcome> = { 1: 'created', 2: 'replaced', 0: 'groups-full', [-1]: 'endpoints-full' };
const REMOVE_OUTCOMES: Record<number, EndpointOutcome> = { 1: 'removed', [-2]: 'no-group', [-3]: 'no-endpoint' };

export function createGroups(connection: Connection, prefix: string, bound: <T>(work: Promise<T>) => Promise<T>): Groups {
  const { definitions } = groupKeys(prefix);
  const parse = (raw: string | null): StoredGroup | undefined => {
    if (raw === null) return undefined;
    const group = JSON.parse(raw) as StoredGroup;
    // Lua's cjson writes an empty list as {}.
    return Array.isArray(group.endpoints) ? group : { ...group, endpoints: [] };
  };
  const endpointScript = (name: string, endpoint: string, url: string, bounds: GroupBounds) =>
    bound(runScript(connection, SCRIPTS.groupEndpoint, [definitions], [name, endpoint, url, bounds.groups, bounds.endpoints, Date.now()])).then(Number);
  return {
    async save(name, endpoints, bounds) {
      const now = Date.now();
      const group: StoredGroup = { name, endpoints: endpoints.map((e) => ({ name: e.name, url: e.url })), createdAt: now, updatedAt: now };
      const code = Number(await bound(runScript(connection, SCRIPTS.saveGroup, [definitions], [name, JSON.stringify(group), bounds.groups])));
      return code === 0 ? 'full' : code === 1 ? 'created' : 'replaced';
    },
    get: async (name) => parse(await bound(connection.hget(definitions, name))),
    async list() {
      const all = await bound(connection.hgetall(definitions));
      return Object.values(all).map((raw) => parse(raw)!).sort((a, b) => a.name.localeCompare(b.name));
    },
    remove: async (name) => (await bound(connection.hdel(definitions, name))) === 1,
    setEndpoint: async (name, endpoint, bounds) => SET_OUTCOMES[await endpointScript(name, endpoint.name, endpoint.url, bounds)] ?? 'groups-full',
    removeEndpoint: async (name, endpoint) => REMOVE_OUTCOMES[await endpointScript(name, endpoint, '', { groups: 0, endpoints: 0 })] ?? 'no-group',
  };
}
