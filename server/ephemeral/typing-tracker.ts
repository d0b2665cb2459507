// Who is typing in which room: in memory only, each entry expiring after the timeout the client
// gave. Expiry is applied lazily on every read and by one timer for the earliest expiry, so a
// waiting /sync learns when someone stops typing even if nobody asks.
//
// Positions: every change takes a new position, at least the clock's milliseconds, so positions
// keep growing across restarts and a /sync token from before a restart never hides a change. A
// `since` ahead of the current position (a clock set back) is answered with the full current
// state. https://spec.matrix.org/latest/client-server-api/#typing-notifications

/** One user's typing in one room changed, was refreshed (typing again) or expired. */
export interface TypingChange {
  readonly roomId: string;
  readonly userId: string;
  readonly typing: boolean;
}

export type TypingListener = (change: TypingChange) => void;

export interface TypingTrackerOptions {
  readonly now: () => number;
  /** Called after a room's set of typing users changed (to wake /sync). */
  readonly onChange: (roomId: string) => void;
}

export class TypingTracker {
  readonly #now: () => number;
  readonly #onChange: (roomId: string) => void;
  /** room -> user -> expiry (ms since the epoch) */
  readonly #typing = new Map<string, Map<string, number>>();
  /** room -> position of its last change */
  readonly #changedAt = new Map<string, number>();
  #position = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt: number | undefined;
  readonly #listeners = new Set<TypingListener>();

  constructor(options: TypingTrackerOptions) {
    this.#now = options.now;
    this.#onChange = options.onChange;
  }

  /** Marks the user typing until now + timeoutMs, or stopped when timeoutMs is undefined. */
  setTyping(roomId: string, userId: string, timeoutMs: number | undefined): void {
    this.#expire();
    const users = this.#typing.get(roomId) ?? new Map<string, number>();
    const wasTyping = users.has(userId);
    if (timeoutMs === undefined) {
      if (!wasTyping) return;
      users.delete(userId);
      if (users.size === 0) this.#typing.delete(roomId);
    } else {
      users.set(userId, this.#now() + timeoutMs);
      this.#typing.set(roomId, users);
      this.#schedule();
      // Typing again only pushes the expiry back: others here see no change, but other servers
      // time typing out on their own clock and must hear it again.
      this.#tell({ roomId, userId, typing: true });
      if (wasTyping) return;
    }
    if (timeoutMs === undefined) this.#tell({ roomId, userId, typing: false });
    this.#changed(roomId);
  }

  /**
   * Told of every start, refresh, stop and expiry, for every user (the federation sender passes
   * on its own users'). Returns the unsubscribe function.
   */
  subscribe(listener: TypingListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  usersTyping(roomId: string): string[] {
    this.#expire();
    return [...(this.#typing.get(roomId)?.keys() ?? [])].sort();
  }

  /** The rooms (of those given) where someone is typing now, with who. */
  typingIn(roomIds: Iterable<string>): Map<string, string[]> {
    this.#expire();
    const typing = new Map<string, string[]>();
    for (const roomId of roomIds) {
      if (this.#typing.has(roomId)) typing.set(roomId, this.usersTyping(roomId));
    }
    return typing;
  }

  /** The current position of the typing stream. */
  position(): number {
    this.#expire();
    return this.#position;
  }

  /** For each given room whose typing users changed after `since`: who is typing now. */
  changesSince(roomIds: Iterable<string>, since: number): Map<string, string[]> {
    this.#expire();
    if (since > this.#position) return this.typingIn(roomIds);
    const changes = new Map<string, string[]>();
    for (const roomId of roomIds) {
      const changedAt = this.#changedAt.get(roomId);
      if (changedAt !== undefined && changedAt > since) {
        changes.set(roomId, this.usersTyping(roomId));
      }
    }
    return changes;
  }

  /** Stops the expiry timer (server shutdown). */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = undefined;
  }

  #changed(roomId: string): void {
    this.#position = Math.max(this.#position + 1, this.#now());
    this.#changedAt.set(roomId, this.#position);
    this.#onChange(roomId);
  }

  #tell(change: TypingChange): void {
    for (const listener of this.#listeners) listener(change);
  }

  #expire(): void {
    const now = this.#now();
    for (const [roomId, users] of [...this.#typing]) {
      let changed = false;
      for (const [userId, expiry] of [...users]) {
        if (expiry <= now) {
          users.delete(userId);
          changed = true;
          this.#tell({ roomId, userId, typing: false });
        }
      }
      if (users.size === 0) this.#typing.delete(roomId);
      if (changed) this.#changed(roomId);
    }
  }

  #schedule(): void {
    let earliest: number | undefined;
    for (const users of this.#typing.values()) {
      for (const expiry of users.values()) earliest = Math.min(earliest ?? expiry, expiry);
    }
    if (earliest === undefined || (this.#timerAt !== undefined && this.#timerAt <= earliest)) {
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = earliest;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = undefined;
        this.#expire();
        this.#schedule();
      },
      Math.max(0, earliest - this.#now()) + 1,
    );
    // A pending expiry must not keep the process alive.
    this.#timer.unref();
  }
}

/** A tracker that wakes /sync waiters in a room when its typing users change. */
export function typingTrackerFor(
  notifier: { notify(target: { roomIds: readonly string[] }): void },
  now: () => number,
): TypingTracker {
  return new TypingTracker({ now, onChange: (roomId) => notifier.notify({ roomIds: [roomId] }) });
}
