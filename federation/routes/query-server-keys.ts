// GET /_matrix/key/v2/query/{serverName}
// https://spec.matrix.org/latest/server-server-api/#get_matrixkeyv2queryservername
// Unauthenticated, as the spec has it. An unreachable server with nothing cached is an empty list.
import {
  type KeyQueryParams,
  type KeyQueryQuery,
  keyQueryParams,
  keyQueryQuery,
} from '../../schemas/requests/key-query.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import type { FederationContext } from '../federation-context.ts';
import { notaryResponses } from '../keys/notary-responses.ts';

export const queryServerKeys = defineEndpoint<
  FederationContext,
  unknown,
  KeyQueryQuery,
  KeyQueryParams
>({
  method: 'GET',
  path: '/_matrix/key/v2/query/:serverName',
  schema: { params: keyQueryParams, querystring: keyQueryQuery },
  handler: async (ctx, request) => {
    const minimum = request.query.minimum_valid_until_ts ?? ctx.now();
    return { server_keys: await notaryResponses(ctx, request.params.serverName, minimum) };
  },
});
