/** Sent as `x-knocker` on every forwarded call; keep equal to the root package.json version. */
export const KNOCKER_VERSION = '0.1.0';
