// The client calls the federation bench makes, as plain HTTP requests with an access token
// (BenchHomeserver.call), so no client library's overhead is in the figures.
import type { BenchAccount, BenchHomeserver } from './federated-pair.ts';

const enc = encodeURIComponent;

/**
 * Registers through the public POST /register (registration is open on these servers, rate
 * limits are off) with the dummy stage and no password: no scrypt hash, which would cost tens of
 * milliseconds of CPU per account and measure nothing the bench is about.
 */
export async function register(hs: BenchHomeserver, localpart: string): Promise<BenchAccount> {
  const registered = await hs.call('POST', '/_matrix/client/v3/register', null, {
    username: localpart,
    auth: { type: 'm.login.dummy' },
    initial_device_display_name: 'bench',
  });
  return { userId: registered.user_id as string, token: registered.access_token as string };
}

export function syncFilter(room: object): string {
  return JSON.stringify({ room, presence: { types: [] }, account_data: { types: [] } });
}

export function sync(
  hs: BenchHomeserver,
  account: BenchAccount,
  filter: string,
  since?: string,
  timeoutMs?: number,
): Promise<Record<string, unknown>> {
  const query = new URLSearchParams({ filter });
  if (since !== undefined) query.set('since', since);
  if (timeoutMs !== undefined) query.set('timeout', String(timeoutMs));
  return hs.call('GET', `/_matrix/client/v3/sync?${query}`, account.token);
}

export async function createRoom(hs: BenchHomeserver, creator: BenchAccount): Promise<string> {
  const created = await hs.call('POST', '/_matrix/client/v3/createRoom', creator.token, {
    preset: 'public_chat',
  });
  return created.room_id as string;
}

export async function join(
  hs: BenchHomeserver,
  user: BenchAccount,
  roomId: string,
  through?: string,
): Promise<void> {
  const query = through === undefined ? '' : `?server_name=${enc(through)}`;
  await hs.call('POST', `/_matrix/client/v3/join/${enc(roomId)}${query}`, user.token, {});
}

let txn = 0;

export async function send(hs: BenchHomeserver, user: BenchAccount, roomId: string, body: string) {
  await hs.call(
    'PUT',
    `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/f${txn++}`,
    user.token,
    { msgtype: 'm.text', body },
  );
}
