// The remote part of keys/query: each server's users, answered from the device list cache when
// it is fresh, else fetched. A user who shares a room with one of ours is resynced into the cache
// (their server keeps it current with EDUs from then on); others are asked of their server with
// POST /user/keys/query and not cached, since no updates would come for them. A server that
// cannot be reached is named in `failures`, and the other servers' answers still go out.
// https://spec.matrix.org/latest/server-server-api/#post_matrixfederationv1userkeysquery
import type { Context } from '../../server/context.ts';
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import { type KeysQueryResult, readStoredKeys } from '../../server/e2ee/local-keys-query.ts';
import {
  freshRemoteDeviceLists,
  markRemoteDeviceListStale,
  sharesRoomWithLocalUser,
} from '../../server/storage/remote-device-lists.ts';
import { validRemoteCrossSigningKey, validRemoteDeviceKeys } from './remote-key-checks.ts';
import { resyncDeviceList } from './resync-device-list.ts';

export interface RemoteKeysQuery {
  /** Server name -> its users -> device ids (empty: all). */
  readonly byServer: ReadonlyMap<string, Record<string, string[]>>;
  readonly requesterId: string;
  readonly timeoutMs: number;
}

export async function queryRemoteKeys(
  ctx: Context,
  query: RemoteKeysQuery,
  into: KeysQueryResult,
  failures: Record<string, JsonObject>,
): Promise<void> {
  await Promise.all(
    [...query.byServer].map(async ([server, users]) => {
      try {
        await queryServer(ctx, server, users, query, into);
      } catch (err) {
        ctx.logger.info({ err, server }, 'keys/query: a server could not be asked');
        failures[server] = { status: 503, message: `${server} could not be reached` };
      }
    }),
  );
}

async function queryServer(
  ctx: Context,
  server: string,
  users: Record<string, string[]>,
  query: RemoteKeysQuery,
  into: KeysQueryResult,
): Promise<void> {
  const userIds = Object.keys(users);
  const fresh = await freshRemoteDeviceLists(ctx.db, userIds);
  const cached = new Set<string>();
  const uncached: Record<string, string[]> = {};
  for (const userId of userIds) {
    if (await sharesRoomWithLocalUser(ctx.db, userId, ctx.config.serverName)) {
      if (!fresh.has(userId)) await resyncDeviceList(ctx, userId);
      cached.add(userId);
    } else {
      // No updates come for a user who shares no room with ours: a cache kept from an earlier
      // room would go out of date unseen, so it is marked stale and refetched if they meet again.
      if (fresh.has(userId)) await markRemoteDeviceListStale(ctx.db, userId, ctx.now());
      uncached[userId] = users[userId] ?? [];
    }
  }
  const fromCache = Object.fromEntries([...cached].map((userId) => [userId, users[userId] ?? []]));
  await readStoredKeys(
    ctx.db,
    { users: fromCache, requesterId: query.requesterId, withDisplayNames: false },
    into,
  );
  if (Object.keys(uncached).length === 0) return;
  const { body } = await ctx.federation.client.request(server, {
    method: 'POST',
    path: '/_matrix/federation/v1/user/keys/query',
    body: { device_keys: uncached },
    timeoutMs: query.timeoutMs,
  });
  if (!isJsonObject(body)) throw new Error(`${server} sent a malformed keys/query answer`);
  mergeRemoteAnswer(body, uncached, into);
}

/** Takes from a server's answer only valid keys of the users that were asked about. */
function mergeRemoteAnswer(
  body: JsonObject,
  asked: Record<string, string[]>,
  into: KeysQueryResult,
): void {
  const deviceKeys = isJsonObject(body.device_keys) ? body.device_keys : {};
  const masterKeys = isJsonObject(body.master_keys) ? body.master_keys : {};
  const selfSigningKeys = isJsonObject(body.self_signing_keys) ? body.self_signing_keys : {};
  for (const [userId, wanted] of Object.entries(asked)) {
    const devices: Record<string, JsonObject> = {};
    const sent = deviceKeys[userId];
    for (const [deviceId, keys] of Object.entries(isJsonObject(sent) ? sent : {})) {
      if (wanted.length > 0 && !wanted.includes(deviceId)) continue;
      const valid = validRemoteDeviceKeys(keys, userId, deviceId);
      if (valid) devices[deviceId] = valid;
    }
    into.device_keys[userId] = devices;
    const master = validRemoteCrossSigningKey(masterKeys[userId], userId);
    if (master) into.master_keys[userId] = master;
    const selfSigning = validRemoteCrossSigningKey(selfSigningKeys[userId], userId);
    if (selfSigning) into.self_signing_keys[userId] = selfSigning;
  }
}
