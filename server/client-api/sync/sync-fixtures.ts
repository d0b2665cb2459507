// Short calls for the /sync tests: rooms, messages, state and syncs through the client harness
// (every response is checked against the spec's OpenAPI schemas there).
import assert from 'node:assert/strict';
import type {
  ClientHarness,
  TestAccount,
} from '../../../conformance-tests/support/client-harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever the server answered
export type Json = any;

export interface SyncParams {
  since?: string;
  timeout?: number;
  filter?: string | object;
  full_state?: boolean;
  use_state_after?: boolean;
}

let txn = 0;

export function fixtures(client: ClientHarness) {
  const room = (roomId: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
  return {
    async createRoom(owner: TestAccount, body: object = {}): Promise<string> {
      const created = await client.call('POST', '/_matrix/client/v3/createRoom', {
        token: owner.accessToken,
        body,
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      return created.body.room_id;
    },
    async send(
      user: TestAccount,
      roomId: string,
      body: string,
      txnId = `t${++txn}`,
    ): Promise<string> {
      const sent = await client.call('PUT', `${room(roomId)}/send/m.room.message/${txnId}`, {
        token: user.accessToken,
        body: { msgtype: 'm.text', body },
      });
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      return sent.body.event_id;
    },
    async setState(user: TestAccount, roomId: string, type: string, key: string, content: object) {
      const put = await client.call(
        'PUT',
        `${room(roomId)}/state/${type}/${encodeURIComponent(key)}`,
        {
          token: user.accessToken,
          body: content,
        },
      );
      assert.equal(put.status, 200, JSON.stringify(put.body));
      return put.body.event_id as string;
    },
    async membership(user: TestAccount, roomId: string, action: string, body: object = {}) {
      const done = await client.call('POST', `${room(roomId)}/${action}`, {
        token: user.accessToken,
        body,
      });
      assert.equal(done.status, 200, JSON.stringify(done.body));
    },
    async sync(user: TestAccount, params: SyncParams = {}): Promise<Json> {
      const response = await client.call('GET', syncUrl(params), { token: user.accessToken });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return response.body;
    },
    syncUrl,
  };
}

export function syncUrl(params: SyncParams = {}): string {
  const query = new URLSearchParams();
  if (params.since !== undefined) query.set('since', params.since);
  if (params.timeout !== undefined) query.set('timeout', String(params.timeout));
  if (params.full_state !== undefined) query.set('full_state', String(params.full_state));
  if (params.use_state_after !== undefined) {
    query.set('use_state_after', String(params.use_state_after));
  }
  if (params.filter !== undefined) {
    query.set(
      'filter',
      typeof params.filter === 'string' ? params.filter : JSON.stringify(params.filter),
    );
  }
  const text = query.toString();
  return `/_matrix/client/v3/sync${text ? `?${text}` : ''}`;
}

/** Bodies of the m.room.message events of a room's timeline. */
export function bodies(sync: Json, roomId: string, section = 'join'): string[] {
  const events: Json[] = sync.rooms?.[section]?.[roomId]?.timeline?.events ?? [];
  return events.filter((e) => e.type === 'm.room.message').map((e) => e.content.body);
}

export function stateKeys(events: Json[]): string[] {
  return events.map((e) => `${e.type}|${e.state_key}`).sort();
}
