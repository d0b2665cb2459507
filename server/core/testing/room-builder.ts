// Test fixtures: rooms built event by event with readable calls, for the auth rules, state
// resolution and DAG tests. Nothing is checked here: the builder makes whatever it is asked for,
// including events the rules must refuse.
//
//   const alice = testUser('alice');
//   const room = new RoomBuilder('12');
//   room.create(alice);
//   room.send(alice, 'm.room.member', alice.id, { membership: 'join' });
//   const forked = room.send(alice, 'm.room.topic', '', { topic: 'x' }, { prev: [someEarlierId] });
//
// Event ids are deterministic and readable (`$04_member_bob____…`, padded to the 43 characters of
// a real reference hash), `origin_server_ts` grows by one per event, and prev_events default to
// the current forward extremities. auth_events default to the spec's selection from the state
// before the event; with several prev_events that state is a naive union (later prevs win), so
// pass `auth` explicitly for genuine conflicts.

import type { StateLookup } from '../auth-rules/auth-types.ts';
import { referencedIds } from '../auth-rules/pdu-fields.ts';
import { selectAuthEvents } from '../auth-rules/select-auth-events.ts';
import { lookupFromStateMap } from '../auth-rules/state-lookup.ts';
import type { EventWithId, JsonObject, JsonValue, Pdu } from '../pdu.ts';
import { getRoomVersion, type RoomVersion } from '../room-versions.ts';
import { type ReadonlyStateMap, type StateMap, stateKey } from '../state-map.ts';

export interface TestUser {
  readonly id: string;
  readonly localpart: string;
  readonly server: string;
}

export function testUser(localpart: string, server = 'example.org'): TestUser {
  return { id: `@${localpart}:${server}`, localpart, server };
}

export type UserRef = TestUser | string;
export type EventRef = EventWithId | string;
/** Content where an `undefined` member is dropped, to remove a default. */
export type LooseContent = Readonly<Record<string, JsonValue | undefined>>;

export interface EventOptions {
  /** prev_events; default: the current forward extremities. */
  readonly prev?: readonly EventRef[];
  /** auth_events; default: the spec's selection from the state before the event. */
  readonly auth?: readonly EventRef[];
  readonly id?: string;
  readonly ts?: number;
  readonly depth?: number;
  /** Top-level fields to add or replace (`redacts`, `room_id`, …); `undefined` removes one. */
  readonly fields?: LooseContent;
  /** Servers besides the sender's that sign the event (e.g. a restricted join's authoriser). */
  readonly signedBy?: readonly string[];
}

export interface RoomOptions {
  /** Default: `!room:<creator's server>`, or derived from the create event in v12. */
  readonly roomId?: string;
  readonly tag?: string;
}

export const BASE_TS = 1_700_000_000_000;

export class RoomBuilder {
  readonly version: RoomVersion;
  readonly events = new Map<string, EventWithId>();
  /** Events a test declares rejected; pass `isRejected` to the auth rules. */
  readonly rejected = new Set<string>();
  roomId: string;
  heads: string[] = [];
  private readonly stateAfterEvent = new Map<string, StateMap>();
  private seq = 0;
  private readonly tag: string;

  /** `tag` starts every event id, so rooms built in one test never share ids. */
  constructor(version: RoomVersion | string, options: RoomOptions = {}) {
    const resolved = typeof version === 'string' ? getRoomVersion(version) : version;
    if (!resolved) throw new Error(`unknown room version ${String(version)}`);
    this.version = resolved;
    this.roomId = options.roomId ?? '';
    this.tag = options.tag ?? '';
  }

  /** The m.room.create event, with `creator` (before v11) and `room_version` filled in. */
  create(sender: UserRef, content: LooseContent = {}, options: EventOptions = {}): EventWithId {
    const id = userId(sender);
    const defaults: JsonObject = this.version.implicitRoomCreator
      ? { room_version: this.version.id }
      : { creator: id, room_version: this.version.id };
    if (!this.roomId && !this.version.roomIdFromCreateEvent) this.roomId = `!room:${serverOf(id)}`;
    const event = this.send(
      sender,
      'm.room.create',
      '',
      { ...defaults, ...content },
      {
        prev: [],
        auth: [],
        ...options,
      },
    );
    if (this.version.roomIdFromCreateEvent && !this.roomId)
      this.roomId = `!${event.eventId.slice(1)}`;
    return event;
  }

  /** Builds an event and appends it: it becomes the only forward extremity unless `prev` says otherwise. */
  send(
    sender: UserRef,
    type: string,
    stateKeyValue: string | undefined,
    content: LooseContent,
    options: EventOptions = {},
  ): EventWithId {
    const event = this.draft(sender, type, stateKeyValue, content, options);
    this.add(event);
    return event;
  }

  /** Builds an event without adding it to the room: the candidate a test checks. */
  draft(
    sender: UserRef,
    type: string,
    stateKeyValue: string | undefined,
    content: LooseContent,
    options: EventOptions = {},
  ): EventWithId {
    const senderId = userId(sender);
    const prev = (options.prev ?? this.heads).map(refId);
    const cleanContent = withoutUndefined(content);
    const auth =
      options.auth?.map(refId) ??
      selectAuthEvents(
        this.version,
        { type, stateKey: stateKeyValue, sender: senderId, content: cleanContent },
        this.lookupState(this.mergeStates(prev)),
      );
    this.seq += 1;
    const eventId = options.id ?? this.makeId(type, stateKeyValue, senderId);
    const legacy = this.version.eventIdFormat === 'server-assigned';
    const cite = (id: string): JsonValue => (legacy ? [id, { sha256: 'placeholder' }] : id);
    const prevDepths = prev.map((id) => this.events.get(id)?.pdu.depth ?? 0);
    const depth = options.depth ?? Math.max(0, ...prevDepths) + 1;
    const signatures: JsonObject = {};
    for (const server of [serverOf(senderId), ...(options.signedBy ?? [])]) {
      signatures[server] = { 'ed25519:test': 'placeholder-signature' };
    }
    const pdu: JsonObject = {
      type,
      sender: senderId,
      content: cleanContent,
      origin_server_ts: options.ts ?? BASE_TS + this.seq,
      depth,
      prev_events: prev.map(cite),
      auth_events: auth.map(cite),
      hashes: { sha256: 'placeholder-content-hash' },
      signatures,
    };
    if (!(type === 'm.room.create' && this.version.roomIdFromCreateEvent))
      pdu.room_id = this.roomId;
    if (stateKeyValue !== undefined) pdu.state_key = stateKeyValue;
    if (legacy) pdu.event_id = eventId;
    for (const [key, value] of Object.entries(options.fields ?? {})) {
      if (value === undefined) delete pdu[key];
      else pdu[key] = value;
    }
    return { eventId, pdu: pdu as Pdu };
  }

  /** Appends a built event (from draft, or made by hand), updating extremities and state. */
  add(event: EventWithId): EventWithId {
    const prev = referencedIds(event.pdu.prev_events);
    const state = this.mergeStates(prev);
    if (typeof event.pdu.state_key === 'string') {
      state.set(stateKey(event.pdu.type, event.pdu.state_key), event.eventId);
    }
    this.events.set(event.eventId, event);
    this.stateAfterEvent.set(event.eventId, state);
    this.heads = [...this.heads.filter((h) => !prev.includes(h)), event.eventId];
    return event;
  }

  get(ref: EventRef): EventWithId {
    const event = this.events.get(refId(ref));
    if (!event) throw new Error(`no event ${refId(ref)} in this room`);
    return event;
  }

  /** For functions taking `fetchEvent`. */
  readonly fetch = (eventId: string): EventWithId | undefined => this.events.get(eventId);
  readonly isRejected = (eventId: string): boolean => this.rejected.has(eventId);

  /** State after the given events (default: the forward extremities), merged naively. */
  stateAfter(at: EventRef | readonly EventRef[] = this.heads): StateMap {
    return this.mergeStates((Array.isArray(at) ? at : [at]).map(refId));
  }

  /** State before an event: the state after its prev_events. */
  stateBefore(ref: EventRef): StateMap {
    const event = typeof ref === 'string' ? this.get(ref) : ref;
    return this.stateAfter(referencedIds(event.pdu.prev_events));
  }

  /** A StateLookup for the auth rules, over the state after `at` (default: current state). */
  lookup(at?: EventRef | readonly EventRef[]): StateLookup {
    return this.lookupState(this.stateAfter(at));
  }

  lookupState(state: ReadonlyStateMap): StateLookup {
    return lookupFromStateMap(state, this.fetch);
  }

  // Shortcuts for the common events.
  join(user: UserRef, content: LooseContent = {}, options?: EventOptions): EventWithId {
    return this.member(user, user, 'join', content, options);
  }
  invite(sender: UserRef, target: UserRef, options?: EventOptions): EventWithId {
    return this.member(sender, target, 'invite', {}, options);
  }
  leave(sender: UserRef, target: UserRef = sender, options?: EventOptions): EventWithId {
    return this.member(sender, target, 'leave', {}, options);
  }
  ban(sender: UserRef, target: UserRef, options?: EventOptions): EventWithId {
    return this.member(sender, target, 'ban', {}, options);
  }
  knock(user: UserRef, options?: EventOptions): EventWithId {
    return this.member(user, user, 'knock', {}, options);
  }
  member(
    sender: UserRef,
    target: UserRef,
    membership: string,
    content: LooseContent = {},
    options?: EventOptions,
  ): EventWithId {
    return this.send(sender, 'm.room.member', userId(target), { membership, ...content }, options);
  }
  powerLevels(sender: UserRef, content: LooseContent, options?: EventOptions): EventWithId {
    return this.send(sender, 'm.room.power_levels', '', content, options);
  }
  joinRules(sender: UserRef, joinRule: string, extra: LooseContent = {}, options?: EventOptions) {
    return this.send(sender, 'm.room.join_rules', '', { join_rule: joinRule, ...extra }, options);
  }
  message(sender: UserRef, body = 'hello', options?: EventOptions): EventWithId {
    return this.send(sender, 'm.room.message', undefined, { msgtype: 'm.text', body }, options);
  }

  private mergeStates(ids: readonly string[]): StateMap {
    const merged: StateMap = new Map();
    for (const id of ids) {
      for (const [key, value] of this.stateAfterEvent.get(id) ?? []) merged.set(key, value);
    }
    return merged;
  }

  private makeId(type: string, stateKeyValue: string | undefined, sender: string): string {
    const subject = stateKeyValue?.startsWith('@')
      ? stateKeyValue.slice(1).split(':')[0]
      : stateKeyValue;
    const label = [
      this.tag + String(this.seq).padStart(2, '0'),
      type.replace(/^m\.room\./, ''),
      subject,
    ]
      .filter((part) => part)
      .join('_')
      .replace(/[^A-Za-z0-9_-]/g, '-');
    if (this.version.eventIdFormat === 'server-assigned') return `$${label}:${serverOf(sender)}`;
    return `$${label.slice(0, 43).padEnd(43, '_')}`;
  }
}

/**
 * A room as clients create one: create, the creator's join, power levels, join rules, then the
 * given members joined (invited by the creator first unless the room is public). `users` in
 * `powerLevels` is merged over `{ [creator]: 100 }` (nothing in v12, where creators cannot be
 * listed).
 */
export function createStandardRoom(
  version: RoomVersion | string,
  creator: TestUser,
  options: RoomOptions & {
    readonly joinRule?: string;
    readonly powerLevels?: LooseContent;
    readonly createContent?: LooseContent;
    readonly members?: readonly TestUser[];
  } = {},
): RoomBuilder {
  const room = new RoomBuilder(version, options);
  room.create(creator, options.createContent);
  room.join(creator);
  const users = {
    ...(room.version.privilegedCreators ? {} : { [creator.id]: 100 }),
    ...(options.powerLevels?.users as JsonObject | undefined),
  };
  room.powerLevels(creator, { ...options.powerLevels, users });
  const joinRule = options.joinRule ?? 'public';
  room.joinRules(creator, joinRule);
  for (const member of options.members ?? []) {
    if (joinRule !== 'public') room.invite(creator, member);
    room.join(member);
  }
  return room;
}

function userId(user: UserRef): string {
  return typeof user === 'string' ? user : user.id;
}

function serverOf(id: string): string {
  return id.slice(id.indexOf(':') + 1);
}

function refId(ref: EventRef): string {
  return typeof ref === 'string' ? ref : ref.eventId;
}

function withoutUndefined(content: LooseContent): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(content)) if (value !== undefined) out[key] = value;
  return out;
}
