// Rule "membership is invite and content has third_party_invite": the invite is allowed on the
// strength of an identity server's signature rather than the sender's power.
// https://spec.matrix.org/latest/server-server-api/#third-party-invites

import { type EventWithId, isJsonObject, type JsonObject } from '../pdu.ts';
import {
  ALLOWED,
  type AuthOptions,
  type AuthResult,
  deny,
  type StateLookup,
} from './auth-types.ts';
import { contentOf, membershipOf, objectField, stringField } from './pdu-fields.ts';

export function checkThirdPartyInvite(
  event: EventWithId,
  target: string,
  state: StateLookup,
  options: AuthOptions,
): AuthResult {
  if (membershipOf(state, target) === 'ban') return deny(`${target} is banned`);
  const invite = objectField(contentOf(event.pdu), 'third_party_invite');
  const signed = invite && objectField(invite, 'signed');
  if (!signed) return deny('third_party_invite has no signed object');
  const mxid = stringField(signed, 'mxid');
  const token = stringField(signed, 'token');
  if (mxid === undefined || token === undefined) {
    return deny('third_party_invite.signed lacks mxid or token');
  }
  if (mxid !== target) return deny('third_party_invite.signed.mxid does not match state_key');
  const thirdPartyInvite = state('m.room.third_party_invite', token);
  if (!thirdPartyInvite) return deny('no m.room.third_party_invite in the room for this token');
  if (thirdPartyInvite.pdu.sender !== event.pdu.sender) {
    return deny('sender does not match the sender of the m.room.third_party_invite');
  }
  const verify = options.verifyThirdPartyInviteSignature;
  if (!verify) return deny('third-party invite signatures cannot be verified here');
  const signatures = objectField(signed, 'signatures') ?? {};
  for (const publicKey of publicKeysOf(contentOf(thirdPartyInvite.pdu))) {
    for (const [serverName, byKey] of Object.entries(signatures)) {
      if (!isJsonObject(byKey)) continue;
      for (const [keyId, signature] of Object.entries(byKey)) {
        // ed25519 is the only algorithm identity servers sign with.
        if (!keyId.startsWith('ed25519:') || typeof signature !== 'string') continue;
        if (verify({ signed, serverName, keyId, signature, publicKey })) return ALLOWED;
      }
    }
  }
  return deny(
    'no signature on the third-party invite matches a key of the m.room.third_party_invite',
  );
}

/** `public_key` and every `public_keys[].public_key`, in that order. */
export function publicKeysOf(content: JsonObject): string[] {
  const keys: string[] = [];
  const single = stringField(content, 'public_key');
  if (single !== undefined) keys.push(single);
  const list = content.public_keys;
  if (Array.isArray(list)) {
    for (const entry of list) {
      const key = isJsonObject(entry) ? stringField(entry, 'public_key') : undefined;
      if (key !== undefined) keys.push(key);
    }
  }
  return keys;
}
