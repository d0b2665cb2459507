// The read-only federation endpoints that serve a room's data, and the directory and profile
// queries, to other servers; registered by server/app.ts with the federation app.
import type { Endpoint } from '../../server/http/endpoint.ts';
import type { FederationContext } from '../federation-context.ts';
import { backfill } from './backfill.ts';
import { getFederationEvent } from './get-event.ts';
import { getFederationEventAuth } from './get-event-auth.ts';
import { getMissingEvents } from './get-missing-events.ts';
import { getFederationPublicRooms, postFederationPublicRooms } from './get-public-rooms.ts';
import { getFederationState } from './get-state.ts';
import { getFederationStateIds } from './get-state-ids.ts';
import { queryDirectory } from './query-directory.ts';
import { queryProfile } from './query-profile.ts';
import { timestampToEvent } from './timestamp-to-event.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const roomReadEndpoints: readonly Endpoint<FederationContext, any, any, any>[] = [
  getFederationEvent,
  getFederationState,
  getFederationStateIds,
  getFederationEventAuth,
  backfill,
  getMissingEvents,
  timestampToEvent,
  queryDirectory,
  queryProfile,
  getFederationPublicRooms,
  postFederationPublicRooms,
];
