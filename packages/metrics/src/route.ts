import type { Registry } from 'prom-client';

/** The `/metrics` handler for express-style apps: the registry in Prometheus' text format. */
export function metricsRoute(registry: Registry) {
  return async (_req: unknown, res: { type(t: string): { send(body: string): unknown } }, next: (err?: unknown) => void): Promise<void> => {
    try {
      res.type(registry.contentType).send(await registry.metrics());
    } catch (err) {
      next(err);
    }
  };
}
