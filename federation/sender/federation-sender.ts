// The outbound federation sender: local events and EDUs to the servers that must hear of them,
// through persistent per-destination queues (destination-queue.ts).
// https://spec.matrix.org/latest/server-server-api/#transactions
//
// PDUs: every event persisted with a local sender is queued from the events stream by the
// catch-up pass (catch-up.ts), which runs at start (events committed but never announced before
// a crash) and again on each announcement of a local event on the RoomEventHub. A remote user's
// membership event that reached us through send_join/send_leave/send_knock is queued by
// relayPdu() for the room's other servers, as its own server cannot send it to them.
// EDUs: queueEdu() is generic; typing (from the TypingTracker, subscribed at start), m.read
// receipts (receiptWritten) and presence (presencePublished) of local users are made here.
// Typing and presence wait in memory; receipts are persisted.
//
// Wiring (server/start.ts): build it once the transport and the typing tracker exist,
//   const sender = createFederationSender({ db, serverName: config.serverName,
//     client: transport.client, roomEvents, eventStream, typing, logger });
// start() it after the migrations and before the apps listen, and stop() it before the
// transport and the database close. Its hooks: setReceipt's deps take
// `onReceipt: (r) => sender.receiptWritten(r)` (client-api/ephemeral/post-receipt.ts and
// post-read-markers.ts build them), the context takes
// `onPresencePublished: (ids) => sender.presencePublished(ids)` (presence-writer.ts reads it), and
// PUT /send calls sender.peerIsUp(origin) besides receiveEdus() (federation/edus/).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { WrittenReceipt } from '../../server/ephemeral/set-receipt.ts';
import type { TypingChange, TypingTracker } from '../../server/ephemeral/typing-tracker.ts';
import type { EventStream } from '../../server/rooms/event-stream.ts';
import type { RoomEventHub } from '../../server/rooms/room-events.ts';
import {
  listQueuedDestinations,
  type OutboundEdu,
  queueEduRow,
  queuePdus,
} from '../../server/storage/federation-queue.ts';
import { getPresence, type PresenceRecord } from '../../server/storage/presence.ts';
import { serverNameOfUser } from '../../server/storage/room-servers.ts';
import type { Database } from '../../server/storage/schema.ts';
import type { FederationClient } from '../transport/federation-client.ts';
import { type BackoffSettings, DEFAULT_BACKOFF } from './backoff.ts';
import { queueNewEvents } from './catch-up.ts';
import { DestinationQueue, type SenderLogger } from './destination-queue.ts';
import {
  otherServersInRoom,
  otherServersSharingRoomsWith,
  PRESENCE_EDU_TTL_MS,
  presenceEdu,
  receiptEdu,
  TYPING_EDU_TTL_MS,
  typingEdu,
} from './outbound-edus.ts';

export interface FederationSenderOptions {
  readonly db: Kysely<Database>;
  readonly serverName: string;
  /** Signs its requests as `serverName` (federation-transport.ts with xMatrixSigner). */
  readonly client: FederationClient;
  readonly roomEvents: RoomEventHub;
  readonly eventStream: EventStream;
  /** Local users' typing is sent from here when given. */
  readonly typing?: TypingTracker;
  readonly logger: SenderLogger;
  readonly now?: () => number;
  readonly backoff?: Partial<BackoffSettings>;
  readonly requestTimeoutMs?: number;
  readonly catchUpBatchSize?: number;
}

export interface QueueEduOptions {
  /** Persisted EDUs survive a restart; the others wait in memory. */
  readonly persist: boolean;
  /** A newer EDU with the same key replaces one still waiting. */
  readonly key?: string;
  /** In-memory EDUs only: dropped when not sent within this time (default 10 minutes). */
  readonly ttlMs?: number;
}

export interface FederationSender {
  /** Catches up on events not yet queued, resumes the queues, and starts listening. */
  start(): Promise<void>;
  /** Stops listening and retrying; waits for the transactions in flight. */
  stop(): Promise<void>;
  queueEdu(destination: string, edu: OutboundEdu, options: QueueEduOptions): Promise<void>;
  /** A remote membership event taken through send_join/leave/knock, to the room's servers. */
  relayPdu(roomId: string, eventId: string, origin: string): Promise<void>;
  /** A local join delivered by send_join: not queued again (see OutboundHooks). */
  sentThroughHandshake(eventId: string): void;
  typingChanged(change: TypingChange): void;
  receiptWritten(receipt: WrittenReceipt): void;
  presencePublished(userIds: readonly string[]): void;
  /** The server sent us a request: it is up, so its backoff ends now. */
  peerIsUp(serverName: string): void;
}

const DEFAULT_EPHEMERAL_TTL_MS = 10 * 60_000;
/** Joins sent by send_join remembered until the catch-up passes them; far more than in flight. */
const MAX_HANDSHAKE_SENT = 10_000;

export function createFederationSender(options: FederationSenderOptions): FederationSender {
  return new Sender(options);
}

class Sender implements FederationSender {
  readonly #options: FederationSenderOptions;
  readonly #now: () => number;
  readonly #backoff: BackoffSettings;
  readonly #queues = new Map<string, DestinationQueue>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #unsubscribe: (() => void)[] = [];
  #started = false;
  #stopped = false;
  #scanning: Promise<void> | undefined;
  #scanAgain = false;
  #scanTimer: NodeJS.Timeout | undefined;
  /** The highest stream position the catch-up reached, and of a local event announced. */
  #scannedUpTo = 0;
  #announcedUpTo = 0;
  #ephemeralKeys = 0;
  readonly #handshakeSent = new Set<string>();

  constructor(options: FederationSenderOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const { roomEvents, eventStream, typing, serverName } = this.#options;
    // Listening first: an event announced while the catch-up runs makes it run again.
    this.#unsubscribe.push(
      roomEvents.subscribe(({ event }) => {
        if (serverNameOfUser(event.pdu.sender) !== serverName) return;
        this.#announcedUpTo = Math.max(this.#announcedUpTo, event.streamOrdering);
        void this.#scan();
      }),
      // An announced event above the safe position is queued once the position passes it.
      eventStream.onAdvance((safe) => {
        if (this.#announcedUpTo > this.#scannedUpTo && safe > this.#scannedUpTo) void this.#scan();
      }),
    );
    if (typing) this.#unsubscribe.push(typing.subscribe((change) => this.typingChanged(change)));
    for (const destination of await listQueuedDestinations(this.#options.db)) {
      this.#queue(destination).wake();
    }
    await this.#scan();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    if (this.#scanTimer) clearTimeout(this.#scanTimer);
    await this.#scanning;
    await Promise.allSettled([...this.#tasks]);
    await Promise.all([...this.#queues.values()].map((queue) => queue.stop()));
  }

  async queueEdu(destination: string, edu: OutboundEdu, options: QueueEduOptions): Promise<void> {
    if (destination === this.#options.serverName) return;
    if (options.persist) {
      // Written even once stopped: the next start sends it.
      await queueEduRow(this.#options.db, destination, edu, {
        ...(options.key === undefined ? {} : { key: options.key }),
        now: this.#now(),
      });
      if (!this.#stopped) this.#queue(destination).wake();
      return;
    }
    if (this.#stopped) return;
    const key = options.key ?? `#${++this.#ephemeralKeys}`;
    this.#queue(destination).queueEphemeral(key, edu, options.ttlMs ?? DEFAULT_EPHEMERAL_TTL_MS);
  }

  sentThroughHandshake(eventId: string): void {
    if (this.#handshakeSent.size >= MAX_HANDSHAKE_SENT) {
      this.#handshakeSent.delete(this.#handshakeSent.values().next().value as string);
    }
    this.#handshakeSent.add(eventId);
  }

  async relayPdu(roomId: string, eventId: string, origin: string): Promise<void> {
    const { db, serverName } = this.#options;
    const destinations = (await otherServersInRoom(db, roomId, serverName)).filter(
      (server) => server !== origin,
    );
    // Written even once stopped: the next start sends it.
    await queuePdus(
      db,
      destinations.map((destination) => ({ destination, eventId })),
      this.#now(),
    );
    if (this.#stopped) return;
    for (const destination of destinations) this.#queue(destination).wake();
  }

  typingChanged(change: TypingChange): void {
    if (!this.#isLocal(change.userId)) return;
    this.#track(async () => {
      const { db, serverName } = this.#options;
      const edu = typingEdu(change);
      const key = `m.typing ${change.roomId} ${change.userId}`;
      for (const destination of await otherServersInRoom(db, change.roomId, serverName)) {
        await this.queueEdu(destination, edu, { persist: false, key, ttlMs: TYPING_EDU_TTL_MS });
      }
    });
  }

  receiptWritten(receipt: WrittenReceipt): void {
    if (receipt.receiptType !== 'm.read' || !this.#isLocal(receipt.userId)) return;
    this.#track(async () => {
      const { db, serverName } = this.#options;
      const edu = receiptEdu(receipt);
      const key = `m.receipt ${receipt.roomId} ${receipt.userId} ${receipt.threadId}`;
      for (const destination of await otherServersInRoom(db, receipt.roomId, serverName)) {
        await this.queueEdu(destination, edu, { persist: true, key });
      }
    });
  }

  presencePublished(userIds: readonly string[]): void {
    const local = userIds.filter((userId) => this.#isLocal(userId));
    if (local.length === 0) return;
    this.#track(async () => {
      const { db, serverName } = this.#options;
      for (const userId of local) {
        const record: PresenceRecord | undefined = await getPresence(db, userId);
        if (!record) continue;
        const edu = presenceEdu([record], this.#now());
        const key = `m.presence ${userId}`;
        for (const destination of await otherServersSharingRoomsWith(db, userId, serverName)) {
          await this.queueEdu(destination, edu, {
            persist: false,
            key,
            ttlMs: PRESENCE_EDU_TTL_MS,
          });
        }
      }
    });
  }

  peerIsUp(serverName: string): void {
    this.#queues.get(serverName)?.peerIsUp();
  }

  #isLocal(userId: string): boolean {
    return serverNameOfUser(userId) === this.#options.serverName;
  }

  #queue(destination: string): DestinationQueue {
    let queue = this.#queues.get(destination);
    if (!queue) {
      const { db, client, serverName, logger, requestTimeoutMs } = this.#options;
      queue = new DestinationQueue(destination, {
        db,
        client,
        origin: serverName,
        now: this.#now,
        backoff: this.#backoff,
        logger,
        newTxnId: () => `${this.#now().toString(36)}-${randomBytes(6).toString('hex')}`,
        ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
      });
      this.#queues.set(destination, queue);
    }
    return queue;
  }

  /** Runs the catch-up pass; a call while it runs makes it run once more after. */
  #scan(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#scanAgain = true;
    this.#scanning ??= this.#runScans();
    return this.#scanning;
  }

  // As DestinationQueue's #run: it always awaits before finishing, and clears `#scanning` in the
  // same step as its last look at `#scanAgain`, so no call is lost.
  async #runScans(): Promise<void> {
    const { db, serverName, eventStream, catchUpBatchSize } = this.#options;
    try {
      while (this.#scanAgain && !this.#stopped) {
        this.#scanAgain = false;
        const result = await queueNewEvents({
          db,
          serverName,
          eventStream,
          now: this.#now,
          skip: (eventId) => this.#handshakeSent.delete(eventId),
          ...(catchUpBatchSize === undefined ? {} : { batchSize: catchUpBatchSize }),
        });
        this.#scannedUpTo = Math.max(this.#scannedUpTo, result.position);
        for (const destination of result.destinations) this.#queue(destination).wake();
      }
    } catch (err) {
      this.#options.logger.error({ err }, 'federation: queueing events failed; retrying');
      if (!this.#stopped) {
        this.#scanTimer = setTimeout(() => void this.#scan(), this.#backoff.initialMs);
        this.#scanTimer.unref();
      }
    } finally {
      this.#scanning = undefined;
    }
  }

  #track(task: () => Promise<void>): void {
    if (this.#stopped) return;
    const running = task()
      .catch((err) => this.#options.logger.error({ err }, 'federation: queueing an EDU failed'))
      .finally(() => this.#tasks.delete(running));
    this.#tasks.add(running);
  }
}
