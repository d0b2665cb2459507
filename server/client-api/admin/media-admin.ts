// Media moderation for server admins, at Synapse's admin API paths so existing admin tools work:
// POST /_synapse/admin/v1/media/quarantine/{serverName}/{mediaId}
// POST /_synapse/admin/v1/media/unquarantine/{serverName}/{mediaId}
// DELETE /_synapse/admin/v1/media/{serverName}/{mediaId}
// https://element-hq.github.io/synapse/latest/admin_api/media_admin_api.html
//
// Quarantined media is never served (404 to clients and to other servers) but keeps its bytes;
// deleted media loses its row, its thumbnails and, once nothing else names them, its bytes.
import { type MediaParams, mediaParams } from '../../../schemas/requests/media.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { forbidden, notFound } from '../../http/matrix-error.ts';
import { type AuthenticatedUser, requireUser } from '../../http/require-user.ts';
import { deleteMedia } from '../../media/delete-media.ts';
import { setMediaQuarantine } from '../../storage/media.ts';

async function requireAdmin(
  ctx: Context,
  request: Parameters<typeof requireUser>[1],
): Promise<AuthenticatedUser> {
  const user = await requireUser(ctx, request);
  if (!user.isAdmin) throw forbidden('You are not a server admin');
  return user;
}

export const mediaAdminEndpoints = [
  defineEndpoint<Context, unknown, unknown, MediaParams>({
    method: 'POST',
    path: '/_synapse/admin/v1/media/quarantine/:serverName/:mediaId',
    schema: { params: mediaParams },
    handler: async (ctx, request) => {
      const admin = await requireAdmin(ctx, request);
      const { serverName, mediaId } = request.params;
      if (!(await setMediaQuarantine(ctx.db, serverName, mediaId, admin.userId))) {
        throw notFound('No such media');
      }
      request.log.info({ serverName, mediaId, by: admin.userId }, 'media quarantined');
      return {};
    },
  }),
  defineEndpoint<Context, unknown, unknown, MediaParams>({
    method: 'POST',
    path: '/_synapse/admin/v1/media/unquarantine/:serverName/:mediaId',
    schema: { params: mediaParams },
    handler: async (ctx, request) => {
      await requireAdmin(ctx, request);
      const { serverName, mediaId } = request.params;
      if (!(await setMediaQuarantine(ctx.db, serverName, mediaId, null))) {
        throw notFound('No such media');
      }
      return {};
    },
  }),
  defineEndpoint<Context, unknown, unknown, MediaParams>({
    method: 'DELETE',
    path: '/_synapse/admin/v1/media/:serverName/:mediaId',
    schema: { params: mediaParams },
    handler: async (ctx, request) => {
      const admin = await requireAdmin(ctx, request);
      const { serverName, mediaId } = request.params;
      if (!(await deleteMedia(ctx, serverName, mediaId))) throw notFound('No such media');
      request.log.info({ serverName, mediaId, by: admin.userId }, 'media deleted');
      return { deleted_media: [mediaId], total: 1 };
    },
  }),
];
