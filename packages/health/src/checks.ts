/** One liveness check. `run` resolves (optionally with a message) when healthy and throws when not. */
export interface HealthCheck {
  name: string;
  /** The segment under the health path that runs this check alone. */
  path: string;
  run(): Promise<string | void>;
}

export interface CheckResult {
  name: string;
  path: string;
  message: string;
  milliSeconds: number;
  run: boolean;
  isHealthy: boolean;
}

/** Runs one check under a deadline: a check slower than `timeoutMs` counts as unhealthy. */
export async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  const result = (isHealthy: boolean, message: string): CheckResult => ({
    name: check.name, path: check.path, message, milliSeconds: Math.round(performance.now() - started), run: true, isHealthy,
  });
  try {
    const message = await Promise.race([check.run(), late]);
    return result(true, message || 'OK');
  } catch (err) {
    return result(false, err instanceof Error ? err.message : String(err));
  } finally {
    clearTimeout(timer);
  }
}

/** `redis`: a PING on the process's own connection, so it tells whether this process can reach Redis. */
export function redisCheck(client: { ping(): Promise<unknown>; status?: string }): HealthCheck {
  return {
    name: 'redis',
    path: 'redis',
    run: async () => {
      if (client.status !== undefined && client.status !== 'ready') throw new Error(`not connected (${client.status})`);
      await client.ping();
    },
  };
}
