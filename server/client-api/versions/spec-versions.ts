// The client-server spec versions Cairn claims. A client that sees a version here assumes every
// endpoint of that version exists, so a version is listed only once its endpoints are served.
// The client API lands with issue 4; until then no version is claimed.
export const CLIENT_SPEC_VERSIONS: readonly string[] = [];

/** Unstable features (MSCs) Cairn implements, by their unstable feature name. */
export const UNSTABLE_FEATURES: Readonly<Record<string, boolean>> = {};
