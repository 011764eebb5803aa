import type { AddressPolicy } from '@knocker/netguard';
import { InvalidRequestError, type KnockRequest } from '@knocker/protocol';

/**
 * IP literals in Knocker-Host and Knocker-Callback are judged at once: no name has to be
 * resolved, so the client hears 400 instead of a failed delivery. Names are judged by the
 * workers when they connect, on the address the name resolves to then.
 */
export function checkAddresses(knock: KnockRequest, policy: AddressPolicy): void {
  const errors: Record<string, string> = {};
  const targetRefusal = policy.refusal(new URL(knock.url).hostname);
  if (targetRefusal) errors['knocker-host'] = `is not allowed: ${targetRefusal.reason}`;
  const callbackRefusal = knock.config.callback === null ? undefined : policy.refusal(new URL(knock.config.callback).hostname);
  if (callbackRefusal) errors['knocker-callback'] = `is not allowed: ${callbackRefusal.reason}`;
  if (Object.keys(errors).length > 0) throw new InvalidRequestError(errors);
}
