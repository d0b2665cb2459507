// GET /_cairn/v1/anchors
// Cairn's own API: where this server anchors its rooms' history (chain id, contract, anchoring
// account) and its latest epochs, so anyone can check them against the chain.
import { Wallet } from 'ethers';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { type AnchorEpochRow, recentEpochs } from '../../storage/anchoring.ts';

export function epochJson(row: AnchorEpochRow) {
  return {
    epoch: row.epoch,
    cid: row.cid,
    merkle_root: row.merkle_root,
    room_count: row.room_count,
    created_ts: row.created_ts,
    anchored: row.tx_hash !== null,
    ...(row.tx_hash === null
      ? {}
      : {
          tx_hash: row.tx_hash,
          block_number: row.block_number,
          chain_id: row.chain_id,
          contract: row.contract,
          anchored_ts: row.anchored_ts,
        }),
  };
}

export const getAnchors = defineEndpoint<Context>({
  method: 'GET',
  path: '/_cairn/v1/anchors',
  handler: async (ctx) => {
    const chain = ctx.anchoring.chain;
    const epochs = await recentEpochs(ctx.db, 50);
    const anchored = epochs.find((row) => row.chain_id !== null);
    return {
      chain_id: anchored?.chain_id ?? null,
      contract: chain?.contract ?? anchored?.contract ?? null,
      anchoring_address: chain ? new Wallet(chain.privateKey).address : null,
      block_store: ctx.anchoring.blocks.kind === 'kubo' ? 'ipfs' : 'local',
      epochs: epochs.map(epochJson),
    };
  },
});
