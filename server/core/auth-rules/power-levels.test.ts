// Reading power level values and defaults per room version.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonValue, Pdu } from '../pdu.ts';
import { getRoomVersion } from '../room-versions.ts';
import {
  getNamedLevel,
  getNotificationLevel,
  getRequiredEventLevel,
  getUserPowerLevel,
  parsePowerLevel,
} from './power-levels.ts';

const v5 = getRoomVersion('5')!;
const v9 = getRoomVersion('9')!;
const v10 = getRoomVersion('10')!;
const v11 = getRoomVersion('11')!;

describe('parsePowerLevel', () => {
  // [value, v5 (floats too), v9 (strings too), v10+ (integers only)]
  const table: Array<
    [JsonValue | undefined, number | undefined, number | undefined, number | undefined]
  > = [
    [50, 50, 50, 50],
    [-3, -3, -3, -3],
    [0, 0, 0, 0],
    ['50', 50, 50, undefined],
    [' +050 ', 50, 50, undefined],
    ['-7', -7, -7, undefined],
    ['5.0', undefined, undefined, undefined],
    ['1e3', undefined, undefined, undefined],
    ['', undefined, undefined, undefined],
    ['0x10', undefined, undefined, undefined],
    [50.57, 50, undefined, undefined],
    [-1.9, -1, undefined, undefined],
    [2 ** 53, 2 ** 53, undefined, undefined], // v1-v5 accept any finite double
    [true, undefined, undefined, undefined],
    [null, undefined, undefined, undefined],
    [{}, undefined, undefined, undefined],
    [undefined, undefined, undefined, undefined],
  ];
  for (const [value, inV5, inV9, inV10] of table) {
    test(`${JSON.stringify(value)}`, () => {
      assert.equal(parsePowerLevel(v5, value), inV5, 'v5');
      assert.equal(parsePowerLevel(v9, value), inV9, 'v9');
      assert.equal(parsePowerLevel(v10, value), inV10, 'v10');
    });
  }
});

const create = {
  type: 'm.room.create',
  sender: '@alice:example.org',
  content: {},
} as unknown as Pdu;
const levels = (content: object) => ({ type: 'm.room.power_levels', content }) as unknown as Pdu;

describe('defaults', () => {
  test('named levels without a power levels event', () => {
    assert.equal(getNamedLevel(v11, undefined, 'invite'), 0);
    assert.equal(getNamedLevel(v11, undefined, 'kick'), 50);
    assert.equal(getNamedLevel(v11, undefined, 'ban'), 50);
    assert.equal(getNamedLevel(v11, undefined, 'redact'), 50);
    assert.equal(getNamedLevel(v11, undefined, 'state_default'), 50);
    assert.equal(getNamedLevel(v11, undefined, 'events_default'), 0);
    assert.equal(getNamedLevel(v11, undefined, 'users_default'), 0);
  });

  test('a value the version does not accept falls back to the default', () => {
    assert.equal(getNamedLevel(v10, levels({ kick: '10' }), 'kick'), 50);
    assert.equal(getNamedLevel(v9, levels({ kick: '10' }), 'kick'), 10);
  });

  test('required event levels', () => {
    const pl = levels({ events: { 'm.room.name': 20 }, state_default: 40, events_default: 5 });
    assert.equal(getRequiredEventLevel(v11, pl, 'm.room.name', true), 20);
    assert.equal(getRequiredEventLevel(v11, pl, 'm.room.topic', true), 40);
    assert.equal(getRequiredEventLevel(v11, pl, 'm.room.message', false), 5);
    assert.equal(getRequiredEventLevel(v11, undefined, 'm.room.topic', true), 50);
    assert.equal(getRequiredEventLevel(v11, undefined, 'm.room.message', false), 0);
    // Inherited keys of Object.prototype are not event types.
    assert.equal(getRequiredEventLevel(v11, pl, 'constructor', false), 5);
  });

  test('notification levels', () => {
    assert.equal(getNotificationLevel(v11, undefined, 'room'), 50);
    assert.equal(getNotificationLevel(v11, levels({ notifications: { room: 10 } }), 'room'), 10);
  });

  test('user levels', () => {
    const pl = levels({ users: { '@bob:example.org': 30 }, users_default: 5 });
    assert.equal(getUserPowerLevel(v11, create, pl, '@bob:example.org'), 30);
    assert.equal(getUserPowerLevel(v11, create, pl, '@carol:example.org'), 5);
    assert.equal(getUserPowerLevel(v11, create, pl, '@alice:example.org'), 5);
    assert.equal(getUserPowerLevel(v11, create, undefined, '@alice:example.org'), 100);
    assert.equal(getUserPowerLevel(v11, create, undefined, '@bob:example.org'), 0);
    // v10 reads the creator from content.creator, not the sender.
    const v10Create = { ...create, content: { creator: '@bob:example.org' } } as unknown as Pdu;
    assert.equal(getUserPowerLevel(v10, v10Create, undefined, '@bob:example.org'), 100);
    assert.equal(getUserPowerLevel(v10, v10Create, undefined, '@alice:example.org'), 0);
  });
});
