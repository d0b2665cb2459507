// Asking another server for the parts of a room's history we lack, over the signed federation
// client: missing prev_events, an event's auth chain, the state at an event, single events.
// Answers are untrusted: callers put every event through the receipt checks.
import { isJsonObject } from '../../server/core/pdu.ts';
import type { FederationClient } from '../transport/federation-client.ts';

export interface RemoteHistory {
  /** The server asked. */
  readonly server: string;
  getMissingEvents(
    roomId: string,
    request: { earliest: string[]; latest: string[]; limit: number; minDepth: number },
  ): Promise<unknown[]>;
  getEventAuth(roomId: string, eventId: string): Promise<unknown[]>;
  getStateIds(
    roomId: string,
    eventId: string,
  ): Promise<{ stateIds: string[]; authChainIds: string[] }>;
  getEvent(eventId: string): Promise<unknown>;
}

const enc = encodeURIComponent;

export function remoteHistoryOf(client: FederationClient, server: string): RemoteHistory {
  return {
    server,
    async getMissingEvents(roomId, request) {
      const reply = await client.request(server, {
        method: 'POST',
        path: `/_matrix/federation/v1/get_missing_events/${enc(roomId)}`,
        body: {
          earliest_events: request.earliest,
          latest_events: request.latest,
          limit: request.limit,
          min_depth: request.minDepth,
        },
      });
      return arrayField(reply.body, 'events');
    },
    async getEventAuth(roomId, eventId) {
      const reply = await client.request(server, {
        method: 'GET',
        path: `/_matrix/federation/v1/event_auth/${enc(roomId)}/${enc(eventId)}`,
      });
      return arrayField(reply.body, 'auth_chain');
    },
    async getStateIds(roomId, eventId) {
      const reply = await client.request(server, {
        method: 'GET',
        path: `/_matrix/federation/v1/state_ids/${enc(roomId)}?event_id=${enc(eventId)}`,
      });
      return {
        stateIds: arrayField(reply.body, 'pdu_ids').filter((id) => typeof id === 'string'),
        authChainIds: arrayField(reply.body, 'auth_chain_ids').filter(
          (id) => typeof id === 'string',
        ),
      } as { stateIds: string[]; authChainIds: string[] };
    },
    async getEvent(eventId) {
      const reply = await client.request(server, {
        method: 'GET',
        path: `/_matrix/federation/v1/event/${enc(eventId)}`,
      });
      return arrayField(reply.body, 'pdus')[0];
    },
  };
}

function arrayField(body: unknown, field: string): unknown[] {
  if (!isJsonObject(body)) return [];
  const value = body[field];
  return Array.isArray(value) ? value : [];
}
