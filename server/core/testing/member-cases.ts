// Shared fixture for the membership case tables: a public room created by alice, with mod
// (power 50) and bob (power 0) joined, then whatever a case's setup adds.

import { describe, test } from 'node:test';
import type { AuthOptions } from '../auth-rules/auth-types.ts';
import { checkEventAuth } from '../auth-rules/check-event-auth.ts';
import type { EventWithId } from '../pdu.ts';
import { AUTH_VERSIONS, type AuthVersionId, assertVerdict } from './assert-auth.ts';
import {
  createStandardRoom,
  type LooseContent,
  type RoomBuilder,
  testUser,
} from './room-builder.ts';

export const alice = testUser('alice'); // creator: 100 before v12, infinite in v12
export const mod = testUser('mod'); // joined, power 50
export const bob = testUser('bob'); // joined, power 0
export const carol = testUser('carol'); // never in the room
export const dave = testUser('dave', 'other.org'); // never in the room, another server
export const erin = testUser('erin'); // never in the room

export interface MemberCase {
  readonly name: string;
  readonly versions?: readonly AuthVersionId[];
  readonly joinRule?: string;
  readonly powerLevels?: LooseContent;
  readonly setup?: (room: RoomBuilder) => void;
  readonly event: (room: RoomBuilder) => EventWithId;
  readonly options?: AuthOptions;
  readonly expect: true | RegExp;
}

export function memberRoom(version: AuthVersionId, c: MemberCase): RoomBuilder {
  const room = createStandardRoom(version, alice, {
    joinRule: c.joinRule ?? 'public',
    members: [mod, bob],
    powerLevels: { ...c.powerLevels, users: { [mod.id]: 50, ...(c.powerLevels?.users as object) } },
  });
  c.setup?.(room);
  return room;
}

/** A draft m.room.member event. */
export const member =
  (sender: string, target: string, membership: string, extra: LooseContent = {}) =>
  (room: RoomBuilder) =>
    room.draft(sender, 'm.room.member', target, { membership, ...extra });

/** One test per case and room version (10, 11, 12) the case applies to. */
export function runMemberCases(title: string, cases: readonly MemberCase[]): void {
  for (const version of AUTH_VERSIONS) {
    describe(`${title}, room version ${version}`, () => {
      for (const c of cases) {
        if (c.versions && !c.versions.includes(version)) continue;
        test(c.name, () => {
          const room = memberRoom(version, c);
          const result = checkEventAuth(room.version, c.event(room), room.lookup(), c.options);
          assertVerdict(result, c.expect, c.name);
        });
      }
    });
  }
}
