// Registration tokens are kept as SHA-256 digests (lowercase hex of the token's UTF-8 bytes), like
// access and refresh tokens: a lookup then compares digests, whose likeness to a stored value says
// nothing about how close a guess was, and the database no longer holds tokens anyone could use.
// No API lists tokens, so the plaintext column goes. Frozen: later changes go in a new migration.
//
// Existing rows are hashed here, in JavaScript (the tokens are few), the way the server hashes.
// The check constraint refuses a value that is not a digest, such as a plaintext token an
// operator inserted into token_hash by mistake, which would otherwise silently never match.
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';

const ROLLED_BACK = /^sha256:([0-9a-f]{64})$/;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('registration_tokens').addColumn('token_hash', 'text').execute();
  const { rows } = await sql<{ token: string }>`SELECT token FROM registration_tokens`.execute(db);
  for (const { token } of rows) {
    // A row that down() left holds its digest already (no token a client can send is that long).
    const digest =
      ROLLED_BACK.exec(token)?.[1] ?? createHash('sha256').update(token, 'utf8').digest('hex');
    await sql`UPDATE registration_tokens SET token_hash = ${digest} WHERE token = ${token}`.execute(
      db,
    );
  }
  await db.schema
    .alterTable('registration_tokens')
    .dropConstraint('registration_tokens_pkey')
    .execute();
  await db.schema.alterTable('registration_tokens').dropColumn('token').execute();
  await db.schema
    .alterTable('registration_tokens')
    .addPrimaryKeyConstraint('registration_tokens_pkey', ['token_hash'])
    .execute();
  await db.schema
    .alterTable('registration_tokens')
    .addCheckConstraint('registration_tokens_token_hash_check', sql`token_hash ~ '^[0-9a-f]{64}$'`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // The tokens cannot be recovered from their digests: rows keep their accounting under a value
  // longer than any token a client may present (64 characters), so none of them works until it is
  // issued again, or until up() runs again and takes the digest back.
  await db.schema.alterTable('registration_tokens').addColumn('token', 'text').execute();
  await sql`UPDATE registration_tokens SET token = 'sha256:' || token_hash`.execute(db);
  await db.schema
    .alterTable('registration_tokens')
    .dropConstraint('registration_tokens_token_hash_check')
    .execute();
  await db.schema
    .alterTable('registration_tokens')
    .dropConstraint('registration_tokens_pkey')
    .execute();
  await db.schema.alterTable('registration_tokens').dropColumn('token_hash').execute();
  await db.schema
    .alterTable('registration_tokens')
    .addPrimaryKeyConstraint('registration_tokens_pkey', ['token'])
    .execute();
}
