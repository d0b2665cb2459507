// Ephemeral events of joined rooms (receipts, typing) from their sources, each read from the
// token's position of its stream up to the stream's current position, which the next token
// carries.
import type { SyncFilter } from '../../schemas/requests/sync-filter.ts';
import type { Context } from '../context.ts';
import type { JsonObject } from '../core/pdu.ts';
import { allowsRoom } from './event-filter.ts';
import { positionOf, type SyncPositions } from './stream-token.ts';
import type { SyncSources } from './sync-sources.ts';

export interface EphemeralUpdate {
  readonly byRoom: Map<string, JsonObject[]>;
  /** Token key -> position covered. */
  readonly positions: Record<string, number>;
}

export async function collectEphemeral(
  ctx: Context,
  sources: SyncSources,
  query: {
    readonly userId: string;
    readonly joinedRoomIds: readonly string[];
    readonly since: SyncPositions | undefined;
    readonly filter: SyncFilter;
  },
): Promise<EphemeralUpdate> {
  const filter = query.filter.room?.ephemeral;
  const roomIds = query.joinedRoomIds.filter((roomId) => allowsRoom(filter, roomId));
  const byRoom = new Map<string, JsonObject[]>();
  const positions: Record<string, number> = {};
  for (const source of sources.ephemeral) {
    const since = query.since && positionOf(query.since, source.key);
    const upTo = await ctx.sync.positions.current(source.key, () => source.currentPosition(ctx));
    positions[source.key] = Math.max(upTo, since ?? 0);
    // The stream has not moved since the token: nothing to read (the usual case when a room
    // event wakes every member's long-poll).
    if (since !== undefined && upTo <= since) continue;
    const found = await source.collect(ctx, { userId: query.userId, roomIds, since, upTo, filter });
    for (const [roomId, events] of found) {
      byRoom.set(roomId, [...(byRoom.get(roomId) ?? []), ...events]);
    }
  }
  return { byRoom, positions };
}
