// EIP-1271 contract wallets on a real local chain (anvil): a minimal wallet contract, compiled
// here with solc, accepts messages its owner signed. Checked on its own (verifyWalletSignature:
// accepted, refused, no such function, an ordinary account, the wrong chain, no chain at all) and
// through POST /login on both databases, where the contract's address gets the account.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ContractFactory, JsonRpcProvider, Wallet } from 'ethers';
import solc from 'solc';
import {
  type AnvilChain,
  anvilSkipReason,
  startAnvilChain,
} from '../../../conformance-tests/support/anvil-chain.ts';
import { assertError, withClient } from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { siweMessageText } from '../../../conformance-tests/support/siwe-messages.ts';
import { getWalletOwner } from '../../storage/ethereum-wallets.ts';
import { verifyWalletSignature } from './verify-wallet-signature.ts';

// The smallest EIP-1271 wallet: valid means "the owner signed this hash" (the hash being the
// EIP-191 digest of the message, which the owner's personal_sign produced).
const SOURCE = `
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.0;

contract OwnedWallet {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != 65) return 0xffffffff;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        return ecrecover(hash, v, r, s) == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}

contract NotAWallet {
    function hello() external pure returns (uint256) {
        return 1;
    }
}
`;

interface Compiled {
  abi: unknown[];
  bytecode: string;
}

function compile(): Record<'OwnedWallet' | 'NotAWallet', Compiled> {
  const input = {
    language: 'Solidity',
    sources: { 'Wallets.sol': { content: SOURCE } },
    settings: {
      evmVersion: 'paris',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e: { severity: string }) => e.severity === 'error');
  assert.deepEqual(errors, [], 'the test contracts compile');
  const of = (name: string) => {
    const contract = output.contracts['Wallets.sol'][name];
    return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
  };
  return { OwnedWallet: of('OwnedWallet'), NotAWallet: of('NotAWallet') };
}

describe('EIP-1271 contract wallets on a local chain', { skip: anvilSkipReason() }, () => {
  let chain: AnvilChain;
  let provider: JsonRpcProvider;
  const owner = new Wallet(`0x${'f6'.repeat(32)}`);
  const stranger = new Wallet(`0x${'a7'.repeat(32)}`);
  let walletAddress: string;
  let notAWalletAddress: string;

  before(async () => {
    chain = await startAnvilChain();
    // No request cache: the second deployment must see the first one's account nonce.
    provider = new JsonRpcProvider(chain.rpcUrl, chain.chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
    });
    const deployer = new Wallet(chain.privateKeys[0]!, provider);
    const compiled = compile();
    const deploy = async ({ abi, bytecode }: Compiled, args: unknown[]) => {
      const contract = await new ContractFactory(abi as never, bytecode, deployer).deploy(...args);
      await contract.waitForDeployment();
      return contract.getAddress();
    };
    walletAddress = await deploy(compiled.OwnedWallet, [owner.address]);
    notAWalletAddress = await deploy(compiled.NotAWallet, []);
  });
  after(async () => {
    provider?.destroy();
    await chain?.stop();
  });

  const messageFor = (address: string, chainId: number) =>
    siweMessageText(address, { nonce: 'c0ffeec0ffee1234', chainId });

  test('the owner signs for the contract; others, other contracts and other chains do not', async () => {
    const onChain = { rpcUrl: chain.rpcUrl, chainId: chain.chainId };
    const message = messageFor(walletAddress, chain.chainId);
    const byOwner = await owner.signMessage(message);
    assert.deepEqual(await verifyWalletSignature(message, byOwner, walletAddress, onChain), {
      ok: true,
      scheme: 'eip1271',
    });
    const byStranger = await stranger.signMessage(message);
    const refused = await verifyWalletSignature(message, byStranger, walletAddress, onChain);
    assert.deepEqual(refused, {
      ok: false,
      reason: 'The contract wallet does not accept the signature',
    });
    // The contract answers for any bytes: a non-65-byte signature reaches it too.
    const long = await verifyWalletSignature(
      message,
      `0x${'00'.repeat(130)}`,
      walletAddress,
      onChain,
    );
    assert.equal(long.ok, false);

    // Without a chain there is no asking the contract.
    const offline = await verifyWalletSignature(message, byOwner, walletAddress, undefined);
    assert.equal(offline.ok, false);
    assert.equal('chainUnavailable' in offline, false);

    // A contract without isValidSignature reverts: refused, not an error.
    const other = messageFor(notAWalletAddress, chain.chainId);
    const notWallet = await verifyWalletSignature(
      other,
      await owner.signMessage(other),
      notAWalletAddress,
      onChain,
    );
    assert.deepEqual(notWallet, {
      ok: false,
      reason: 'The contract wallet does not accept the signature',
    });

    // An ordinary account (no code) with someone else's signature: a plain mismatch.
    const eoa = messageFor(stranger.address, chain.chainId);
    const mismatch = await verifyWalletSignature(eoa, byOwner, stranger.address, onChain);
    assert.deepEqual(mismatch, {
      ok: false,
      reason: 'The signature is not from the address in the message',
    });
    // And ordinary accounts need no chain call at all.
    assert.deepEqual(
      await verifyWalletSignature(eoa, await stranger.signMessage(eoa), stranger.address, onChain),
      { ok: true, scheme: 'eip191' },
    );
  });

  test('a node of another chain, or none answering, cannot vouch', async () => {
    const message = messageFor(walletAddress, 1);
    const byOwner = await owner.signMessage(message);
    const wrongChain = await verifyWalletSignature(message, byOwner, walletAddress, {
      rpcUrl: chain.rpcUrl,
      chainId: 1,
    });
    assert.equal(wrongChain.ok, false);
    assert.equal(!wrongChain.ok && wrongChain.chainUnavailable, true);
    assert.match(!wrongChain.ok ? wrongChain.reason : '', /serves chain 31337, not 1/);
    const down = await verifyWalletSignature(message, byOwner, walletAddress, {
      rpcUrl: `http://127.0.0.1:${await closedPort()}`,
      chainId: 1,
    });
    assert.equal(down.ok, false);
    assert.equal(!down.ok && down.chainUnavailable, true);
  });

  for (const kind of DATABASE_KINDS) {
    test(`${kind}: a contract wallet signs in through POST /login`, (t) =>
      withClient(
        t,
        kind,
        async (client) => {
          const nonce = await client.call('POST', '/_cairn/v1/siwe/nonce', { unchecked: true });
          const message = siweMessageText(walletAddress, {
            nonce: nonce.body.nonce,
            chainId: chain.chainId,
          });
          const login = (signature: string) =>
            client.call('POST', '/_matrix/client/v3/login', {
              body: { type: 'org.cairn.login.siwe', message, signature },
            });
          assertError(await login(await stranger.signMessage(message)), 403, 'M_FORBIDDEN');
          const result = await login(await owner.signMessage(message));
          assert.equal(result.status, 200, JSON.stringify(result.body));
          const userId = `@eth_${walletAddress.slice(2).toLowerCase()}:example.org`;
          assert.equal(result.body.user_id, userId);
          assert.equal(await getWalletOwner(client.db, walletAddress), userId);
        },
        {
          CAIRN_SIWE_ENABLED: 'true',
          CAIRN_SIWE_REGISTER: 'true',
          CAIRN_SIWE_CHAIN_ID: String(chain.chainId),
          CAIRN_CHAIN_RPC_URL: chain.rpcUrl,
        },
      ));
  }
});

/** A loopback port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
