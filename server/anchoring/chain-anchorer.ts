// The chain side of anchoring, with ethers: reads the anchor contract (latest epoch, an epoch's
// root and the event carrying its CID) and sends `anchor(epoch, root, cid)` from the anchoring
// account, waiting for confirmations.
//
// Each use opens a fresh provider on a chain id asked for first with one plain JSON-RPC call: a
// chain that is down then fails that call at once (the epoch stays queued) instead of leaving an
// ethers provider retrying its network detection in the background. Transactions are sent one at
// a time and each is waited for, so the account's pending nonce is always the right one.
import {
  Contract,
  type ContractTransactionResponse,
  JsonRpcProvider,
  Network,
  Wallet,
} from 'ethers';
import { loadAnchorArtifact } from '../../contracts/anchor-artifact.ts';

export interface ChainSettings {
  readonly rpcUrl: string;
  readonly privateKey: string;
  readonly contract: string;
  readonly confirmations: number;
}

export interface AnchoredOnChain {
  readonly epoch: number;
  readonly merkleRoot: string;
  readonly epochCid: string;
  readonly txHash: string;
  readonly blockNumber: number;
}

export interface ChainReader {
  readonly chainId: number;
  readonly contract: string;
  latestEpoch(): Promise<number>;
  /** Every Anchored event of the contract, oldest first. */
  anchoredEpochs(fromBlock?: number): Promise<AnchoredOnChain[]>;
  close(): void;
}

export interface ChainWriter extends ChainReader {
  readonly address: string;
  anchor(epoch: number, merkleRoot: string, epochCid: string): Promise<AnchoredOnChain>;
}

const RPC_TIMEOUT_MS = 10_000;

/** eth_chainId with a plain request: fails fast when the node is down. */
export async function chainIdAt(rpcUrl: string): Promise<number> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(RPC_TIMEOUT_MS),
  });
  const body = (await response.json()) as { result?: string };
  if (typeof body.result !== 'string') throw new Error(`${rpcUrl} gave no chain id`);
  return Number(BigInt(body.result));
}

export async function openChainReader(rpcUrl: string, contract: string): Promise<ChainReader> {
  const chainId = await chainIdAt(rpcUrl);
  const provider = new JsonRpcProvider(rpcUrl, Network.from(chainId), {
    staticNetwork: true,
    // ethers reuses identical replies for 250 ms by default: a second transaction sent within
    // that window would get the old nonce.
    cacheTimeout: -1,
  });
  const { abi } = await loadAnchorArtifact();
  const anchorContract = new Contract(contract, abi, provider);
  return readerOver(chainId, contract, anchorContract, provider);
}

export async function openChainWriter(settings: ChainSettings): Promise<ChainWriter> {
  const chainId = await chainIdAt(settings.rpcUrl);
  const provider = new JsonRpcProvider(settings.rpcUrl, Network.from(chainId), {
    staticNetwork: true,
    cacheTimeout: -1,
  });
  const wallet = new Wallet(settings.privateKey, provider);
  const { abi } = await loadAnchorArtifact();
  const anchorContract = new Contract(settings.contract, abi, wallet);
  const reader = readerOver(chainId, settings.contract, anchorContract, provider);
  return {
    ...reader,
    address: wallet.address,
    async anchor(epoch, merkleRoot, epochCid) {
      const send = anchorContract.getFunction('anchor');
      const tx = (await send(epoch, merkleRoot, epochCid)) as ContractTransactionResponse;
      const receipt = await tx.wait(settings.confirmations, 120_000);
      if (receipt?.status !== 1) throw new Error(`anchor tx ${tx.hash} failed`);
      return { epoch, merkleRoot, epochCid, txHash: tx.hash, blockNumber: receipt.blockNumber };
    },
  };
}

function readerOver(
  chainId: number,
  contract: string,
  anchorContract: Contract,
  provider: JsonRpcProvider,
): ChainReader {
  return {
    chainId,
    contract,
    async latestEpoch() {
      return Number(await anchorContract.getFunction('latestEpoch')());
    },
    async anchoredEpochs(fromBlock = 0) {
      const filter = anchorContract.filters.Anchored?.();
      if (!filter) throw new Error('the anchor ABI has no Anchored event');
      const logs = await anchorContract.queryFilter(filter, fromBlock);
      const anchored: AnchoredOnChain[] = [];
      for (const log of logs) {
        if (!('args' in log)) continue;
        const [epoch, merkleRoot, epochCid] = log.args as unknown as [bigint, string, string];
        anchored.push({
          epoch: Number(epoch),
          merkleRoot,
          epochCid,
          txHash: log.transactionHash,
          blockNumber: log.blockNumber,
        });
      }
      return anchored.sort((a, b) => a.epoch - b.epoch);
    },
    close() {
      provider.destroy();
    },
  };
}
