// Storage of user-interactive auth sessions (server/accounts/user-interactive-auth.ts).

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface UiaSession {
  sessionId: string;
  endpoint: string;
  userId: string | null;
  completed: string[];
  results: Record<string, unknown>;
  expiresTs: number;
}

export async function createUiaSession(db: Kysely<Database>, session: UiaSession, now: number) {
  // Sessions are small and short-lived; dropping the expired ones whenever one is created keeps
  // the table bounded without a background job.
  await db.deleteFrom('uia_sessions').where('expires_ts', '<=', now).execute();
  await db
    .insertInto('uia_sessions')
    .values({
      session_id: session.sessionId,
      endpoint: session.endpoint,
      user_id: session.userId,
      completed: JSON.stringify(session.completed),
      results: JSON.stringify(session.results),
      created_ts: now,
      expires_ts: session.expiresTs,
    })
    .execute();
}

/** Undefined when unknown or expired. */
export async function getUiaSession(
  db: Kysely<Database>,
  sessionId: string,
  now: number,
): Promise<UiaSession | undefined> {
  const row = await db
    .selectFrom('uia_sessions')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('expires_ts', '>', now)
    .executeTakeFirst();
  return (
    row && {
      sessionId: row.session_id,
      endpoint: row.endpoint,
      userId: row.user_id,
      completed: JSON.parse(row.completed) as string[],
      results: JSON.parse(row.results) as Record<string, unknown>,
      expiresTs: row.expires_ts,
    }
  );
}

export async function updateUiaSession(
  db: Kysely<Database>,
  session: Pick<UiaSession, 'sessionId' | 'completed' | 'results'>,
): Promise<void> {
  await db
    .updateTable('uia_sessions')
    .set({
      completed: JSON.stringify(session.completed),
      results: JSON.stringify(session.results),
    })
    .where('session_id', '=', session.sessionId)
    .execute();
}

/**
 * Deletes the session; returns false if it was already gone. A completed session authorises one
 * request: of two racing requests presenting it, only the one that deletes it goes ahead.
 */
export async function consumeUiaSession(db: Kysely<Database>, sessionId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('uia_sessions')
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
