// POST /_matrix/federation/v1/user/keys/query
// https://spec.matrix.org/latest/server-server-api/#post_matrixfederationv1userkeysquery
//
// Local users' device keys and public cross-signing keys for another server. Users of other
// servers are not ours to answer for and are left out; user-signing keys never leave the server.
// Device names go along only with `federation_device_names` on.
import { type QueryKeysBody, queryKeysBody } from '../../schemas/requests/keys.ts';
import { emptyKeysResult, readStoredKeys } from '../../server/e2ee/local-keys-query.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import type { FederationContext } from '../federation-context.ts';

export const queryUserKeys = defineEndpoint<FederationContext, QueryKeysBody>({
  method: 'POST',
  path: '/_matrix/federation/v1/user/keys/query',
  schema: { body: queryKeysBody },
  handler: async (ctx, request) => {
    const users = Object.fromEntries(
      Object.entries(request.body.device_keys).filter(
        ([userId]) => serverNameOfUser(userId) === ctx.config.serverName,
      ),
    );
    const result = emptyKeysResult();
    await readStoredKeys(
      ctx.db,
      { users, requesterId: undefined, withDisplayNames: ctx.config.federationDeviceNames },
      result,
    );
    return {
      device_keys: result.device_keys,
      master_keys: result.master_keys,
      self_signing_keys: result.self_signing_keys,
    };
  },
});
