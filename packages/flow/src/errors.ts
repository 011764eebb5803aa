import { ApiError } from '@knocker/contract';

/** Pausing a key does nothing while the workers run without flow control. */
export class FlowControlOffError extends ApiError {
  constructor() {
    super('flow_control_off', { key: 'flow control is off: set HOST_CONCURRENCY, HOST_RATE, HOST_LIMITS or BREAKER_FAILURES (api and workers) for pauses to apply' });
  }
}
