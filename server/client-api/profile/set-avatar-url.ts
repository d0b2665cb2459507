// PUT /_matrix/client/v3/profile/{userId}/avatar_url
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3profileuseridkeyname
import {
  type SetAvatarUrlBody,
  setAvatarUrlBody,
  type UserIdParams,
  userIdParams,
} from '../../../schemas/requests/profile.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { setProfileField } from '../../storage/profiles.ts';
import { onProfileChanged, requireOwnProfile } from './profile-owner.ts';

export const setAvatarUrl = defineEndpoint<Context, SetAvatarUrlBody, unknown, UserIdParams>({
  method: 'PUT',
  path: '/_matrix/client/v3/profile/:userId/avatar_url',
  schema: { body: setAvatarUrlBody, params: userIdParams },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    requireOwnProfile(user.userId, request.params.userId);
    // '' is what clients send to remove the avatar.
    const value = request.body.avatar_url === '' ? null : request.body.avatar_url;
    await setProfileField(ctx.db, user.userId, 'avatar_url', value);
    await onProfileChanged(ctx, user.userId);
    return {};
  },
});
