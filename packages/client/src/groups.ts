import type { Endpoint, Group, GroupAnswer, GroupDeleted } from './group-types.js';
import type { Call } from './transport.js';

/** The group routes, behind the admin key. */
export interface GroupRoutes {
  list(): Promise<Group[]>;
  get(name: string): Promise<Group>;
  /** Creates or replaces the group with these endpoints, in order. */
  put(name: string, endpoints: readonly Endpoint[]): Promise<GroupAnswer>;
  /** Requests already stored for it are not touched. */
  remove(name: string): Promise<GroupDeleted>;
  /** Adds the endpoint, or replaces its url; creates the group when it is missing. */
  setEndpoint(name: string, endpoint: string, url: string): Promise<GroupAnswer>;
  removeEndpoint(name: string, endpoint: string): Promise<GroupAnswer>;
}

/** `base`: `<prefix>/groups`; `admin` sends a call with the admin key. */
export function groupRoutes(base: string, admin: <T>(call: Call) => Promise<T>): GroupRoutes {
  const at = (name: string, endpoint?: string) => `${base}/${encodeURIComponent(name)}${endpoint === undefined ? '' : `/endpoints/${encodeURIComponent(endpoint)}`}`;
  // Putting the same definition twice is putting it once: safe to send again.
  const put = <T>(path: string, body: unknown) => admin<T>({ method: 'PUT', path, headers: [['content-type', 'application/json']], body: JSON.stringify(body), retryable: true });
  return {
    list: async () => (await admin<{ groups: Group[] }>({ method: 'GET', path: base, retryable: true })).groups,
    get: async (name) => (await admin<GroupAnswer>({ method: 'GET', path: at(name), retryable: true })).group,
    put: (name, endpoints) => put(at(name), { endpoints: endpoints.map((e) => ({ name: e.name, url: e.url })) }),
    remove: (name) => admin({ method: 'DELETE', path: at(name), retryable: false }),
    setEndpoint: (name, endpoint, url) => put(at(name, endpoint), { url }),
    removeEndpoint: (name, endpoint) => admin({ method: 'DELETE', path: at(name, endpoint), retryable: false }),
  };
}
