// Creates a room: the create event, then the creator's join, power levels, canonical alias,
// preset state, initial state, name, topic and invites, in the order the spec gives for POST
// /createRoom. Every event after the create event goes through sendLocalEvent, i.e. through the
// authorization rules.
// https://spec.matrix.org/latest/client-server-api/#creation
import { randomBytes } from 'node:crypto';
import { checkEventAuth } from '../core/auth-rules/check-event-auth.ts';
import { roomIdFromCreateEvent } from '../core/event-id.ts';
import type { JsonObject } from '../core/pdu.ts';
import type { RoomVersion } from '../core/room-versions.ts';
import { MatrixError } from '../http/matrix-error.ts';
import { createRoomAlias, getRoomAlias } from '../storage/room-aliases.ts';
import { authRefusal } from './auth-refusal.ts';
import { buildLocalEvent } from './build-local-event.ts';
import { initialPowerLevels, type RoomPreset } from './initial-power-levels.ts';
import { memberProfile } from './member-profile.ts';
import { persistAndAnnounce } from './persist-event.ts';
import type { RoomDeps } from './room-deps.ts';
import { sendLocalEvent } from './send-local-event.ts';

export interface InitialStateEvent {
  readonly type: string;
  readonly stateKey: string;
  readonly content: JsonObject;
}

export interface NewRoomRequest {
  readonly creator: string;
  readonly version: RoomVersion;
  readonly preset: RoomPreset;
  readonly isPublic: boolean;
  readonly name?: string | undefined;
  readonly topic?: string | undefined;
  readonly invite: readonly string[];
  readonly initialState: readonly InitialStateEvent[];
  readonly powerLevelOverride?: JsonObject | undefined;
  readonly creationContent?: JsonObject | undefined;
  readonly isDirect: boolean;
  /** Profile of the creator for its member event. */
  readonly creatorProfile?: JsonObject | undefined;
  /** A full local alias (`#name:server`) to create and make canonical. */
  readonly alias?: string | undefined;
}

const aliasInUse = (alias: string) =>
  new MatrixError(400, 'M_ROOM_IN_USE', `Room alias ${alias} is already in use`);

export async function createRoom(deps: RoomDeps, request: NewRoomRequest): Promise<string> {
  const { version, creator, alias } = request;
  // Checked before anything is stored, so a taken alias leaves no half-made room behind.
  if (alias !== undefined && (await getRoomAlias(deps.db, alias))) throw aliasInUse(alias);
  const roomId = await persistCreateEvent(deps, request);

  const send = (type: string, stateKey: string, content: JsonObject) =>
    sendLocalEvent(deps, roomId, { type, stateKey, sender: creator, content });

  await send('m.room.member', creator, { ...request.creatorProfile, membership: 'join' });
  await send('m.room.power_levels', '', {
    ...initialPowerLevels(version, creator, request.preset, request.invite),
    ...request.powerLevelOverride,
  });
  if (alias !== undefined) {
    // Only a race with another request for the same alias gets here with it taken.
    if (!(await createRoomAlias(deps.db, { alias, roomId, creator, now: deps.now() }))) {
      throw aliasInUse(alias);
    }
    await send('m.room.canonical_alias', '', { alias });
  }
  await send('m.room.join_rules', '', {
    join_rule: request.preset === 'public_chat' ? 'public' : 'invite',
  });
  await send('m.room.history_visibility', '', { history_visibility: 'shared' });
  if (request.preset !== 'public_chat') {
    await send('m.room.guest_access', '', { guest_access: 'can_join' });
  }
  for (const event of request.initialState) await send(event.type, event.stateKey, event.content);
  if (request.name !== undefined) await send('m.room.name', '', { name: request.name });
  if (request.topic !== undefined) await send('m.room.topic', '', topicContent(request.topic));
  for (const invitee of request.invite) {
    await send('m.room.member', invitee, {
      ...(await memberProfile(deps.db, deps.serverName, invitee)),
      membership: 'invite',
      ...(request.isDirect ? { is_direct: true } : {}),
    });
  }
  if (request.isPublic) {
    await deps.db
      .updateTable('rooms')
      .set({ is_public: true })
      .where('room_id', '=', roomId)
      .execute();
  }
  return roomId;
}

async function persistCreateEvent(deps: RoomDeps, request: NewRoomRequest): Promise<string> {
  const { version, creator } = request;
  const content: JsonObject = {
    ...request.creationContent,
    ...invitedCreators(request),
    room_version: version.id,
    ...(version.implicitRoomCreator ? {} : { creator }),
  };
  // Before v12 the server names the room; from v12 the create event's hash does.
  const chosenId = version.roomIdFromCreateEvent
    ? undefined
    : `!${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}:${deps.serverName}`;
  const build = (originServerTs: number) => {
    const event = buildLocalEvent(
      version,
      { type: 'm.room.create', stateKey: '', sender: creator, content },
      { roomId: chosenId, prevEvents: [], authEvents: [], depth: 1, originServerTs },
      deps.signer,
    );
    return { event, roomId: chosenId ?? roomIdFromCreateEvent(version, event.pdu) };
  };
  // A hashed room id repeats when one user creates two rooms with the same content in the same
  // millisecond (scripts, tests). The later create event then takes the next free millisecond;
  // the lock on the id makes two such requests in flight take turns.
  let originServerTs = deps.now();
  for (let attempt = 0; ; attempt++) {
    const { event, roomId } = build(originServerTs);
    const stored = await deps.roomLocks.run(roomId, async () => {
      if (await roomExists(deps, roomId)) return undefined;
      const verdict = checkEventAuth(version, event, () => undefined);
      if (!verdict.allowed) throw authRefusal(verdict);
      return (
        await persistAndAnnounce(deps, {
          roomId,
          event,
          stateBefore: { group: null, state: new Map() },
          newRoom: { version: version.id, creator, now: deps.now() },
        })
      ).stored;
    });
    if (stored) {
      return roomId;
    }
    if (chosenId !== undefined || attempt >= MAX_CREATE_ATTEMPTS) {
      throw new Error(`room id ${roomId} is taken`);
    }
    originServerTs++;
  }
}

const MAX_CREATE_ATTEMPTS = 1000;

/**
 * The plain-text topic, also as the `m.topic` content block (spec v1.15): createRoom's `topic`
 * sends "an m.room.topic event with a text/plain mimetype".
 */
function topicContent(topic: string): JsonObject {
  return { topic, 'm.topic': { 'm.text': [{ body: topic, mimetype: 'text/plain' }] } };
}

/**
 * From v12, `trusted_private_chat` makes the invitees creators (rather than giving them power 100,
 * which v12 forbids listing): they join `additional_creators`, after any the client gave, without
 * repeats. An `additional_creators` that is not an array is left for the auth rules to refuse.
 */
function invitedCreators(request: NewRoomRequest): JsonObject {
  if (!request.version.privilegedCreators || request.preset !== 'trusted_private_chat') return {};
  if (request.invite.length === 0) return {};
  const given = request.creationContent?.additional_creators ?? [];
  if (!Array.isArray(given)) return {};
  return { additional_creators: [...new Set([...given, ...request.invite])] };
}

async function roomExists(deps: RoomDeps, roomId: string): Promise<boolean> {
  const row = await deps.db
    .selectFrom('rooms')
    .select('room_id')
    .where('room_id', '=', roomId)
    .executeTakeFirst();
  return row !== undefined;
}
