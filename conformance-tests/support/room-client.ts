// Room fixtures over a ClientHarness (client-harness.ts): create a room, send, change state and
// membership through the real client endpoints, each asserting success, so tests read as a story.
// Membership goes through PUT /state/m.room.member (the same auth rules as /join and /leave).
import assert from 'node:assert/strict';
import type { ClientHarness, TestAccount } from './client-harness.ts';

export interface RoomClient {
  createRoom(as: TestAccount, body?: Record<string, unknown>): Promise<string>;
  send(
    as: TestAccount,
    roomId: string,
    content: Record<string, unknown>,
    type?: string,
  ): Promise<string>;
  setState(
    as: TestAccount,
    roomId: string,
    type: string,
    stateKey: string,
    content: Record<string, unknown>,
  ): Promise<string>;
  setMembership(
    as: TestAccount,
    roomId: string,
    userId: string,
    membership: string,
  ): Promise<string>;
  redact(as: TestAccount, roomId: string, eventId: string, reason?: string): Promise<string>;
}

export function roomClient(client: ClientHarness): RoomClient {
  let txn = 0;
  const room = (roomId: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
  const ok = (result: { status: number; body: unknown }, what: string) => {
    assert.equal(result.status, 200, `${what}: ${JSON.stringify(result.body)}`);
    return result.body as Record<string, string>;
  };
  const setState: RoomClient['setState'] = async (as, roomId, type, stateKey, content) =>
    ok(
      await client.call(
        'PUT',
        `${room(roomId)}/state/${encodeURIComponent(type)}/${encodeURIComponent(stateKey)}`,
        { token: as.accessToken, body: content },
      ),
      `set ${type}`,
    ).event_id!;
  return {
    async createRoom(as, body = {}) {
      const result = await client.call('POST', '/_matrix/client/v3/createRoom', {
        token: as.accessToken,
        body,
      });
      return ok(result, 'createRoom').room_id!;
    },
    async send(as, roomId, content, type = 'm.room.message') {
      const result = await client.call(
        'PUT',
        `${room(roomId)}/send/${encodeURIComponent(type)}/t${++txn}`,
        { token: as.accessToken, body: content },
      );
      return ok(result, 'send').event_id!;
    },
    setState,
    setMembership: (as, roomId, userId, membership) =>
      setState(as, roomId, 'm.room.member', userId, { membership }),
    async redact(as, roomId, eventId, reason) {
      const result = await client.call(
        'PUT',
        `${room(roomId)}/redact/${encodeURIComponent(eventId)}/r${++txn}`,
        { token: as.accessToken, body: reason === undefined ? {} : { reason } },
      );
      return ok(result, 'redact').event_id!;
    },
  };
}

export const roomPath = (roomId: string) =>
  `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
