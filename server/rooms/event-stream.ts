// Which positions of the events stream (`events.stream_ordering`) readers may trust.
//
// A position is taken from the column's sequence inside each persist transaction, and rooms
// persist in parallel, so on PostgreSQL position 6 can commit and become visible while position 5
// is still in flight. A /sync that returned 6 and moved its token past 5 would never return 5.
// Readers therefore stop at the *safe* position: the highest position with no allocated position
// at or below it still in flight.
//
// Allocation holds a process-wide lock for the one `nextval` round trip, so this process learns
// every position the moment it exists and no later position can be handed out before an earlier
// one is registered. Commits stay concurrent; only the allocation is serialised. This relies on
// one Cairn process per database, as the per-room send locks already do. (A second writer process
// would need the allocation and commit to happen under a database lock instead.)
import { type Kysely, sql } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { KeyedMutex } from './keyed-mutex.ts';

export type StreamAdvanceListener = (safePosition: number) => void;

export class EventStream {
  readonly #allocation = new KeyedMutex();
  readonly #inFlight = new Set<number>();
  /** Highest position this process allocated; undefined until the first allocation. */
  #highest: number | undefined;
  #safe: number | undefined;
  readonly #listeners = new Set<StreamAdvanceListener>();

  /**
   * Takes the next position inside the caller's transaction. The caller must call finish() with
   * it once the transaction has committed or rolled back, whichever happens.
   */
  allocate(trx: Kysely<Database>): Promise<number> {
    return this.#allocation.run('events', async () => {
      const { rows } = await sql<{ position: number }>`
        SELECT nextval(pg_get_serial_sequence('events', 'stream_ordering')) AS position`.execute(
        trx,
      );
      const position = Number(rows[0]!.position);
      this.#inFlight.add(position);
      // The first allocation of the process: every lower position belongs to a process that is
      // gone, so it is final (committed or abandoned).
      if (this.#safe === undefined) this.#safe = position - 1;
      this.#highest = Math.max(this.#highest ?? position, position);
      return position;
    });
  }

  /** The transaction holding `position` is over (committed or rolled back). */
  finish(position: number): void {
    if (!this.#inFlight.delete(position)) return;
    let safe = this.#highest!;
    for (const pending of this.#inFlight) safe = Math.min(safe, pending - 1);
    if (safe > this.#safe!) {
      this.#safe = safe;
      for (const listener of this.#listeners) listener(safe);
    }
  }

  /** The safe position as this process knows it; undefined before its first allocation. */
  safePosition(): number | undefined {
    return this.#safe;
  }

  /**
   * The safe position. Before this process allocated anything every committed row is final, so
   * the highest stored position is safe; it never exceeds what the tracker reports afterwards.
   */
  async currentPosition(db: Kysely<Database>): Promise<number> {
    const known = this.#safe;
    if (known !== undefined) return known;
    const row = await db
      .selectFrom('events')
      .select((eb) => eb.fn.max('stream_ordering').as('max'))
      .executeTakeFirst();
    return this.#safe ?? Number(row?.max ?? 0);
  }

  /** Called (synchronously, in order) each time the safe position moves forward. */
  onAdvance(listener: StreamAdvanceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
