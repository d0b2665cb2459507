import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoomBuilder, testUser } from '../testing/room-builder.ts';
import { mainlineOrder } from './mainline-ordering.ts';
import { reverseTopologicalPowerOrder } from './power-ordering.ts';
import { senderPowerLevel } from './sender-power.ts';
import { eventSourceOf } from './testing/memory-store.ts';

const alice = testUser('alice');
const bob = testUser('bob');
const carol = testUser('carol');

function room(version: string) {
  const r = new RoomBuilder(version);
  r.create(alice);
  r.join(alice);
  const pl = r.powerLevels(alice, {
    users: r.version.privilegedCreators ? { [bob.id]: 50 } : { [alice.id]: 100, [bob.id]: 50 },
  });
  r.joinRules(alice, 'public');
  r.join(bob);
  r.join(carol);
  return { r, pl };
}

describe('reverseTopologicalPowerOrder', () => {
  it('puts auth events first, then higher sender power, then older, then smaller id', () => {
    const { r, pl } = room('11');
    const base = r.heads;
    // Concurrent: Carol (0) at ts 1, Bob (50) at ts 3, Alice (100) at ts 2, Bob again at ts 3.
    const byCarol = r.send(
      carol,
      'm.room.join_rules',
      '',
      { join_rule: 'public' },
      { prev: base, ts: 1 },
    );
    const byBob = r.send(
      bob,
      'm.room.join_rules',
      '',
      { join_rule: 'invite' },
      { prev: base, ts: 3, id: '$b' },
    );
    const byBob2 = r.send(
      bob,
      'm.room.join_rules',
      '',
      { join_rule: 'knock' },
      { prev: base, ts: 3, id: '$a' },
    );
    const byAlice = r.send(
      alice,
      'm.room.join_rules',
      '',
      { join_rule: 'private' },
      { prev: base, ts: 2 },
    );
    // A power levels event citing pl must come after it, though pl's sender is the same.
    const source = eventSourceOf(r.version, r.events);
    const full = new Set([byCarol, byBob, byBob2, byAlice, pl].map((e) => e.eventId));
    const order = reverseTopologicalPowerOrder(source, full);
    assert.deepEqual(order, [
      pl.eventId,
      byAlice.eventId,
      byBob2.eventId,
      byBob.eventId,
      byCarol.eventId,
    ]);
  });

  it('follows auth chains only through the full conflicted set', () => {
    const { r } = room('11');
    const ban = r.ban(alice, carol);
    const source = eventSourceOf(r.version, r.events);
    assert.deepEqual(reverseTopologicalPowerOrder(source, new Set([ban.eventId])), [ban.eventId]);
  });
});

describe('senderPowerLevel', () => {
  it('reads the power levels among the auth events, and v12 creators are infinite', () => {
    for (const version of ['11', '12']) {
      const { r } = room(version);
      const topic = r.send(alice, 'm.room.topic', '', { topic: 'x' });
      const byBob = r.send(bob, 'm.room.topic', '', { topic: 'y' });
      const source = eventSourceOf(r.version, r.events);
      const auth = (id: string) => source.index.authEventsOf(id)!.map((a) => source.get(a)!);
      const expected = version === '12' ? Number.POSITIVE_INFINITY : 100;
      assert.equal(senderPowerLevel(r.version, topic, auth(topic.eventId)), expected);
      assert.equal(senderPowerLevel(r.version, byBob, auth(byBob.eventId)), 50);
    }
  });

  it('gives the creator 100 before any power levels event (before v12)', () => {
    const r = new RoomBuilder('10');
    r.create(alice);
    const join = r.join(alice);
    const source = eventSourceOf(r.version, r.events);
    const auth = source.index.authEventsOf(join.eventId)!.map((a) => source.get(a)!);
    assert.equal(senderPowerLevel(r.version, join, auth), 100);
  });
});

describe('mainlineOrder', () => {
  it('sorts by closest mainline power levels (older first), then timestamp, then id', () => {
    const { r, pl } = room('11');
    const pl2 = r.powerLevels(alice, { users: { [alice.id]: 100, [bob.id]: 60 } });
    const onPl2 = r.send(bob, 'm.room.topic', '', { topic: 'new' }, { ts: 1 });
    // Cites the older pl directly, and is sent later: still sorts first.
    const onPl = r.send(
      bob,
      'm.room.name',
      '',
      { name: 'old' },
      { auth: [...authOf(r, pl)], ts: 9 },
    );
    const sameTsA = r.send(bob, 'm.room.topic', '', {}, { ts: 5, id: '$z' });
    const sameTsB = r.send(bob, 'm.room.topic', '', {}, { ts: 5, id: '$y' });
    // Off the mainline: a power levels event nobody resolved to, citing pl.
    const offPl = r.powerLevels(bob, { users: {} }, { auth: authOf(r, pl), prev: [pl.eventId] });
    const onOff = r.send(bob, 'm.room.topic', '', {}, { auth: [offPl.eventId], ts: 0 });
    const source = eventSourceOf(r.version, r.events);
    const ids = [onPl2, onPl, sameTsA, sameTsB, onOff].map((e) => e.eventId);
    assert.deepEqual(mainlineOrder(source, ids, pl2.eventId), [
      onOff.eventId, // via offPl to pl: position 1, ts 0
      onPl.eventId, // pl: position 1, ts 9
      onPl2.eventId, // pl2: position 0, ts 1
      sameTsB.eventId,
      sameTsA.eventId,
    ]);
  });

  it('without resolved power levels, orders by timestamp and id alone', () => {
    const { r } = room('12');
    const a = r.send(bob, 'm.room.topic', '', {}, { ts: 7 });
    const b = r.send(bob, 'm.room.topic', '', {}, { ts: 3 });
    const source = eventSourceOf(r.version, r.events);
    assert.deepEqual(mainlineOrder(source, [a.eventId, b.eventId], undefined), [
      b.eventId,
      a.eventId,
    ]);
  });
});

function authOf(r: RoomBuilder, pl: { eventId: string }): string[] {
  const create = [...r.events.values()].find((e) => e.pdu.type === 'm.room.create')!;
  const bobJoin = r.stateAfter().get(`m.room.member\u0000${bob.id}`)!;
  return [create.eventId, pl.eventId, bobJoin];
}
