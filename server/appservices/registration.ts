// An application service registration as the server uses it: read from a YAML file by
// load-registrations.ts, its namespaces compiled, its as_token kept as a digest for lookups.
// https://spec.matrix.org/latest/application-service-api/#registration
import type { Namespaces } from './namespaces.ts';

export interface AppServiceRegistration {
  /** The file it came from, for messages. */
  readonly file: string;
  readonly id: string;
  /** Where transactions would go; null: the service wants no traffic. (Not pushed yet.) */
  readonly url: string | null;
  readonly asToken: string;
  readonly hsToken: string;
  readonly senderLocalpart: string;
  /** `@sender_localpart:server_name`, created at start if missing. */
  readonly senderUserId: string;
  readonly namespaces: Namespaces;
  /** Whether masqueraded users are rate limited (the sender never is). Default true. */
  readonly rateLimited: boolean;
  readonly protocols: readonly string[];
}
