import type { Config } from '@knocker/config';
import { KNOCKER_VERSION } from '@knocker/protocol';
import type { OpenApiOptions } from './options.js';

/** The document's inputs, read from the api's configuration. */
export function openApiOptions(config: Config): OpenApiOptions {
  return {
    version: KNOCKER_VERSION,
    reservedPrefix: config.reservedPrefix,
    statusUrl: config.statusUrl,
    healthPath: config.health.path,
    metricsEnabled: config.metricsEnabled,
    scheme: config.scheme,
    timeout: config.timeout,
    timeoutMax: config.timeoutMax,
    retries: config.retries,
    retriesMax: config.retriesMax,
    backoffFactor: config.backoffFactor,
    backoffFactorMax: config.backoffFactorMax,
    maxBodySize: config.maxBodySize,
    delayMax: config.delayMax,
    requestLog: { ...config.requestLog },
    apiKeysRequired: config.apiKeys.length > 0,
  };
}
