// A Context for in-process tests (fastify inject): a real database from withTestDatabase, a fixed
// signing key and a fixed clock, silent logs, and no rate limits unless `env` sets them.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import {
  noInviteExchange,
  noOutbound,
  unreachableFederationClient,
} from '../../federation/federation-services.ts';
import { noFederationClient, serverKeyStoreFor } from '../../federation/keys/remote-keys.ts';
import { createAnchoringService } from '../../server/anchoring/anchoring-service.ts';
import { createAppServices } from '../../server/appservices/app-services.ts';
import { loadAppServiceRegistrations } from '../../server/appservices/load-registrations.ts';
import { loadConfig } from '../../server/config/load-config.ts';
import type { Context } from '../../server/context.ts';
import { typingTrackerFor } from '../../server/ephemeral/typing-tracker.ts';
import { createMetrics } from '../../server/http/metrics.ts';
import { createRateLimits } from '../../server/http/rate-limits.ts';
import { toServerSigningKey } from '../../server/keys/signing-key-file.ts';
import { createMediaServices } from '../../server/media/media-services.ts';
import { KeyedMutex } from '../../server/rooms/keyed-mutex.ts';
import type { Database } from '../../server/storage/schema.ts';
import { createEventServices } from '../../server/sync/sync-services.ts';
import { TEST_NOW, TEST_SERVER_NAME } from './databases.ts';
import { NO_RATE_LIMITS } from './no-rate-limits.ts';

export const TEST_SHARED_SECRET = 'test-shared-secret-0123456789';

export function buildTestContext(db: Kysely<Database>, env: NodeJS.ProcessEnv = {}): Context {
  const config = loadConfig({
    env: {
      CAIRN_SERVER_NAME: TEST_SERVER_NAME,
      // Nothing is written there but local media, content-addressed, so contexts may share it.
      CAIRN_DATA_DIR: join(tmpdir(), `cairn-test-data-${process.pid}`),
      ...NO_RATE_LIMITS,
      ...env,
    },
  });
  const eventServices = createEventServices();
  const signingKey = toServerSigningKey({
    algorithm: 'ed25519',
    version: 'test',
    seed: new Uint8Array(32).fill(7),
  });
  const logger = pino({ level: 'silent' });
  const now = () => TEST_NOW;
  return {
    config,
    db,
    signingKey,
    registrationSharedSecret: TEST_SHARED_SECRET,
    logger,
    metrics: createMetrics(),
    rateLimits: createRateLimits(config.rateLimits),
    // Their senders are not created here (this is synchronous): tests that use them call
    // createAppServiceSenders (server/appservices/create-senders.ts), as start does.
    appServices: createAppServices(
      loadAppServiceRegistrations(config.appServiceConfigFiles, config.serverName),
    ),
    roomLocks: new KeyedMutex(),
    ...eventServices,
    media: createMediaServices(config),
    anchoring: createAnchoringService(
      { db, eventStream: eventServices.eventStream, now, logger },
      config,
    ),
    typing: typingTrackerFor(eventServices.sync.notifier, () => TEST_NOW),
    federation: {
      client: unreachableFederationClient,
      serverKeys: serverKeyStoreFor({ db, config, signingKey, now, logger }, noFederationClient),
      exchangeInvite: noInviteExchange,
      outbound: noOutbound,
      backfill: async () => 0,
    },
    now,
    version: '0.0.0-test',
  };
}
