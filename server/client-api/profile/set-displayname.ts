// PUT /_matrix/client/v3/profile/{userId}/displayname
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3profileuseridkeyname
import {
  type SetDisplaynameBody,
  setDisplaynameBody,
  type UserIdParams,
  userIdParams,
} from '../../../schemas/requests/profile.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { setProfileField } from '../../storage/profiles.ts';
import { onProfileChanged, requireOwnProfile } from './profile-owner.ts';

export const setDisplayname = defineEndpoint<Context, SetDisplaynameBody, unknown, UserIdParams>({
  method: 'PUT',
  path: '/_matrix/client/v3/profile/:userId/displayname',
  schema: { body: setDisplaynameBody, params: userIdParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    requireOwnProfile(user.userId, request.params.userId);
    // An empty name clears it, as in Synapse, rather than leaving a blank name to show.
    const value = request.body.displayname === '' ? null : request.body.displayname;
    await setProfileField(ctx.db, user.userId, 'displayname', value);
    await onProfileChanged(ctx, user.userId);
    return {};
  },
});
