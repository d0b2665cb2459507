// The current positions of the streams a /sync token carries besides events (receipts,
// presence, device lists, typing), kept between builds. A message wakes every member's
// long-poll at once, and each rebuild read every stream's max(stream_id) again: one statement
// per stream per waiter, for positions that had not moved.
//
// Every stream that changes notifies the sync notifier after it commits, which moves the
// notifier's mark. A position read while the mark stayed where it was is therefore still
// current for any build that starts at that mark: a change committed before the mark was
// notified before it, so the read saw it; one committed later moves the mark (and wakes the
// waits taken at the old one). A position read while a notify happened is not kept. A writer
// that notifies later (presence coalesces its wakes) calls changed() when it commits instead.
// MAX_AGE_MS bounds how long a change from a writer that forgot both could stay unseen.
import { performance } from 'node:perf_hooks';
import type { SyncNotifier } from './notifier.ts';

const MAX_AGE_MS = 1_000;

interface Entry {
  readonly value: number;
  readonly mark: number;
  readonly generation: number;
  readonly at: number;
}

export class StreamPositions {
  readonly #entries = new Map<string, Entry>();
  readonly #notifier: SyncNotifier;
  #generation = 0;

  constructor(notifier: SyncNotifier) {
    this.#notifier = notifier;
  }

  /** The stream's position: kept if nothing changed since it was read, else `read()`. */
  async current(stream: string, read: () => Promise<number> | number): Promise<number> {
    const mark = this.#notifier.mark();
    const generation = this.#generation;
    const entry = this.#entries.get(stream);
    if (
      entry &&
      entry.mark === mark &&
      entry.generation === generation &&
      performance.now() - entry.at < MAX_AGE_MS
    ) {
      return entry.value;
    }
    const at = performance.now();
    const value = await read();
    if (this.#notifier.mark() === mark && this.#generation === generation) {
      this.#entries.set(stream, { value, mark, generation, at });
    }
    return value;
  }

  /** A stream committed a change it will notify later: positions are read again until then. */
  changed(): void {
    this.#generation++;
  }
}
