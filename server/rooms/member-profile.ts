// The profile a member event carries (displayname, avatar_url), so clients can name members
// without a profile lookup per user. Only local users' profiles are known here; a remote user's
// member event carries none until federation profile queries exist.
// https://spec.matrix.org/latest/client-server-api/#mroommember
import type { Kysely } from 'kysely';
import { serverNameOf } from '../core/auth-rules/identifiers.ts';
import type { JsonObject } from '../core/pdu.ts';
import { getProfile } from '../storage/profiles.ts';
import type { Database } from '../storage/schema.ts';

export async function memberProfile(
  db: Kysely<Database>,
  serverName: string,
  userId: string,
): Promise<JsonObject> {
  if (serverNameOf(userId) !== serverName) return {};
  const profile = await getProfile(db, userId);
  const content: JsonObject = {};
  if (profile?.displayname != null) content.displayname = profile.displayname;
  if (profile?.avatarUrl != null) content.avatar_url = profile.avatarUrl;
  return content;
}
