// `cairn verify-room`, the checks themselves (no I/O: blocks, the chain's epochs and the archive
// come in through the arguments). From the chain and IPFS alone: every anchored epoch's document
// matches its on-chain root (recomputed over its leaves), epochs and each room's snapshots link
// back in order. From the events a server (or a CAR file) serves: every event's id and content
// hash recompute from its PDU, prev_events links match, and every head ever anchored is reached
// from the current heads, so the history shown extends what was anchored. The first broken link
// is named.
import type { CID } from 'multiformats/cid';
import { encodeCanonicalJson } from '../core/canonical-json.ts';
import { computeEventId } from '../core/event-id.ts';
import { canonicalJsonOptionsFor, checkContentHash } from '../core/hashes.ts';
import type { Pdu } from '../core/pdu.ts';
import { redactEvent } from '../core/redaction.ts';
import { getRoomVersion } from '../core/room-versions.ts';
import type { AnchoredOnChain } from './chain-anchorer.ts';
import { decodeEpoch } from './epoch-document.ts';
import { decodeEventBlock, type RoomArchiveRoot } from './event-block.ts';
import { merkleRoot } from './merkle-tree.ts';
import { decodeSnapshot } from './snapshot-document.ts';

export interface VerifyInputs {
  readonly roomId: string;
  /** The contract's Anchored events, oldest first. */
  readonly anchored: readonly AnchoredOnChain[];
  /** A block by CID; callers check that the bytes hash to the CID. */
  getBlock(cid: CID | string): Promise<Uint8Array>;
  readonly archive: {
    readonly root: RoomArchiveRoot;
    getEventBlock(cid: CID): Promise<Uint8Array>;
    /**
     * How many event blocks the archive holds (a CAR file): every one must be reachable from the
     * heads. Unknown for an archive read from IPFS by its root.
     */
    readonly eventBlockCount?: number;
  };
  onProgress?(stage: 'epochs' | 'events', done: number, total: number | undefined): void;
}

export type VerifyResult =
  | {
      readonly ok: true;
      readonly epochs: number;
      readonly snapshots: number;
      readonly events: number;
      readonly redacted: number;
      /** prev_events the server never held (history from before it joined). */
      readonly historyBoundary: number;
    }
  | { readonly ok: false; readonly brokenLink: string; readonly eventId?: string };

class BrokenLink extends Error {
  readonly eventId: string | undefined;
  constructor(message: string, eventId?: string) {
    super(message);
    this.eventId = eventId;
  }
}

export async function verifyRoomHistory(inputs: VerifyInputs): Promise<VerifyResult> {
  try {
    return await verify(inputs);
  } catch (err) {
    if (err instanceof BrokenLink) {
      return {
        ok: false,
        brokenLink: err.message,
        ...(err.eventId ? { eventId: err.eventId } : {}),
      };
    }
    throw err;
  }
}

interface AnchoredHead {
  readonly eventId: string;
  readonly epoch: number;
}

async function verify(inputs: VerifyInputs): Promise<VerifyResult> {
  const anchoredHeads: AnchoredHead[] = [];
  let previousEpochCid: string | null = null;
  let previousSnapshotCid: string | null = null;
  let snapshots = 0;
  for (const [i, onChain] of inputs.anchored.entries()) {
    if (onChain.epoch !== i + 1) {
      throw new BrokenLink(`the chain's epochs skip from ${i} to ${onChain.epoch}`);
    }
    const epoch = decodeEpoch(await inputs.getBlock(onChain.epochCid));
    if (epoch.epoch !== onChain.epoch) {
      throw new BrokenLink(
        `epoch document ${onChain.epochCid} says epoch ${epoch.epoch}, the chain ${onChain.epoch}`,
      );
    }
    const leaves = epoch.rooms.map((room) => ({
      roomId: room.roomId,
      cid: room.snapshot.toString(),
    }));
    const root = merkleRoot(leaves);
    if (
      root.toLowerCase() !== onChain.merkleRoot.toLowerCase() ||
      epoch.merkleRoot.toLowerCase() !== root.toLowerCase()
    ) {
      throw new BrokenLink(
        `epoch ${onChain.epoch}: its rooms do not hash to the anchored Merkle root`,
      );
    }
    if ((epoch.previous?.toString() ?? null) !== previousEpochCid) {
      throw new BrokenLink(`epoch ${onChain.epoch} does not link to epoch ${onChain.epoch - 1}`);
    }
    previousEpochCid = onChain.epochCid;
    const mine = epoch.rooms.find((room) => room.roomId === inputs.roomId);
    if (mine) {
      const snapshot = decodeSnapshot(await inputs.getBlock(mine.snapshot));
      if (snapshot.roomId !== inputs.roomId || snapshot.epoch !== onChain.epoch) {
        throw new BrokenLink(`the snapshot in epoch ${onChain.epoch} is not this room's`);
      }
      if ((snapshot.previous?.toString() ?? null) !== previousSnapshotCid) {
        throw new BrokenLink(
          `the room's snapshot in epoch ${onChain.epoch} does not link to its previous one`,
        );
      }
      previousSnapshotCid = mine.snapshot.toString();
      snapshots += 1;
      for (const head of snapshot.heads)
        anchoredHeads.push({ eventId: head.eventId, epoch: onChain.epoch });
    }
    inputs.onProgress?.('epochs', i + 1, inputs.anchored.length);
  }

  const { root } = inputs.archive;
  if (root.roomId !== inputs.roomId) throw new BrokenLink(`the archive is of ${root.roomId}`);
  const version = getRoomVersion(root.roomVersion);
  if (!version)
    throw new BrokenLink(`room version ${root.roomVersion} is not known to this verifier`);
  const missing = new Set(root.missing);
  const reached = new Set<string>();
  const queue: CID[] = [...root.heads];
  const queued = new Set(queue.map((cid) => cid.toString()));
  let redacted = 0;
  let sawCreate = false;
  /** Blocks decoded as someone's prev, waiting for their turn; ids of blocks already walked. */
  const decoded = new Map<string, ReturnType<typeof decodeEventBlock>>();
  const idOf = new Map<string, string>();
  /** Missing prev_events met on the walk, and an event citing each. */
  const citedMissing = new Map<string, string>();
  while (queue.length > 0) {
    const cid = queue.pop() as CID;
    const key = cid.toString();
    const block = decoded.get(key) ?? decodeEventBlock(await inputs.archive.getEventBlock(cid));
    decoded.delete(key);
    let pdu: Pdu;
    try {
      pdu = JSON.parse(block.pdu) as Pdu;
    } catch {
      throw new BrokenLink(`event ${block.eventId} is not JSON`, block.eventId);
    }
    if (computeEventId(version, pdu) !== block.eventId) {
      throw new BrokenLink(
        `event ${block.eventId}: its content does not hash to its id`,
        block.eventId,
      );
    }
    if (!checkContentHash(pdu, canonicalJsonOptionsFor(version))) {
      // Kept redacted (as the spec has servers keep redacted events): only the redacted form
      // may differ from the hash; anything else is altered content.
      const { unsigned: _unsigned, ...withoutUnsigned } = pdu;
      if (encodeCanonicalJson(redactEvent(version, pdu)) !== encodeCanonicalJson(withoutUnsigned)) {
        throw new BrokenLink(
          `event ${block.eventId}: its content was altered (content hash mismatch)`,
          block.eventId,
        );
      }
      redacted += 1;
    }
    if (pdu.type === 'm.room.create') sawCreate = true;
    reached.add(block.eventId);
    const prevIds = Array.isArray(pdu.prev_events) ? (pdu.prev_events as string[]) : [];
    const linked = new Map<string, CID>();
    for (const prevCid of block.prev) {
      const prevKey = prevCid.toString();
      let prevId = decoded.get(prevKey)?.eventId ?? idOf.get(prevKey);
      if (prevId === undefined) {
        // Decoded once: kept until its own turn in the walk.
        const prev = decodeEventBlock(await inputs.archive.getEventBlock(prevCid));
        decoded.set(prevKey, prev);
        prevId = prev.eventId;
      }
      linked.set(prevId, prevCid);
    }
    idOf.set(key, block.eventId);
    for (const prevId of prevIds) {
      const prevCid = linked.get(prevId);
      if (!prevCid) {
        if (missing.has(prevId)) {
          if (!citedMissing.has(prevId)) citedMissing.set(prevId, block.eventId);
          continue;
        }
        throw new BrokenLink(
          `event ${block.eventId} cites ${prevId}, which the archive lacks`,
          prevId,
        );
      }
      if (!queued.has(prevCid.toString())) {
        queued.add(prevCid.toString());
        queue.push(prevCid);
      }
    }
    if (
      linked.size !== block.prev.length ||
      [...linked.keys()].some((id) => !prevIds.includes(id))
    ) {
      throw new BrokenLink(
        `event ${block.eventId}: its links are not its prev_events`,
        block.eventId,
      );
    }
    inputs.onProgress?.('events', reached.size, undefined);
  }

  for (const head of anchoredHeads) {
    if (reached.has(head.eventId)) continue;
    if (missing.has(head.eventId)) {
      throw new BrokenLink(
        `event ${head.eventId}, anchored as a head in epoch ${head.epoch}, is missing from the history`,
        head.eventId,
      );
    }
    const [gap, citedBy] = [...citedMissing.entries()][0] ?? [];
    if (gap !== undefined) {
      throw new BrokenLink(
        `event ${gap} (cited by ${citedBy}) is missing from the history, so event ${head.eventId}, anchored as a head in epoch ${head.epoch}, cannot be reached`,
        gap,
      );
    }
    throw new BrokenLink(
      `event ${head.eventId}, anchored as a head in epoch ${head.epoch}, is not an ancestor of the current heads: the history was rewritten`,
      head.eventId,
    );
  }
  // Events held but cut off from the heads: a missing event between them (deleted).
  const held = inputs.archive.eventBlockCount;
  if (held !== undefined && reached.size < held) {
    const [gap, citedBy] = [...citedMissing.entries()][0] ?? [];
    const cutOff = held - reached.size;
    if (gap !== undefined) {
      throw new BrokenLink(
        `event ${gap} (cited by ${citedBy}) is missing from the history: ${cutOff} older events are cut off from the current heads`,
        gap,
      );
    }
    throw new BrokenLink(`${cutOff} events of the archive are not connected to the current heads`);
  }
  // A room created here has its whole history: nothing before its create event is missing.
  if (sawCreate && missing.size > 0) {
    const first = [...missing].sort()[0] as string;
    throw new BrokenLink(
      `event ${first} is missing from the history (cited by later events)`,
      first,
    );
  }
  return {
    ok: true,
    epochs: inputs.anchored.length,
    snapshots,
    events: reached.size,
    redacted,
    historyBoundary: missing.size,
  };
}
