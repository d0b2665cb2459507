// Which user a login (or an m.login.password UIA stage) names: an `m.id.user` identifier with a
// full user id or a localpart, or the deprecated top-level `user` field.
// https://spec.matrix.org/latest/client-server-api/#identifier-types
import { forbidden, MatrixError } from '../http/matrix-error.ts';

export interface LoginIdentifierFields {
  identifier?: unknown;
  user?: unknown;
  medium?: unknown;
  address?: unknown;
}

/** Returns the full local user id named, or throws the error the client should get. */
export function userIdOfLogin(fields: LoginIdentifierFields, serverName: string): string {
  const identifier = fields.identifier;
  if (identifier !== undefined) {
    if (typeof identifier !== 'object' || identifier === null || Array.isArray(identifier)) {
      throw new MatrixError(400, 'M_BAD_JSON', 'identifier must be an object');
    }
    const { type, user } = identifier as Record<string, unknown>;
    if (type === 'm.id.user') {
      if (typeof user !== 'string') {
        throw new MatrixError(400, 'M_BAD_JSON', 'identifier.user must be a string');
      }
      return localUserId(user, serverName);
    }
    if (type === 'm.id.thirdparty' || type === 'm.id.phone') {
      // No third-party identifiers are ever bound to accounts here; the spec asks for 403.
      throw forbidden('Unknown third-party identifier');
    }
    throw new MatrixError(400, 'M_UNKNOWN', `Unknown identifier type ${String(type)}`);
  }
  if (typeof fields.user === 'string') return localUserId(fields.user, serverName);
  if (fields.medium !== undefined || fields.address !== undefined) {
    throw forbidden('Unknown third-party identifier');
  }
  throw new MatrixError(400, 'M_BAD_JSON', 'Missing field: identifier');
}

// Localparts are registered lower-case, so the lookup is case-insensitive in effect.
function localUserId(user: string, serverName: string): string {
  if (!user.startsWith('@')) return `@${user.toLowerCase()}:${serverName}`;
  const colon = user.indexOf(':');
  const server = colon < 0 ? '' : user.slice(colon + 1);
  if (server !== serverName) throw forbidden('Invalid username or password');
  return `@${user.slice(1, colon).toLowerCase()}:${serverName}`;
}
