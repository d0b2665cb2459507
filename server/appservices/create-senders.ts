// At start: each application service's sender (`@sender_localpart:server_name`) gets an account if
// it has none, passwordless, so the service can act as it from its first request.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { registerLocalUser } from '../accounts/register-local-user.ts';
import type { Database } from '../storage/schema.ts';
import { getUserById } from '../storage/users.ts';
import type { AppServices } from './app-services.ts';

export interface SenderDeps {
  readonly db: Kysely<Database>;
  readonly serverName: string;
  readonly now: () => number;
  readonly logger: Logger;
}

export async function createAppServiceSenders(
  deps: SenderDeps,
  appServices: AppServices,
): Promise<void> {
  for (const registration of appServices.registrations) {
    if (await getUserById(deps.db, registration.senderUserId)) continue;
    await registerLocalUser(deps, {
      localpart: registration.senderLocalpart,
      password: null,
      admin: false,
    });
    deps.logger.info(
      { appService: registration.id, userId: registration.senderUserId },
      'Created application service sender',
    );
  }
}
