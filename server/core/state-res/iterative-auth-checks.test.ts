import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventWithId } from '../pdu.ts';
import { stateKey } from '../state-map.ts';
import { RoomBuilder, testUser } from '../testing/room-builder.ts';
import { iterativeAuthChecks } from './iterative-auth-checks.ts';
import { eventSourceOf, type Rejections } from './testing/memory-store.ts';
import type { StateLookup } from './types.ts';

const alice = testUser('alice');
const bob = testUser('bob');

function sourceOf(room: RoomBuilder, rejections: Rejections = {}) {
  return eventSourceOf(room.version, room.events, rejections);
}

function setup() {
  const room = new RoomBuilder('11');
  const create = room.create(alice);
  const joinA = room.join(alice);
  const pl = room.powerLevels(alice, { users: { [alice.id]: 100 } });
  const joinB = room.join(bob);
  const pl2 = room.powerLevels(alice, { users: { [alice.id]: 100, [bob.id]: 50 } });
  const topic = room.send(bob, 'm.room.topic', '', { topic: 'x' });
  return { room, create, joinA, pl, joinB, pl2, topic };
}

/** An auth check that records what the rules would have seen for power levels. */
function recordingCheck(seen: Map<string, string | undefined>, allow = () => true) {
  return (event: EventWithId, state: StateLookup) => {
    seen.set(event.eventId, state('m.room.power_levels', '')?.eventId);
    return allow();
  };
}

describe('iterativeAuthChecks', () => {
  it('checks against the partial state, falling back to the event’s auth events', () => {
    const { room, pl, pl2, topic } = setup();
    const seen = new Map<string, string | undefined>();
    const plKey = stateKey('m.room.power_levels', '');
    // Empty start: the topic sees its own auth event pl2.
    iterativeAuthChecks(sourceOf(room), [topic.eventId], new Map(), recordingCheck(seen));
    assert.equal(seen.get(topic.eventId), pl2.eventId);
    // With pl in the partial state, the state wins over the auth events.
    iterativeAuthChecks(
      sourceOf(room),
      [topic.eventId],
      new Map([[plKey, pl.eventId]]),
      recordingCheck(seen),
    );
    assert.equal(seen.get(topic.eventId), pl.eventId);
  });

  it('adds allowed events and skips refused ones', () => {
    const { room, pl2, topic } = setup();
    const state = iterativeAuthChecks(
      sourceOf(room),
      [pl2.eventId, topic.eventId],
      new Map(),
      (e) => e.eventId !== topic.eventId,
    );
    assert.deepEqual(state, new Map([[stateKey('m.room.power_levels', ''), pl2.eventId]]));
  });

  it('never admits an event rejected for its auth events, but re-checks one rejected at its state', () => {
    const { room, topic, pl2 } = setup();
    const onlyAuth = sourceOf(room, { [topic.eventId]: 'auth-events' });
    assert.equal(iterativeAuthChecks(onlyAuth, [topic.eventId], new Map(), () => true).size, 0);
    const atState = sourceOf(room, {
      [topic.eventId]: 'state-before',
      [pl2.eventId]: 'state-before',
    });
    assert.equal(iterativeAuthChecks(atState, [topic.eventId], new Map(), () => true).size, 1);
  });

  it('does not fall back to a rejected auth event', () => {
    const { room, topic, pl2 } = setup();
    const seen = new Map<string, string | undefined>();
    const source = sourceOf(room, { [pl2.eventId]: 'state-before' });
    iterativeAuthChecks(source, [topic.eventId], new Map(), recordingCheck(seen));
    assert.equal(seen.get(topic.eventId), undefined);
  });

  it('in room version 12, finds the create event through the room id', () => {
    const room = new RoomBuilder('12');
    const create = room.create(alice);
    const join = room.join(alice);
    let found: string | undefined;
    iterativeAuthChecks(sourceOf(room), [join.eventId], new Map(), (_e, state) => {
      found = state('m.room.create', '')?.eventId;
      return true;
    });
    assert.equal(found, create.eventId);
  });
});
