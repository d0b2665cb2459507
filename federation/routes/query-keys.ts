// POST /_matrix/key/v2/query
// https://spec.matrix.org/latest/server-server-api/#post_matrixkeyv2query
// Unauthenticated, as the spec has it. The key ids asked for only carry each one's
// minimum_valid_until_ts (the spec lets a notary return every key it has); a server is fetched
// again if its response expires before the latest of them (now when none is given). Servers that cannot be reached and
// have nothing cached are left out.
import { type KeyQueryBody, keyQueryBody } from '../../schemas/requests/key-query.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import type { FederationContext } from '../federation-context.ts';
import { notaryResponses } from '../keys/notary-responses.ts';

export const queryKeys = defineEndpoint<FederationContext, KeyQueryBody>({
  method: 'POST',
  path: '/_matrix/key/v2/query',
  schema: { body: keyQueryBody },
  handler: async (ctx, request) => {
    const now = ctx.now();
    const answers = await Promise.all(
      Object.entries(request.body.server_keys).map(([serverName, keyIds]) => {
        const minimums = Object.values(keyIds).map((each) => each.minimum_valid_until_ts ?? now);
        return notaryResponses(ctx, serverName, minimums.length > 0 ? Math.max(...minimums) : now);
      }),
    );
    return { server_keys: answers.flat() };
  },
});
