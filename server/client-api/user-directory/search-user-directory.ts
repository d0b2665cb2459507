// POST /_matrix/client/v3/user_directory/search
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3user_directorysearch
import {
  type UserDirectorySearchBody,
  userDirectorySearchBody,
} from '../../../schemas/requests/user-directory-search.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';
import { searchLocalUsers } from '../../storage/user-directory.ts';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 50;

// Every local user is searchable, a superset of the spec's minimum (users sharing a room or in
// public rooms), like Synapse's `search_all_users`. Remote users come with federation.
export const searchUserDirectory = defineEndpoint<Context, UserDirectorySearchBody>({
  method: 'POST',
  path: '/_matrix/client/v3/user_directory/search',
  schema: { body: userDirectorySearchBody },
  handler: async (ctx, request) => {
    await requireUser(ctx, request);
    const limit = Math.min(request.body.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
    const { results, limited } = await searchLocalUsers(ctx.db, request.body.search_term, limit);
    return {
      results: results.map((entry) => ({
        user_id: entry.userId,
        ...(entry.displayname === null ? {} : { display_name: entry.displayname }),
        ...(entry.avatarUrl === null ? {} : { avatar_url: entry.avatarUrl }),
      })),
      limited,
    };
  },
});
