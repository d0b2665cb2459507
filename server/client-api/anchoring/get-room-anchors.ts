// GET /_cairn/v1/anchors/rooms/{roomId}
// A room's snapshot chain: each snapshot with its epoch, the epoch's on-chain record and the
// Merkle inclusion proof of (room id, snapshot CID) under the epoch's root, and the CID of the
// room's archive root when its events are archived. Public rooms to anyone; others to members and
// admins (server/anchoring/room-history-access.ts).
import { buildMerkleTree } from '../../anchoring/merkle-tree.ts';
import { requireRoomHistoryAccess } from '../../anchoring/room-history-access.ts';
import { compareUtf8 } from '../../anchoring/snapshot-document.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { getEpoch, snapshotsOfEpoch, snapshotsOfRoom } from '../../storage/anchoring.ts';
import { epochJson } from './get-anchors.ts';

interface Params {
  roomId: string;
}

export const getRoomAnchors = defineEndpoint<Context, unknown, unknown, Params>({
  method: 'GET',
  path: '/_cairn/v1/anchors/rooms/:roomId',
  schema: {
    params: {
      type: 'object',
      required: ['roomId'],
      properties: { roomId: { type: 'string', minLength: 1, maxLength: 255 } },
    },
  },
  handler: async (ctx, request) => {
    const { roomId } = request.params;
    await requireRoomHistoryAccess(ctx, request, roomId);
    const snapshots = await snapshotsOfRoom(ctx.db, roomId);
    const out = [];
    for (const snapshot of snapshots) {
      const [epoch, leaves] = await Promise.all([
        getEpoch(ctx.db, snapshot.epoch),
        snapshotsOfEpoch(ctx.db, snapshot.epoch),
      ]);
      if (!epoch) continue;
      const sorted = leaves
        .map((leaf) => ({ roomId: leaf.room_id, cid: leaf.cid }))
        .sort((a, b) => compareUtf8(a.roomId, b.roomId));
      const index = sorted.findIndex((leaf) => leaf.roomId === roomId);
      out.push({
        epoch: epochJson(epoch),
        snapshot: {
          cid: snapshot.cid,
          stream_position: snapshot.stream_position,
          heads: JSON.parse(snapshot.heads) as unknown,
        },
        proof: buildMerkleTree(sorted).proof(index),
      });
    }
    const archive = await ctx.db
      .selectFrom('archive_rooms')
      .select(['root_cid', 'stream_position'])
      .where('room_id', '=', roomId)
      .executeTakeFirst();
    return { room_id: roomId, snapshots: out, archive: archive ?? null };
  },
});
