// Wakes long-polling /sync requests when something they would return may have changed, without
// touching the database: a waiting request registers its user and the rooms it is in, and every
// stream that changes calls notify() with the users and rooms it affects.
//
// Persisted events arrive from the room pipeline's hub, possibly ahead of the safe stream position
// (event-stream.ts); such an event is held back until the position passes it, because a /sync
// woken earlier could not read it yet.
//
// A wake must not be lost between a request's "nothing new" check and its wait. A request takes
// mark() before checking and waits "since" that mark: wakes are numbered, the most recent ones
// are remembered, and a wait whose mark is older than a relevant remembered wake returns at once.
import type { EventStream } from '../rooms/event-stream.ts';
import type { PersistedEvent, RoomEventHub } from '../rooms/room-events.ts';

/** Who a change concerns: users (their account data, an invite) and rooms (their members). */
export interface WakeTarget {
  readonly userIds?: readonly string[];
  readonly roomIds?: readonly string[];
}

export interface WaitRequest {
  readonly userId: string;
  readonly roomIds: Iterable<string>;
  /** A mark() taken before the caller looked for news. */
  readonly since: number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export type WaitOutcome = 'woken' | 'timeout' | 'aborted' | 'closed';

interface Waiter {
  readonly userId: string;
  readonly roomIds: ReadonlySet<string>;
  finish(outcome: WaitOutcome): void;
}

interface Wake {
  readonly sequence: number;
  readonly userIds: readonly string[];
  readonly roomIds: readonly string[];
}

/** Wakes remembered for waits whose check overlapped them; older marks re-check to be safe. */
const REMEMBERED_WAKES = 1024;

export class SyncNotifier {
  #sequence = 0;
  readonly #recent: Wake[] = [];
  readonly #byUser = new Map<string, Set<Waiter>>();
  readonly #byRoom = new Map<string, Set<Waiter>>();
  /** Announced events above the safe stream position, oldest first. */
  #heldBack: PersistedEvent[] = [];
  #closed = false;
  readonly #unsubscribe: (() => void)[];
  readonly #stream: EventStream;

  constructor(hub: RoomEventHub, stream: EventStream) {
    this.#stream = stream;
    this.#unsubscribe = [
      hub.subscribe((persisted) => this.#onPersisted(persisted)),
      stream.onAdvance((safe) => this.#onAdvance(safe)),
    ];
  }

  /** The current wake number, to pass as `since` to wait() after checking for news. */
  mark(): number {
    return this.#sequence;
  }

  /** Number of requests waiting now (for tests and metrics). */
  get waiting(): number {
    const all = new Set<Waiter>();
    for (const set of this.#byUser.values()) for (const waiter of set) all.add(waiter);
    return all.size;
  }

  notify(target: WakeTarget): void {
    if (this.#closed) return;
    const wake: Wake = {
      sequence: ++this.#sequence,
      userIds: target.userIds ?? [],
      roomIds: target.roomIds ?? [],
    };
    this.#recent.push(wake);
    if (this.#recent.length > REMEMBERED_WAKES) this.#recent.shift();
    const woken = new Set<Waiter>();
    for (const userId of wake.userIds) for (const w of this.#byUser.get(userId) ?? []) woken.add(w);
    for (const roomId of wake.roomIds) for (const w of this.#byRoom.get(roomId) ?? []) woken.add(w);
    for (const waiter of woken) waiter.finish('woken');
  }

  /** Resolves when a relevant notify() happens after `since`, on timeout, abort or close. */
  wait(request: WaitRequest): Promise<WaitOutcome> {
    if (this.#closed) return Promise.resolve('closed');
    const roomIds = new Set(request.roomIds);
    if (this.#missed(request.since, request.userId, roomIds)) return Promise.resolve('woken');
    if (request.signal?.aborted) return Promise.resolve('aborted');
    if (request.timeoutMs <= 0) return Promise.resolve('timeout');
    return new Promise((resolve) => {
      const onAbort = () => waiter.finish('aborted');
      const timer = setTimeout(() => waiter.finish('timeout'), request.timeoutMs);
      let done = false;
      const waiter: Waiter = {
        userId: request.userId,
        roomIds,
        finish: (outcome) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          request.signal?.removeEventListener('abort', onAbort);
          this.#remove(waiter);
          resolve(outcome);
        },
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      add(this.#byUser, waiter.userId, waiter);
      for (const roomId of roomIds) add(this.#byRoom, roomId, waiter);
    });
  }

  /** Ends every wait (server shutdown) and stops listening. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    for (const set of [...this.#byUser.values()]) for (const w of [...set]) w.finish('closed');
  }

  #missed(since: number, userId: string, roomIds: ReadonlySet<string>): boolean {
    if (since >= this.#sequence) return false;
    const oldest = this.#recent[0]?.sequence;
    if (oldest === undefined || since < oldest - 1) return true;
    for (let i = this.#recent.length - 1; i >= 0; i--) {
      const wake = this.#recent[i]!;
      if (wake.sequence <= since) break;
      if (wake.userIds.includes(userId)) return true;
      if (wake.roomIds.some((roomId) => roomIds.has(roomId))) return true;
    }
    return false;
  }

  #remove(waiter: Waiter): void {
    remove(this.#byUser, waiter.userId, waiter);
    for (const roomId of waiter.roomIds) remove(this.#byRoom, roomId, waiter);
  }

  #onPersisted(persisted: PersistedEvent): void {
    const safe = this.#stream.safePosition();
    // Unknown safe position: the event was not persisted through the stream; a wake costs at most
    // a re-check, so it is not held back.
    if (safe === undefined || persisted.event.streamOrdering <= safe) this.#wakeFor(persisted);
    else this.#heldBack.push(persisted);
  }

  #onAdvance(safe: number): void {
    if (this.#heldBack.length === 0) return;
    const ready = this.#heldBack.filter((p) => p.event.streamOrdering <= safe);
    if (ready.length === 0) return;
    this.#heldBack = this.#heldBack.filter((p) => p.event.streamOrdering > safe);
    ready.sort((a, b) => a.event.streamOrdering - b.event.streamOrdering);
    for (const persisted of ready) this.#wakeFor(persisted);
  }

  #wakeFor({ roomId, event }: PersistedEvent): void {
    const { pdu } = event;
    // The target of a membership event may not be in the room yet (an invite, a join).
    const target =
      pdu.type === 'm.room.member' && typeof pdu.state_key === 'string' ? [pdu.state_key] : [];
    this.notify({ roomIds: [roomId], userIds: target });
  }
}

function add(map: Map<string, Set<Waiter>>, key: string, waiter: Waiter): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(waiter);
}

function remove(map: Map<string, Set<Waiter>>, key: string, waiter: Waiter): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(waiter);
  if (set.size === 0) map.delete(key);
}
