// Which servers a local event is sent to: every other server with a joined member in the room
// (server/storage/room-servers.ts), and, for a membership event about a remote user (an invite,
// a kick, a ban), that user's server too: it may have no member left in the room to hear of it.
//
// The room's servers are those of its current state when the event is queued that were in the
// room at the event already (catch-up.ts): the state at each event is not read for this.
// https://spec.matrix.org/latest/server-server-api/#transactions
import { serverNameOfUser } from '../../server/storage/room-servers.ts';

export interface EventForDestinations {
  readonly type: string;
  readonly stateKey: string | null;
}

export function destinationsOfEvent(
  event: EventForDestinations,
  joinedServers: readonly string[],
  ourServer: string,
): string[] {
  const destinations = new Set(joinedServers);
  if (event.type === 'm.room.member' && event.stateKey?.startsWith('@')) {
    destinations.add(serverNameOfUser(event.stateKey));
  }
  destinations.delete(ourServer);
  return [...destinations].sort();
}
