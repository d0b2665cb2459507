// Another server's room directory, for the client API's /publicRooms?server=: asked of that
// server over federation (GET with limit/since, or POST with the filter), answered as it came.
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1publicrooms
import type { Context } from '../../server/context.ts';
import { isJsonObject, type JsonObject } from '../../server/core/pdu.ts';
import { notFound } from '../../server/http/matrix-error.ts';

export async function remotePublicRooms(
  ctx: Context,
  server: string,
  request: {
    readonly limit?: number | undefined;
    readonly since?: string | undefined;
    readonly body?: JsonObject;
  },
): Promise<JsonObject> {
  const query = new URLSearchParams();
  if (request.limit !== undefined) query.set('limit', String(request.limit));
  if (request.since !== undefined) query.set('since', request.since);
  let body: unknown;
  try {
    body = (
      await ctx.federation.client.request(
        server,
        request.body === undefined
          ? {
              method: 'GET',
              // No bare `?`: the signed URI must be the one the server sees.
              path: `/_matrix/federation/v1/publicRooms${query.size > 0 ? `?${query}` : ''}`,
            }
          : { method: 'POST', path: '/_matrix/federation/v1/publicRooms', body: request.body },
      )
    ).body;
  } catch (err) {
    // The client asked for a directory that cannot be had: not found, as before federation.
    throw notFound(`The directory of ${server} could not be fetched: ${(err as Error).message}`);
  }
  if (!isJsonObject(body) || !Array.isArray(body.chunk)) {
    throw notFound(`${server} answered without a room list`);
  }
  return body;
}
