// What every step of building one /sync response shares.
import type { Kysely } from 'kysely';
import type { SyncFilter } from '../../schemas/requests/sync-filter.ts';
import type { Database } from '../storage/schema.ts';
import type { RoomVersionCache } from './joined-reader.ts';
import type { SentMembersCache } from './sent-members-cache.ts';

export interface SyncScope {
  readonly db: Kysely<Database>;
  readonly now: number;
  readonly userId: string;
  readonly deviceId: string;
  readonly filter: SyncFilter;
  /** Events position of the `since` token; undefined for an initial sync. */
  readonly since: number | undefined;
  /** The safe events position this response reads up to. */
  readonly upTo: number;
  /** The events position of `next_batch`: upTo, but never behind the token. */
  readonly nextPosition: number;
  readonly fullState: boolean;
  /**
   * `use_state_after` (spec v1.16): each room's state is given at the end of its timeline, as
   * `state_after`, instead of at its start as `state`.
   */
  readonly stateAfter: boolean;
  /** Whose non-state events and invites the user is not sent (ignored-users.ts). */
  readonly ignoredUsers: ReadonlySet<string>;
  readonly sentMembers: SentMembersCache;
  readonly roomVersions: RoomVersionCache;
}

/** Where a room's state goes: `state_after` for a `use_state_after` request, else `state`. */
export function stateSectionName(scope: SyncScope): 'state' | 'state_after' {
  return scope.stateAfter ? 'state_after' : 'state';
}

/** The lazy-loading record is per device. */
export function deviceKeyOf(scope: SyncScope): string {
  return `${scope.userId}\u0000${scope.deviceId}`;
}
