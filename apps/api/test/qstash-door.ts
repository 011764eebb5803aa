import { Client, Receiver } from '@upstash/qstash';
import { sharedRedisUrl, startApi, startWorker, waitFor, type ApiProcess, type KnockerProcess, type Recorded, type Target } from '@knocker/test-kit';

// What the QStash door's integration tests share: an api and a worker with the door on, the
// unmodified SDK's client for it, and the target's requests as the tests wait for them.

export interface DoorKeys {
  token: string;
  current: string;
  next: string;
}

export interface Door {
  api: ApiProcess;
  worker: KnockerProcess;
  client: Client;
  kill(): Promise<void>;
}

/** An api and a worker on one prefix with the door's variables (and `env`'s), immediate retries, loopback allowed. */
export async function startDoor(prefix: string, keys: DoorKeys, env: Record<string, string> = {}): Promise<Door> {
  const all = {
    QSTASH_TOKENS: keys.token, QSTASH_CURRENT_SIGNING_KEY: keys.current, QSTASH_NEXT_SIGNING_KEY: keys.next,
    RETRIES_BACKOFF_FACTOR: '0', ALLOWED_NETWORKS: '127.0.0.0/8', ...env,
  };
  const [api, worker] = await Promise.all([startApi({ redisUrl: sharedRedisUrl(), prefix, env: all }), startWorker({ redisUrl: sharedRedisUrl(), prefix, env: all })]);
  const client = new Client({ baseUrl: `${api.url}/knocker/qstash`, token: keys.token, devMode: false, retry: false });
  return { api, worker, client, kill: async () => void (await Promise.all([api.kill(), worker.kill()])) };
}

/** The target's requests to one path (query included), and waiting for the `count`th. */
export function arrivals(target: Target, timeoutMs = 20_000) {
  const at = (path: string) => target.requests.filter((r) => r.url === path);
  const arrived = async (path: string, count = 1): Promise<Recorded[]> => {
    await waitFor(() => at(path).length >= count, { timeoutMs });
    return at(path);
  };
  return { at, arrived };
}

/** The SDK's own check of a delivery or callback, for the URL it was sent to. */
export const verify = (receiver: Receiver, target: Target, rec: Recorded) =>
  receiver.verify({ signature: String(rec.headers['upstash-signature']), body: rec.body.toString(), url: `${target.url}${rec.url}` });
