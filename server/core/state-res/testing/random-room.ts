// Random room DAGs for property tests. fast-check generates a script of actions (who does what,
// on top of which earlier event, possibly merging two forks); it is played here with the real
// auth rules, keeping only events allowed against the resolved state before them, as an honest
// server would. Shrinking works on the script, so failures come out small.

import fc from 'fast-check';
import { selectAuthEvents } from '../../auth-rules/select-auth-events.ts';
import { lookupFromStateMap } from '../../auth-rules/state-lookup.ts';
import { AuthChainIndex } from '../../dag/auth-chain.ts';
import type { EventWithId, JsonObject } from '../../pdu.ts';
import { type StateMap, stateKey } from '../../state-map.ts';
import { RoomBuilder, testUser } from '../../testing/room-builder.ts';
import { authCheckFor } from '../auth-check.ts';
import { resolveState } from '../resolve-state.ts';
import { memoryStore } from './memory-store.ts';

export const USERS = ['alice', 'bob', 'carol', 'dan', 'eve'].map((name) => testUser(name).id);
const ALICE = USERS[0]!;

export type ActionKind =
  | 'join'
  | 'leave'
  | 'ban'
  | 'kick'
  | 'invite'
  | 'power'
  | 'topic'
  | 'joinRules';

export interface Action {
  readonly kind: ActionKind;
  readonly actor: number;
  readonly target: number;
  readonly level: number;
  /** Which earlier event to build on, and optionally a second one to merge with. */
  readonly at: number;
  readonly mergeWith: number | null;
}

const action = (kinds: readonly ActionKind[]): fc.Arbitrary<Action> =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    actor: fc.nat({ max: USERS.length - 1 }),
    target: fc.nat({ max: USERS.length - 1 }),
    level: fc.constantFrom(0, 50, 100),
    at: fc.nat(),
    mergeWith: fc.option(fc.nat()),
  });

export const ALL_KINDS: readonly ActionKind[] = [
  'join',
  'leave',
  'ban',
  'kick',
  'invite',
  'power',
  'topic',
  'joinRules',
];

/**
 * Only Alice uses power, and never lowers anyone, while the others just join and leave: a world
 * where every event of the resolved state must still be allowed by it.
 */
export const ALICE_ONLY_POWER_KINDS: readonly ActionKind[] = [
  'join',
  'leave',
  'ban',
  'power',
  'topic',
];

export const script = (kinds: readonly ActionKind[], maxLength = 20) =>
  fc.array(action(kinds), { minLength: 3, maxLength, size: 'max' });

export interface PlayedRoom {
  readonly room: RoomBuilder;
  readonly stateAfter: ReadonlyMap<string, StateMap>;
  /** Events appended by the script, in order. */
  readonly played: EventWithId[];
}

export async function playScript(
  versionId: string,
  actions: readonly Action[],
  options: { readonly aliceOnlyPower?: boolean } = {},
): Promise<PlayedRoom> {
  const room = new RoomBuilder(versionId);
  const check = authCheckFor(room.version);
  const index = new AuthChainIndex();
  const stateAfter = new Map<string, StateMap>();
  const ordered: EventWithId[] = [];
  const played: EventWithId[] = [];
  const append = (event: EventWithId, before: StateMap) => {
    room.add(event);
    const after = new Map(before);
    after.set(stateKey(event.pdu.type, event.pdu.state_key!), event.eventId);
    stateAfter.set(event.eventId, after);
    ordered.push(event);
  };

  const create = room.create(ALICE);
  stateAfter.set(create.eventId, new Map([[stateKey('m.room.create', ''), create.eventId]]));
  ordered.push(create);
  const opening: [string, string, JsonObject][] = [
    ['m.room.member', ALICE, { membership: 'join' }],
    ['m.room.power_levels', '', { users: levels(room, { [ALICE]: 100, [USERS[1]!]: 50 }) }],
    ['m.room.join_rules', '', { join_rule: 'public' }],
    ['m.room.member', USERS[1]!, { membership: 'join' }],
    ['m.room.member', USERS[2]!, { membership: 'join' }],
  ];
  for (const [type, key, content] of opening) {
    const prev = ordered[ordered.length - 1]!;
    const sender = type === 'm.room.member' ? key : ALICE;
    append(
      build(room, sender, type, key, content, [prev], stateAfter.get(prev.eventId)!),
      stateAfter.get(prev.eventId)!,
    );
  }

  for (const step of actions) {
    const base = ordered[step.at % ordered.length]!;
    const other = step.mergeWith === null ? undefined : ordered[step.mergeWith % ordered.length];
    const prevs = other === undefined || other === base ? [base] : [base, other];
    const states = prevs.map((p) => stateAfter.get(p.eventId)!);
    const before =
      states.length === 1
        ? states[0]!
        : await resolveState(room.version, states, memoryStore(room.events), check, { index });
    const aliceOnly = options.aliceOnlyPower === true;
    const actor = aliceOnly && isPowerAction(step.kind) ? ALICE : USERS[step.actor]!;
    // Alice never leaves, so her power stands behind everything she did.
    if (aliceOnly && !isPowerAction(step.kind) && actor === ALICE) continue;
    const made = eventFor(room, step, actor, before, aliceOnly);
    if (made === undefined) continue;
    const event = build(room, actor, made.type, made.key, made.content, prevs, before);
    if (!check(event, lookupFromStateMap(before, room.fetch))) continue;
    append(event, before);
    played.push(event);
  }
  return { room, stateAfter, played };
}

function isPowerAction(kind: ActionKind): boolean {
  return kind === 'ban' || kind === 'power' || kind === 'topic' || kind === 'kick';
}

function eventFor(
  room: RoomBuilder,
  step: Action,
  actor: string,
  before: StateMap,
  aliceOnly: boolean,
) {
  const target = USERS[step.target]!;
  const member = (key: string, membership: string) => ({
    type: 'm.room.member',
    key,
    content: { membership } as JsonObject,
  });
  switch (step.kind) {
    case 'join':
      return member(actor, 'join');
    case 'leave':
      return member(actor, 'leave');
    case 'ban':
      return member(target, 'ban');
    case 'kick':
      return member(target, 'leave');
    case 'invite':
      return member(target, 'invite');
    case 'topic':
      return { type: 'm.room.topic', key: '', content: { topic: `t${step.level}` } };
    case 'joinRules':
      return {
        type: 'm.room.join_rules',
        key: '',
        content: { join_rule: step.level ? 'public' : 'invite' },
      };
    case 'power': {
      const current = room.fetch(before.get(stateKey('m.room.power_levels', '')) ?? '');
      const users = { ...((current?.pdu.content.users as JsonObject | undefined) ?? {}) };
      const now = typeof users[target] === 'number' ? users[target] : 0;
      // Alice alone: levels only go up, and stay below hers so her bans keep passing.
      if (aliceOnly && (target === ALICE || step.level <= now || step.level > 50)) return undefined;
      users[target] = step.level;
      return { type: 'm.room.power_levels', key: '', content: { users: levels(room, users) } };
    }
  }
}

/** Alice keeps her 100 (a fork from the create event alone has no levels to copy it from); v12 creators may not be listed. */
function levels(room: RoomBuilder, users: JsonObject): JsonObject {
  if (!room.version.privilegedCreators) return { ...users, [ALICE]: 100 };
  return Object.fromEntries(Object.entries(users).filter(([user]) => user !== ALICE));
}

function build(
  room: RoomBuilder,
  sender: string,
  type: string,
  key: string,
  content: JsonObject,
  prevs: readonly EventWithId[],
  before: StateMap,
): EventWithId {
  const auth = selectAuthEvents(
    room.version,
    { type, stateKey: key, sender, content },
    lookupFromStateMap(before, room.fetch),
  );
  return room.draft(sender, type, key, content, { prev: prevs.map((p) => p.eventId), auth });
}
