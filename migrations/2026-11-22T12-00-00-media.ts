// The media repository (client-server "Content repository"). Frozen: later changes go in a new
// migration.
//
// media: one row per mxc:// URI this server knows, local (origin = our server name) or remote
// (a cached copy of another server's media). The bytes live in the blob store under `cid`; rows
// share a CID when the same bytes were uploaded twice, so a blob is removed only when no row (or
// thumbnail) names it any more. A row with no cid is an asynchronous upload (POST create) whose
// bytes have not come yet; it expires at unused_expires_ts. last_access_ts drives retention;
// quarantined_by names the admin who quarantined it (then it is never served).
//
// media_thumbnails: thumbnails generated (local media) or fetched (remote media) once, one per
// media, size, method and animation, in the blob store as well.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('media')
    .addColumn('origin', 'text', (col) => col.notNull())
    .addColumn('media_id', 'text', (col) => col.notNull())
    .addColumn('cid', 'text')
    .addColumn('size', 'bigint')
    .addColumn('content_type', 'text')
    .addColumn('upload_name', 'text')
    .addColumn('user_id', 'text')
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .addColumn('unused_expires_ts', 'bigint')
    .addColumn('last_access_ts', 'bigint', (col) => col.notNull())
    .addColumn('quarantined_by', 'text')
    .addPrimaryKeyConstraint('media_pkey', ['origin', 'media_id'])
    .execute();
  await db.schema.createIndex('media_cid').on('media').column('cid').execute();
  await db.schema
    .createIndex('media_user_pending')
    .on('media')
    .columns(['user_id', 'unused_expires_ts'])
    .execute();
  await db.schema
    .createIndex('media_last_access')
    .on('media')
    .columns(['last_access_ts'])
    .execute();

  await db.schema
    .createTable('media_thumbnails')
    .addColumn('origin', 'text', (col) => col.notNull())
    .addColumn('media_id', 'text', (col) => col.notNull())
    .addColumn('width', 'integer', (col) => col.notNull())
    .addColumn('height', 'integer', (col) => col.notNull())
    .addColumn('method', 'text', (col) => col.notNull())
    .addColumn('animated', 'boolean', (col) => col.notNull())
    .addColumn('cid', 'text', (col) => col.notNull())
    .addColumn('size', 'bigint', (col) => col.notNull())
    .addColumn('content_type', 'text', (col) => col.notNull())
    .addColumn('created_ts', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('media_thumbnails_pkey', [
      'origin',
      'media_id',
      'width',
      'height',
      'method',
      'animated',
    ])
    .execute();
  await db.schema
    .createIndex('media_thumbnails_cid')
    .on('media_thumbnails')
    .column('cid')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('media_thumbnails').execute();
  await db.schema.dropTable('media').execute();
}
