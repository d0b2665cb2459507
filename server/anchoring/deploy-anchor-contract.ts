// Deploys the CairnAnchor contract (contracts/CairnAnchor.sol) and backs `cairn
// deploy-anchor-contract`. The deploying account becomes the contract's owner, who may later
// hand anchoring to another account; the anchoring account defaults to the deployer.
import { ContractFactory, getAddress, JsonRpcProvider, Wallet } from 'ethers';
import { AnchorArtifactError, loadAnchorArtifact } from '../../contracts/anchor-artifact.ts';
import type { Config } from '../config/load-config.ts';

export interface DeployAnchorOptions {
  readonly rpcUrl: string;
  /** Hex, with or without 0x. */
  readonly privateKey: string;
  /** The account allowed to anchor epochs; default: the deployer. */
  readonly anchorer?: string | undefined;
  /** Blocks to wait for after the deployment's own. */
  readonly confirmations?: number;
  readonly timeoutMs?: number;
}

export interface DeployedAnchorContract {
  readonly address: string;
  readonly txHash: string;
  readonly blockNumber: number;
  readonly chainId: number;
  readonly deployer: string;
  readonly anchorer: string;
}

export class AnchorDeployError extends Error {
  override name = 'AnchorDeployError';
}

export async function deployAnchorContract(
  options: DeployAnchorOptions,
): Promise<DeployedAnchorContract> {
  let wallet: Wallet;
  try {
    wallet = new Wallet(options.privateKey);
  } catch {
    throw new AnchorDeployError(
      'the chain private key is not a valid secp256k1 key (64 hex digits)',
    );
  }
  let anchorer: string;
  try {
    anchorer = getAddress(options.anchorer ?? wallet.address);
  } catch {
    throw new AnchorDeployError(`"${options.anchorer}" is not an Ethereum address`);
  }
  const artifact = await loadAnchorArtifact();
  const chainId = await fetchChainId(options.rpcUrl);
  // The network is fixed up front: ethers would otherwise retry its detection every second,
  // forever, when the node is unreachable.
  const provider = new JsonRpcProvider(options.rpcUrl, chainId, { staticNetwork: true });
  try {
    const signer = wallet.connect(provider);
    const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
    const contract = await factory.deploy(anchorer);
    const tx = contract.deploymentTransaction();
    if (!tx) throw new AnchorDeployError('the deployment sent no transaction');
    const receipt = await tx.wait(options.confirmations ?? 1, options.timeoutMs ?? 300_000);
    if (!receipt?.contractAddress) {
      throw new AnchorDeployError(`deployment transaction ${tx.hash} created no contract`);
    }
    if ((await provider.getCode(receipt.contractAddress)) === '0x') {
      throw new AnchorDeployError(`no code at ${receipt.contractAddress} after deployment`);
    }
    return {
      address: getAddress(receipt.contractAddress),
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      chainId,
      deployer: wallet.address,
      anchorer,
    };
  } catch (err) {
    if (err instanceof AnchorDeployError) throw err;
    // ethers' shortMessage says what went wrong ("insufficient funds ...") without the request dump.
    const message = (err as { shortMessage?: string }).shortMessage ?? (err as Error).message;
    throw new AnchorDeployError(`deploying the anchor contract failed: ${message}`);
  } finally {
    provider.destroy();
  }
}

async function fetchChainId(rpcUrl: string): Promise<number> {
  let result: unknown;
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(15_000),
    });
    result = ((await response.json()) as { result?: unknown }).result;
  } catch (err) {
    // fetch says only "fetch failed"; the cause names it (ECONNREFUSED, ENOTFOUND, a timeout).
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new AnchorDeployError(`cannot reach the chain at ${rpcUrl}: ${why}`);
  }
  if (typeof result !== 'string' || !/^0x[0-9a-f]+$/i.test(result)) {
    throw new AnchorDeployError(`${rpcUrl} did not answer eth_chainId with a chain id`);
  }
  return Number(BigInt(result));
}

export interface DeployAnchorCliOptions {
  readonly anchorer?: string | undefined;
  /** Deploy even though anchor_contract is already configured. */
  readonly force: boolean;
}

/** `cairn deploy-anchor-contract`: the outcome as a message for the terminal. */
export async function deployAnchorContractFromCli(
  config: Config,
  options: DeployAnchorCliOptions,
): Promise<{ ok: boolean; message: string }> {
  const { chainRpcUrl, chainPrivateKey, anchorContract } = config;
  if (!chainRpcUrl || !chainPrivateKey) {
    return {
      ok: false,
      message:
        'deploy-anchor-contract needs chain_rpc_url and chain_private_key ' +
        '(CAIRN_CHAIN_RPC_URL and CAIRN_CHAIN_PRIVATE_KEY, or the config file)',
    };
  }
  // A second contract would start its epochs again at 1, apart from the history anchored so far.
  if (anchorContract && !options.force) {
    return {
      ok: false,
      message: `anchor_contract is already set (${anchorContract}); pass --force to deploy another`,
    };
  }
  try {
    const deployed = await deployAnchorContract({
      rpcUrl: chainRpcUrl,
      privateKey: chainPrivateKey,
      anchorer: options.anchorer,
    });
    return {
      ok: true,
      message: [
        `Deployed CairnAnchor at ${deployed.address} on chain ${deployed.chainId}`,
        `  transaction ${deployed.txHash}, block ${deployed.blockNumber}`,
        `  owner ${deployed.deployer}, anchoring account ${deployed.anchorer}`,
        'Add this line to the config file (or set CAIRN_ANCHOR_CONTRACT to the address):',
        `anchor_contract: "${deployed.address}"`,
      ].join('\n'),
    };
  } catch (err) {
    if (err instanceof AnchorDeployError || err instanceof AnchorArtifactError) {
      return { ok: false, message: err.message };
    }
    throw err;
  }
}
