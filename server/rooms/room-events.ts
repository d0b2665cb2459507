// The small in-process hook the persist pipeline announces events on. The sync notifier, the
// federation sender and the anchoring scheduler subscribe; the pipeline imports none of them.
import type { StoredEvent } from '../storage/events.ts';

export interface PersistedEvent {
  readonly roomId: string;
  readonly event: StoredEvent;
}

export type PersistedEventListener = (persisted: PersistedEvent) => void;

export class RoomEventHub {
  readonly #listeners = new Set<PersistedEventListener>();

  subscribe(listener: PersistedEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called after the event's transaction committed. A failing listener does not stop the rest. */
  announce(persisted: PersistedEvent, onError: (err: unknown) => void): void {
    for (const listener of this.#listeners) {
      try {
        listener(persisted);
      } catch (err) {
        onError(err);
      }
    }
  }
}
