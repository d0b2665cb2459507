// Whether a wallet signed a message: EIP-191 (personal_sign) for ordinary accounts, recovered
// locally; EIP-1271 for contract wallets (Safe and the like), asked of the contract itself through
// the configured chain node. https://eips.ethereum.org/EIPS/eip-191
// https://eips.ethereum.org/EIPS/eip-1271
import {
  Contract,
  FetchRequest,
  hashMessage,
  isCallException,
  isError,
  JsonRpcProvider,
  Network,
  verifyMessage,
} from 'ethers';

/** What isValidSignature returns for a valid signature: its own selector. */
const EIP1271_MAGIC_VALUE = '0x1626ba7e';
const EIP1271_ABI = [
  'function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)',
];
const RPC_TIMEOUT_MS = 10_000;

export interface ContractWalletChain {
  readonly rpcUrl: string;
  /** The chain the message names: a contract at the same address elsewhere proves nothing. */
  readonly chainId: number;
}

export type SignatureVerdict =
  | { readonly ok: true; readonly scheme: 'eip191' | 'eip1271' }
  | {
      readonly ok: false;
      readonly reason: string;
      /** The chain could not be asked: not the signer's fault, worth a log line. */
      readonly chainUnavailable?: true;
    };

/**
 * `signature` is 0x-prefixed hex (checked by the caller). Without `chain`, only EIP-191
 * signatures of ordinary accounts can pass.
 */
export async function verifyWalletSignature(
  message: string,
  signature: string,
  address: string,
  chain: ContractWalletChain | undefined,
): Promise<SignatureVerdict> {
  if (recoveredSigner(message, signature) === address.toLowerCase()) {
    return { ok: true, scheme: 'eip191' };
  }
  const mismatch = 'The signature is not from the address in the message';
  if (!chain) return { ok: false, reason: mismatch };
  return verifyContractSignature(message, signature, address, chain, mismatch);
}

/** Lower-case address of the EIP-191 signer, or undefined when the bytes are no such signature. */
function recoveredSigner(message: string, signature: string): string | undefined {
  try {
    return verifyMessage(message, signature).toLowerCase();
  } catch {
    // Not 65 bytes, or not a point on the curve: possibly a contract wallet's signature.
    return undefined;
  }
}

async function verifyContractSignature(
  message: string,
  signature: string,
  address: string,
  chain: ContractWalletChain,
  mismatch: string,
): Promise<SignatureVerdict> {
  const request = new FetchRequest(chain.rpcUrl);
  request.timeout = RPC_TIMEOUT_MS;
  const network = Network.from(chain.chainId);
  const provider = new JsonRpcProvider(request, network, {
    staticNetwork: network,
    batchMaxCount: 1,
  });
  try {
    // staticNetwork trusts our chain id; ask the node, or a node of another chain would vouch.
    const served = BigInt(await provider.send('eth_chainId', []));
    if (served !== BigInt(chain.chainId)) {
      return {
        ok: false,
        reason: `${mismatch} (contract wallets cannot be checked: the chain node serves chain ${served}, not ${chain.chainId})`,
        chainUnavailable: true,
      };
    }
    if ((await provider.getCode(address)) === '0x') return { ok: false, reason: mismatch };
    const wallet = new Contract(address, EIP1271_ABI, provider);
    const answer = (await wallet
      .getFunction('isValidSignature')
      .staticCall(hashMessage(message), signature)) as string;
    return answer.toLowerCase() === EIP1271_MAGIC_VALUE
      ? { ok: true, scheme: 'eip1271' }
      : { ok: false, reason: 'The contract wallet does not accept the signature' };
  } catch (error) {
    // A revert or an answer that is not a bytes4: the contract says no (or is no EIP-1271 wallet).
    if (isCallException(error) || isError(error, 'BAD_DATA')) {
      return { ok: false, reason: 'The contract wallet does not accept the signature' };
    }
    return {
      ok: false,
      reason: `${mismatch}, and the chain could not be asked whether it is a contract wallet's`,
      chainUnavailable: true,
    };
  } finally {
    provider.destroy();
  }
}
