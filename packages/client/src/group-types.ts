import type { KnockOptions } from './options.js';
import type { KnockConfig, RequestState } from './types.js';

/** One endpoint of a group: an origin with an optional path prefix. */
export interface Endpoint {
  /** 1 to 32 of `A-Z a-z 0-9 . _ -`; a copy's id is `<request id>~~<name>`. */
  name: string;
  /** `https://a.example` or `http://10.0.0.5:8080/hooks`; no query, fragment or credentials. */
  url: string;
}

export interface Group {
  name: string;
  endpoints: Endpoint[];
  created_at: string;
  updated_at: string;
}

export interface GroupAnswer {
  status: true;
  group: Group;
  /** The group (or the endpoint) existed and was replaced. */
  replaced?: true;
}

export interface GroupDeleted {
  status: true;
  name: string;
  state: 'deleted';
}

/** A request for every endpoint of a group: the options of a knock, a path instead of a url. */
export interface GroupKnockOptions extends Omit<KnockOptions, 'url' | 'cron'> {
  /** The path and query each copy gets after its endpoint's prefix: `/orders/7?x=1`. Default `/`. */
  path?: string;
}

/** The answer to a knock with a group: one copy stored per endpoint. */
export interface GroupAccepted {
  status: true;
  duplicate?: undefined;
  id: string;
  group: string;
  /** Each copy's id (`<id>~~<endpoint>`) and where it is delivered, in the group's order. */
  requests: Array<{ id: string; url: string }>;
  /** What every copy shares: host and scheme are each endpoint's. */
  config: Omit<KnockConfig, 'host' | 'scheme'>;
  method: string;
  headers: Array<[string, string]>;
  'body-length': number;
  not_before?: string;
}

/** Copies with this id are still stored: nothing more was. */
export interface GroupDuplicate {
  status: true;
  duplicate: true;
  id: string;
  group: string;
  requests: Array<{ id: string; state: RequestState }>;
}
