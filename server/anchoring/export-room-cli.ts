// `cairn export-room <roomId> --server URL --car out.car`: saves the room's archive (its events
// as IPLD blocks linked by prev_events, server/anchoring/room-archive.ts) as a CAR file, which
// `cairn verify-room --car` checks and any IPFS node can import (`ipfs dag import`).
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export async function exportRoomFromCli(options: {
  readonly roomId: string;
  readonly server: string | undefined;
  readonly accessToken: string | undefined;
  readonly car: string | undefined;
}): Promise<number> {
  if (!options.server || !options.car) {
    process.stderr.write('cairn export-room: give --server URL and --car FILE\n');
    return 2;
  }
  const url = `${options.server.replace(/\/+$/, '')}/_cairn/v1/rooms/${encodeURIComponent(options.roomId)}/archive.car`;
  const response = await fetch(url, {
    headers: options.accessToken ? { authorization: `Bearer ${options.accessToken}` } : {},
  });
  if (!response.ok || !response.body) {
    process.stderr.write(`cairn export-room: ${response.status} ${await response.text()}\n`);
    return 1;
  }
  await pipeline(Readable.fromWeb(response.body), createWriteStream(options.car));
  process.stdout.write(`wrote ${options.car}\n`);
  return 0;
}
