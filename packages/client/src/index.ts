export { Knocker } from './client.js';
export type { KnockerOptions } from './client.js';
export type { KnockOptions, KnockBody, HeadersInput } from './options.js';
export type { RetryOptions } from './transport.js';
export {
  KnockerError, KnockerApiError, KnockerRequestError, KnockerAuthError, KnockerNotFoundError, KnockerStateError, KnockerUnavailableError,
  KnockerServerError, KnockerNetworkError, KnockerResponseError,
} from './errors.js';
export type { FieldErrors } from './errors.js';
export { verifyDelivery, KnockerSignatureError } from './verify.js';
export type { Delivery, DeliveryRequest, VerifyOptions, SignatureProblem } from './verify.js';
export { FINAL_STATES } from './types.js';
export type {
  KnockAccepted, KnockDuplicate, KnockConfig, Inspection, Attempt, RequestState, StateChange, LogAppended, KnockerStatus, FailureCallback, SuccessCallback, CallbackProgress,
} from './types.js';
export type {
  ScheduleAccepted, ScheduleState, ScheduleSummary, ScheduleInspection, ScheduleStateChange, ScheduleDeleted, HostView, HostList, HostPaused, ReplayFilter, BulkReplay,
} from './admin-types.js';
export type { Endpoint, Group, GroupAnswer, GroupDeleted, GroupKnockOptions, GroupAccepted, GroupDuplicate } from './group-types.js';
