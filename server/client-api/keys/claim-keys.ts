// POST /_matrix/client/v3/keys/claim
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3keysclaim
//
// One key per device and algorithm: a one-time key, handed out once only, or else the device's
// fallback key. Other servers' devices are claimed from their servers.
import { claimRemoteKeys } from '../../../federation/e2ee/remote-keys-claim.ts';
import { type ClaimKeysBody, claimKeysBody } from '../../../schemas/requests/keys.ts';
import type { Context } from '../../context.ts';
import type { JsonObject } from '../../core/pdu.ts';
import { type ClaimedKeys, claimLocalKeys } from '../../e2ee/local-keys-claim.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { serverNameOfUser } from '../../storage/room-servers.ts';

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 60_000;

export const claimKeys = defineEndpoint<Context, ClaimKeysBody>({
  method: 'POST',
  path: '/_matrix/client/v3/keys/claim',
  schema: { body: claimKeysBody },
  handler: async (ctx, request) => {
    await requireUser(ctx, request);
    const local: Record<string, Record<string, string>> = {};
    const byServer = new Map<string, Record<string, Record<string, string>>>();
    for (const [userId, devices] of Object.entries(request.body.one_time_keys)) {
      const server = serverNameOfUser(userId);
      if (server === ctx.config.serverName) {
        local[userId] = devices;
      } else {
        const group = byServer.get(server) ?? {};
        group[userId] = devices;
        byServer.set(server, group);
      }
    }
    const claimed: ClaimedKeys = {};
    await claimLocalKeys(ctx.db, local, claimed);
    const failures: Record<string, JsonObject> = {};
    const timeoutMs = Math.min(request.body.timeout ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
    await claimRemoteKeys(ctx, byServer, timeoutMs, claimed, failures);
    return { one_time_keys: claimed, failures };
  },
});
