// How many /sync responses are built at once, and whose turn it is. A message to a busy room
// wakes every member's long-poll together; building thousands of responses at once would queue
// thousands of requests for the database pool, and every other request (a send, a login) would
// wait behind all of them. Builds run a few at a time instead, taking turns between users, so one
// user with many connections (or many users' wake-up) cannot hold up another user for long and
// the pool keeps room for everything else. Waiting on the notifier holds no turn.
export class SyncBuildQueue {
  /** Builds not started, by user, in arrival order; the map's order is whose turn is next. */
  private readonly pending = new Map<string, (() => void)[]>();
  private running = 0;
  private readonly atOnce: number;

  constructor(atOnce: number) {
    this.atOnce = atOnce;
  }

  /** Builds waiting for a turn. */
  get queued(): number {
    let count = 0;
    for (const builds of this.pending.values()) count += builds.length;
    return count;
  }

  async run<T>(userId: string, build: () => Promise<T>): Promise<T> {
    if (this.running >= this.atOnce || this.pending.size > 0) {
      await new Promise<void>((start) => {
        const builds = this.pending.get(userId);
        if (builds) builds.push(start);
        else this.pending.set(userId, [start]);
      });
    } else {
      this.running++;
    }
    try {
      return await build();
    } finally {
      this.startNext();
    }
  }

  /** Hands the finished build's turn to the first user in line, who goes to the back after. */
  private startNext(): void {
    const next = this.pending.entries().next();
    if (next.done) {
      this.running--;
      return;
    }
    const [userId, builds] = next.value;
    const start = builds.shift()!;
    this.pending.delete(userId);
    if (builds.length > 0) this.pending.set(userId, builds);
    start();
  }
}
