import { describe, expect, it } from '@jest/globals';
import type { KnockConfig as ServerConfig } from '@knocker/protocol';
import type { AttemptRecord, CallbackPayload } from '@knocker/queue';
import type { Attempt, FailureCallback, KnockConfig } from '../src/index.js';

// The client's types are its own, so the published package depends on nothing of the server.
// These assignments make the typecheck fail when the server's types and the client's part.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const config: Same<KnockConfig, ServerConfig> = true;
const attempt: Same<Attempt, AttemptRecord> = true;
const callback: Same<FailureCallback['config'], CallbackPayload['config']> = true;

describe('client types', () => {
  it('are the server types', () => {
    expect([config, attempt, callback]).toEqual([true, true, true]);
  });
});
