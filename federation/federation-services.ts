// The outbound side of federation every part of the server may use: the signed client and the
// store of other servers' keys. Built once at start (server/start.ts) and kept on the context.
import type { WrittenReceipt } from '../server/ephemeral/set-receipt.ts';
import type { OutboundEdu } from '../server/storage/federation-queue.ts';
import type { ServerKeyStore } from './keys/remote-keys.ts';
import type { InviteExchange } from './rooms/send-invite.ts';
import type { QueueEduOptions } from './sender/federation-sender.ts';
import type { FederationClient } from './transport/federation-client.ts';

export interface FederationServices {
  /** Requests to other servers, signed with X-Matrix (federation/transport/). */
  readonly client: FederationClient;
  /** Other servers' signing keys: cached, fetched, checked (keys/remote-keys.ts). */
  readonly serverKeys: ServerKeyStore;
  /** Gets an invite of another server's user countersigned by that server (rooms/send-invite.ts). */
  readonly exchangeInvite: InviteExchange;
  /**
   * Fetches up to `limit` events older than the oldest this server has of the room from servers
   * in it (rooms/backfill-room.ts); resolves to how many were added.
   */
  readonly backfill: (roomId: string, limit: number) => Promise<number>;
  /** What the sender (sender/federation-sender.ts) is told besides room events. */
  readonly outbound: OutboundHooks;
}

export interface OutboundHooks {
  /** A local user's receipt was stored: servers in the room hear of it. */
  receiptWritten(receipt: WrittenReceipt): void;
  /** A server just talked to us: it is up, so what waits for it goes now. */
  peerIsUp(serverName: string): void;
  /** Sends an EDU to one server (persisted ones survive a restart), e.g. m.direct_to_device. */
  queueEdu(destination: string, edu: OutboundEdu, options: QueueEduOptions): Promise<void>;
  /**
   * A remote user's membership event that came to us through send_join, send_leave or
   * send_knock: its server could not send it to the room's other servers itself, so we do
   * (persisted in the queue like our own events). `origin` does not get it back.
   */
  relayPdu(roomId: string, eventId: string, origin: string): Promise<void>;
  /**
   * Our user's join reached the room through send_join: the resident server sends it on to the
   * others (as we do in relayPdu), so the sender does not send it again. In memory: after a
   * restart it may go out once more, which receivers take as a duplicate.
   */
  sentThroughHandshake(eventId: string): void;
}

/** For contexts with no sender. */
export const noOutbound: OutboundHooks = {
  receiptWritten: () => {},
  peerIsUp: () => {},
  queueEdu: () => Promise.resolve(),
  relayPdu: () => Promise.resolve(),
  sentThroughHandshake: () => {},
};

/** For contexts with no network (unit tests): every request fails as unreachable. */
export const unreachableFederationClient: FederationClient = {
  request: (destination) => Promise.reject(new Error(`${destination}: no federation client`)),
  stream: (destination) => Promise.reject(new Error(`${destination}: no federation client`)),
  streamUrl: (destination) => Promise.reject(new Error(`${destination}: no federation client`)),
};

/** For contexts with no network: invites of other servers' users are refused. */
export const noInviteExchange: InviteExchange = (_version, invite) =>
  Promise.reject(new Error(`no federation client to invite ${String(invite.pdu.state_key)}`));
