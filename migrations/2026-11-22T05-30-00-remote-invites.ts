// Invites to rooms this server is not in (federation invite v2): the stripped room state the
// inviting server sent with the invite, shown to the invitee as `invite_state` since we hold no
// state of that room ourselves. One row per invite event. Frozen: later changes go in a new
// migration.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('remote_invite_state')
    .addColumn('event_id', 'text', (col) => col.primaryKey())
    .addColumn('room_id', 'text', (col) => col.notNull())
    /** JSON array of stripped state events, as received. */
    .addColumn('stripped_json', 'text', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('remote_invite_state').execute();
}
