import { KnockerError } from '@knocker/protocol';

/** Pausing a key does nothing while the workers run without flow control. */
export class FlowControlOffError extends KnockerError {
  readonly status = 409;
  readonly code = 'flow_control_off';
  constructor() {
    super({ key: 'flow control is off: set HOST_CONCURRENCY, HOST_RATE, HOST_LIMITS or BREAKER_FAILURES (api and workers) for pauses to apply' });
  }
}
