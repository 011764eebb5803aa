export { KNOCKER_VERSION } from './version.js';
export { parseKnockRequest, API_KEY_HEADER, KNOCKER_HEADERS } from './request.js';
export type { KnockConfig, KnockRequest, IncomingKnock, ProtocolLimits } from './request.js';
export { forwardableHeaders } from './headers.js';
export type { HeaderPair } from './headers.js';
export { retryDelayMs } from './backoff.js';
export {
  KnockerError, InvalidRequestError, OverloadedError, LoopDetectedError, PayloadTooLargeError, QueueUnavailableError, TooManyRequestsError, UnauthorizedError,
} from './errors.js';
export { secretsEqual } from './secret.js';
export { checkRequestId } from './request.js';
// Defined below the protocol, as the configuration reads them too (DELAY_MAX, HOST_LIMITS).
export { checkFlowKey, parseDuration } from '@knocker/config';
export { RESERVED_ID_FORMS, reservedIdProblem } from './reserved-ids.js';
export { parseCatchPatterns, catchesError, MAX_CATCH_PATTERNS } from './catch.js';
export { readTargetError, NO_ERROR_CODE } from './target-error.js';
export type { TargetError } from './target-error.js';
export {
  AdminKeyError, AdminDisabledError, RequestNotFoundError, RequestStateError, RequestLogFullError, MethodNotAllowedError, RouteNotFoundError,
} from './lifecycle-errors.js';
export { readNotBefore, DEFAULT_DELAY_MAX_SECONDS } from './timing.js';
export type { DelayHeaders } from './timing.js';
export { parseCron, nextTicks } from './cron.js';
export type { CronSpec } from './cron.js';
export { parseRetryOn, retriesOn, NETWORK, MAX_RETRY_ON_ENTRIES } from './retry-on.js';
export { readRetryAfter } from './retry-after.js';
export { ScheduleNotFoundError, ScheduleLimitError } from './schedule-errors.js';
