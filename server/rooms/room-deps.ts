// What the room pipeline needs from the process: storage, the signing identity, the per-room
// lock, the hook it announces persisted events on, a clock and a logger.
import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { EventWithId } from '../core/pdu.ts';
import type { RoomVersion } from '../core/room-versions.ts';
import type { EventSigner } from '../core/sign-event.ts';
import type { Database } from '../storage/schema.ts';
import type { EventStream } from './event-stream.ts';
import type { KeyedMutex } from './keyed-mutex.ts';
import type { RoomEventHub } from './room-events.ts';

export interface RoomDeps {
  readonly db: Kysely<Database>;
  readonly serverName: string;
  readonly signer: EventSigner;
  readonly roomLocks: KeyedMutex;
  readonly hub: RoomEventHub;
  /** Hands out events stream positions and tracks which are still in flight. */
  readonly eventStream: EventStream;
  readonly now: () => number;
  readonly logger: { error(details: object, message: string): void };
  /** Has an invite of another server's user countersigned by that server before it is stored. */
  readonly exchangeInvite?: (version: RoomVersion, invite: EventWithId) => Promise<EventWithId>;
}

/** How this server signs the events it makes or countersigns. */
export function eventSignerOf(ctx: Pick<Context, 'config' | 'signingKey'>): EventSigner {
  return {
    serverName: ctx.config.serverName,
    keyId: ctx.signingKey.keyId,
    key: ctx.signingKey.privateKey,
  };
}

export function roomDepsOf(ctx: Context): RoomDeps {
  return {
    db: ctx.db,
    serverName: ctx.config.serverName,
    signer: eventSignerOf(ctx),
    roomLocks: ctx.roomLocks,
    hub: ctx.roomEvents,
    eventStream: ctx.eventStream,
    now: ctx.now,
    logger: ctx.logger,
    exchangeInvite: ctx.federation.exchangeInvite,
  };
}
