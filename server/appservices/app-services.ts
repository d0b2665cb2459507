// The application services this server knows, from their registration files: which one a token
// belongs to, and who claims a user id. Built once at start and kept in the Context.
// https://spec.matrix.org/latest/application-service-api/
import { createHash, timingSafeEqual } from 'node:crypto';
import { inExclusiveNamespace, inNamespace } from './namespaces.ts';
import type { AppServiceRegistration } from './registration.ts';

/** Users whose application service device is known to exist; past this the record restarts. */
const MAX_KNOWN_DEVICES = 100_000;

export interface AppServices {
  readonly registrations: readonly AppServiceRegistration[];
  /** The registration whose as_token `token` is, or undefined (an ordinary access token). */
  byToken(token: string): AppServiceRegistration | undefined;
  /** The registrations that claim `userId` exclusively. */
  exclusiveClaimants(userId: string): AppServiceRegistration[];
  /** Users whose fixed application service device was created (assert-identity.ts). */
  readonly knownDevices: KnownDevices;
}

/** A memo of users whose device exists, so a request costs no insert; bounded, it only forgets. */
export class KnownDevices {
  readonly #users = new Set<string>();

  has(userId: string): boolean {
    return this.#users.has(userId);
  }

  add(userId: string): void {
    if (this.#users.size >= MAX_KNOWN_DEVICES) this.#users.clear();
    this.#users.add(userId);
  }
}

export function createAppServices(registrations: readonly AppServiceRegistration[]): AppServices {
  const digests = registrations.map((registration) => digestOf(registration.asToken));
  return {
    registrations,
    byToken(token) {
      // Equal-length digests, compared in constant time, every one of them: neither the time of
      // a comparison nor the number made tells an attacker how much of a token matched.
      const digest = digestOf(token);
      let found: AppServiceRegistration | undefined;
      for (const [index, registration] of registrations.entries()) {
        const equal = timingSafeEqual(digest, digests[index]!);
        if (equal && found === undefined) found = registration;
      }
      return found;
    },
    exclusiveClaimants(userId) {
      return registrations.filter((r) => inExclusiveNamespace(r.namespaces.users, userId));
    },
    knownDevices: new KnownDevices(),
  };
}

/** Whether `userId` is the registration's sender or in its users namespace. */
export function isAppServiceUser(registration: AppServiceRegistration, userId: string): boolean {
  return userId === registration.senderUserId || inNamespace(registration.namespaces.users, userId);
}

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
