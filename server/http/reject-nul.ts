// A NUL character in a path parameter or query string is refused with 400 M_INVALID_PARAM before
// any handler runs. No Matrix identifier holds one, and PostgreSQL refuses it in a text value, so
// left in, `/rooms/%00/state` became a database error and a 500 (found by the endpoint fuzzer,
// conformance-tests/security/fuzz-client-endpoints.test.ts).
import type { FastifyInstance } from 'fastify';
import { invalidParam } from './matrix-error.ts';

function holdsNul(values: unknown): boolean {
  if (typeof values !== 'object' || values === null) return false;
  for (const value of Object.values(values)) {
    if (typeof value === 'string' && value.includes('\u0000')) return true;
    if (
      Array.isArray(value) &&
      value.some((each) => typeof each === 'string' && each.includes('\u0000'))
    ) {
      return true;
    }
  }
  return false;
}

export function useNulRejection(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (holdsNul(request.params) || holdsNul(request.query)) {
      throw invalidParam('A path parameter or query parameter holds a NUL character');
    }
  });
}
