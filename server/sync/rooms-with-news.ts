// Which rooms had events between two events stream positions, kept for the next builds. When a
// message wakes thousands of long-polls, most of them ask about the same range (the token they
// all got from the last wake, up to the new message): one read answers them all. A range below
// the safe position never changes: events there are not added or taken away (an outlier taken
// into the timeline is stored again at a new position), so an answer may be kept as long as
// there is room.
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { roomsWithEvents } from '../storage/sync-timeline.ts';

/** Ranges kept: a wake-up's waiters hold a handful of distinct tokens. */
const KEPT_RANGES = 64;

export class RoomsWithNews {
  readonly #ranges = new Map<string, Promise<Map<string, boolean>>>();

  /** roomsWithEvents(after, upTo), read once per range while it is kept. */
  between(db: Kysely<Database>, after: number, upTo: number): Promise<Map<string, boolean>> {
    const key = `${after}:${upTo}`;
    const kept = this.#ranges.get(key);
    if (kept) return kept;
    const reading = roomsWithEvents(db, after, upTo);
    this.#ranges.set(key, reading);
    if (this.#ranges.size > KEPT_RANGES) {
      this.#ranges.delete(this.#ranges.keys().next().value!);
    }
    reading.catch(() => this.#ranges.delete(key));
    return reading;
  }
}
