import express from 'express';
import { createHealthRouter, type HealthOptions } from '@knocker/health';
import { metricsRoute, type Registry } from '@knocker/metrics';

/** What each worker replica serves on METRICS_PORT: its own metrics and health. */
export function createMetricsApp(deps: { registry: Registry | undefined; health: HealthOptions & { path: string } }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.registry) app.get('/metrics', metricsRoute(deps.registry));
  app.use(deps.health.path, createHealthRouter(deps.health));
  return app;
}
