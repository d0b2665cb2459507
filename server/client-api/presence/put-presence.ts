// PUT /_matrix/client/v3/presence/{userId}/status
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3presenceuseridstatus
//
// The body replaces the status message: one left out clears it, as Synapse does. A client that
// syncs keeps setting its presence through /sync's `set_presence` (default online), so setting
// unavailable here lasts only while its syncs say unavailable too.

import { type SetPresenceBody, setPresenceBody } from '../../../schemas/requests/presence.ts';
import { type UserIdParams, userIdParams } from '../../../schemas/requests/profile.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { updatePresence } from '../../presence/presence-writer.ts';

export const putPresence = defineEndpoint<Context, SetPresenceBody, unknown, UserIdParams>({
  method: 'PUT',
  path: '/_matrix/client/v3/presence/:userId/status',
  schema: { params: userIdParams, body: setPresenceBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    if (request.params.userId !== user.userId) {
      throw forbidden("You cannot set another user's presence");
    }
    const { presence, status_msg } = request.body;
    await updatePresence(ctx, user.userId, {
      kind: 'set',
      state: presence,
      statusMsg: status_msg ?? null,
    });
    return {};
  },
});
