// Every room read endpoint registers beside the federation app's own routes and answers its
// path, signed requests only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withTestDatabase } from '../../conformance-tests/support/databases.ts';
import {
  enc,
  roomWithRemoteMember,
  sendMessage,
  startFederationTestServer,
} from '../../conformance-tests/support/federation-request.ts';
import { roomReadEndpoints } from './room-read-endpoints.ts';

test('pglite: the room read endpoints answer together', (t) =>
  withTestDatabase(t, 'pglite', async (db) => {
    const server = await startFederationTestServer(db, roomReadEndpoints);
    t.after(() => server.close());
    const { roomId, alice } = await roomWithRemoteMember(server);
    const event = enc(await sendMessage(server, roomId, alice, 'hi'));
    const room = enc(roomId);
    const v1 = '/_matrix/federation/v1';
    const requests: ['GET' | 'POST', string, object?][] = [
      ['GET', `${v1}/event/${event}`],
      ['GET', `${v1}/state/${room}?event_id=${event}`],
      ['GET', `${v1}/state_ids/${room}?event_id=${event}`],
      ['GET', `${v1}/event_auth/${room}/${event}`],
      ['GET', `${v1}/backfill/${room}?v=${event}&limit=5`],
      ['POST', `${v1}/get_missing_events/${room}`, { earliest_events: [], latest_events: [] }],
      ['GET', `${v1}/timestamp_to_event/${room}?ts=0&dir=f`],
      ['GET', `${v1}/query/profile?user_id=${enc(alice)}&field=avatar_url`],
      ['GET', `${v1}/query/directory?room_alias=${enc('#none:example.org')}`],
      ['GET', `${v1}/publicRooms`],
      ['POST', `${v1}/publicRooms`, {}],
    ];
    assert.equal(requests.length, roomReadEndpoints.length);
    for (const [method, url, body] of requests) {
      const reply = await server.call('origin.test', method, url, body as never);
      // 404s here are the handlers' M_NOT_FOUND (no profile, no alias), never an unknown route.
      assert.ok(reply.status === 200 || reply.body.errcode === 'M_NOT_FOUND', `${method} ${url}`);
      assert.notEqual(reply.body.errcode, 'M_UNRECOGNIZED');
      const unsigned = await server.app.inject({ method, url, ...(body ? { payload: body } : {}) });
      assert.equal(unsigned.statusCode, 401, `${method} ${url} unsigned`);
    }
  }));
