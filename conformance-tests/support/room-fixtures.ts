// Room fixtures for client API tests over the client harness: create a room, count stored
// events (to show a refused request stored nothing), read a member's current event content.
import assert from 'node:assert/strict';
import type { JsonObject } from '../../server/core/pdu.ts';
import { stateKey } from '../../server/core/state-map.ts';
import { getCurrentState, getEvent } from '../../server/storage/events.ts';
import type { ClientHarness } from './client-harness.ts';

export const CLIENT_V3 = '/_matrix/client/v3';

export const roomPath = (roomId: string) => `${CLIENT_V3}/rooms/${encodeURIComponent(roomId)}`;

export async function createTestRoom(
  client: ClientHarness,
  token: string,
  body: object,
): Promise<string> {
  const created = await client.call('POST', `${CLIENT_V3}/createRoom`, { token, body });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  return created.body.room_id as string;
}

export async function countEvents(client: ClientHarness): Promise<number> {
  const { db } = client;
  const row = await db
    .selectFrom('events')
    .select(db.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Content of the current state event (type, key) of a room, if any. */
export async function stateContent(
  client: ClientHarness,
  roomId: string,
  type: string,
  key = '',
): Promise<JsonObject | undefined> {
  const eventId = (await getCurrentState(client.db, roomId)).get(stateKey(type, key));
  return eventId === undefined ? undefined : (await getEvent(client.db, eventId))?.pdu.content;
}
