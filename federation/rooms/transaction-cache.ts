// Remembers the answer to each (origin, txnId) for a while: a server retrying a transaction whose
// answer it lost gets the same answer, and a retry arriving while the first is still being
// processed waits for it instead of running it twice.
const MAX_REMEMBERED = 10_000;

export class TransactionCache<T> {
  readonly #answers = new Map<string, Promise<T>>();

  run(origin: string, txnId: string, work: () => Promise<T>): Promise<T> {
    const key = `${origin}\u0000${txnId}`;
    const known = this.#answers.get(key);
    if (known) return known;
    const answer = work();
    this.#answers.set(key, answer);
    // A failed transaction is not remembered: the retry runs it again.
    answer.catch(() => this.#answers.delete(key));
    if (this.#answers.size > MAX_REMEMBERED) {
      const oldest = this.#answers.keys().next().value;
      if (oldest !== undefined) this.#answers.delete(oldest);
    }
    return answer;
  }
}
