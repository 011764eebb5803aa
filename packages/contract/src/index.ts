export { ERRORS, errorEntry, kindOf } from './errors.js';
export type { ErrorCode, ErrorEntry, ErrorKind } from './errors.js';
export { ApiError, errorBody } from './answer.js';
export type { ErrorBody } from './answer.js';
export { MAX_REPLAYS, REPLAY_FILTERS_MAX_BYTES, LISTED_KEYS, ORDER_LINE_MAX, LISTED_ORDER_KEYS, HEADERS_MAX_BYTES, ERR_ADDRESS_REFUSED } from './limits.js';
