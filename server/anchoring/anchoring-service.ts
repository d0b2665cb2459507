// Anchoring in a running server: every anchor_interval_seconds (and when an admin asks) build the
// next epoch from the rooms that changed, then anchor the queued epochs when a chain is
// configured. Passes never overlap; a failed pass (IPFS or the chain down) is logged and the next
// one picks up where it stopped.
import { join } from 'node:path';
import type { Config } from '../config/load-config.ts';
import type { Context } from '../context.ts';
import type { AnchorEpochRow } from '../storage/anchoring.ts';
import { anchorQueuedEpochs } from './anchor-queued-epochs.ts';
import { buildNextEpoch } from './build-epoch.ts';
import type { ChainSettings } from './chain-anchorer.ts';
import type { IpldBlockStore } from './ipld-block-store.ts';
import { createKuboBlockStore } from './kubo-block-store.ts';
import { createLocalBlockStore } from './local-block-store.ts';

export interface AnchoringPassResult {
  /** The epoch built by this pass, if any room changed. */
  readonly built: AnchorEpochRow | undefined;
  /** Epochs anchored on chain by this pass. */
  readonly anchored: number;
  /** Why anchoring stopped, when it did (the chain down, say); the epochs stay queued. */
  readonly anchorError?: string;
}

export interface AnchoringService {
  readonly blocks: IpldBlockStore;
  readonly chain: ChainSettings | undefined;
  /** One pass now, after any pass in progress. */
  runPass(): Promise<AnchoringPassResult>;
}

export function chainSettingsOf(config: Config): ChainSettings | undefined {
  if (!config.chainRpcUrl || !config.chainPrivateKey || !config.anchorContract) return undefined;
  return {
    rpcUrl: config.chainRpcUrl,
    privateKey: config.chainPrivateKey,
    contract: config.anchorContract,
    confirmations: config.anchorConfirmations,
  };
}

export function blockStoreFor(config: Pick<Config, 'ipfsApi' | 'dataDir'>): IpldBlockStore {
  return config.ipfsApi !== undefined
    ? createKuboBlockStore(config.ipfsApi)
    : createLocalBlockStore(join(config.dataDir, 'anchoring', 'blocks'));
}

export function createAnchoringService(
  deps: Pick<Context, 'db' | 'eventStream' | 'now' | 'logger'>,
  config: Config,
): AnchoringService {
  const blocks = blockStoreFor(config);
  const chain = chainSettingsOf(config);
  let last: Promise<unknown> = Promise.resolve();

  async function pass(): Promise<AnchoringPassResult> {
    const built = await buildNextEpoch({ ...deps, blocks, archive: config });
    if (!chain) return { built, anchored: 0 };
    try {
      return { built, anchored: await anchorQueuedEpochs(deps, chain) };
    } catch (err) {
      deps.logger.warn({ err }, 'anchoring on chain failed; epochs stay queued');
      return { built, anchored: 0, anchorError: (err as Error).message };
    }
  }

  return {
    blocks,
    chain,
    runPass() {
      const run = last.then(pass, pass);
      last = run.catch(() => {});
      return run;
    },
  };
}

/** Runs a pass every `intervalSeconds`; returns the function that stops the timer. */
export function scheduleAnchoring(
  service: AnchoringService,
  intervalSeconds: number,
  logger: Context['logger'],
): () => void {
  const timer = setInterval(() => {
    service.runPass().catch((err) => logger.warn({ err }, 'anchoring pass failed'));
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
