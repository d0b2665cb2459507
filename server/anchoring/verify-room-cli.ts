// `cairn verify-room <roomId> --server URL`: checks a room's history against its anchors using
// the chain (--rpc, --contract), IPFS (--ipfs-api, or the server's /_cairn/v1/blocks: blocks are
// checked against their CIDs either way) and the room's events (the server's archive.car, or a
// CAR file given with --car). Exits 0 when intact, 1 naming the first broken link, 2 when it
// could not run. Works for any Cairn server's rooms: only public HTTP APIs are used.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CID } from 'multiformats/cid';
import { loadCarFile } from './car-file.ts';
import { openChainReader } from './chain-anchorer.ts';
import { decodeArchiveRoot } from './event-block.ts';
import { verifyBlock } from './ipld-block-store.ts';
import { createKuboBlockStore } from './kubo-block-store.ts';
import { type VerifyInputs, verifyRoomHistory } from './verify-room-history.ts';

export interface VerifyRoomOptions {
  readonly roomId: string;
  readonly server: string | undefined;
  readonly accessToken: string | undefined;
  readonly car: string | undefined;
  readonly rpcUrl: string | undefined;
  readonly contract: string | undefined;
  readonly ipfsApi: string | undefined;
  /** An archive root CID: the events are read from IPFS (or the server's blocks), not a CAR. */
  readonly archive: string | undefined;
}

export async function verifyRoomFromCli(options: VerifyRoomOptions): Promise<number> {
  const { roomId } = options;
  const server = options.server?.replace(/\/+$/, '');
  const headers: Record<string, string> = options.accessToken
    ? { authorization: `Bearer ${options.accessToken}` }
    : {};
  const rpcUrl = options.rpcUrl ?? process.env.CAIRN_CHAIN_RPC_URL;
  let contract = options.contract ?? process.env.CAIRN_ANCHOR_CONTRACT;
  if (!rpcUrl) return fail('give the chain with --rpc URL (or CAIRN_CHAIN_RPC_URL)');
  if (!contract) {
    if (!server) return fail('give --contract ADDRESS or --server URL');
    const published = (await getJson(`${server}/_cairn/v1/anchors`, headers)) as {
      contract?: string;
    };
    if (!published.contract) return fail(`${server} names no anchor contract`);
    contract = published.contract;
    process.stderr.write(
      `using the contract ${server} names: ${contract} (pass --contract to pin it)\n`,
    );
  }

  const kubo = options.ipfsApi ? createKuboBlockStore(options.ipfsApi) : undefined;
  const getBlock = async (cid: CID | string): Promise<Uint8Array> => {
    const parsed = typeof cid === 'string' ? CID.parse(cid) : cid;
    if (kubo) return kubo.get(parsed);
    if (!server) throw new Error('give --ipfs-api URL or --server URL to fetch blocks');
    const response = await fetch(`${server}/_cairn/v1/blocks/${parsed.toString()}`, { headers });
    if (!response.ok)
      throw new Error(`block ${parsed} not available from ${server}: ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    verifyBlock(parsed, bytes);
    return bytes;
  };

  // The events: an archive on IPFS by its root, a CAR file, or the server's archive saved to a
  // temporary CAR file.
  let archive: VerifyInputs['archive'];
  let scratch: string | undefined;
  if (options.archive) {
    const root = decodeArchiveRoot(await getBlock(options.archive));
    archive = { root, getEventBlock: (cid) => getBlock(cid) };
  } else {
    let carPath = options.car;
    if (!carPath) {
      if (!server) return fail('give --server URL, --car FILE or --archive CID');
      scratch = mkdtempSync(join(tmpdir(), 'cairn-verify-'));
      carPath = join(scratch, 'room.car');
      const response = await fetch(
        `${server}/_cairn/v1/rooms/${encodeURIComponent(roomId)}/archive.car`,
        { headers },
      );
      if (!response.ok) {
        return fail(
          `${server} refused the room's archive: ${response.status} ${await response.text()}`,
        );
      }
      writeFileSync(carPath, Buffer.from(await response.arrayBuffer()));
    }
    const car = await loadCarFile(carPath);
    const rootCid = car.roots[0];
    if (!rootCid) return fail('the CAR file has no root');
    archive = {
      root: decodeArchiveRoot(await car.get(rootCid)),
      getEventBlock: (cid) => car.get(cid),
      // Every block but the root is an event.
      eventBlockCount: [...car.blocks.keys()].filter((key) => key !== rootCid.toString()).length,
    };
  }
  try {
    const chain = await openChainReader(rpcUrl, contract);
    let anchored: Awaited<ReturnType<typeof chain.anchoredEpochs>>;
    try {
      anchored = await chain.anchoredEpochs();
    } finally {
      chain.close();
    }
    const progress = progressBar();
    const result = await verifyRoomHistory({
      roomId,
      anchored,
      getBlock,
      archive,
      onProgress: progress.update,
    });
    progress.done();
    await kubo?.close?.();
    if (!result.ok) {
      process.stdout.write(`BROKEN: ${result.brokenLink}\n`);
      return 1;
    }
    process.stdout.write(
      `OK: ${roomId} is intact: ${result.epochs} anchored epochs on chain ${chain.chainId}, ${result.snapshots} snapshots of this room, ${result.events} events checked (${result.redacted} redacted${result.historyBoundary > 0 ? `, ${result.historyBoundary} prev_events from before this server joined` : ''})\n`,
    );
    return 0;
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

async function getJson(url: string, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

function fail(message: string): number {
  process.stderr.write(`cairn verify-room: ${message}\n`);
  return 2;
}

/** A one-line progress display on stderr (only on a terminal), redrawn at most 10 times a second. */
function progressBar() {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return {
    update(stage: 'epochs' | 'events', done: number, total: number | undefined) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      const width = 30;
      const bar =
        total === undefined
          ? ''
          : `[${'#'.repeat(Math.round((done / total) * width)).padEnd(width, ' ')}] `;
      process.stderr.write(`\r${stage}: ${bar}${done}${total === undefined ? '' : `/${total}`}   `);
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}
