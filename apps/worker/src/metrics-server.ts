import express from 'express';
import { createHealthRouter, type HealthOptions } from '@knocker/health';
import type { Registry } from '@knocker/metrics';

/** What each worker replica serves on METRICS_PORT: its own metrics and health. */
export function createMetricsApp(deps: { registry: Registry; health: HealthOptions & { path: string } }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res, next) => {
    try {
      res.type(deps.registry.contentType).send(await deps.registry.metrics());
    } catch (err) {
      next(err);
    }
  });
  app.use(deps.health.path, createHealthRouter(deps.health));
  return app;
}
