// POST /_matrix/federation/v1/user/keys/claim
// https://spec.matrix.org/latest/server-server-api/#post_matrixfederationv1userkeysclaim
//
// One-time keys (or fallback keys) of local devices for another server's users, each handed out
// once. Users of other servers are left out.
import { type ClaimKeysBody, claimKeysBody } from '../../schemas/requests/keys.ts';
import { type ClaimedKeys, claimLocalKeys } from '../../server/e2ee/local-keys-claim.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import type { FederationContext } from '../federation-context.ts';

export const claimUserKeys = defineEndpoint<FederationContext, ClaimKeysBody>({
  method: 'POST',
  path: '/_matrix/federation/v1/user/keys/claim',
  schema: { body: claimKeysBody },
  handler: async (ctx, request) => {
    const wanted = Object.fromEntries(
      Object.entries(request.body.one_time_keys).filter(
        ([userId]) => serverNameOfUser(userId) === ctx.config.serverName,
      ),
    );
    const claimed: ClaimedKeys = {};
    await claimLocalKeys(ctx.db, wanted, claimed);
    return { one_time_keys: claimed };
  },
});
