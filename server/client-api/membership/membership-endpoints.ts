// Every endpoint under server/client-api/membership/, for server/app.ts.
import type { Context } from '../../context.ts';
import type { Endpoint } from '../../http/endpoint.ts';
import { postBanUser } from './ban-user.ts';
import { postForgetRoom } from './forget-room.ts';
import { getJoinedMembersByRoom } from './get-joined-members-by-room.ts';
import { getJoinedRooms } from './get-joined-rooms.ts';
import { getMembersByRoom } from './get-members-by-room.ts';
import { postInviteUser } from './invite-user.ts';
import { postJoinRoom } from './join-room.ts';
import { postJoinRoomById } from './join-room-by-id.ts';
import { postKickUser } from './kick-user.ts';
import { postKnockRoom } from './knock-room.ts';
import { postLeaveRoom } from './leave-room.ts';
import { postUnbanUser } from './unban-user.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const membershipEndpoints: Endpoint<Context, any, any, any>[] = [
  postJoinRoomById,
  postJoinRoom,
  postKnockRoom,
  postLeaveRoom,
  postForgetRoom,
  postInviteUser,
  postKickUser,
  postBanUser,
  postUnbanUser,
  getJoinedRooms,
  getMembersByRoom,
  getJoinedMembersByRoom,
];
