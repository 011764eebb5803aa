// Bounds that more than one package states: the code that enforces one, the document that
// describes it and the client that relies on it read it here.

/** Failed requests one call of the bulk replay replays at most. */
export const MAX_REPLAYS = 1000;

/** Bytes of filters the bulk replay reads at most. */
export const REPLAY_FILTERS_MAX_BYTES = 16 * 1024;

/** Flow keys a listing shows at most (GET <prefix>/hosts, the flow gauges): the busiest first. */
export const LISTED_KEYS = 1000;

/** Bytes of a request's headers Node's parser takes (its maxHeaderSize); more is a 431. */
export const HEADERS_MAX_BYTES = 16 * 1024;

/**
 * The Node-style code of a connection the address policy refused: set by the guard on the
 * error, read by the worker to end the request at once (nothing was sent, retrying cannot help).
 */
export const ERR_ADDRESS_REFUSED = 'ERR_ADDRESS_REFUSED';

/** Fan-out groups (Knocker-Group) a deployment holds at most. */
export const GROUPS_MAX = 200;

/** Endpoints one group holds at most: a group request is stored as one copy per endpoint. */
export const GROUP_ENDPOINTS_MAX = 64;

/** Characters of an endpoint's url at most (origin and path prefix). */
export const ENDPOINT_URL_MAX = 512;

/** Bytes of a group's definition (PUT <prefix>/groups/<name>) the api reads at most. */
export const GROUP_BODY_MAX_BYTES = 64 * 1024;
