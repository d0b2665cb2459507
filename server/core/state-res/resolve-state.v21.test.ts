// The state resets state resolution v2.1 (room version 12, MSC4297) fixes, with the facts of
// Synapse's tests/state/test_v21.py: events cite explicit auth events and a fork's state comes
// from a faulty partial sync, so the prev_events and auth_events orderings disagree. Each case
// runs on room version 11 too, to show the reset v2 produces.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventWithId, JsonObject } from '../pdu.ts';
import { type StateMap, stateKey } from '../state-map.ts';
import { RoomBuilder } from '../testing/room-builder.ts';
import { authCheckFor } from './auth-check.ts';
import { resolveState } from './resolve-state.ts';
import { memoryStore } from './testing/memory-store.ts';
import { ALICE, BOB, CHARLIE, EVELYN, ZARA } from './testing/scenario-dag.ts';

/** Events with hand-picked auth events; the create event is cited explicitly before v12. */
function authRoom(versionId: string) {
  const room = new RoomBuilder(versionId);
  const create = room.create(ALICE, {}, { prev: [] });
  const send = (
    sender: string,
    type: string,
    key: string,
    content: JsonObject,
    auth: EventWithId[],
  ): EventWithId => {
    const cited = room.version.roomIdFromCreateEvent ? auth : [create, ...auth];
    return room.send(sender, type, key, content, { prev: [create], auth: cited });
  };
  return { room, create, send };
}

function stateOf(...events: EventWithId[]): StateMap {
  return new Map(events.map((e) => [stateKey(e.pdu.type, e.pdu.state_key!), e.eventId]));
}

async function resolveBothWays(room: RoomBuilder, a: StateMap, b: StateMap): Promise<StateMap> {
  const check = authCheckFor(room.version);
  const store = memoryStore(room.events);
  const ab = await resolveState(room.version, [a, b], store, check);
  const ba = await resolveState(room.version, [b, a], store, check);
  assert.deepEqual(ab, ba);
  return ab;
}

// Problem B: Bob's promotion of Charlie needs Alice's promotion of Bob replayed first, but the
// auth difference misses it; the conflicted state subgraph brings it in.
async function problemB(versionId: string) {
  const { room, create, send } = authRoom(versionId);
  const join = { membership: 'join' };
  const ma = send(ALICE, 'm.room.member', ALICE, join, []);
  const power1 = send(ALICE, 'm.room.power_levels', '', { users: {} }, [ma]);
  const jr = send(ALICE, 'm.room.join_rules', '', { join_rule: 'public' }, [ma, power1]);
  const mb = send(BOB, 'm.room.member', BOB, join, [power1, jr]);
  const mc = send(CHARLIE, 'm.room.member', CHARLIE, join, [power1, jr]);
  const power2 = send(ALICE, 'm.room.power_levels', '', { users: { [BOB]: 50 } }, [ma, power1]);
  const power3 = send(BOB, 'm.room.power_levels', '', { users: { [BOB]: 50, [CHARLIE]: 50 } }, [
    mb,
    power2,
  ]);
  const me1 = send(EVELYN, 'm.room.member', EVELYN, join, [power3, jr]);
  // Evelyn renames herself citing the old power levels: directly old, indirectly new.
  const me2 = send(EVELYN, 'm.room.member', EVELYN, join, [power1, jr, me1]);
  const mz = send(ZARA, 'm.room.member', ZARA, join, [power3, jr]);
  const dodgy = stateOf(create, ma, mb, mc, me2, power1, jr);
  const sensible = stateOf(create, ma, mb, mc, mz, power3, jr);
  const resolved = await resolveBothWays(room, dodgy, sensible);
  return { resolved, ids: { create, ma, mb, mc, me1, me2, mz, power1, power3, jr } };
}

// Problem A: both forks agree Alice has left, so starting from the unconflicted state makes both
// of her join rules fail; starting empty checks them against their own auth events.
async function problemA(versionId: string) {
  const { room, create, send } = authRoom(versionId);
  const ma1 = send(ALICE, 'm.room.member', ALICE, { membership: 'join' }, []);
  const power = send(ALICE, 'm.room.power_levels', '', { users: { [BOB]: 100 } }, [ma1]);
  const jr1 = send(ALICE, 'm.room.join_rules', '', { join_rule: 'public' }, [ma1, power]);
  const mb = send(BOB, 'm.room.member', BOB, { membership: 'join' }, [power, jr1]);
  const jr2 = send(ALICE, 'm.room.join_rules', '', { join_rule: 'invite' }, [ma1, power]);
  const ma2 = send(ALICE, 'm.room.member', ALICE, { membership: 'leave' }, [power, ma1]);
  const correct = stateOf(create, ma2, mb, power, jr2);
  // Another server hands us this fork's state with the old join rules.
  const outdated = stateOf(create, ma2, mb, power, jr1);
  const resolved = await resolveBothWays(room, correct, outdated);
  return { resolved, ids: { create, ma2, mb, power, jr2 } };
}

describe('state resolution v2.1 fixes', () => {
  it('replays the conflicted state subgraph (MSC4297 problem B)', async () => {
    const { resolved, ids } = await problemB('12');
    // Evelyn's rename is in the older power levels epoch, so her first join is replayed after it.
    assert.deepEqual(
      resolved,
      stateOf(ids.create, ids.ma, ids.mb, ids.mc, ids.me1, ids.mz, ids.power3, ids.jr),
    );
  });

  it('v2 resets the power levels in the same room (MSC4297 problem B)', async () => {
    const { resolved, ids } = await problemB('11');
    assert.equal(resolved.get(stateKey('m.room.power_levels', '')), ids.power1.eventId);
  });

  it('starts the iterative auth checks from an empty state (MSC4297 problem A)', async () => {
    const { resolved, ids } = await problemA('12');
    assert.deepEqual(resolved, stateOf(ids.create, ids.ma2, ids.mb, ids.power, ids.jr2));
  });

  it('v2 loses the join rules altogether in the same room (MSC4297 problem A)', async () => {
    const { resolved, ids } = await problemA('11');
    assert.deepEqual(resolved, stateOf(ids.create, ids.ma2, ids.mb, ids.power));
  });
});
