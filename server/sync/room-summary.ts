// `summary` of a joined room: member counts, and heroes (members a client can name the room
// after) when the room has neither a name nor a canonical alias.
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3sync (RoomSummary)
//
// Counts come from the current state, which may be a few events ahead of the response when events
// commit while it is built; the next sync carries the settled numbers.
import type { Kysely } from 'kysely';
import type { JsonObject } from '../core/pdu.ts';
import { getEvents } from '../storage/events.ts';
import type { Database } from '../storage/schema.ts';
import {
  countMembers,
  currentStateEventIds,
  membersInOrder,
} from '../storage/sync-room-summary.ts';

const MAX_HEROES = 5;

export interface RoomSummary {
  readonly json: JsonObject;
  readonly heroes: readonly string[];
}

export async function loadRoomSummary(
  db: Kysely<Database>,
  roomId: string,
  userId: string,
): Promise<RoomSummary> {
  const { joined, invited } = await countMembers(db, roomId);
  const json: JsonObject = { 'm.joined_member_count': joined, 'm.invited_member_count': invited };
  if (await hasNameOrAlias(db, roomId)) return { json, heroes: [] };
  let heroes = await membersInOrder(db, roomId, ['join', 'invite'], userId, MAX_HEROES);
  if (heroes.length === 0) {
    heroes = await membersInOrder(db, roomId, ['leave', 'ban'], userId, MAX_HEROES);
  }
  return { json: { ...json, 'm.heroes': heroes }, heroes };
}

async function hasNameOrAlias(db: Kysely<Database>, roomId: string): Promise<boolean> {
  const ids = await currentStateEventIds(db, roomId, [
    ['m.room.name', ''],
    ['m.room.canonical_alias', ''],
  ]);
  const events = await getEvents(db, ids);
  for (const { pdu } of events.values()) {
    const value = pdu.type === 'm.room.name' ? pdu.content.name : pdu.content.alias;
    if (typeof value === 'string' && value !== '') return true;
  }
  return false;
}
