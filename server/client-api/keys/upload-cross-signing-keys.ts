// POST /_matrix/client/v3/keys/device_signing/upload
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3keysdevice_signingupload
//
// Sets the user's master, self-signing and user-signing keys. Replacing keys needs
// user-interactive auth; the first upload (no master key yet) and a retry of an upload already
// stored do not (MSC3967, spec v1.11). The keys are checked before asking for auth, so a client
// does not authenticate for an upload that would be refused anyway.
import {
  type UploadCrossSigningKeysBody,
  uploadCrossSigningKeysBody,
} from '../../../schemas/requests/cross-signing.ts';
import {
  requireUserInteractiveAuth,
  type UiaPolicy,
  uiaDepsOf,
} from '../../accounts/user-interactive-auth.ts';
import type { Context } from '../../context.ts';
import { announceDeviceChange } from '../../e2ee/announce-device-changes.ts';
import {
  changedKeyTypes,
  checkCrossSigningUpload,
  uploadNeedsAuth,
} from '../../e2ee/cross-signing-keys.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { MatrixError } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import {
  type CrossSigningKeys,
  loadCrossSigningKeysOf,
  putCrossSigningKey,
} from '../../storage/cross-signing-keys.ts';
import { listDevices } from '../../storage/devices.ts';

export const uploadCrossSigningKeysPolicy: UiaPolicy = {
  endpoint: 'POST /keys/device_signing/upload',
  flows: [['m.login.password']],
};

export const uploadCrossSigningKeys = defineEndpoint<Context, UploadCrossSigningKeysBody>({
  method: 'POST',
  path: '/_matrix/client/v3/keys/device_signing/upload',
  schema: { body: uploadCrossSigningKeysBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { master_key, self_signing_key, user_signing_key, auth } = request.body;
    const upload: CrossSigningKeys = {
      ...(master_key ? { master: master_key } : {}),
      ...(self_signing_key ? { self_signing: self_signing_key } : {}),
      ...(user_signing_key ? { user_signing: user_signing_key } : {}),
    };
    const stored = await loadCrossSigningKeysOf(ctx.db, user.userId);
    const deviceIds = new Set((await listDevices(ctx.db, user.userId)).map((d) => d.deviceId));
    const problem = checkCrossSigningUpload(user.userId, upload, stored, deviceIds);
    if (problem) throw new MatrixError(problem.status, problem.errcode, problem.error);

    const changed = changedKeyTypes(upload, stored);
    if (changed.length === 0) return {};
    if (uploadNeedsAuth(upload, stored)) {
      await requireUserInteractiveAuth(uiaDepsOf(ctx), uploadCrossSigningKeysPolicy, {
        auth,
        requesterId: user.userId,
      });
    }
    await ctx.db.transaction().execute(async (trx) => {
      for (const type of changed) await putCrossSigningKey(trx, user.userId, type, upload[type]!);
    });
    // Also for a user-signing key alone: it is private, but the user's other devices learn of it
    // from their own entry in device_lists.changed.
    await announceDeviceChange(ctx, { kind: 'cross-signing', userId: user.userId });
    return {};
  },
});
