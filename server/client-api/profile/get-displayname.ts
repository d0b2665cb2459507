// GET /_matrix/client/v3/profile/{userId}/displayname
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3profileuseridkeyname
import { type UserIdParams, userIdParams } from '../../../schemas/requests/profile.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';
import { profileOf } from './profile-owner.ts';

export const getDisplayname = defineEndpoint<Context, unknown, unknown, UserIdParams>({
  method: 'GET',
  path: '/_matrix/client/v3/profile/:userId/displayname',
  schema: { params: userIdParams },
  handler: async (ctx, request) => {
    const { displayname } = await profileOf(ctx, request.params.userId);
    if (displayname === null) throw notFound('No display name set');
    return { displayname };
  },
});
