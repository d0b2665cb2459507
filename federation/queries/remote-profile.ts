// Another server's user's profile, for the client API's GET /profile: asked of their server
// (GET /_matrix/federation/v1/query/profile). Not cached: profiles change, and member events
// carry the names clients mostly show.
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1queryprofile
import type { Context } from '../../server/context.ts';
import { isJsonObject } from '../../server/core/pdu.ts';
import { notFound } from '../../server/http/matrix-error.ts';
import type { Profile } from '../../server/storage/profiles.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import { FederationHttpError } from '../transport/federation-client.ts';

const TIMEOUT_MS = 10_000;

export async function remoteProfileOf(ctx: Context, userId: string): Promise<Profile> {
  let body: unknown;
  try {
    body = (
      await ctx.federation.client.request(serverNameOfUser(userId), {
        method: 'GET',
        path: `/_matrix/federation/v1/query/profile?user_id=${encodeURIComponent(userId)}`,
        timeoutMs: TIMEOUT_MS,
      })
    ).body;
  } catch (err) {
    if (err instanceof FederationHttpError && err.status === 404) {
      throw notFound('Profile not found');
    }
    throw notFound(`The profile could not be fetched: ${(err as Error).message}`);
  }
  const profile = isJsonObject(body) ? body : {};
  return {
    displayname: typeof profile.displayname === 'string' ? profile.displayname : null,
    avatarUrl: typeof profile.avatar_url === 'string' ? profile.avatar_url : null,
  };
}
