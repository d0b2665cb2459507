// The presence rules as case tables: updates, what needs writing, timeouts, event content.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PresenceRecord } from '../storage/presence.ts';
import {
  ACTIVE_WINDOW_MS,
  applyPresenceUpdate,
  cutoffsAt,
  IDLE_TIMEOUT_MS,
  offlinePresence,
  presenceAt,
  presenceContent,
  SYNC_TIMEOUT_MS,
  timedOut,
  WRITE_WINDOW_MS,
  writeNeeded,
} from './presence-state.ts';

const NOW = 1_000_000_000;
const ALICE = '@alice:example.org';
const online: PresenceRecord = {
  userId: ALICE,
  state: 'online',
  statusMsg: 'hi',
  lastActiveTs: NOW,
  syncingUntilTs: NOW,
  currentlyActive: true,
};

test('updates: PUT replaces state and message, a sync keeps the message', () => {
  const fresh = offlinePresence(ALICE);
  const put = applyPresenceUpdate(fresh, { kind: 'set', state: 'online', statusMsg: 'x' }, NOW);
  assert.deepEqual(put, { ...online, statusMsg: 'x', syncingUntilTs: 0 });
  const away = applyPresenceUpdate(
    put,
    { kind: 'set', state: 'unavailable', statusMsg: null },
    NOW + 5,
  );
  assert.deepEqual(away, { ...put, state: 'unavailable', statusMsg: null, currentlyActive: false });

  const synced = applyPresenceUpdate(
    away,
    { kind: 'sync', state: 'online', syncingUntilTs: NOW + 30_000 },
    NOW + 10,
  );
  assert.deepEqual(synced, {
    ...online,
    statusMsg: null,
    lastActiveTs: NOW + 10,
    syncingUntilTs: NOW + 30_000,
  });
  // A shorter sync does not pull back how long a longer one keeps the user syncing.
  const idleSync = applyPresenceUpdate(
    synced,
    { kind: 'sync', state: 'unavailable', syncingUntilTs: NOW + 20 },
    NOW + 20,
  );
  assert.deepEqual(idleSync, { ...synced, state: 'unavailable', currentlyActive: false });
});

test('writes: visible changes publish, timestamps only past the window', () => {
  const cases: [string, PresenceRecord | undefined, PresenceRecord, string][] = [
    ['new row', undefined, online, 'publish'],
    ['state', online, { ...online, state: 'unavailable' }, 'publish'],
    ['message', online, { ...online, statusMsg: null }, 'publish'],
    ['currently active', online, { ...online, currentlyActive: false }, 'publish'],
    ['nothing', online, online, 'none'],
    ['active a bit later', online, { ...online, lastActiveTs: NOW + WRITE_WINDOW_MS - 1 }, 'none'],
    ['active later', online, { ...online, lastActiveTs: NOW + WRITE_WINDOW_MS }, 'touch'],
    ['syncing longer', online, { ...online, syncingUntilTs: NOW + WRITE_WINDOW_MS }, 'touch'],
  ];
  for (const [name, before, after, expected] of cases) {
    assert.equal(writeNeeded(before, after), expected, name);
  }
});

test('timeouts: offline without syncs, unavailable when idle, no longer currently active', () => {
  const syncing = { ...online, syncingUntilTs: NOW + 10 * 60_000 };
  const cases: [string, PresenceRecord, number, string, boolean][] = [
    ['fresh', online, NOW, 'online', true],
    ['no sync for the timeout', online, NOW + SYNC_TIMEOUT_MS, 'online', true],
    ['no sync past the timeout', online, NOW + SYNC_TIMEOUT_MS + 1, 'offline', false],
    ['in a long sync', syncing, NOW + ACTIVE_WINDOW_MS, 'online', true],
    ['in a long sync, inactive', syncing, NOW + ACTIVE_WINDOW_MS + 1, 'online', false],
    ['in a long sync, idle', syncing, NOW + IDLE_TIMEOUT_MS + 1, 'unavailable', false],
    ['after the long sync', syncing, NOW + 10 * 60_000 + SYNC_TIMEOUT_MS + 1, 'offline', false],
    ['set offline', { ...online, state: 'offline', currentlyActive: false }, NOW, 'offline', false],
    [
      'unavailable stays unavailable',
      { ...syncing, state: 'unavailable', currentlyActive: false },
      NOW + IDLE_TIMEOUT_MS + 1,
      'unavailable',
      false,
    ],
  ];
  for (const [name, record, now, state, currentlyActive] of cases) {
    assert.deepEqual(presenceAt(record, now), { state, currentlyActive }, name);
    // The storage cutoffs find exactly the records a timeout changes.
    const changed = timedOut(record, now);
    const cut = cutoffsAt(now);
    const found =
      record.state !== 'offline' &&
      ((record.syncingUntilTs < cut.offlineBefore && record.lastActiveTs < cut.offlineBefore) ||
        (record.state === 'online' && record.lastActiveTs < cut.idleBefore) ||
        (record.currentlyActive && record.lastActiveTs < cut.inactiveBefore));
    assert.equal(changed !== undefined, found, `${name}: cutoffs`);
    if (changed) assert.deepEqual(changed, { ...record, state, currentlyActive }, name);
  }
});

test('content: relative last_active_ago, message only when set, timeouts applied', () => {
  assert.deepEqual(presenceContent(online, NOW + 1500), {
    presence: 'online',
    last_active_ago: 1500,
    currently_active: true,
    status_msg: 'hi',
  });
  assert.deepEqual(presenceContent(offlinePresence(ALICE), NOW), {
    presence: 'offline',
    currently_active: false,
  });
  assert.deepEqual(presenceContent({ ...online, statusMsg: null }, NOW + SYNC_TIMEOUT_MS + 1), {
    presence: 'offline',
    last_active_ago: SYNC_TIMEOUT_MS + 1,
    currently_active: false,
  });
});
