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
  /** Whose non-state events and invites the user is not sent (ignored-users.ts). */
  readonly ignoredUsers: ReadonlySet<string>;
  readonly sentMembers: SentMembersCache;
  readonly roomVersions: RoomVersionCache;
}

/** The lazy-loading record is per device. */
export function deviceKeyOf(scope: SyncScope): string {
  return `${scope.userId}\u0000${scope.deviceId}`;
}
