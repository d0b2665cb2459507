import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pdu } from '../pdu.ts';
import { getRoomVersion } from '../room-versions.ts';
import { authEventIds, createEventIdOfRoom, prevEventIds } from './auth-events.ts';

const pdu = (fields: Record<string, unknown>) =>
  ({ type: 'm.room.topic', state_key: '', sender: '@a:x', content: {}, ...fields }) as Pdu;

describe('authEventIds', () => {
  it('adds the create event implied by the room id from room version 12', () => {
    const event = pdu({ room_id: '!abc', auth_events: ['$pl'] });
    assert.deepEqual(authEventIds(getRoomVersion('12')!, event), ['$pl', '$abc']);
    assert.deepEqual(authEventIds(getRoomVersion('11')!, event), ['$pl']);
    const create = pdu({ type: 'm.room.create', auth_events: [] });
    assert.deepEqual(authEventIds(getRoomVersion('12')!, create), []);
  });

  it('reads the [id, hashes] pairs of room versions 1 and 2 and drops malformed entries', () => {
    const event = pdu({
      auth_events: [['$a', { sha256: 'x' }], 7, '$b', '$b'],
      prev_events: [['$p', {}]],
    });
    assert.deepEqual(authEventIds(getRoomVersion('2')!, event), ['$a', '$b']);
    assert.deepEqual(prevEventIds(event), ['$p']);
  });

  it('maps a v12 room id to its create event id', () => {
    assert.equal(createEventIdOfRoom('!hash'), '$hash');
  });
});
