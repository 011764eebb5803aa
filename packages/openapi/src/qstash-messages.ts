import type { JsonObject } from './options.js';
import {
  DOOR_DLQ_PAGE_BYTES, countParam, dates, filter, ids, notFound, ok, op, param, query, refusal,
} from './qstash-shared.js';
import { json } from './responses.js';
import { schemaRef as ref } from './schemas.js';

// The routes that read and end messages: one message, bulk cancel, the logs and the DLQ.

const cursor = query('cursor', 'The `cursor` of the previous answer, given once.');
const refusedFilters = '`queueName` and `callerIp` are refused: Knocker keeps neither with a listing';
const common = [
  filter('url', 'Only messages to this URL.'), filter('topicName', 'Only copies of this URL group.'), filter('scheduleId', 'Only ticks of this schedule.'),
  filter('label', 'Only messages with this label.'), filter('flowControlKey', 'Only messages of this flow-control key.'), ...dates,
];
const hostPath = [filter('host', 'Only messages to this host (with its port, if the URL names one).'), filter('path', 'Only messages to this path.')];
const dlqFilters = [
  ...common, filter('responseStatus', 'Only messages whose last attempt answered this status (999: no answer).', { type: 'string', pattern: '^[1-9]\\d\\d$' }),
  filter('messageId', 'Only this message.'),
];
const dlqIds = ids('dlqIds', 'These failed messages, with nothing else but `count`. Without it, the filters choose (every failed message without any), a page at a time.');
const dlqBad = refusal(`\`dlqIds\`, a filter, \`count\` or \`cursor\` is wrong, or \`dlqIds\` is given with a filter: the error names it. ${refusedFilters}.`);
const dlqPage = [dlqIds, ...dlqFilters, countParam(100, 100), cursor];

export function messagePaths(): Record<string, JsonObject> {
  return {
    '/v2/messages/{id}': {
      parameters: [param('id', 'The message id, as publish answered it.')],
      get: op('qstashGetMessage', 'Read a message', { ...ok('The message, as long as Knocker keeps it (RETAIN_*).', 'QstashMessage'), ...notFound('message') }),
      delete: op('qstashCancelMessage', 'Cancel a message', {
        ...ok('Cancelled: `{cancelled: 1}`.', 'QstashCancelled'), ...notFound('message'),
        '400': refusal('The message is being delivered or has finished.'),
      }),
    },
    '/v2/messages': {
      delete: op('qstashCancelMessages', 'Cancel messages by id, or the waiting and delayed ones the filters match, newest first', {
        ...ok('How many were cancelled: a named message being delivered or finished is not counted.', 'QstashCancelled'),
        '400': refusal(`\`messageIds\`, a filter or \`count\` is wrong, or \`messageIds\` is given with anything else: the error names it. ${refusedFilters}.`),
      }, { parameters: [ids('messageIds', 'These messages, with nothing else.'), ...common, ...hostPath, countParam(500, 100, 'At most this many (without `messageIds`); a call reads at most two listing pages of each state, so call again while it cancels some.')] }),
    },
    '/v2/events': {
      get: op('qstashLogs', 'What happened to messages, newest first', {
        ...ok('A page of events: each message as its latest entry, or with `messageIds` every entry of those messages; `cursor` absent on the last page.', 'QstashEvents'),
        '400': refusal(`\`messageIds\`, \`state\`, a filter, \`count\` or \`cursor\` is wrong, or \`messageIds\` is given with anything but \`count\`: the error names it. ${refusedFilters}.`),
      }, { parameters: [
        ids('messageIds', 'Every entry of these messages (`messageId`, the SDK\'s older name, too), with nothing else but `count`.'),
        query('state', 'Only messages in this state; ACTIVE and ERROR are not listed on their own here.', { enum: ['CREATED', 'RETRY', 'IN_PROGRESS', 'DELIVERED', 'FAILED', 'CANCELLED', 'CANCELED'] }),
        ...common, ...hostPath, countParam(1000, 100), cursor,
      ] }),
    },
    '/v2/dlq': {
      get: op('qstashListDlq', 'List failed messages, newest failure first', {
        ...ok(`A page, each message with its header and body; \`cursor\` absent on the last one. A page ends early, with its cursor, before its bodies pass ${DOOR_DLQ_PAGE_BYTES} bytes; past that, messages named by \`dlqIds\` come without header and body.`, 'QstashDlqPage'),
        '400': dlqBad,
      }, { parameters: dlqPage }),
      delete: op('qstashDeleteDlqMessages', 'Delete failed messages by id, or a page of those the filters match', {
        ...ok('How many were deleted; `cursor` while more may match.', 'QstashDeleted'), '400': dlqBad,
      }, { parameters: dlqPage }),
    },
    '/v2/dlq/retry': {
      post: op('qstashRetryDlq', 'Replay failed messages by id, or a page of those the filters match', {
        ...ok('The messages replayed, under their own ids; `cursor` while more may match.', 'QstashRetried'), '400': dlqBad,
      }, { parameters: dlqPage }),
    },
    '/v2/dlq/{dlqId}': {
      parameters: [param('dlqId', 'The failed message\'s `dlqId`.')],
      delete: op('qstashDeleteDlqMessage', 'Delete one failed message', { ...ok('`{deleted: 1}`.', 'QstashDeleted'), '404': refusal('No failed message has this id.') }),
    },
  };
}
