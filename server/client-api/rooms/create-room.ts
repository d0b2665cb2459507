// POST /_matrix/client/v3/createRoom
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3createroom
import { type CreateRoomBody, createRoomBody } from '../../../schemas/requests/create-room.ts';
import type { Context } from '../../context.ts';
import type { JsonObject } from '../../core/pdu.ts';
import {
  DEFAULT_ROOM_VERSION,
  getRoomVersion,
  SUPPORTED_ROOM_VERSIONS,
} from '../../core/room-versions.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { MatrixError } from '../../http/matrix-error.ts';
import { messageLimits, takeForUserOrThrow } from '../../http/rate-limits.ts';
import { requireUser } from '../../http/require-user.ts';
import { createRoom } from '../../rooms/create-room.ts';
import { memberProfile } from '../../rooms/member-profile.ts';
import { requireLocalAlias } from '../../rooms/room-aliases.ts';
import { roomDepsOf } from '../../rooms/room-deps.ts';

export const postCreateRoom = defineEndpoint<Context, CreateRoomBody>({
  method: 'POST',
  path: '/_matrix/client/v3/createRoom',
  schema: { body: createRoomBody },
  handler: async (ctx, request) => {
    const user = await requireUser(ctx, request);
    // Counted like sending a message, as Synapse does: a room is a handful of events.
    takeForUserOrThrow(messageLimits(ctx.rateLimits), user, request.ip, ctx.now());
    const body = request.body ?? {};
    const versionId = body.room_version ?? DEFAULT_ROOM_VERSION;
    const version = SUPPORTED_ROOM_VERSIONS.includes(versionId)
      ? getRoomVersion(versionId)
      : undefined;
    if (!version) {
      throw new MatrixError(
        400,
        'M_UNSUPPORTED_ROOM_VERSION',
        `Room version ${versionId} is not supported`,
      );
    }
    const alias =
      body.room_alias_name === undefined
        ? undefined
        : requireLocalAlias(
            ctx.config.serverName,
            `#${body.room_alias_name}:${ctx.config.serverName}`,
          );
    const isPublic = body.visibility === 'public';
    const roomId = await createRoom(roomDepsOf(ctx), {
      creator: user.userId,
      version,
      preset: body.preset ?? (isPublic ? 'public_chat' : 'private_chat'),
      isPublic,
      name: body.name,
      topic: body.topic,
      invite: body.invite ?? [],
      initialState: (body.initial_state ?? []).map((event) => ({
        type: event.type,
        stateKey: event.state_key ?? '',
        content: event.content as JsonObject,
      })),
      powerLevelOverride: body.power_level_content_override as JsonObject | undefined,
      creationContent: body.creation_content as JsonObject | undefined,
      isDirect: body.is_direct ?? false,
      creatorProfile: await memberProfile(ctx.db, ctx.config.serverName, user.userId),
      alias,
    });
    return { room_id: roomId };
  },
});
