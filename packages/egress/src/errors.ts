import { ConfigError } from '@knocker/config';

/**
 * EGRESS_PROXY, EGRESS_NO_PROXY, TARGET_TLS or TARGET_AUTH is wrong, or a file one names cannot
 * be used: the process cannot start (exit 78). Each problem is keyed by its variable and names
 * the target; no secret is ever part of it.
 */
export class EgressConfigError extends ConfigError {
  constructor(problems: Readonly<Record<string, string>>) {
    super(problems);
    this.name = 'EgressConfigError';
  }
}

/** Why an attempt got no answer, with the status the worker records for it. */
abstract class EgressFailure extends Error {
  abstract readonly code: string;
  readonly statusCode = 503;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** No token could be had for a target: the attempt fails as `token_unavailable` and is retried. */
export class TokenUnavailableError extends EgressFailure {
  readonly code = 'token_unavailable';
}

/** The proxy refused to open a tunnel (it answered CONNECT with something else than 200). */
export class ProxyRefusedError extends EgressFailure {
  readonly code = 'EPROXY';
}
