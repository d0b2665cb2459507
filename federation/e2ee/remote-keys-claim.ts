// The remote part of keys/claim: each server is asked for its users' keys with POST
// /user/keys/claim, in parallel; only keys of the devices that were asked about are taken from
// an answer. A server that cannot be reached is named in `failures`.
// https://spec.matrix.org/latest/server-server-api/#post_matrixfederationv1userkeysclaim
import type { Context } from '../../server/context.ts';
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import type { ClaimedKeys } from '../../server/e2ee/local-keys-claim.ts';

export async function claimRemoteKeys(
  ctx: Context,
  byServer: ReadonlyMap<string, Record<string, Record<string, string>>>,
  timeoutMs: number,
  into: ClaimedKeys,
  failures: Record<string, JsonObject>,
): Promise<void> {
  await Promise.all(
    [...byServer].map(async ([server, wanted]) => {
      try {
        const { body } = await ctx.federation.client.request(server, {
          method: 'POST',
          path: '/_matrix/federation/v1/user/keys/claim',
          body: { one_time_keys: wanted },
          timeoutMs,
        });
        const sent =
          isJsonObject(body) && isJsonObject(body.one_time_keys) ? body.one_time_keys : {};
        for (const [userId, devices] of Object.entries(wanted)) {
          const forUser = sent[userId];
          if (!isJsonObject(forUser)) continue;
          for (const deviceId of Object.keys(devices)) {
            const keys = forUser[deviceId];
            if (!isJsonObject(keys)) continue;
            into[userId] ??= {};
            into[userId]![deviceId] = keys;
          }
        }
      } catch (err) {
        ctx.logger.info({ err, server }, 'keys/claim: a server could not be asked');
        failures[server] = { status: 503, message: `${server} could not be reached` };
      }
    }),
  );
}
