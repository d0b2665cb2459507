// Serialises work per key (a room id): local sends to one room must each see the previous one's
// extremities and state, while different rooms proceed in parallel. In-process only: Cairn runs
// one process per database.
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      // The last waiter cleans up, so the map does not grow with every room ever seen.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
