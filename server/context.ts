// The explicit, small set of services a handler may use. Built once at start (server/start.ts)
// and passed to every endpoint; no globals, no service locator.
import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { FederationServices } from '../federation/federation-services.ts';
import type { AnchoringService } from './anchoring/anchoring-service.ts';
import type { AppServices } from './appservices/app-services.ts';
import type { Config } from './config/load-config.ts';
import type { TypingTracker } from './ephemeral/typing-tracker.ts';
import type { Metrics } from './http/metrics.ts';
import type { RateLimits } from './http/rate-limits.ts';
import type { MediaServices } from './media/media-services.ts';
import type { EventStream } from './rooms/event-stream.ts';
import type { KeyedMutex } from './rooms/keyed-mutex.ts';
import type { RoomEventHub } from './rooms/room-events.ts';
import type { Database } from './storage/schema.ts';
import type { SyncServices } from './sync/sync-services.ts';

export interface ServerSigningKey {
  /** `ed25519:<version>` */
  readonly keyId: string;
  readonly privateKey: KeyObject;
  /** Unpadded standard base64, as published in /_matrix/key/v2/server. */
  readonly publicKeyBase64: string;
}

export interface Context {
  readonly config: Config;
  readonly db: Kysely<Database>;
  readonly signingKey: ServerSigningKey;
  /** For Synapse-compatible shared-secret registration: configured, or generated into data_dir. */
  readonly registrationSharedSecret: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Token buckets per user or IP address, in memory (server/http/rate-limits.ts). */
  readonly rateLimits: RateLimits;
  /** Application service registrations, loaded at start (server/appservices/). */
  readonly appServices: AppServices;
  /** Serialises local sends per room. */
  readonly roomLocks: KeyedMutex;
  /** Persisted events are announced here (sync notifier, federation sender, anchoring). */
  readonly roomEvents: RoomEventHub;
  /** Events stream positions: allocated by the persist pipeline, read up to the safe one. */
  readonly eventStream: EventStream;
  /** /sync's notifier (other streams call `sync.notifier.notify()`) and lazy-loading record. */
  readonly sync: SyncServices;
  /** Who is typing where: in memory, expiring (server/ephemeral/typing-tracker.ts). */
  readonly typing: TypingTracker;
  /** Local users whose presence others now see changed: the federation sender passes it on. */
  readonly onPresencePublished?: (userIds: readonly string[]) => void;
  /** Tamper-evident history: block store for snapshots, the chain, anchoring passes. */
  readonly anchoring: AnchoringService;
  /** The media repository: blob store (Kubo or local), upload waiters, remote fetches. */
  readonly media: MediaServices;
  /** Outbound federation: the signed client and other servers' keys. */
  readonly federation: FederationServices;
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  readonly now: () => number;
  readonly version: string;
}
