// m.signing_key_update: a remote user's master or self-signing key changed.
// https://spec.matrix.org/latest/server-server-api/#end-to-end-encryption
//
// From the user's own server only. When the user's device list is cached here the new keys
// replace the cached ones; local clients sharing a room with the user are told either way.
import type { Context } from '../../server/context.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { announceDeviceChange } from '../../server/e2ee/announce-device-changes.ts';
import { putCrossSigningKey } from '../../server/storage/cross-signing-keys.ts';
import {
  getRemoteDeviceList,
  sharesRoomWithLocalUser,
} from '../../server/storage/remote-device-lists.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import { validRemoteCrossSigningKey } from '../e2ee/remote-key-checks.ts';

export async function receiveSigningKeyUpdate(
  ctx: Context,
  origin: string,
  content: JsonObject,
): Promise<void> {
  const userId = content.user_id;
  if (typeof userId !== 'string' || serverNameOfUser(userId) !== origin) return;
  if (!(await sharesRoomWithLocalUser(ctx.db, userId, ctx.config.serverName))) return;
  if (await getRemoteDeviceList(ctx.db, userId)) {
    const master = validRemoteCrossSigningKey(content.master_key, userId);
    const selfSigning = validRemoteCrossSigningKey(content.self_signing_key, userId);
    if (master) await putCrossSigningKey(ctx.db, userId, 'master', master);
    if (selfSigning) await putCrossSigningKey(ctx.db, userId, 'self_signing', selfSigning);
  }
  await announceDeviceChange(ctx, { kind: 'remote', userId });
}
