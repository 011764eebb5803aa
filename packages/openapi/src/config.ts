import type { Config } from '@knocker/config';
import { KNOCKER_VERSION } from '@knocker/protocol';
import type { OpenApiOptions } from './options.js';

/** The document's inputs, read from the api's configuration. */
export function openApiOptions(config: Pick<Config, 'api' | 'protocol' | 'health' | 'metrics' | 'qstash'>): OpenApiOptions {
  const { api, protocol } = config;
  return {
    version: KNOCKER_VERSION,
    reservedPrefix: api.reservedPrefix,
    statusUrl: api.statusUrl,
    healthPath: config.health.path,
    metricsEnabled: config.metrics.enabled,
    scheme: protocol.scheme,
    timeout: protocol.timeout,
    timeoutMax: protocol.timeoutMax,
    retries: protocol.retries,
    retriesMax: protocol.retriesMax,
    backoffFactor: protocol.backoffFactor,
    backoffFactorMax: protocol.backoffFactorMax,
    maxBodySize: api.maxBodySize,
    batch: { ...api.batch },
    delayMax: protocol.delayMax,
    requestLog: { ...api.requestLog },
    apiKeysRequired: api.apiKeys.length > 0,
    qstash: config.qstash.tokens.length > 0,
  };
}
