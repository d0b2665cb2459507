// GET /_matrix/client/v3/capabilities
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3capabilities
import type { Context } from '../../context.ts';
import {
  DEFAULT_ROOM_VERSION,
  getRoomVersion,
  SUPPORTED_ROOM_VERSIONS,
} from '../../core/room-versions.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';

const enabled = (value: boolean) => ({ enabled: value });

export const getCapabilities = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/client/v3/capabilities',
  handler: async (ctx, request) => {
    await requireUser(ctx, request);
    const available = Object.fromEntries(
      SUPPORTED_ROOM_VERSIONS.map((id) => [id, getRoomVersion(id)?.stable ? 'stable' : 'unstable']),
    );
    return {
      capabilities: {
        'm.change_password': enabled(true),
        'm.room_versions': { default: DEFAULT_ROOM_VERSION, available },
        'm.set_displayname': enabled(true),
        'm.set_avatar_url': enabled(true),
        // Only these two profile fields are served (no m.tz or custom fields yet).
        'm.profile_fields': { enabled: true, allowed: ['displayname', 'avatar_url'] },
        'm.3pid_changes': enabled(false),
        'm.get_login_token': enabled(false),
      },
    };
  },
});
