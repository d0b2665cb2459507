// Relations read from content, edit validity and ordering, and event type patterns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pdu } from '../core/pdu.ts';
import { isValidReplacement, latestEdit, relationOf } from './event-relation.ts';
import { matchesRoomEventFilter, typeMatches } from './room-event-filter.ts';

const pdu = (fields: Partial<Pdu>): Pdu =>
  ({
    type: 'm.room.message',
    sender: '@alice:example.org',
    content: {},
    origin_server_ts: 1,
    prev_events: [],
    auth_events: [],
    depth: 1,
    hashes: {},
    signatures: {},
    ...fields,
  }) as Pdu;

test('relationOf reads a well-formed m.relates_to only', () => {
  assert.deepEqual(relationOf({ 'm.relates_to': { rel_type: 'm.thread', event_id: '$root' } }), {
    relType: 'm.thread',
    eventId: '$root',
  });
  assert.equal(relationOf({ 'm.relates_to': { 'm.in_reply_to': { event_id: '$x' } } }), undefined);
  assert.equal(relationOf({ 'm.relates_to': { rel_type: 'm.thread', event_id: 7 } }), undefined);
  assert.equal(relationOf({ 'm.relates_to': { rel_type: '', event_id: '$x' } }), undefined);
  assert.equal(relationOf({ 'm.relates_to': 'x' }), undefined);
  assert.equal(relationOf(null), undefined);
});

test('edits: same sender and type, no state, no edit of an edit, m.new_content', () => {
  const original = pdu({ content: { body: 'a' } });
  const edit = pdu({
    content: {
      body: '* b',
      'm.new_content': { body: 'b' },
      'm.relates_to': { rel_type: 'm.replace', event_id: '$o' },
    },
  });
  assert.equal(isValidReplacement(original, edit), true);
  assert.equal(isValidReplacement(original, { ...edit, sender: '@bob:example.org' }), false);
  assert.equal(isValidReplacement(original, { ...edit, type: 'm.sticker' }), false);
  assert.equal(isValidReplacement({ ...original, state_key: '' }, edit), false);
  assert.equal(isValidReplacement(edit, edit), false, 'an edit of an edit');
  assert.equal(isValidReplacement(original, pdu({ content: { body: 'x' } })), false);
  assert.equal(
    isValidReplacement(pdu({ type: 'm.room.encrypted' }), pdu({ type: 'm.room.encrypted' })),
    true,
    'encrypted edits carry m.new_content in the ciphertext',
  );
});

test('the latest edit: origin_server_ts, then the largest event id', () => {
  const edits = [
    { eventId: '$b', pdu: pdu({ origin_server_ts: 5 }) },
    { eventId: '$c', pdu: pdu({ origin_server_ts: 5 }) },
    { eventId: '$z', pdu: pdu({ origin_server_ts: 4 }) },
  ];
  assert.equal(latestEdit(edits)?.eventId, '$c');
  assert.equal(latestEdit([]), undefined);
});

test('type patterns and room event filters', () => {
  assert.equal(typeMatches('m.*', 'm.room.message'), true);
  assert.equal(typeMatches('m.room.*', 'm.room'), false);
  assert.equal(typeMatches('*.message', 'm.room.message'), true);
  assert.equal(typeMatches('m.*.mess*', 'm.room.message'), true);
  assert.equal(typeMatches('m.*.x*y', 'm.room.x'), false);
  assert.equal(typeMatches('m.room.message', 'm.room.messages'), false);
  const event = {
    roomId: '!r:example.org',
    pdu: pdu({ content: { url: 'mxc://example.org/x' } }),
  };
  assert.equal(matchesRoomEventFilter({ types: ['m.room.*'], contains_url: true }, event), true);
  assert.equal(matchesRoomEventFilter({ not_types: ['m.*'] }, event), false);
  assert.equal(matchesRoomEventFilter({ senders: ['@bob:example.org'] }, event), false);
  assert.equal(matchesRoomEventFilter({ not_senders: ['@alice:example.org'] }, event), false);
  assert.equal(matchesRoomEventFilter({ contains_url: false }, event), false);
  assert.equal(matchesRoomEventFilter({ not_rooms: ['!r:example.org'] }, event), false);
});
