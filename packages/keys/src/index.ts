export { QUEUES, deliveryJobId, callbackJobId, successCallbackJobId } from './names.js';
export { REDIS_KEYS, FLOW_KEY_PARTS, queueKeys, prefixKeys, scheduleKeys, flowKeys } from './keys.js';
export type { KeyKind, QueueKeys, FlowKeyPart } from './keys.js';
export { shardPrefixes, shardIndexOf, slotOf, SLOTS, MAX_SHARDS } from './shards.js';
