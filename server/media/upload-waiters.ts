// Downloads of an asynchronous upload's URI (POST create) before its bytes came wait for them, up
// to the request's timeout_ms. PUT upload wakes them here; one process, so in memory.
export class UploadWaiters {
  readonly #waiting = new Map<string, Set<() => void>>();

  /** Resolves true when `uploaded(key)` is called within `timeoutMs`, false otherwise. */
  wait(key: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let set = this.#waiting.get(key);
      if (!set) {
        set = new Set();
        this.#waiting.set(key, set);
      }
      const waiters = set;
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        if (waiters.size === 0) this.#waiting.delete(key);
        resolve(false);
      }, timeoutMs);
      waiters.add(wake);
    });
  }

  uploaded(key: string): void {
    const set = this.#waiting.get(key);
    if (!set) return;
    this.#waiting.delete(key);
    for (const wake of set) wake();
  }
}
