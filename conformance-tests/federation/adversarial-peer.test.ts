// A hostile server against a real Cairn process. The test plays `evil.test`: it serves its own
// signing key over TLS, joins a public room on Cairn through make_join/send_join, then sends a
// transaction mixing a good message with events that must not be taken: a bad signature, a
// content hash that does not match (kept, but redacted), a sender of another server, a power
// levels change by a member without the power, an oversized event; and a transaction of 60 PDUs.
// Cairn must refuse each as the spec says and keep the room's state right.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ownServerKeys } from '../../federation/keys/own-server-keys.ts';
import { FederationHttpError } from '../../federation/transport/federation-client.ts';
import { createFederationTransport } from '../../federation/transport/federation-transport.ts';
import { xMatrixSigner } from '../../federation/transport/x-matrix.ts';
import { withEventId } from '../../server/core/event-id.ts';
import type { JsonObject, Pdu } from '../../server/core/pdu.ts';
import { getRoomVersion } from '../../server/core/room-versions.ts';
import { hashAndSignEvent } from '../../server/core/sign-event.ts';
import { toServerSigningKey } from '../../server/keys/signing-key-file.ts';
import { startFederatedCairns } from '../support/cairn-federation.ts';
import { PROCESS_BACKENDS, registerAndStartClient } from '../support/js-sdk-clients.ts';
import { createTestCa, sendJson, startHttpsServer } from '../support/test-tls.ts';

const EVIL = 'evil.test';
const VICTIM = 'hs1.test';

for (const backend of PROCESS_BACKENDS) {
  describe(`a hostile peer (${backend.name})`, { skip: backend.skip, timeout: 180_000 }, () => {
    test('bad signatures, hashes, forged senders, unauthorised state and oversized input are refused', async (t) => {
      const ca = createTestCa();
      const evilKey = toServerSigningKey({
        algorithm: 'ed25519',
        version: 'evil',
        seed: new Uint8Array(32).fill(66),
      });
      const keyServer = await startHttpsServer(ca.issue({ dns: [EVIL] }), (request, response) => {
        if (request.url === '/_matrix/key/v2/server') {
          return sendJson(
            response,
            200,
            ownServerKeys({
              config: { serverName: EVIL, serverKeyValidityHours: 24 } as never,
              signingKey: evilKey,
              now: Date.now,
            }),
          );
        }
        // History the victim may ask for: what the test put in `missing` (get_missing_events).
        if (request.url.startsWith('/_matrix/federation/v1/get_missing_events/')) {
          return sendJson(response, 200, { events: missing.map((event) => event.pdu) });
        }
        return sendJson(response, 404, { errcode: 'M_NOT_FOUND', error: 'nothing here' });
      });
      let missing: { pdu: Pdu }[] = [];
      t.after(() => keyServer.close());
      const federation = await startFederatedCairns([VICTIM], backend.databaseUrl, {
        ca,
        extraAddresses: [`${EVIL}=127.0.0.1:${keyServer.port}`],
      });
      t.after(() => federation.stopAll());
      const victimPort = new URL(federation.servers[0]!.process.federationUrl).port;
      const transport = createFederationTransport(
        {
          federationCaFile: ca.certPath,
          federationVerifyTls: true,
          federationAllowPrivateNetworks: true,
          federationServerAddresses: new Map([[VICTIM, `127.0.0.1:${victimPort}`]]),
        },
        { warn: () => {} },
        { authorize: xMatrixSigner(EVIL, evilKey) },
      );
      t.after(() => transport.close());
      const evil = transport.client;

      const alice = await registerAndStartClient(federation.servers[0]!.process.clientUrl, 'alice');
      t.after(() => alice.stopClient());
      const { room_id: roomId } = await alice.createRoom({ preset: 'public_chat' as never });
      const version = getRoomVersion('10')!;
      const signer = { serverName: EVIL, keyId: evilKey.keyId, key: evilKey.privateKey };
      const enc = encodeURIComponent;

      // mallory joins through the victim, as any server would.
      const made = await evil.request(VICTIM, {
        method: 'GET',
        path: `/_matrix/federation/v1/make_join/${enc(roomId)}/${enc('@mallory:evil.test')}?ver=10`,
      });
      const template = (made.body as { event: Pdu }).event;
      const join = withEventId(
        version,
        hashAndSignEvent(version, { ...template, origin_server_ts: Date.now() }, signer),
      );
      const joined = await evil.request(VICTIM, {
        method: 'PUT',
        path: `/_matrix/federation/v2/send_join/${enc(roomId)}/${enc(join.eventId)}`,
        body: join.pdu,
      });
      const state = (joined.body as { state: Pdu[] }).state.map((pdu) => withEventId(version, pdu));
      const idOf = (type: string, key = '') =>
        state.find((each) => each.pdu.type === type && each.pdu.state_key === key)!.eventId;
      const [createId, powerId] = [idOf('m.room.create'), idOf('m.room.power_levels')];
      let depth = join.pdu.depth;
      const build = (fields: Partial<Pdu> & { type: string; content: JsonObject }, sign = signer) =>
        withEventId(
          version,
          hashAndSignEvent(
            version,
            {
              room_id: roomId,
              sender: '@mallory:evil.test',
              origin_server_ts: Date.now(),
              depth: ++depth,
              prev_events: [join.eventId],
              auth_events: [createId, powerId, join.eventId],
              hashes: {},
              signatures: {},
              ...fields,
            },
            sign,
          ),
        );
      const good = build({ type: 'm.room.message', content: { msgtype: 'm.text', body: 'hello' } });
      const badSignature = build({ type: 'm.room.message', content: { body: 'forged' } });
      (badSignature.pdu.signatures as JsonObject)[EVIL] = {
        [evilKey.keyId]: 'A'.repeat(86),
      };
      const tampered = build({ type: 'm.room.message', content: { body: 'original' } });
      const tamperedPdu = { ...tampered.pdu, content: { body: 'changed after signing' } };
      const forgedSender = build({
        type: 'm.room.message',
        sender: '@alice:hs1.test',
        content: { body: 'I am alice' },
      });
      const powerGrab = build({
        type: 'm.room.power_levels',
        state_key: '',
        content: { users: { '@mallory:evil.test': 100 } },
      });
      const oversized = build({ type: 'm.room.message', content: { body: 'x'.repeat(70_000) } });

      const reply = await evil.request(VICTIM, {
        method: 'PUT',
        path: '/_matrix/federation/v1/send/txn-1',
        body: {
          origin: EVIL,
          origin_server_ts: Date.now(),
          pdus: [
            good.pdu,
            badSignature.pdu,
            tamperedPdu,
            forgedSender.pdu,
            powerGrab.pdu,
            oversized.pdu,
          ],
        },
      });
      const results = (reply.body as { pdus: Record<string, { error?: string }> }).pdus;
      assert.deepEqual(results[good.eventId], {});
      assert.match(String(results[badSignature.eventId]?.error), /signature/);
      // A hash mismatch is not a refusal: the event is kept, redacted.
      assert.deepEqual(results[tampered.eventId], {});
      assert.match(String(results[forgedSender.eventId]?.error), /signature/);
      assert.ok(results[powerGrab.eventId]?.error, 'the power grab is rejected');
      assert.match(String(results[oversized.eventId]?.error), /bytes/);

      // 60 PDUs: over the spec's 50, the transaction as a whole is refused.
      await assert.rejects(
        evil.request(VICTIM, {
          method: 'PUT',
          path: '/_matrix/federation/v1/send/txn-2',
          body: {
            origin: EVIL,
            origin_server_ts: Date.now(),
            pdus: Array.from({ length: 60 }, () => good.pdu),
          },
        }),
        (err) => err instanceof FederationHttpError && err.status === 400,
      );

      // What alice's server shows: the good message, the tampered one redacted, nothing else;
      // power levels untouched.
      const headers = { authorization: `Bearer ${alice.getAccessToken()}` };
      const clientUrl = federation.servers[0]!.process.clientUrl;
      const messages = (await (
        await fetch(`${clientUrl}/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=50`, {
          headers,
        })
      ).json()) as { chunk: { event_id: string; type: string; content: JsonObject }[] };
      const seen = new Map(messages.chunk.map((event) => [event.event_id, event]));
      assert.equal(seen.get(good.eventId)?.content.body, 'hello');
      assert.deepEqual(seen.get(tampered.eventId)?.content, {});
      for (const refused of [badSignature, forgedSender, powerGrab, oversized]) {
        assert.equal(
          seen.has(refused.eventId),
          false,
          `${refused.pdu.content.body ?? refused.pdu.type} is not shown`,
        );
      }
      const power = (await (
        await fetch(
          `${clientUrl}/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.power_levels/`,
          { headers },
        )
      ).json()) as { users: Record<string, number> };
      assert.equal(power.users['@mallory:evil.test'], undefined);
      assert.equal(power.users['@alice:hs1.test'], 100);

      // A gap: only the second of two messages is sent; the victim fetches the first from us
      // (get_missing_events) and takes both, in order.
      const first = build({
        type: 'm.room.message',
        content: { msgtype: 'm.text', body: 'first' },
      });
      const second = build({
        type: 'm.room.message',
        content: { msgtype: 'm.text', body: 'second' },
        prev_events: [first.eventId],
      });
      missing = [first];
      const gap = await evil.request(VICTIM, {
        method: 'PUT',
        path: '/_matrix/federation/v1/send/txn-3',
        body: { origin: EVIL, origin_server_ts: Date.now(), pdus: [second.pdu] },
      });
      assert.deepEqual((gap.body as { pdus: Record<string, unknown> }).pdus, {
        [second.eventId]: {},
      });
      // A gap nobody fills (no missing events, no state to be had): the event is not taken.
      missing = [];
      const orphan = build({
        type: 'm.room.message',
        content: { msgtype: 'm.text', body: 'orphan' },
        prev_events: ['$unknown-event-id-nobody-has'],
      });
      const orphaned = await evil.request(VICTIM, {
        method: 'PUT',
        path: '/_matrix/federation/v1/send/txn-4',
        body: { origin: EVIL, origin_server_ts: Date.now(), pdus: [orphan.pdu] },
      });
      assert.match(
        String(
          (orphaned.body as { pdus: Record<string, { error?: string }> }).pdus[orphan.eventId]
            ?.error,
        ),
        /state before the event is unknown/,
      );
      const latest = (await (
        await fetch(`${clientUrl}/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=5`, {
          headers,
        })
      ).json()) as { chunk: { content: { body?: string } }[] };
      assert.deepEqual(
        latest.chunk.slice(0, 2).map((event) => event.content.body),
        ['second', 'first'],
      );
    });
  });
}
