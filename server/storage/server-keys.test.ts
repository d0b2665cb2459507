// server_keys on both databases: keys saved by response, listed per server, and a late write of
// an older fetch does not replace a newer one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DATABASE_KINDS, withTestDatabase } from '../../conformance-tests/support/databases.ts';
import { listServerKeys, type StoredServerKey, saveServerKeys } from './server-keys.ts';

const NOW = 1_800_000_000_000;

function key(keyId: string, fields: Partial<StoredServerKey> = {}): StoredServerKey {
  return {
    serverName: 'remote.example',
    keyId,
    publicKey: `public-${keyId}`,
    validUntilTs: NOW + 3600_000,
    expiredTs: null,
    fetchedTs: NOW,
    fromServer: 'remote.example',
    responseJson: '{"server_name":"remote.example"}',
    ...fields,
  };
}

for (const kind of DATABASE_KINDS) {
  test(`${kind}: server keys are saved per response and replaced only by newer fetches`, (t) =>
    withTestDatabase(t, kind, async (db) => {
      assert.deepEqual(await listServerKeys(db, 'remote.example'), []);
      await saveServerKeys(db, []);
      const first = [
        key('ed25519:b'),
        key('ed25519:a', { expiredTs: NOW - 5, validUntilTs: NOW - 5 }),
      ];
      await saveServerKeys(db, first);
      await saveServerKeys(db, [key('ed25519:a', { serverName: 'other.example' })]);
      assert.deepEqual(await listServerKeys(db, 'remote.example'), [first[1], first[0]]);
      assert.equal((await listServerKeys(db, 'other.example')).length, 1);

      // A newer fetch moves ed25519:b to the old keys and adds ed25519:c.
      const newer = [
        key('ed25519:c', { fetchedTs: NOW + 10, responseJson: '{"v":2}' }),
        key('ed25519:b', { fetchedTs: NOW + 10, expiredTs: NOW + 9, validUntilTs: NOW + 9 }),
      ];
      await saveServerKeys(db, newer);
      // A lookup that started earlier and finishes now changes nothing it would make older.
      await saveServerKeys(db, [
        key('ed25519:b', { fetchedTs: NOW + 1, fromServer: 'notary.example' }),
      ]);
      assert.deepEqual(await listServerKeys(db, 'remote.example'), [first[1], newer[1], newer[0]]);
    }));
}
