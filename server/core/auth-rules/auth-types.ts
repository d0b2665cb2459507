// Shapes shared by every auth rule: the verdict, how rules read room state, and the few facts
// only the caller can know (which events were rejected, which signatures verify). Passing those in
// keeps the rules pure: no key fetching, no database, no clock.

import type { EventWithId, JsonObject } from '../pdu.ts';

export type AuthResult =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly reason: string;
      /** Refused for its own content, whoever sent it (see denyMalformed). */
      readonly malformed?: true;
    };

export const ALLOWED: AuthResult = Object.freeze({ allowed: true });

/** A refusal; the reason is logged and becomes the M_FORBIDDEN message. */
export function deny(reason: string): AuthResult {
  return { allowed: false, reason };
}

/**
 * A refusal of the event's content as such (a power level that is not an integer, a v12 creator
 * listed in `users`, bad `additional_creators`): no sender could get it accepted, so a client
 * that asked for it sent a malformed request (400 M_BAD_JSON, as Synapse answers) rather than one
 * it lacks the power for (403). Federation treats both alike: the event is rejected.
 */
export function denyMalformed(reason: string): AuthResult {
  return { allowed: false, reason, malformed: true };
}

/**
 * The room state the event is checked against (its auth events, the state before it, or the
 * current state). In room version 12 it must also answer `m.room.create`, although the create
 * event is never listed in auth_events.
 */
export type StateLookup = (type: string, stateKey: string) => EventWithId | undefined;

export interface ThirdPartyInviteSignature {
  /** `content.third_party_invite.signed` of the invite; verify it as signed JSON. */
  readonly signed: JsonObject;
  readonly serverName: string;
  readonly keyId: string;
  /** Unpadded base64, as found under `signed.signatures[serverName][keyId]`. */
  readonly signature: string;
  /** An identity server key from the `m.room.third_party_invite` event, unpadded base64 (standard or URL-safe). */
  readonly publicKey: string;
}

export interface AuthOptions {
  /** Events rejected on receipt. Listing one in auth_events gets the event rejected. */
  readonly isRejected?: (eventId: string) => boolean;
  /**
   * Whether the event carries a valid signature from `serverName` (for
   * `join_authorised_via_users_server`). Without it, a signature entry from that server must be
   * present: Synapse's behaviour, relying on every signature having been verified on receipt.
   */
  readonly isSignedBy?: (event: EventWithId, serverName: string) => boolean;
  /** Checks one ed25519 signature of a third-party invite. Without it, third-party invites are refused. */
  readonly verifyThirdPartyInviteSignature?: (input: ThirdPartyInviteSignature) => boolean;
}
