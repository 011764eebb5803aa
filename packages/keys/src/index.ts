export { QUEUES, deliveryJobId, callbackJobId, successCallbackJobId, GROUP_COPY_MARK, groupCopyId, shardIdOf } from './names.js';
export { REDIS_KEYS, FLOW_KEY_PARTS, queueKeys, prefixKeys, scheduleKeys, groupKeys, qstashQueueKeys, flowKeys } from './keys.js';
export type { KeyKind, QueueKeys, FlowKeyPart } from './keys.js';
export { shardPrefixes, shardIndexOf, slotOf, SLOTS, MAX_SHARDS } from './shards.js';
