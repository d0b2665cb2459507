// Delivery to one destination: one transaction in flight at a time, each of at most 50 PDUs and
// 100 EDUs, in queue order. A failed transaction (no answer, or any non-200) is retried under the
// same txnId with the same content, as the spec asks, after a backoff that doubles with each
// failure in a row; the retry state and the attempt are persisted, so a restart goes on where the
// last process stopped. Nothing new is added to a retried txnId: a peer that did process the
// first try answers the retry from its txnId cache without reading it.
// https://spec.matrix.org/latest/server-server-api/#transactions
//
// Ephemeral EDUs (typing, presence) are kept in memory only, the newest per key; those of a
// failed attempt are retried with it while the process lives, and dropped once stale.
import type { Kysely } from 'kysely';
import {
  claimTransaction,
  completeTransaction,
  type DestinationState,
  getDestinationState,
  type OutboundEdu,
  readTransaction,
  saveRetryState,
  type TransactionContent,
} from '../../server/storage/federation-queue.ts';
import type { Database } from '../../server/storage/schema.ts';
import type { FederationClient } from '../transport/federation-client.ts';
import { type BackoffSettings, retryDelayMs } from './backoff.ts';

export const MAX_PDUS_PER_TRANSACTION = 50;
export const MAX_EDUS_PER_TRANSACTION = 100;
/** Room left for persisted EDUs (receipts) however many ephemeral ones wait. */
const MAX_EPHEMERAL_PER_TRANSACTION = 50;
/** A transaction may hold 50 PDUs of 64 KiB: give the peer time to process them. */
const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

export interface SenderLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface DestinationQueueDeps {
  readonly db: Kysely<Database>;
  readonly client: FederationClient;
  /** Our server name: the transactions' origin. */
  readonly origin: string;
  readonly now: () => number;
  readonly backoff: BackoffSettings;
  readonly logger: SenderLogger;
  readonly newTxnId: () => string;
  readonly requestTimeoutMs?: number;
}

interface EphemeralEdu {
  readonly edu: OutboundEdu;
  /** Not sent after this time (ms since the epoch). */
  readonly staleAt: number;
}

interface Attempt {
  readonly txnId: string;
  readonly content: TransactionContent;
}

export class DestinationQueue {
  readonly destination: string;
  readonly #deps: DestinationQueueDeps;
  #state: DestinationState | undefined;
  readonly #ephemeral = new Map<string, EphemeralEdu>();
  /** The ephemeral EDUs of the attempt awaiting its 200, by its txnId. */
  #attemptEphemeral: { readonly txnId: string; readonly edus: EphemeralEdu[] } | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(destination: string, deps: DestinationQueueDeps) {
    this.destination = destination;
    this.#deps = deps;
  }

  /** Keeps the EDU in memory (replacing one of the same key) and wakes the queue. */
  queueEphemeral(key: string, edu: OutboundEdu, ttlMs: number): void {
    this.#ephemeral.delete(key);
    this.#ephemeral.set(key, { edu, staleAt: this.#deps.now() + ttlMs });
    this.wake();
  }

  /** Sends what waits, unless a transaction is in flight (it goes on after) or a backoff runs. */
  wake(): void {
    if (this.#stopped) return;
    this.#again = true;
    this.#running ??= this.#run();
  }

  /**
   * The destination was heard from (it sent us a request): forget the backoff and try now. A
   * peer back up learns of what it missed without waiting out an hour.
   */
  peerIsUp(): void {
    if (this.#stopped || !this.#state || this.#state.failures === 0) return;
    this.#state = { ...this.#state, failures: 0, retryAtTs: 0 };
    const saving = saveRetryState(this.#deps.db, this.destination, this.#state).catch((err) =>
      this.#deps.logger.error({ err, destination: this.destination }, 'federation: save failed'),
    );
    this.#clearTimer();
    void saving.then(() => this.wake());
  }

  /** Stops retrying; waits for the transaction in flight, if any. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clearTimer();
    await this.#running;
  }

  // Loops while wake() was called meanwhile. It always awaits before finishing, so `#running` is
  // cleared after wake() set it, and in the same step as the last look at `#again`.
  async #run(): Promise<void> {
    try {
      while (this.#again && !this.#stopped) {
        this.#again = false;
        await this.#drain();
      }
    } catch (err) {
      // The database failed us, not the destination: try again after the first backoff step.
      this.#deps.logger.error({ err, destination: this.destination }, 'federation: queue failed');
      this.#scheduleAt(this.#deps.now() + this.#deps.backoff.initialMs);
    } finally {
      this.#running = undefined;
    }
  }

  async #drain(): Promise<void> {
    this.#state ??= await getDestinationState(this.#deps.db, this.destination);
    while (!this.#stopped) {
      if (this.#state.retryAtTs > this.#deps.now()) {
        this.#scheduleAt(this.#state.retryAtTs);
        return;
      }
      const attempt = await this.#nextAttempt(this.#state);
      if (!attempt) return;
      if (!(await this.#send(attempt))) return;
    }
  }

  /** The attempt awaiting its 200 if there is one, else a new one of what waits. */
  async #nextAttempt(state: DestinationState): Promise<Attempt | undefined> {
    const now = this.#deps.now();
    const retried = this.#attemptEphemeral;
    // Dropping stale EDUs keeps a retry a subset of the first try, which is all a peer that
    // already processed it can tell.
    const retriedEdus = (txnId: string) =>
      retried?.txnId === txnId ? retried.edus.filter((each) => each.staleAt > now) : [];
    if (state.pendingTxnId !== null) {
      const txnId = state.pendingTxnId;
      const stored = await readTransaction(this.#deps.db, this.destination, txnId);
      return { txnId, content: withEphemeral(stored, retriedEdus(txnId)) };
    }
    if (retried) {
      const edus = retriedEdus(retried.txnId);
      if (edus.length > 0) {
        return { txnId: retried.txnId, content: withEphemeral({ pdus: [], edus: [] }, edus) };
      }
      this.#attemptEphemeral = undefined;
    }
    const ephemeral: EphemeralEdu[] = [];
    for (const [key, each] of this.#ephemeral) {
      if (ephemeral.length >= MAX_EPHEMERAL_PER_TRANSACTION) break;
      this.#ephemeral.delete(key);
      if (each.staleAt > now) ephemeral.push(each);
    }
    const txnId = this.#deps.newTxnId();
    const stored = await claimTransaction(this.#deps.db, this.destination, txnId, {
      pdus: MAX_PDUS_PER_TRANSACTION,
      edus: MAX_EDUS_PER_TRANSACTION - ephemeral.length,
    });
    if (!stored && ephemeral.length === 0) return undefined;
    if (stored) this.#state = { ...state, pendingTxnId: txnId };
    this.#attemptEphemeral = { txnId, edus: ephemeral };
    return { txnId, content: withEphemeral(stored ?? { pdus: [], edus: [] }, ephemeral) };
  }

  /** Returns whether the transaction got its 200 (else the backoff is recorded and scheduled). */
  async #send(attempt: Attempt): Promise<boolean> {
    const { db, logger } = this.#deps;
    const destination = this.destination;
    const { pdus, edus } = attempt.content;
    let response: unknown;
    try {
      const reply = await this.#deps.client.request(destination, {
        method: 'PUT',
        path: `/_matrix/federation/v1/send/${encodeURIComponent(attempt.txnId)}`,
        body: {
          origin: this.#deps.origin,
          origin_server_ts: this.#deps.now(),
          pdus: pdus.map((each) => each.pdu),
          edus,
        },
        timeoutMs: this.#deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      });
      response = reply.body;
      // The answer is `{pdus: {...}}`. Anything else is not a peer that took the transaction
      // (a proxy's page, a broken server): retried like a failure, and the retry is safe, as a
      // peer that did process it answers a repeated txnId from its cache.
      if (typeof response !== 'object' || response === null || Array.isArray(response)) {
        throw new Error(
          `the reply to PUT /send is not a JSON object: ${JSON.stringify(response)}`.slice(0, 200),
        );
      }
    } catch (err) {
      const failures = this.#state!.failures + 1;
      const retryAtTs = this.#deps.now() + retryDelayMs(failures, this.#deps.backoff);
      this.#state = { ...this.#state!, failures, retryAtTs };
      await saveRetryState(db, destination, this.#state);
      logger.warn(
        {
          destination,
          txnId: attempt.txnId,
          failures,
          retryInMs: retryAtTs - this.#deps.now(),
          err: String(err),
        },
        'federation: transaction failed',
      );
      this.#scheduleAt(retryAtTs);
      return false;
    }
    const state = this.#state!;
    if (state.pendingTxnId !== null || state.failures > 0) {
      await completeTransaction(db, destination, state.pendingTxnId);
    }
    if (state.failures > 0) logger.info({ destination }, 'federation: destination is back');
    this.#state = { failures: 0, retryAtTs: 0, pendingTxnId: null };
    this.#attemptEphemeral = undefined;
    logRefusedPdus(logger, destination, response);
    return true;
  }

  #scheduleAt(at: number): void {
    if (this.#stopped) return;
    this.#clearTimer();
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.wake();
      },
      Math.max(0, at - this.#deps.now()),
    );
    // A wait must not keep the process alive on its own.
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function withEphemeral(
  stored: TransactionContent,
  ephemeral: readonly EphemeralEdu[],
): TransactionContent {
  return { pdus: stored.pdus, edus: [...stored.edus, ...ephemeral.map((each) => each.edu)] };
}

/** A peer may refuse single PDUs of a transaction it accepted; they are not sent again. */
function logRefusedPdus(logger: SenderLogger, destination: string, body: unknown): void {
  const results = (body as { pdus?: unknown } | null)?.pdus;
  if (typeof results !== 'object' || results === null) return;
  for (const [eventId, result] of Object.entries(results)) {
    const error = (result as { error?: unknown } | null)?.error;
    if (error !== undefined) {
      logger.info({ destination, eventId, error: String(error) }, 'federation: peer refused PDU');
    }
  }
}
