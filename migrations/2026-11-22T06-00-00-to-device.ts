// Send-to-device messaging (client-server "Send-to-Device messaging", federation
// m.direct_to_device). Frozen: later changes go in a new migration.
//
// device_inbox: messages waiting for one device, in stream order (stream_id). A row stays until
// the device's /sync acknowledges it by sending a since token at or beyond its stream_id. The
// message is the to-device event ({type, sender, content}) as JSON text.
//
// to_device_txn_ids: the client endpoint's txnIds already taken, per sending device, so that a
// retried request is not delivered twice. to_device_remote_ids: the message_id of every inbound
// m.direct_to_device EDU taken, per origin server, for the same reason over federation.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_inbox')
    .addColumn('stream_id', 'bigserial', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('device_id', 'text', (col) => col.notNull())
    .addColumn('message', 'text', (col) => col.notNull())
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('device_inbox_device_idx')
    .on('device_inbox')
    .columns(['user_id', 'device_id', 'stream_id'])
    .execute();

  await db.schema
    .createTable('to_device_txn_ids')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('device_id', 'text', (col) => col.notNull())
    .addColumn('txn_id', 'text', (col) => col.notNull())
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('to_device_txn_ids_pkey', ['user_id', 'device_id', 'txn_id'])
    .execute();

  await db.schema
    .createTable('to_device_remote_ids')
    .addColumn('origin', 'text', (col) => col.notNull())
    .addColumn('message_id', 'text', (col) => col.notNull())
    .addColumn('received_ts', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('to_device_remote_ids_pkey', ['origin', 'message_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('to_device_remote_ids').execute();
  await db.schema.dropTable('to_device_txn_ids').execute();
  await db.schema.dropTable('device_inbox').execute();
}
