export { readPublish } from './publish.js';
export type { Publish, PublishInput } from './publish.js';
export { QstashRequestError } from './errors.js';
export { signMessage } from './signature.js';
export { deliveryHeaders } from './delivery.js';
export { qstashCallback, groupHeaders } from './callback.js';
export type { Answered } from './callback.js';
export { messageOf, scheduleOf } from './answers.js';
export { readDestination } from './destination.js';
