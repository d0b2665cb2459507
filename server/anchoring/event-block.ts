// A room's events as IPLD blocks (the archive, and what `cairn export-room` writes as a CAR):
// each event's PDU exactly as stored (canonical JSON bytes, so its event id and content hash can
// be recomputed) with links to the blocks of its prev_events, so the blocks form the room's DAG.
// The archive's root names the room, its current heads and the prev_events this server never
// held (history from before it joined).
import * as dagJson from '@ipld/dag-json';
import type { CID } from 'multiformats/cid';
import {
  Checker,
  decodeCanonical,
  type EncodedBlock,
  encodeBlock,
  isDocumentLink,
} from './snapshot-document.ts';

export const EVENT_BLOCK_TYPE = 'cairn.event';
export const ARCHIVE_TYPE = 'cairn.room-archive';

export interface EventBlock {
  readonly eventId: string;
  /** The PDU as stored: canonical JSON text. */
  readonly pdu: string;
  /** Blocks of the prev_events this archive holds, in the PDU's order. */
  readonly prev: readonly CID[];
}

export interface RoomArchiveRoot {
  readonly roomId: string;
  readonly roomVersion: string;
  readonly heads: readonly CID[];
  /** prev_events the server does not have (before it joined), sorted. */
  readonly missing: readonly string[];
}

export function encodeEventBlock(event: EventBlock): EncodedBlock {
  return encodeBlock({
    type: EVENT_BLOCK_TYPE,
    v: 1,
    eventId: event.eventId,
    pdu: new TextEncoder().encode(event.pdu),
    prev: [...event.prev],
  });
}

export function decodeEventBlock(bytes: Uint8Array): EventBlock {
  const check: Checker = new Checker('event block');
  // Not decodeCanonical: re-encoding every block to compare bytes was a third of verify-room's
  // time, and buys nothing here: the bytes are checked against their CID by whoever fetched
  // them, and the event id is recomputed from the PDU inside.
  let decoded: unknown;
  try {
    decoded = dagJson.decode(bytes);
  } catch (error) {
    check.fail(`not dag-json (${(error as Error).message})`);
  }
  const value = check.record(decoded, 'document');
  check.exactKeys(value, ['type', 'v', 'eventId', 'pdu', 'prev']);
  if (value.type !== EVENT_BLOCK_TYPE || value.v !== 1) check.fail('not a cairn.event v1 block');
  if (typeof value.eventId !== 'string') check.fail('eventId must be a string');
  if (!(value.pdu instanceof Uint8Array)) check.fail('pdu must be bytes');
  const prev = check.array(value.prev, 'prev').map((link, i) => asLink(check, link, `prev[${i}]`));
  let pdu: string;
  try {
    pdu = new TextDecoder('utf-8', { fatal: true }).decode(value.pdu);
  } catch {
    check.fail('pdu is not UTF-8');
  }
  return { eventId: value.eventId, pdu, prev };
}

export function encodeArchiveRoot(root: RoomArchiveRoot): EncodedBlock {
  return encodeBlock({
    type: ARCHIVE_TYPE,
    v: 1,
    roomId: root.roomId,
    roomVersion: root.roomVersion,
    heads: [...root.heads],
    missing: [...root.missing].sort(),
  });
}

export function decodeArchiveRoot(bytes: Uint8Array): RoomArchiveRoot {
  const check: Checker = new Checker('room archive root');
  const value = check.record(decodeCanonical(bytes, check), 'document');
  check.exactKeys(value, ['type', 'v', 'roomId', 'roomVersion', 'heads', 'missing']);
  if (value.type !== ARCHIVE_TYPE || value.v !== 1) check.fail('not a cairn.room-archive v1 block');
  if (typeof value.roomId !== 'string' || typeof value.roomVersion !== 'string') {
    check.fail('roomId and roomVersion must be strings');
  }
  const heads = check
    .array(value.heads, 'heads')
    .map((link, i) => asLink(check, link, `heads[${i}]`));
  const missing = check.array(value.missing, 'missing').map((id, i) => {
    if (typeof id !== 'string') check.fail(`missing[${i}] must be a string`);
    return id;
  });
  return { roomId: value.roomId, roomVersion: value.roomVersion, heads, missing };
}

function asLink(check: Checker, value: unknown, at: string): CID {
  const cid = value as CID;
  if (
    typeof value !== 'object' ||
    value === null ||
    (value as { asCID?: unknown }).asCID !== value ||
    !isDocumentLink(cid)
  ) {
    check.fail(`${at} must be a link to a dag-json block`);
  }
  return cid;
}
