// Every endpoint under server/client-api/directory/, for server/app.ts.
import type { Context } from '../../context.ts';
import type { Endpoint } from '../../http/endpoint.ts';
import { deleteRoomAlias } from './delete-room-alias.ts';
import { getLocalAliases } from './get-local-aliases.ts';
import { getPublicRooms } from './get-public-rooms.ts';
import { getRoomIdByAlias } from './get-room-id-by-alias.ts';
import { getRoomVisibility } from './get-room-visibility.ts';
import { postPublicRooms } from './query-public-rooms.ts';
import { putRoomAlias } from './set-room-alias.ts';
import { putRoomVisibility } from './set-room-visibility.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const directoryEndpoints: Endpoint<Context, any, any, any>[] = [
  putRoomAlias,
  getRoomIdByAlias,
  deleteRoomAlias,
  getLocalAliases,
  getRoomVisibility,
  putRoomVisibility,
  getPublicRooms,
  postPublicRooms,
];
