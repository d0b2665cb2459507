// Which member events each device has been sent, so lazy-loading can leave out redundant ones
// (`include_redundant_members: false`). An entry counts only once the client has acknowledged the
// response that carried it, by syncing from a token at or after that response's position: a
// response lost on the way does not make its members redundant. In memory only; after a restart
// members are simply sent again, which the spec allows.
// https://spec.matrix.org/latest/client-server-api/#lazy-loading-room-members

interface Sent {
  readonly eventId: string;
  /** Events stream position of the first response that carried this event. */
  readonly position: number;
}

/** Devices remembered; the least recently syncing are forgotten first. */
const MAX_DEVICES = 10_000;

export class SentMembersCache {
  readonly #devices = new Map<string, Map<string, Map<string, Sent>>>();

  /** Whether `eventId` for `memberId` reached the device in a response at or before `since`. */
  isRedundant(
    device: string,
    roomId: string,
    memberId: string,
    eventId: string,
    since: number | undefined,
  ): boolean {
    if (since === undefined) return false;
    const sent = this.#devices.get(device)?.get(roomId)?.get(memberId);
    return sent !== undefined && sent.eventId === eventId && sent.position <= since;
  }

  record(
    device: string,
    roomId: string,
    members: Iterable<readonly [memberId: string, eventId: string]>,
    position: number,
  ): void {
    let rooms = this.#devices.get(device);
    if (rooms) this.#devices.delete(device);
    rooms ??= new Map();
    this.#devices.set(device, rooms);
    if (this.#devices.size > MAX_DEVICES) {
      this.#devices.delete(this.#devices.keys().next().value as string);
    }
    let room = rooms.get(roomId);
    if (!room) {
      room = new Map();
      rooms.set(roomId, room);
    }
    for (const [memberId, eventId] of members) {
      // Sending the same event again keeps the earlier position, which is acknowledged sooner.
      if (room.get(memberId)?.eventId === eventId) continue;
      room.set(memberId, { eventId, position });
    }
  }
}
