// What the account data endpoints share: only the owner may read or write, some types belong to
// the server, and per-room data needs a room id.
import { forbidden, invalidParam, MatrixError } from '../../http/matrix-error.ts';
import { checkIgnoredUserList, IGNORED_USER_LIST } from '../../sync/ignored-users.ts';

// Set through their own APIs (read markers, push rules), never directly (spec: 405 M_BAD_JSON).
const SERVER_MANAGED_TYPES = new Set(['m.fully_read', 'm.push_rules']);

export function requireOwnAccountData(requesterId: string, userId: string): void {
  if (requesterId !== userId) throw forbidden("Cannot access another user's account data");
}

export function requireClientWritableType(type: string): void {
  if (SERVER_MANAGED_TYPES.has(type)) {
    throw new MatrixError(405, 'M_BAD_JSON', `Cannot set ${type} through this API`);
  }
}

/** Global account data the server acts on must have the shape it reads (400 M_BAD_JSON). */
export function checkGlobalContent(type: string, content: Record<string, unknown>): void {
  if (type === IGNORED_USER_LIST) checkIgnoredUserList(content);
}

/** Room ids start with `!` (room version 12 ones have no server part, so nothing more is checked). */
export function requireRoomId(roomId: string): void {
  if (!roomId.startsWith('!')) throw invalidParam(`${roomId} is not a valid room ID`);
}
