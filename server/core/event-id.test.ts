import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeEventId, EventIdError, roomIdFromCreateEvent, withEventId } from './event-id.ts';
import { GMSL_V1_EVENT, GMSL_V5_CREATE_EVENT, RC_V10 } from './event-test-vectors.ts';
import type { Pdu } from './pdu.ts';
import { getRoomVersion } from './room-versions.ts';

const version = (id: string) => getRoomVersion(id)!;

describe('computeEventId', () => {
  it('v1 and v2 take the event_id the server assigned', () => {
    assert.equal(computeEventId(version('1'), GMSL_V1_EVENT), '$yvN1b43rlmcOs5fY:localhost');
    assert.equal(computeEventId(version('2'), GMSL_V1_EVENT), '$yvN1b43rlmcOs5fY:localhost');
    const { event_id: _, ...withoutId } = GMSL_V1_EVENT;
    assert.throws(() => computeEventId(version('1'), withoutId as Pdu), EventIdError);
    assert.throws(
      () => computeEventId(version('2'), { ...GMSL_V1_EVENT, event_id: 'x:y' }),
      EventIdError,
    );
  });

  it('v3 uses standard base64 of the reference hash', () => {
    assert.equal(
      computeEventId(version('3'), GMSL_V5_CREATE_EVENT.pdu),
      GMSL_V5_CREATE_EVENT.v3EventId,
    );
  });

  it('v4 to v10 use URL-safe base64 of the same hash', () => {
    for (const id of ['4', '5', '6', '7', '8', '9', '10']) {
      assert.equal(
        computeEventId(version(id), GMSL_V5_CREATE_EVENT.pdu),
        GMSL_V5_CREATE_EVENT.v4EventId,
        id,
      );
    }
  });

  it('v11 and v12 give another id for the same event, as they redact differently', () => {
    const v11 = computeEventId(version('11'), GMSL_V5_CREATE_EVENT.pdu);
    assert.notEqual(v11, GMSL_V5_CREATE_EVENT.v4EventId);
    assert.match(v11, /^\$[A-Za-z0-9_-]{43}$/);
    assert.equal(computeEventId(version('12'), GMSL_V5_CREATE_EVENT.pdu), v11);
  });

  it('matches the ids of v10 events signed by another implementation', () => {
    for (const { eventId, pdu } of RC_V10.events) {
      assert.equal(computeEventId(version('10'), pdu), eventId, pdu.type);
    }
  });

  it('v10 ids ignore create content other than creator; v11 ids cover all of it', () => {
    const create = RC_V10.events[0]!.pdu;
    const changed = { ...create, content: { ...create.content, room_version: '11' } };
    assert.equal(computeEventId(version('10'), changed), computeEventId(version('10'), create));
    assert.notEqual(computeEventId(version('11'), changed), computeEventId(version('11'), create));
  });

  it('withEventId pairs the PDU with its id', () => {
    const pdu = RC_V10.events[1]!.pdu;
    assert.deepEqual(withEventId(version('10'), pdu), { eventId: RC_V10.events[1]!.eventId, pdu });
  });
});

describe('roomIdFromCreateEvent (v12)', () => {
  // Signed with the spec's test key. The expected room id was computed independently with
  // Python's json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False) and hashlib.
  const create = {
    type: 'm.room.create',
    state_key: '',
    sender: '@alice:domain',
    content: { room_version: '12' },
    depth: 1,
    prev_events: [],
    auth_events: [],
    origin_server_ts: 1000000,
    hashes: { sha256: 'EuctRYAOm/Q3+u7XMoJ13sc+5fL2jk+7++bLmTCCC+4' },
    signatures: {
      domain: {
        'ed25519:1':
          '1ESs4FTrLeN2K0z+avAH+Yn2ZOQfRZZS1q9QUPa8UbpJNiR55Kt2vd4gbTSh0nuBekDE+wGm3mW7A3Clzoy4AQ',
      },
    },
  } as unknown as Pdu;
  const ROOM_ID = '!b3tOUX8xQBm1sCO5nM3_29t9zsIqsOly2d6sLXXi2Ps';

  it('is ! and the URL-safe reference hash, i.e. the create event id with another sigil', () => {
    assert.equal(roomIdFromCreateEvent(version('12'), create), ROOM_ID);
    assert.equal(computeEventId(version('12'), create), `$${ROOM_ID.slice(1)}`);
  });

  it('changes with any create content, such as additional_creators', () => {
    const more = {
      ...create,
      content: { room_version: '12', additional_creators: ['@bob:domain'] },
    };
    assert.notEqual(roomIdFromCreateEvent(version('12'), more), ROOM_ID);
    assert.equal(
      roomIdFromCreateEvent(version('12'), { ...create, unsigned: { age: 1 } }),
      ROOM_ID,
    );
  });

  it('refuses other room versions and other events', () => {
    assert.throws(() => roomIdFromCreateEvent(version('11'), create), EventIdError);
    assert.throws(
      () => roomIdFromCreateEvent(version('12'), { ...create, type: 'm.room.name' }),
      EventIdError,
    );
    const { state_key: _, ...noStateKey } = create;
    assert.throws(() => roomIdFromCreateEvent(version('12'), noStateKey as Pdu), EventIdError);
  });
});
