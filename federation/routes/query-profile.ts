// GET /_matrix/federation/v1/query/profile?user_id=&field=
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1queryprofile
// A local user's public profile: display name and avatar URL, unset ones left out. With `field`,
// only that one; a field the user has not set, or one Cairn does not keep, is 404 M_NOT_FOUND,
// as for the client API's GET /profile/{userId}/{keyName}. Users of other servers and unknown
// users are 404 too; a malformed user id is 400 M_INVALID_PARAM.
import { type ProfileQuery, profileQuery } from '../../schemas/requests/federation-room-reads.ts';
import { isValidUserId, serverNameOf } from '../../server/core/auth-rules/identifiers.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { invalidParam, notFound } from '../../server/http/matrix-error.ts';
import { getProfile } from '../../server/storage/profiles.ts';
import type { FederationContext } from '../federation-context.ts';

export const queryProfile = defineEndpoint<FederationContext, unknown, ProfileQuery>({
  method: 'GET',
  path: '/_matrix/federation/v1/query/profile',
  schema: { querystring: profileQuery },
  handler: async (ctx, request) => {
    const { user_id: userId, field } = request.query;
    // A malformed id (a port that is not a number, say) is the asker's error, not an unknown user.
    if (!isValidUserId(userId)) {
      throw invalidParam(`${userId} is not a valid user id`);
    }
    if (serverNameOf(userId) !== ctx.config.serverName) {
      throw notFound(`${userId} is not a user of ${ctx.config.serverName}`);
    }
    const profile = await getProfile(ctx.db, userId);
    if (!profile) throw notFound('User does not exist');
    const fields: Record<string, string | null> = {
      displayname: profile.displayname,
      avatar_url: profile.avatarUrl,
    };
    if (field !== undefined) {
      const value = Object.hasOwn(fields, field) ? fields[field] : null;
      if (value === null || value === undefined) throw notFound(`No ${field} set for ${userId}`);
      return { [field]: value };
    }
    return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
  },
});
