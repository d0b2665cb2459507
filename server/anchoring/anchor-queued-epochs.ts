// Anchors the epochs not anchored yet, strictly in order, one transaction each. An epoch whose
// transaction went through but whose row was not updated (a crash, a lost reply) is found among
// the contract's Anchored events and recorded, not sent twice; the contract refuses gaps and
// repeats anyway. When the chain is down, the pass stops at the first failure and the epochs stay
// queued for the next pass: nothing is skipped.
import type { Context } from '../context.ts';
import { markEpochAnchored, unanchoredEpochs } from '../storage/anchoring.ts';
import { type ChainSettings, openChainWriter } from './chain-anchorer.ts';

export type AnchorDeps = Pick<Context, 'db' | 'now' | 'logger'>;

/** Returns how many epochs this pass anchored. */
export async function anchorQueuedEpochs(deps: AnchorDeps, chain: ChainSettings): Promise<number> {
  const queued = await unanchoredEpochs(deps.db);
  if (queued.length === 0) return 0;
  const writer = await openChainWriter(chain);
  let anchored = 0;
  try {
    let onChain = await writer.latestEpoch();
    const known =
      onChain >= (queued[0]?.epoch ?? 0)
        ? new Map((await writer.anchoredEpochs()).map((a) => [a.epoch, a]))
        : new Map();
    for (const epoch of queued) {
      let result = known.get(epoch.epoch);
      if (result && result.merkleRoot.toLowerCase() !== epoch.merkle_root.toLowerCase()) {
        throw new Error(
          `epoch ${epoch.epoch} is anchored with root ${result.merkleRoot}, not ours (${epoch.merkle_root}): is anchor_contract shared with another server?`,
        );
      }
      if (!result) {
        if (onChain !== epoch.epoch - 1) {
          throw new Error(
            `the contract's latest epoch is ${onChain}; epoch ${epoch.epoch} cannot follow it`,
          );
        }
        result = await writer.anchor(epoch.epoch, epoch.merkle_root, epoch.cid);
        onChain = epoch.epoch;
      }
      await markEpochAnchored(deps.db, epoch.epoch, {
        txHash: result.txHash,
        blockNumber: result.blockNumber,
        chainId: writer.chainId,
        contract: writer.contract,
        now: deps.now(),
      });
      anchored += 1;
      deps.logger.info(
        { epoch: epoch.epoch, txHash: result.txHash, block: result.blockNumber },
        'anchoring epoch anchored',
      );
    }
  } finally {
    writer.close();
  }
  return anchored;
}
