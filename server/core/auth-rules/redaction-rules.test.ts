// Which event a redaction names, whether it takes effect (v3+), and the v1/v2 auth rule.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getRoomVersion } from '../room-versions.ts';
import { assertVerdict } from '../testing/assert-auth.ts';
import { createStandardRoom, testUser } from '../testing/room-builder.ts';
import { checkEventAuth } from './check-event-auth.ts';
import { mayApplyRedaction, redactedEventId } from './redaction-rules.ts';

const alice = testUser('alice');
const mod = testUser('mod');
const bob = testUser('bob');
const dave = testUser('dave', 'other.org');

describe('redactedEventId', () => {
  const top = { type: 'm.room.redaction', redacts: '$top', content: {} };
  const inContent = { type: 'm.room.redaction', content: { redacts: '$inner' } };
  const both = { type: 'm.room.redaction', redacts: '$top', content: { redacts: '$inner' } };
  const table: Array<[string, object, string | undefined]> = [
    ['10', top, '$top'],
    ['10', inContent, undefined],
    ['10', both, '$top'],
    ['11', top, undefined],
    ['11', inContent, '$inner'],
    ['11', both, '$inner'],
    ['12', inContent, '$inner'],
  ];
  for (const [version, pdu, expected] of table) {
    test(`v${version}: ${JSON.stringify(pdu)}`, () => {
      assert.equal(redactedEventId(getRoomVersion(version)!, pdu as never), expected);
    });
  }
});

describe('mayApplyRedaction', () => {
  for (const version of ['10', '11', '12']) {
    test(`v${version}`, () => {
      const room = createStandardRoom(version, alice, {
        members: [mod, bob, dave],
        powerLevels: { users: { [mod.id]: 50 } },
      });
      const state = room.lookup();
      const create = state('m.room.create', '')!.pdu;
      const powerLevels = state('m.room.power_levels', '')!.pdu;
      const byDave = room.message(dave).pdu;
      const byBob = room.message(bob).pdu;
      const redactionBy = (user: typeof bob) =>
        room.draft(user, 'm.room.redaction', undefined, {}).pdu;
      const may = (who: typeof bob, original: typeof byDave) =>
        mayApplyRedaction(room.version, redactionBy(who), original, create, powerLevels);
      assert.equal(may(mod, byDave), true, 'moderator at the redact level');
      assert.equal(may(bob, byBob), true, 'own event');
      assert.equal(may(testUser('bob2'), byBob), true, 'same server');
      assert.equal(may(bob, byDave), false, 'other server, below the redact level');
    });
  }
});

describe('the v1/v2 redaction auth rule', () => {
  test('allowed at the redact level or for events of the same server', () => {
    const room = createStandardRoom('1', alice, { members: [bob, dave] });
    const own = room.draft(
      bob,
      'm.room.redaction',
      undefined,
      {},
      { fields: { redacts: '$x:example.org' } },
    );
    const foreign = room.draft(
      bob,
      'm.room.redaction',
      undefined,
      {},
      { fields: { redacts: '$x:other.org' } },
    );
    const byCreator = room.draft(
      alice,
      'm.room.redaction',
      undefined,
      {},
      { fields: { redacts: '$x:other.org' } },
    );
    assertVerdict(checkEventAuth(room.version, own, room.lookup()), true);
    assertVerdict(checkEventAuth(room.version, foreign, room.lookup()), /cannot redact/);
    assertVerdict(checkEventAuth(room.version, byCreator, room.lookup()), true);
  });

  test('v3 and later do not check the redact level in the auth rules', () => {
    const room = createStandardRoom('3', alice, { members: [bob] });
    const foreign = room.draft(
      bob,
      'm.room.redaction',
      undefined,
      {},
      { fields: { redacts: '$x' } },
    );
    assertVerdict(checkEventAuth(room.version, foreign, room.lookup()), true);
  });
});
