// A send_join reply with `members_omitted: true` (a partial state, as servers supporting faster
// joins may send) does not leave the joining server with a room missing most of its members.
// hs2 reaches hs1 through a TLS proxy presenting hs1.test's certificate that rewrites hs1's
// send_join reply: the other members' m.room.member events are taken out of `state` and the
// reply says `members_omitted: true`. hs2 must fetch the full state (GET /state at its join) and
// end with every member, as hs1 has them.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { startFederatedCairns } from '../support/cairn-federation.ts';
import { PROCESS_BACKENDS, registerClient } from '../support/js-sdk-clients.ts';
import { createTestCa, sendJson, startHttpsServer } from '../support/test-tls.ts';

const SEND_JOIN = /^\/_matrix\/federation\/v2\/send_join\//;

for (const backend of PROCESS_BACKENDS) {
  describe(`send_join with members omitted (${backend.name})`, {
    skip: backend.skip,
    timeout: 180_000,
  }, () => {
    test('the joining server fetches the full state and knows every member', async (t) => {
      const ca = createTestCa();
      let hs1Port = 0;
      let rewritten = 0;
      const upstream = new Agent({ connect: { ca: ca.certPem, servername: 'hs1.test' } });
      // The proxy: hs1.test as hs2 sees it.
      const proxy = await startHttpsServer(ca.issue({ dns: ['hs1.test'] }), (seen, response) => {
        void (async () => {
          const headers: IncomingHttpHeaders = { ...seen.headers };
          delete headers.host;
          delete headers['content-length'];
          delete headers.connection;
          const answer = await request(`https://127.0.0.1:${hs1Port}${seen.url}`, {
            method: seen.method as 'GET',
            headers: headers as Record<string, string>,
            ...(seen.body === '' ? {} : { body: seen.body }),
            dispatcher: upstream,
          });
          let body = await answer.body.text();
          if (SEND_JOIN.test(seen.url) && answer.statusCode === 200) {
            const reply = JSON.parse(body) as {
              state: { type: string; state_key?: string; sender: string }[];
            };
            const joiner = JSON.parse(seen.body).state_key as string;
            reply.state = reply.state.filter(
              (event) =>
                event.type !== 'm.room.member' ||
                event.state_key === joiner ||
                (event.state_key === event.sender && event.sender.startsWith('@alice:')),
            );
            body = JSON.stringify({
              ...reply,
              members_omitted: true,
              servers_in_room: ['hs1.test'],
            });
            rewritten += 1;
          }
          sendJson(response, answer.statusCode, body);
        })().catch((err: unknown) => sendJson(response, 502, { error: String(err) }));
      });
      t.after(() => proxy.close());

      const federation = await startFederatedCairns(['hs1.test', 'hs2.test'], backend.databaseUrl, {
        ca,
        addressOverrides: { 'hs1.test': `127.0.0.1:${proxy.port}` },
      });
      t.after(() => federation.stopAll());
      const [hs1, hs2] = federation.servers;
      hs1Port = Number(hs1!.env.CAIRN_FEDERATION_PORT);

      const alice = await registerClient(hs1!.process.clientUrl, 'alice');
      const { room_id: roomId } = await alice.createRoom({ preset: 'public_chat' as never });
      for (const name of ['carol', 'dave']) {
        const member = await registerClient(hs1!.process.clientUrl, name);
        await member.joinRoom(roomId);
      }
      const bob = await registerClient(hs2!.process.clientUrl, 'bob');
      await bob.joinRoom(roomId, { viaServers: ['hs1.test'] });
      assert.equal(rewritten, 1, 'the send_join reply went through the proxy, rewritten');

      const members = await bob.getJoinedRoomMembers(roomId);
      assert.deepEqual(Object.keys(members.joined).sort(), [
        '@alice:hs1.test',
        '@bob:hs2.test',
        '@carol:hs1.test',
        '@dave:hs1.test',
      ]);
    });
  });
}
