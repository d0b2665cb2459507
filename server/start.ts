// `cairn start`: open storage, load or create the signing key, build both apps and listen.
// Returns a handle so tests and the CLI can stop the server cleanly.
import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { fetchJsonVia, serverKeyStoreFor } from '../federation/keys/remote-keys.ts';
import { roomBackfiller } from '../federation/rooms/backfill-room.ts';
import { inviteExchanger } from '../federation/rooms/send-invite.ts';
import { createFederationSender } from '../federation/sender/federation-sender.ts';
import { createFederationTransport } from '../federation/transport/federation-transport.ts';
import { federationListenerTls } from '../federation/transport/listener-tls.ts';
import { xMatrixSigner } from '../federation/transport/x-matrix.ts';
import { loadOrCreateSharedSecret } from './accounts/shared-secret-file.ts';
import { createAnchoringService, scheduleAnchoring } from './anchoring/anchoring-service.ts';
import { buildClientApp, buildFederationApp } from './app.ts';
import { createAppServices } from './appservices/app-services.ts';
import { createAppServiceSenders } from './appservices/create-senders.ts';
import { loadAppServiceRegistrations } from './appservices/load-registrations.ts';
import type { Config } from './config/load-config.ts';
import type { Context } from './context.ts';
import { followMembershipForDeviceLists } from './e2ee/device-lists-on-membership.ts';
import { typingTrackerFor } from './ephemeral/typing-tracker.ts';
import { LOG_REDACTION } from './http/log-redaction.ts';
import { createMetrics } from './http/metrics.ts';
import { createRateLimits } from './http/rate-limits.ts';
import { loadOrCreateSigningKey } from './keys/signing-key-file.ts';
import { scheduleMediaRetention } from './media/media-retention.ts';
import { createMediaServices } from './media/media-services.ts';
import { KeyedMutex } from './rooms/keyed-mutex.ts';
import { removeRunningFile, writeRunningFile } from './running-file.ts';
import { openDatabase } from './storage/database.ts';
import { migrateToLatest } from './storage/migrate.ts';
import { createEventServices } from './sync/sync-services.ts';
import { CAIRN_VERSION } from './version.ts';

export interface RunningServer {
  readonly context: Context;
  readonly clientApp: FastifyInstance;
  readonly federationApp: FastifyInstance;
  /** Addresses actually bound (port 0 in config picks a free port). */
  readonly clientUrl: string;
  readonly federationUrl: string;
  stop(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const logger = pino({
    level: config.logLevel,
    base: { server: config.serverName },
    ...LOG_REDACTION,
  });
  mkdirSync(config.dataDir, { recursive: true });
  // First: a bad certificate stops the start with a message naming the file, before any migration.
  const federationTls = federationListenerTls(config, logger);
  // So does a bad application service registration file.
  const appServices = createAppServices(
    loadAppServiceRegistrations(config.appServiceConfigFiles, config.serverName),
  );
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    logger,
  });
  try {
    await migrateToLatest(database.db, { logger });
    const signingKey = loadOrCreateSigningKey(config.signingKeyPath, logger);
    const registrationSharedSecret = loadOrCreateSharedSecret(config);
    const eventServices = createEventServices();
    const now = Date.now;
    const metrics = createMetrics();
    // Outbound federation, requests signed with our key.
    const transport = createFederationTransport(config, logger, {
      authorize: xMatrixSigner(config.serverName, signingKey),
    });
    const serverKeys = serverKeyStoreFor(
      { db: database.db, config, signingKey, now, logger },
      fetchJsonVia(transport.client),
    );
    const roomLocks = new KeyedMutex();
    const typing = typingTrackerFor(eventServices.sync.notifier, now);
    const sender = createFederationSender({
      db: database.db,
      serverName: config.serverName,
      client: transport.client,
      roomEvents: eventServices.roomEvents,
      eventStream: eventServices.eventStream,
      typing,
      logger,
      requestTimeoutMs: config.federationTransactionTimeoutMs,
    });
    const context: Context = {
      config,
      db: database.db,
      signingKey,
      registrationSharedSecret,
      logger,
      metrics,
      rateLimits: createRateLimits(config.rateLimits),
      appServices,
      roomLocks,
      ...eventServices,
      typing,
      onPresencePublished: (userIds) => sender.presencePublished(userIds),
      media: createMediaServices(config),
      anchoring: createAnchoringService(
        { db: database.db, eventStream: eventServices.eventStream, now, logger },
        config,
      ),
      federation: {
        client: transport.client,
        serverKeys,
        exchangeInvite: inviteExchanger({ db: database.db, client: transport.client, serverKeys }),
        outbound: sender,
        backfill: roomBackfiller({
          db: database.db,
          serverName: config.serverName,
          client: transport.client,
          serverKeys,
          eventStream: eventServices.eventStream,
          roomLocks,
          logger,
        }),
      },
      now,
      version: CAIRN_VERSION,
    };
    await createAppServiceSenders(
      { db: database.db, serverName: config.serverName, now, logger },
      appServices,
    );
    // Before listening: what was persisted but never sent (a crash, say) is queued first.
    await sender.start();
    const stopFollowingMembership = followMembershipForDeviceLists(context);
    const stopMediaRetention = scheduleMediaRetention(context);
    const stopAnchoring = scheduleAnchoring(
      context.anchoring,
      config.anchorIntervalSeconds,
      logger,
    );
    const clientApp = buildClientApp(context);
    const federationApp = buildFederationApp(context, federationTls);
    const clientUrl = await clientApp.listen({ host: config.bindAddress, port: config.clientPort });
    const federationUrl = await federationApp.listen({
      host: config.bindAddress,
      port: config.federationPort,
    });
    writeRunningFile(config.dataDir, { pid: process.pid, clientUrl, federationUrl });
    logger.info(
      { clientUrl, federationUrl, dialect: database.dialect, version: CAIRN_VERSION },
      'Cairn started',
    );
    return {
      context,
      clientApp,
      federationApp,
      clientUrl,
      federationUrl,
      stop: async () => {
        removeRunningFile(config.dataDir);
        // Long-polling /sync requests return now instead of holding the close up to their timeout.
        context.sync.notifier.close();
        context.typing.close();
        stopFollowingMembership();
        stopMediaRetention();
        stopAnchoring();
        await Promise.allSettled([clientApp.close(), federationApp.close()]);
        await sender.stop();
        await transport.close();
        await context.media.blobs.close?.();
        await database.close();
        logger.info('Cairn stopped');
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
