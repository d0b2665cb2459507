// GET /_matrix/client/v3/presence/{userId}/status
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3presenceuseridstatus
//
// Who may look: the user themself and those who share a joined room with them, the audience the
// spec's presence module gives presence to (Synapse, with presence enabled, shows any local user;
// the spec's 403 is for the others). An unknown user is 404 M_NOT_FOUND; a known one who never
// had presence is offline. The answer applies the timeouts as of now (presence-state.ts).
import { type UserIdParams, userIdParams } from '../../../schemas/requests/profile.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden, notFound } from '../../http/matrix-error.ts';
import { requireUser } from '../../http/require-user.ts';
import { offlinePresence, presenceContent } from '../../presence/presence-state.ts';
import { getPresence, shareJoinedRoom } from '../../storage/presence.ts';
import { getUserById } from '../../storage/users.ts';

export const getPresenceStatus = defineEndpoint<Context, unknown, unknown, UserIdParams>({
  method: 'GET',
  path: '/_matrix/client/v3/presence/:userId/status',
  schema: { params: userIdParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    const { userId } = request.params;
    // TODO(federation): remote users' presence arrives in m.presence EDUs once federation does.
    if (!(await getUserById(ctx.db, userId))) throw notFound('No presence for this user');
    if (userId !== user.userId && !(await shareJoinedRoom(ctx.db, user.userId, userId))) {
      throw forbidden('You are not allowed to see their presence');
    }
    const record = (await getPresence(ctx.db, userId)) ?? offlinePresence(userId);
    return presenceContent(record, ctx.now());
  },
});
