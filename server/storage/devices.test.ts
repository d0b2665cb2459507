import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DATABASE_KINDS,
  newUser,
  TEST_NOW,
  withTestDatabase,
} from '../../conformance-tests/support/databases.ts';
import { createAccessToken, lookupAccessToken } from './access-tokens.ts';
import {
  createDevice,
  deleteDevice,
  getDevice,
  listDevices,
  setDeviceDisplayName,
} from './devices.ts';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: a created device reads back; creating it again changes nothing`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const alice = await newUser(db, 'alice');
      const device = { userId: alice.userId, deviceId: 'PHONE', now: TEST_NOW };
      assert.equal(
        await createDevice(db, { ...device, displayName: 'Phone', ip: '192.0.2.1' }),
        true,
      );
      const expected = {
        userId: alice.userId,
        deviceId: 'PHONE',
        displayName: 'Phone',
        createdTs: TEST_NOW,
        lastSeenTs: TEST_NOW,
        lastSeenIp: '192.0.2.1',
      };
      assert.deepEqual(await getDevice(db, alice.userId, 'PHONE'), expected);
      assert.equal(
        await createDevice(db, { ...device, displayName: 'Other', now: TEST_NOW + 5 }),
        false,
      );
      assert.deepEqual(await getDevice(db, alice.userId, 'PHONE'), expected);
      assert.equal(await getDevice(db, alice.userId, 'LAPTOP'), undefined);
    }));

  test(`${kind}: devices are listed per user, and renamed`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const alice = await newUser(db, 'alice');
      const bob = await newUser(db, 'bob');
      await createDevice(db, { userId: alice.userId, deviceId: 'B', now: TEST_NOW });
      await createDevice(db, { userId: alice.userId, deviceId: 'A', now: TEST_NOW });
      await createDevice(db, { userId: bob.userId, deviceId: 'A', now: TEST_NOW });
      assert.equal(await setDeviceDisplayName(db, alice.userId, 'A', 'Laptop'), true);
      assert.equal(await setDeviceDisplayName(db, alice.userId, 'Z', 'Nothing'), false);
      const devices = await listDevices(db, alice.userId);
      assert.deepEqual(
        devices.map((device) => [device.deviceId, device.displayName]),
        [
          ['A', 'Laptop'],
          ['B', null],
        ],
      );
      assert.equal((await getDevice(db, bob.userId, 'A'))?.displayName, null);
    }));

  test(`${kind}: deleting a device revokes its access tokens only`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      const alice = await newUser(db, 'alice');
      for (const deviceId of ['A', 'B']) {
        await createDevice(db, { userId: alice.userId, deviceId, now: TEST_NOW });
        await createAccessToken(db, {
          token: `token-${deviceId}`,
          userId: alice.userId,
          deviceId,
          now: TEST_NOW,
        });
      }
      assert.equal(await deleteDevice(db, alice.userId, 'A'), true);
      assert.equal(await deleteDevice(db, alice.userId, 'A'), false);
      assert.equal(await getDevice(db, alice.userId, 'A'), undefined);
      assert.equal(await lookupAccessToken(db, 'token-A'), undefined);
      assert.equal((await lookupAccessToken(db, 'token-B'))?.deviceId, 'B');
    }));

  test(`${kind}: a device needs an existing user`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      await assert.rejects(
        createDevice(db, { userId: '@ghost:example.org', deviceId: 'A', now: TEST_NOW }),
        (error: { code?: string }) => error.code === '23503', // foreign_key_violation
      );
    }));
}
