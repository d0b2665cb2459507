// Display name and avatar of local users; absent values are null. One row per user, created
// with the account (display name = localpart).
export interface ProfilesTable {
  user_id: string;
  displayname: string | null;
  /** Normally an mxc:// URI, but any string a client set (Synapse accepts any too). */
  avatar_url: string | null;
}
