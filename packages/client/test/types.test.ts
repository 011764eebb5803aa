import { describe, expect, it } from '@jest/globals';
import type { KnockConfig as ServerConfig } from '@knocker/protocol';
import type { KeyView } from '@knocker/flow';
import type { AttemptRecord, CallbackPayload, ScheduleState as ServerScheduleState, SuccessCallbackPayload } from '@knocker/queue';
import type { Attempt, FailureCallback, HostView, KnockConfig, ScheduleState, SuccessCallback } from '../src/index.js';

// The client's types are its own, so the published package depends on nothing of the server.
// These assignments make the typecheck fail when the server's types and the client's part.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const config: Same<KnockConfig, ServerConfig> = true;
const attempt: Same<Attempt, AttemptRecord> = true;
const callback: Same<FailureCallback['config'], CallbackPayload['config']> = true;
const success: Same<SuccessCallback, SuccessCallbackPayload> = true;
const host: Same<HostView, KeyView> = true;
const schedule: Same<ScheduleState, ServerScheduleState> = true;

describe('client types', () => {
  it('are the server types', () => {
    expect([config, attempt, callback, success, host, schedule]).toEqual([true, true, true, true, true, true]);
  });
});
