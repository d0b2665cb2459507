// The checks on receipt of a PDU that need no room state, in the spec's order: a valid event for
// its room version (else dropped), signatures of every server that must sign it (else dropped),
// then the content hash (a mismatch does not drop the event: it goes on redacted).
// https://spec.matrix.org/latest/server-server-api/#checks-performed-on-receipt-of-a-pdu
import { checkEventFormat } from '../../server/core/auth-rules/check-event-format.ts';
import { EventIdError, withEventId } from '../../server/core/event-id.ts';
import {
  type EventWithId,
  isJsonObject,
  type JsonObject,
  type Pdu,
} from '../../server/core/pdu.ts';
import { redactEvent } from '../../server/core/redaction.ts';
import type { RoomVersion } from '../../server/core/room-versions.ts';
import {
  checkEventContentHash,
  MalformedEventError,
  serversRequiredToSign,
  verifyEventSignatures,
} from '../../server/core/sign-event.ts';
import type { ServerKeyStore } from '../keys/remote-keys.ts';

export type ReceiptCheck =
  | { readonly ok: true; readonly event: EventWithId; readonly redactedForHash: boolean }
  | { readonly ok: false; readonly eventId: string | undefined; readonly reason: string };

export async function checkPduOnReceipt(
  version: RoomVersion,
  raw: unknown,
  keys: Pick<ServerKeyStore, 'getVerifyKey'>,
): Promise<ReceiptCheck> {
  if (!isJsonObject(raw))
    return { ok: false, eventId: undefined, reason: 'a PDU must be an object' };
  // Whatever the sender put in `unsigned` is theirs, not part of the event: never trusted.
  const { unsigned: _unsigned, ...pdu } = raw as Pdu & { unsigned?: unknown };
  let event: EventWithId;
  try {
    event = withEventId(version, pdu as Pdu);
  } catch (err) {
    if (err instanceof EventIdError) return { ok: false, eventId: undefined, reason: err.message };
    return {
      ok: false,
      eventId: undefined,
      reason: `cannot compute the event id: ${(err as Error).message}`,
    };
  }
  const fail = (reason: string): ReceiptCheck => ({ ok: false, eventId: event.eventId, reason });
  const format = checkEventFormat(version, event);
  if (!format.allowed) return fail(format.reason);

  let servers: string[];
  try {
    servers = serversRequiredToSign(version, event.pdu);
  } catch (err) {
    if (err instanceof MalformedEventError) return fail(err.message);
    throw err;
  }
  // A restricted join names the server that authorised it; its signature is an auth rule input,
  // so when present it must verify like the others.
  const content: JsonObject = isJsonObject(event.pdu.content) ? event.pdu.content : {};
  const via = content.join_authorised_via_users_server;
  if (typeof via === 'string' && via.includes(':')) {
    const viaServer = via.slice(via.indexOf(':') + 1);
    const signatures = isJsonObject(event.pdu.signatures) ? event.pdu.signatures : {};
    if (isJsonObject(signatures[viaServer]) && !servers.includes(viaServer))
      servers.push(viaServer);
  }
  for (const server of servers) {
    const refusal = await checkServerSignature(version, event.pdu, server, keys);
    if (refusal) return fail(refusal);
  }

  if (!checkEventContentHash(version, event.pdu)) {
    return {
      ok: true,
      event: { eventId: event.eventId, pdu: redactEvent(version, event.pdu) },
      redactedForHash: true,
    };
  }
  return { ok: true, event, redactedForHash: false };
}

export async function checkServerSignature(
  version: RoomVersion,
  pdu: Pdu,
  server: string,
  keys: Pick<ServerKeyStore, 'getVerifyKey'>,
): Promise<string | undefined> {
  const signatures = isJsonObject(pdu.signatures) ? pdu.signatures[server] : undefined;
  if (!isJsonObject(signatures)) return `no signature from ${server}`;
  const verifyKeys = new Map<string, string>();
  for (const keyId of Object.keys(signatures)) {
    if (!keyId.startsWith('ed25519:')) continue;
    const key = await keys.getVerifyKey(server, keyId, {
      // From v5 a key only counts for events sent while it was valid.
      validAt: version.enforceKeyValidity ? pdu.origin_server_ts : undefined,
      allowOldKeys: true,
    });
    if (key !== undefined) verifyKeys.set(keyId, key);
  }
  const check = verifyEventSignatures(version, pdu, server, verifyKeys);
  if (check.ok) return undefined;
  return check.reason === 'bad-signature'
    ? `bad signature from ${server} (${check.keyId})`
    : `no verifiable signature from ${server} (${check.reason})`;
}
