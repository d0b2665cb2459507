// Remote servers' signing keys (table server_keys). federation/keys/remote-keys.ts checks the
// responses before they get here and keeps a per-process cache in front of this table.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface StoredServerKey {
  readonly serverName: string;
  readonly keyId: string;
  readonly publicKey: string;
  /** Until when the key may be used (for an old key, its expired_ts). */
  readonly validUntilTs: number;
  /** Set for keys the server listed in old_verify_keys. */
  readonly expiredTs: number | null;
  readonly fetchedTs: number;
  readonly fromServer: string;
  /** The signed key server response the key came in, as JSON text. */
  readonly responseJson: string;
}

/**
 * Stores the keys of one response in one statement. A key already known is replaced only by a
 * fetch at least as recent, so a slow lookup that finishes late cannot bring back what a newer
 * response said (an expired key listed as current again).
 */
export async function saveServerKeys(
  db: Kysely<Database>,
  keys: readonly StoredServerKey[],
): Promise<void> {
  if (keys.length === 0) return;
  await db
    .insertInto('server_keys')
    .values(
      keys.map((key) => ({
        server_name: key.serverName,
        key_id: key.keyId,
        public_key: key.publicKey,
        valid_until_ts: key.validUntilTs,
        expired_ts: key.expiredTs,
        fetched_ts: key.fetchedTs,
        from_server: key.fromServer,
        response_json: key.responseJson,
      })),
    )
    .onConflict((conflict) =>
      conflict
        .columns(['server_name', 'key_id'])
        .doUpdateSet((eb) => ({
          public_key: eb.ref('excluded.public_key'),
          valid_until_ts: eb.ref('excluded.valid_until_ts'),
          expired_ts: eb.ref('excluded.expired_ts'),
          fetched_ts: eb.ref('excluded.fetched_ts'),
          from_server: eb.ref('excluded.from_server'),
          response_json: eb.ref('excluded.response_json'),
        }))
        .where('server_keys.fetched_ts', '<=', (eb) => eb.ref('excluded.fetched_ts')),
    )
    .execute();
}

/** Every key stored for a server, current and old, by key id. */
export async function listServerKeys(
  db: Kysely<Database>,
  serverName: string,
): Promise<StoredServerKey[]> {
  const rows = await db
    .selectFrom('server_keys')
    .selectAll()
    .where('server_name', '=', serverName)
    .orderBy('key_id')
    .execute();
  return rows.map((row) => ({
    serverName: row.server_name,
    keyId: row.key_id,
    publicKey: row.public_key,
    validUntilTs: row.valid_until_ts,
    expiredTs: row.expired_ts,
    fetchedTs: row.fetched_ts,
    fromServer: row.from_server,
    responseJson: row.response_json,
  }));
}
