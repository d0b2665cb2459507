// Properties of state resolution over random room DAGs played with the real auth rules.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AuthChainIndex } from '../dag/auth-chain.ts';
import type { EventWithId } from '../pdu.ts';
import { type StateMap, stateKey } from '../state-map.ts';
import { authCheckFor } from './auth-check.ts';
import { resolveState } from './resolve-state.ts';
import { splitState } from './split-state.ts';
import { memoryStore } from './testing/memory-store.ts';
import { ALICE_ONLY_POWER_KINDS, ALL_KINDS, playScript, script } from './testing/random-room.ts';
import { rotationsAndReversals, sameState } from './testing/scenario-dag.ts';

const RUNS = { numRuns: 100 };
const picks = fc.array(fc.nat(), { minLength: 2, maxLength: 3 });

for (const version of ['11', '12']) {
  describe(`state resolution properties, room version ${version}`, () => {
    it('is deterministic, independent of fork order, and keeps the unconflicted state', async () => {
      await fc.assert(
        fc.asyncProperty(script(ALL_KINDS), picks, async (actions, chosen) => {
          const { room, stateAfter } = await playScript(version, actions);
          const ids = [...stateAfter.keys()];
          const sets = chosen.map((n) => stateAfter.get(ids[n % ids.length]!)!);
          const check = authCheckFor(room.version);
          const store = memoryStore(room.events);
          const results: StateMap[] = [];
          for (const order of rotationsAndReversals(sets)) {
            results.push(await resolveState(room.version, order, store, check));
          }
          // A warm, shared index must not change anything either.
          const index = new AuthChainIndex();
          results.push(await resolveState(room.version, sets, store, check, { index }));
          results.push(await resolveState(room.version, sets, store, check, { index }));
          for (const other of results) assert.ok(sameState(results[0]!, other));

          const resolved = results[0]!;
          for (const [key, id] of splitState(sets).unconflicted)
            assert.equal(resolved.get(key), id);
          for (const [key, id] of resolved) {
            const event = room.get(id);
            assert.equal(stateKey(event.pdu.type, event.pdu.state_key!), key);
          }
        }),
        RUNS,
      );
    });

    it('resolving a state with itself gives it back', async () => {
      await fc.assert(
        fc.asyncProperty(script(ALL_KINDS), fc.nat(), async (actions, at) => {
          const { room, stateAfter } = await playScript(version, actions);
          const state = [...stateAfter.values()][at % stateAfter.size]!;
          const check = authCheckFor(room.version);
          const resolved = await resolveState(
            room.version,
            [state, state],
            memoryStore(room.events),
            check,
          );
          assert.ok(sameState(resolved, state));
        }),
        RUNS,
      );
    });

    it('when only the admin uses power, every resolved event is still allowed by the result', async () => {
      await fc.assert(
        fc.asyncProperty(script(ALICE_ONLY_POWER_KINDS, 25), picks, async (actions, chosen) => {
          const { room, stateAfter } = await playScript(version, actions, { aliceOnlyPower: true });
          const ids = [...stateAfter.keys()];
          const sets = chosen.map((n) => stateAfter.get(ids[n % ids.length]!)!);
          const check = authCheckFor(room.version);
          const resolved = await resolveState(room.version, sets, memoryStore(room.events), check);
          for (const id of resolved.values()) {
            const event = room.get(id);
            assert.ok(
              check(event, stateBeforeOwnKey(resolved, event, room.fetch)),
              `${id} refused`,
            );
          }
        }),
        RUNS,
      );
    });
  });
}

/**
 * The resolved state as the event saw it: its own entry replaced by what its auth events say (an
 * event never authorises itself: a leave checked against itself would be a leave from "leave").
 */
function stateBeforeOwnKey(
  resolved: StateMap,
  event: EventWithId,
  fetch: (id: string) => EventWithId | undefined,
) {
  const ownKey = stateKey(event.pdu.type, event.pdu.state_key!);
  const ownBefore = (event.pdu.auth_events as string[])
    .map(fetch)
    .find((e) => e !== undefined && stateKey(e.pdu.type, e.pdu.state_key ?? '') === ownKey);
  return (type: string, key: string) => {
    const k = stateKey(type, key);
    if (k === ownKey) return ownBefore;
    const id = resolved.get(k);
    return id === undefined ? undefined : fetch(id);
  };
}
