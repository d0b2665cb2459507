// Presence rules as pure functions: how an update from a client changes a user's record, which
// changes must be written (and which of those others must be told about), the presence a record
// shows at a given time once its timeouts are applied, and the m.presence event content.
// https://spec.matrix.org/latest/client-server-api/#presence
//
// Timeouts, as Synapse has them: a user is offline once they have neither synced nor been active
// for SYNC_TIMEOUT_MS, online turns unavailable after IDLE_TIMEOUT_MS without activity, and
// `currently_active` holds while the last activity is under ACTIVE_WINDOW_MS old. They are derived
// from timestamps when presence is read, so nothing runs per user while they are away; the
// presence writer publishes them to the stream the next time anyone syncs (presence-writer.ts).
//
// A sync in progress counts as syncing: its record says until when (the sync's start plus its
// long-poll timeout), so a long-poll longer than SYNC_TIMEOUT_MS does not flap its user offline.

import type { PresenceState } from '../../schemas/requests/presence.ts';
import type { JsonObject } from '../core/pdu.ts';
import type { PresenceCutoffs, PresenceRecord } from '../storage/presence.ts';

export const SYNC_TIMEOUT_MS = 30_000;
export const IDLE_TIMEOUT_MS = 5 * 60_000;
export const ACTIVE_WINDOW_MS = 60_000;
/**
 * Timestamps that moved less than this are not written: a user syncing in a loop costs one write
 * per WRITE_WINDOW_MS at most, and the derived timeouts are off by as much at worst (which
 * SYNC_TIMEOUT_MS comfortably covers).
 */
export const WRITE_WINDOW_MS = 10_000;

export type PresenceUpdate =
  /** PUT /presence/{userId}/status: the state and the status message (none clears it). */
  | { readonly kind: 'set'; readonly state: PresenceState; readonly statusMsg: string | null }
  /** A /sync with set_presence online or unavailable, in progress until `syncingUntilTs`. */
  | {
      readonly kind: 'sync';
      readonly state: 'online' | 'unavailable';
      readonly syncingUntilTs: number;
    };

/** The record of a user who never had presence. */
export function offlinePresence(userId: string): PresenceRecord {
  return {
    userId,
    state: 'offline',
    statusMsg: null,
    lastActiveTs: 0,
    syncingUntilTs: 0,
    currentlyActive: false,
  };
}

/**
 * Going online is activity (the spec's pro-active event), and so is a sync as online: Synapse has
 * always counted it, and clients rely on syncing to stay online. A sync keeps the status message.
 */
export function applyPresenceUpdate(
  record: PresenceRecord,
  update: PresenceUpdate,
  now: number,
): PresenceRecord {
  const online = update.state === 'online';
  return {
    userId: record.userId,
    state: update.state,
    statusMsg: update.kind === 'set' ? update.statusMsg : record.statusMsg,
    lastActiveTs: online ? now : record.lastActiveTs,
    syncingUntilTs:
      update.kind === 'sync'
        ? Math.max(record.syncingUntilTs, update.syncingUntilTs)
        : record.syncingUntilTs,
    currentlyActive: online,
  };
}

/**
 * `publish`: what others see changed, the row takes a new stream position. `touch`: only the
 * timestamps moved enough to be worth a write. `none`: nothing to write.
 */
export function writeNeeded(
  before: PresenceRecord | undefined,
  after: PresenceRecord,
): 'publish' | 'touch' | 'none' {
  if (
    !before ||
    before.state !== after.state ||
    before.statusMsg !== after.statusMsg ||
    before.currentlyActive !== after.currentlyActive
  ) {
    return 'publish';
  }
  const moved = Math.max(
    after.lastActiveTs - before.lastActiveTs,
    after.syncingUntilTs - before.syncingUntilTs,
  );
  return moved >= WRITE_WINDOW_MS ? 'touch' : 'none';
}

/** The state and activity a record shows at `now`, its timeouts applied. */
export function presenceAt(
  record: PresenceRecord,
  now: number,
): { readonly state: PresenceState; readonly currentlyActive: boolean } {
  const lastSeen = Math.max(record.syncingUntilTs, record.lastActiveTs);
  if (record.state === 'offline' || now - lastSeen > SYNC_TIMEOUT_MS) {
    return { state: 'offline', currentlyActive: false };
  }
  const idle = now - record.lastActiveTs > IDLE_TIMEOUT_MS;
  const state = record.state === 'online' && idle ? 'unavailable' : record.state;
  const currentlyActive =
    record.currentlyActive && state === 'online' && now - record.lastActiveTs <= ACTIVE_WINDOW_MS;
  return { state, currentlyActive };
}

/** The record to publish when a timeout changed what the stored one shows; else undefined. */
export function timedOut(record: PresenceRecord, now: number): PresenceRecord | undefined {
  const shown = presenceAt(record, now);
  if (shown.state === record.state && shown.currentlyActive === record.currentlyActive) {
    return undefined;
  }
  return { ...record, ...shown };
}

/** The cutoffs that find, in storage, every record timedOut() would change at `now`. */
export function cutoffsAt(now: number): PresenceCutoffs {
  return {
    offlineBefore: now - SYNC_TIMEOUT_MS,
    idleBefore: now - IDLE_TIMEOUT_MS,
    inactiveBefore: now - ACTIVE_WINDOW_MS,
  };
}

/**
 * The content of an m.presence event and of GET /presence/{userId}/status: what the record shows
 * at `now`, with last_active_ago relative to it (left out when the user was never active).
 */
export function presenceContent(record: PresenceRecord, now: number): JsonObject {
  const shown = presenceAt(record, now);
  return {
    presence: shown.state,
    ...(record.lastActiveTs > 0 ? { last_active_ago: Math.max(0, now - record.lastActiveTs) } : {}),
    currently_active: shown.currentlyActive,
    ...(record.statusMsg === null ? {} : { status_msg: record.statusMsg }),
  };
}
