// GET /_matrix/client/v3/keys/changes?from=&to=
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3keyschanges
//
// The users whose keys changed, or who stopped sharing a room with the user, between two /sync
// tokens: the same answer as the `device_lists` of an incremental sync over that range.
import { type KeyChangesQuery, keyChangesQuery } from '../../../schemas/requests/keys.ts';
import type { Context } from '../../context.ts';
import { DEVICE_LISTS_STREAM, loadDeviceListUpdates } from '../../e2ee/device-list-section.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { EVENTS_STREAM, parseSyncToken, positionOf } from '../../sync/stream-token.ts';

export const getKeyChanges = defineEndpoint<Context, unknown, KeyChangesQuery>({
  method: 'GET',
  path: '/_matrix/client/v3/keys/changes',
  schema: { querystring: keyChangesQuery },
  handler: async (ctx, request) => {
    const { userId } = await requireUser(ctx, request);
    const from = parseSyncToken(request.query.from);
    const to = parseSyncToken(request.query.to);
    return loadDeviceListUpdates(ctx.db, userId, {
      eventsAfter: positionOf(from, EVENTS_STREAM),
      eventsUpTo: positionOf(to, EVENTS_STREAM),
      listsAfter: positionOf(from, DEVICE_LISTS_STREAM),
      listsUpTo: positionOf(to, DEVICE_LISTS_STREAM),
    });
  },
});
