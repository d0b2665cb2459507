// Cairn's anchoring API (/_cairn/v1/...): publication of epochs and room snapshot chains, blocks
// for verifiers, room archives, and an admin's anchoring pass on demand.
import { getAnchors } from './get-anchors.ts';
import { getBlock } from './get-block.ts';
import { getRoomAnchors } from './get-room-anchors.ts';
import { getRoomArchive } from './get-room-archive.ts';
import { postAnchorEpoch } from './post-anchor-epoch.ts';

export const anchoringEndpoints = [
  getAnchors,
  getRoomAnchors,
  postAnchorEpoch,
  getBlock,
  getRoomArchive,
];
