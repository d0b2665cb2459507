// The client-server spec versions Cairn claims. A client that sees a version here assumes the
// endpoints of that version exist, so the list stops where the client API does.
//
// Claimed: v1.1 to v1.11 — accounts, UIA, devices, profile, account data, filters, push rules
// (storage and editing), rooms, membership, aliases, directory, /sync, /messages, context,
// relations and threads, redactions, receipts, read markers, typing, presence, E2EE keys and
// to-device, key backup, and the media repository with v1.11's authenticated media (from v1.11
// clients fetch media from /_matrix/client/v1/media with their access token).
// Not yet served, though these versions include them: 3PIDs, pushers, spaces hierarchy,
// reporting, room upgrades, URL previews.
export const CLIENT_SPEC_VERSIONS: readonly string[] = [
  'v1.1',
  'v1.2',
  'v1.3',
  'v1.4',
  'v1.5',
  'v1.6',
  'v1.7',
  'v1.8',
  'v1.9',
  'v1.10',
  'v1.11',
];

/** Unstable features (MSCs) Cairn implements, by their unstable feature name. */
export const UNSTABLE_FEATURES: Readonly<Record<string, boolean>> = {};
