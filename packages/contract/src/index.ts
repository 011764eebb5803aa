export { ERRORS, errorEntry, kindOf } from './errors.js';
export type { ErrorCode, ErrorEntry, ErrorKind } from './errors.js';
export { ApiError, errorBody } from './answer.js';
export type { ErrorBody } from './answer.js';
export {
  MAX_REPLAYS, REPLAY_FILTERS_MAX_BYTES, LISTED_KEYS, HEADERS_MAX_BYTES, ERR_ADDRESS_REFUSED,
  GROUPS_MAX, GROUP_ENDPOINTS_MAX, ENDPOINT_URL_MAX, GROUP_BODY_MAX_BYTES,
} from './limits.js';
