// Push actions in a room of thousands of local members, on both databases: members with only the
// default rules whom an event does not name get their one outcome written in the database, the
// named and those with rules of their own are evaluated one by one, and the rows are written in
// statements PGlite accepts (5,000 rows of 7 parameters in one INSERT passed its 32,767 limit).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import type { EventWithId, Pdu } from '../core/pdu.ts';
import { GLOBAL_ACCOUNT_DATA } from '../storage/account-data.ts';
import { recordPushActions } from './record-push-actions.ts';

const ROOM = '!big:example.org';
const MEMBERS = 5_000;
const user = (i: number) => `@u${i}:example.org`;

function eventOf(id: string, fields: Partial<Pdu>): EventWithId {
  const pdu = {
    room_id: ROOM,
    sender: user(0),
    origin_server_ts: 1,
    depth: 2,
    prev_events: [],
    auth_events: [],
    content: {},
    ...fields,
  } as unknown as Pdu;
  return { eventId: id, pdu };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: push actions for 5,000 local members`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      for (let at = 0; at < MEMBERS; at += 1000) {
        const batch = Array.from({ length: 1000 }, (_, k) => at + k);
        await db
          .insertInto('users')
          .values(
            batch.map((i) => ({
              user_id: user(i),
              localpart: `u${i}`,
              password_hash: null,
              created_ts: 1,
            })),
          )
          .execute();
        await db
          .insertInto('current_state')
          .values(
            batch.map((i) => ({
              room_id: ROOM,
              type: 'm.room.member',
              state_key: user(i),
              event_id: `$member${i}`,
              membership: 'join',
              stream_ordering: 1,
            })),
          )
          .execute();
      }
      // u1 muted the room with a rule of their own; u2 stored rules that change nothing.
      const stored = (global: object) => ({
        room_id: GLOBAL_ACCOUNT_DATA,
        type: 'm.push_rules',
        content: JSON.stringify({ global }),
      });
      await db
        .insertInto('account_data')
        .values([
          {
            user_id: user(1),
            ...stored({ room: [{ rule_id: ROOM, default: false, enabled: true, actions: [] }] }),
          },
          { user_id: user(2), ...stored({}) },
        ])
        .execute();
      const rowsOf = async (eventId: string) =>
        (
          await db
            .selectFrom('event_push_actions')
            .select(['user_id', 'notify', 'highlight', 'stream_ordering', 'thread_id'])
            .where('event_id', '=', eventId)
            .execute()
        ).sort((a, b) => (a.user_id < b.user_id ? -1 : 1));

      const message = eventOf('$message', {
        type: 'm.room.message',
        content: { msgtype: 'm.text', body: 'hi', 'm.mentions': { user_ids: [user(3)] } },
      });
      await db.transaction().execute((trx) => recordPushActions(trx, ROOM, message, 10, new Map()));
      const rows = await rowsOf('$message');
      // Everyone but the sender (u0) and the member who muted the room (u1).
      assert.equal(rows.length, MEMBERS - 2);
      const byUser = new Map(rows.map((row) => [row.user_id, row]));
      assert.ok(!byUser.has(user(0)) && !byUser.has(user(1)));
      assert.deepEqual(
        { ...byUser.get(user(3)) },
        { user_id: user(3), notify: true, highlight: true, stream_ordering: 10, thread_id: null },
        'the mentioned member is highlighted',
      );
      for (const other of [user(2), user(4), user(MEMBERS - 1)]) {
        assert.deepEqual(
          { notify: byUser.get(other)?.notify, highlight: byUser.get(other)?.highlight },
          { notify: true, highlight: false },
          other,
        );
      }

      // A custom state event notifies nobody; an invite notifies its target only.
      const state = eventOf('$state', { type: 'org.example.state', state_key: '', content: {} });
      await db.transaction().execute((trx) => recordPushActions(trx, ROOM, state, 11, new Map()));
      assert.equal((await rowsOf('$state')).length, 0);
      const invite = eventOf('$invite', {
        type: 'm.room.member',
        state_key: user(7),
        content: { membership: 'invite' },
      });
      await db.transaction().execute((trx) => recordPushActions(trx, ROOM, invite, 12, new Map()));
      assert.deepEqual(
        (await rowsOf('$invite')).map((row) => row.user_id),
        [user(7)],
      );
    }));
}
