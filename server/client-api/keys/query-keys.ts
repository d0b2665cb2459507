// POST /_matrix/client/v3/keys/query
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3keysquery
//
// Local users' keys come from storage; other servers' users from the device list cache or their
// servers (federation/e2ee/remote-keys-query.ts), asked in parallel within `timeout`.
import { queryRemoteKeys } from '../../../federation/e2ee/remote-keys-query.ts';
import { type QueryKeysBody, queryKeysBody } from '../../../schemas/requests/keys.ts';
import type { Context } from '../../context.ts';
import type { JsonObject } from '../../core/pdu.ts';
import { emptyKeysResult, readStoredKeys } from '../../e2ee/local-keys-query.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { serverNameOfUser } from '../../storage/room-servers.ts';

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 60_000;

export const queryKeys = defineEndpoint<Context, QueryKeysBody>({
  method: 'POST',
  path: '/_matrix/client/v3/keys/query',
  schema: { body: queryKeysBody },
  handler: async (ctx, request) => {
    const { userId } = await requireUser(ctx, request);
    const local: Record<string, string[]> = {};
    const byServer = new Map<string, Record<string, string[]>>();
    for (const [user, devices] of Object.entries(request.body.device_keys)) {
      const server = serverNameOfUser(user);
      if (server === ctx.config.serverName) {
        local[user] = devices;
      } else {
        const group = byServer.get(server) ?? {};
        group[user] = devices;
        byServer.set(server, group);
      }
    }
    const result = emptyKeysResult();
    await readStoredKeys(
      ctx.db,
      { users: local, requesterId: userId, withDisplayNames: true },
      result,
    );
    const failures: Record<string, JsonObject> = {};
    const timeoutMs = Math.min(request.body.timeout ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
    await queryRemoteKeys(ctx, { byServer, requesterId: userId, timeoutMs }, result, failures);
    return { ...result, failures };
  },
});
