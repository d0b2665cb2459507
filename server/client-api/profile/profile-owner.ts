// Shared by the profile endpoints: whose profile a path names, and who may change it.
import { remoteProfileOf } from '../../../federation/queries/remote-profile.ts';
import type { Context } from '../../context.ts';
import { forbidden, notFound } from '../../http/matrix-error.ts';
import { propagateProfileChange } from '../../rooms/propagate-profile-change.ts';
import { getProfile, type Profile } from '../../storage/profiles.ts';
import { serverNameOfUser } from '../../storage/room-servers.ts';

/** A user's profile: ours from storage, others' from their server; M_NOT_FOUND for unknown users. */
export async function profileOf(ctx: Context, userId: string): Promise<Profile> {
  if (serverNameOfUser(userId) !== ctx.config.serverName) return remoteProfileOf(ctx, userId);
  const profile = await getProfile(ctx.db, userId);
  if (!profile) throw notFound('Profile not found');
  return profile;
}

export function requireOwnProfile(requesterId: string, userId: string): void {
  if (requesterId !== userId) throw forbidden("Cannot change another user's profile");
}

/** Called after a user's display name or avatar changed: new member events in their rooms. */
export async function onProfileChanged(ctx: Context, userId: string): Promise<void> {
  await propagateProfileChange(ctx, userId);
}
