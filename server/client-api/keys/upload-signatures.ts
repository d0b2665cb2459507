// POST /_matrix/client/v3/keys/signatures/upload
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3keyssignaturesupload
//
// Stores the requester's signatures on their devices, on their master key and on other users'
// master keys (the rules are in server/e2ee/cross-signing-signatures.ts). A key whose signatures
// are refused is named in the 200 response's `failures`; the other keys' signatures are stored.
// Signatures on a remote user's master key are checked against the key cached here and stored,
// but not yet sent to that user's server.
import {
  type UploadSignaturesBody,
  uploadSignaturesBody,
} from '../../../schemas/requests/cross-signing.ts';
import type { Context } from '../../context.ts';
import type { JsonObject } from '../../core/pdu.ts';
import { announceDeviceChange } from '../../e2ee/announce-device-changes.ts';
import {
  checkSignedKey,
  type SignatureFailure,
  type SigningKeyRing,
} from '../../e2ee/cross-signing-signatures.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import {
  loadCrossSigningKeys,
  loadSignaturesOn,
  putSignatures,
  type StoredSignature,
} from '../../storage/cross-signing-keys.ts';
import { loadDeviceKeysOf } from '../../storage/e2e-keys.ts';

export const uploadSignatures = defineEndpoint<Context, UploadSignaturesBody>({
  method: 'POST',
  path: '/_matrix/client/v3/keys/signatures/upload',
  schema: { body: uploadSignaturesBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const requesterId = user.userId;
    const targetUserIds = Object.keys(request.body);
    const keys = await loadCrossSigningKeys(ctx.db, [requesterId, ...targetUserIds]);
    const ownDeviceIds = Object.keys(request.body[requesterId] ?? {});
    const ring: SigningKeyRing = {
      requesterId,
      ownKeys: keys.get(requesterId) ?? {},
      // Needed only when the requester signs their own keys: devices signed, or signing the master key.
      ownDevices: ownDeviceIds.length > 0 ? await loadDeviceKeysOf(ctx.db, requesterId) : new Map(),
      otherKeys: keys,
      known: await loadSignaturesOn(ctx.db, targetUserIds),
    };

    const failures: Record<string, Record<string, SignatureFailure>> = {};
    const accepted: StoredSignature[] = [];
    const signedDevices: string[] = [];
    let crossSigningChanged = false;
    for (const [targetUserId, byKeyId] of Object.entries(request.body)) {
      for (const [keyId, signed] of Object.entries(byKeyId)) {
        const outcome = checkSignedKey(ring, targetUserId, keyId, signed as JsonObject);
        if (!outcome.ok) {
          failures[targetUserId] = { ...failures[targetUserId], [keyId]: outcome.failure };
          continue;
        }
        if (outcome.accepted.length === 0) continue;
        accepted.push(...outcome.accepted);
        if (outcome.target === 'own-device') signedDevices.push(keyId);
        // A signature on the own master key, or one made with the user-signing key: the
        // requester's other devices must see it (it is in their keys/query answer).
        else crossSigningChanged = true;
      }
    }
    await putSignatures(ctx.db, accepted);
    if (signedDevices.length > 0) {
      await announceDeviceChange(ctx, {
        kind: 'devices',
        userId: requesterId,
        deviceIds: signedDevices,
      });
    }
    if (crossSigningChanged) {
      await announceDeviceChange(ctx, { kind: 'cross-signing', userId: requesterId });
    }
    return { failures };
  },
});
