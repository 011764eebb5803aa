import type { ProtocolLimits } from '@knocker/protocol';

/** What the document depends on: the running configuration, so a served document tells its own limits and paths. */
export interface OpenApiOptions extends Omit<ProtocolLimits, 'hostsOnly' | 'refuseAddress'> {
  version: string;
  reservedPrefix: string;
  statusUrl: string;
  healthPath: string;
  metricsEnabled: boolean;
  maxBodySize: number;
  /** BATCH_MAX and BATCH_MAX_BYTES. */
  batch: { maxItems: number; maxBytes: number };
  /** DELAY_MAX, seconds. */
  delayMax: number;
  requestLog: { maxLines: number; maxBytes: number; requiresAdminKey: boolean };
  /** KNOCKER_API_KEYS is set: the log route then wants a key too. */
  apiKeysRequired: boolean;
  /** QSTASH_TOKENS is set: the QStash door's routes are served. */
  qstash: boolean;
}

/** A JSON value of the document; the builders stay readable without a full OpenAPI type tree. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
