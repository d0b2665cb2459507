import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthChainIndex } from '../dag/auth-chain.ts';
import { stateKey } from '../state-map.ts';
import { createStandardRoom, testUser } from '../testing/room-builder.ts';
import { EventLoader } from './event-loader.ts';
import { resolveState } from './resolve-state.ts';
import { memoryStore } from './testing/memory-store.ts';

const alice = testUser('alice');
const members = ['bob', 'carol', 'dan'].map((name) => testUser(name));

function forkedRoom() {
  const room = createStandardRoom('11', alice, { members });
  const base = room.heads;
  const a = room.send(alice, 'm.room.topic', '', { topic: 'a' }, { prev: base });
  const b = room.send(alice, 'm.room.topic', '', { topic: 'b' }, { prev: base });
  return { room, stateA: room.stateAfter(a), stateB: room.stateAfter(b), a, b };
}

describe('EventLoader', () => {
  it('discovers auth chains one layer per round trip and remembers them', async () => {
    const { room, a } = forkedRoom();
    const store = memoryStore(room.events);
    const index = new AuthChainIndex();
    await new EventLoader(room.version, store, index).indexAuthClosure([a.eventId]);
    assert.ok(store.calls.length > 1);
    assert.deepEqual(
      new Set(index.authChain(a.eventId)),
      new Set(authChainNaive(room.events, a.eventId)),
    );
    // A warm index needs no I/O at all.
    const again = memoryStore(room.events);
    await new EventLoader(room.version, again, index).indexAuthClosure([a.eventId]);
    assert.deepEqual(again.calls, []);
  });

  it('uses getAuthChainIds to fetch a whole chain in one batch', async () => {
    const { room, a } = forkedRoom();
    const store = {
      ...memoryStore(room.events),
      getAuthChainIds: async (ids: readonly string[]) =>
        ids.flatMap((id) => authChainNaive(room.events, id)),
    };
    await new EventLoader(room.version, store, new AuthChainIndex()).indexAuthClosure([a.eventId]);
    assert.equal(store.calls.length, 1);
  });

  it('splits large requests into batches and asks for a missing event only once', async () => {
    const { room } = forkedRoom();
    const store = memoryStore(room.events);
    const loader = new EventLoader(room.version, store, new AuthChainIndex());
    const ids = Array.from({ length: 12_000 }, (_, i) => `$missing${i}`);
    await loader.load(ids);
    await loader.load(ids);
    assert.deepEqual(store.calls, [5000, 5000, 2000]);
  });
});

describe('resolveState I/O', () => {
  it('checks against the auth events when an unconflicted entry is missing from the store', async () => {
    const { room, stateA, stateB } = forkedRoom();
    const events = new Map(room.events);
    const aliceJoin = stateA.get(stateKey('m.room.member', alice.id))!;
    events.delete(aliceJoin);
    const seen: (string | undefined)[] = [];
    await resolveState(room.version, [stateA, stateB], memoryStore(events), (_event, state) => {
      seen.push(state('m.room.member', alice.id)?.eventId);
      return true;
    });
    assert.ok(seen.length > 0);
    assert.ok(seen.every((id) => id === undefined));
  });

  it('returns agreed state without touching the store', async () => {
    const { room, stateA } = forkedRoom();
    const store = memoryStore(room.events);
    const resolved = await resolveState(room.version, [stateA, stateA], store, () => true);
    assert.deepEqual(resolved, stateA);
    assert.deepEqual(store.calls, []);
  });

  it('refuses room versions on state resolution v1', async () => {
    const { room, stateA, stateB } = forkedRoom();
    const v1 = { ...room.version, stateResolution: 'v1' as const };
    await assert.rejects(
      resolveState(v1, [stateA, stateB], memoryStore(room.events), () => true),
      /state resolution v1/,
    );
  });

  it('fetches only the conflicted events and what they need once the index is warm', async () => {
    const { room, stateA, stateB } = forkedRoom();
    const index = new AuthChainIndex();
    await resolveState(room.version, [stateA, stateB], memoryStore(room.events), () => true, {
      index,
    });
    const warm = memoryStore(room.events);
    const resolved = await resolveState(room.version, [stateA, stateB], warm, () => true, {
      index,
    });
    assert.ok(warm.calls.length <= 2, `round trips: ${warm.calls.length}`);
    assert.ok(warm.calls.reduce((x, y) => x + y, 0) < room.events.size);
    assert.ok(resolved.get(stateKey('m.room.topic', '')) !== undefined);
  });

  it('leaves out events the store cannot produce', async () => {
    const { room, stateA, stateB, b } = forkedRoom();
    const events = new Map(room.events);
    events.delete(b.eventId);
    const resolved = await resolveState(
      room.version,
      [stateA, stateB],
      memoryStore(events),
      () => true,
    );
    assert.equal(
      resolved.get(stateKey('m.room.topic', '')),
      stateA.get(stateKey('m.room.topic', '')),
    );
  });
});

function authChainNaive(
  events: ReadonlyMap<string, { pdu: { auth_events: unknown[] } }>,
  id: string,
) {
  const out = new Set<string>();
  const stack = [...(events.get(id)?.pdu.auth_events ?? [])] as string[];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (out.has(next)) continue;
    out.add(next);
    stack.push(...((events.get(next)?.pdu.auth_events ?? []) as string[]));
  }
  return [...out];
}
