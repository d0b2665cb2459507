// The anchor contract against a real chain (anvil on loopback), and the artifact that the server
// loads. Chain tests skip when the anvil binary is absent, unless CAIRN_TEST_REQUIRE_CHAIN=true.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  Contract,
  type ContractTransactionResponse,
  concat,
  EventLog,
  getBytes,
  Interface,
  JsonRpcProvider,
  keccak256,
  type TransactionReceipt,
  toUtf8Bytes,
  Wallet,
  ZeroHash,
} from 'ethers';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import {
  type AnvilChain,
  anvilSkipReason,
  startAnvilChain,
} from '../conformance-tests/support/anvil-chain.ts';
import { deployAnchorContract } from '../server/anchoring/deploy-anchor-contract.ts';
import { loadConfig } from '../server/config/load-config.ts';
import {
  ANCHOR_SOURCE_PATH,
  type AnchorArtifact,
  loadAnchorArtifact,
  sourceHashOf,
} from './anchor-artifact.ts';
import { compileAnchorContract } from './build-contract.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cairn-anchor-'));
process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));

test('the contract compiles without warnings', () => {
  const { artifact, warnings } = compileAnchorContract(readFileSync(ANCHOR_SOURCE_PATH, 'utf8'));
  assert.deepEqual(warnings, []);
  const functions = artifact.abi.filter((f) => f.type === 'function').map((f) => f.name);
  for (const name of ['anchor', 'latestEpoch', 'rootOf', 'anchorOf', 'setAnchorer']) {
    assert.ok(functions.includes(name), `the ABI lacks ${name}`);
  }
});

test('loadAnchorArtifact builds a missing artifact, rebuilds a stale one, reuses a current one', async () => {
  const sourcePath = join(scratch, 'CairnAnchor.sol');
  const artifactPath = join(scratch, 'generated', 'CairnAnchor.json');
  copyFileSync(ANCHOR_SOURCE_PATH, sourcePath);

  const built = await loadAnchorArtifact({ sourcePath, artifactPath });
  assert.equal(built.sourceHash, sourceHashOf(readFileSync(sourcePath)));
  assert.deepEqual(JSON.parse(readFileSync(artifactPath, 'utf8')), built);

  writeFileSync(sourcePath, `${readFileSync(sourcePath, 'utf8')}\n// changed\n`);
  const rebuilt = await loadAnchorArtifact({ sourcePath, artifactPath });
  assert.equal(rebuilt.sourceHash, sourceHashOf(readFileSync(sourcePath)));
  assert.notEqual(rebuilt.sourceHash, built.sourceHash);

  // A file whose hash matches is taken as it is, without compiling.
  const marked = { ...rebuilt, solcVersion: 'marker' };
  writeFileSync(artifactPath, JSON.stringify(marked));
  assert.equal((await loadAnchorArtifact({ sourcePath, artifactPath })).solcVersion, 'marker');
});

const DAG_JSON = 0x0129;
// ethers caches identical reads for 250 ms by default: a nonce read for one transaction would be
// reused for the next. The network is fixed so a stopped chain fails calls instead of stalling.
const NO_CACHE = { staticNetwork: true, cacheTimeout: -1 } as const;

async function cidOf(text: string): Promise<string> {
  return CID.create(1, DAG_JSON, await sha256.digest(toUtf8Bytes(text))).toString();
}

/** A plain binary Merkle tree over (room id, snapshot CID) leaves; an odd node moves up as is. */
async function merkleRootOfRooms(count: number): Promise<string> {
  let level: string[] = [];
  for (let i = 0; i < count; i++) {
    const room = `!room${i}:example.org`;
    level.push(keccak256(toUtf8Bytes(`${room} ${await cidOf(`snapshot of ${room}`)}`)));
  }
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right === undefined ? level[i]! : keccak256(concat([level[i]!, right])));
    }
    level = next;
  }
  return level[0]!;
}

/** What the transaction's data costs (4 gas a zero byte, 16 any other): the only part of gasUsed
 * that depends on the root's bytes rather than on what the contract does. */
function calldataGas(data: string): bigint {
  return getBytes(data).reduce((sum, byte) => sum + (byte === 0 ? 4n : 16n), 0n);
}

/** The call reverts with the contract's custom error `error` (and these arguments). */
async function assertReverts(
  abi: Interface,
  call: Promise<unknown>,
  error: string,
  args?: unknown[],
) {
  await assert.rejects(call, (err: unknown) => {
    const data = (err as { data?: string }).data;
    const revert = data ? abi.parseError(data) : null;
    assert.equal(revert?.name, error, `expected the revert ${error}, got: ${String(err)}`);
    if (args) assert.deepEqual([...revert!.args], args);
    return true;
  });
}

describe('CairnAnchor on a local chain', { skip: anvilSkipReason() }, () => {
  let chain: AnvilChain;
  let provider: JsonRpcProvider;
  let artifact: AnchorArtifact;
  let wallets: Wallet[];
  let abi: Interface;

  before(async () => {
    chain = await startAnvilChain();
    provider = new JsonRpcProvider(chain.rpcUrl, chain.chainId, NO_CACHE);
    wallets = chain.privateKeys.map((key) => new Wallet(key, provider));
    artifact = await loadAnchorArtifact();
    abi = new Interface(artifact.abi);
  });
  after(async () => {
    provider?.destroy();
    await chain?.stop();
  });

  /** A new contract deployed by account 0, anchored by account `anchorer`. */
  async function deploy(anchorer = 0): Promise<{ address: string; blockNumber: number }> {
    return deployAnchorContract({
      rpcUrl: chain.rpcUrl,
      privateKey: chain.privateKeys[0]!,
      anchorer: chain.addresses[anchorer],
    });
  }

  function as(address: string, account: number): Contract {
    return new Contract(address, artifact.abi, wallets[account]);
  }

  async function anchor(c: Contract, epoch: number, root: string, cid: string) {
    const tx = (await c.getFunction('anchor')(epoch, root, cid)) as ContractTransactionResponse;
    const receipt = (await tx.wait()) as TransactionReceipt;
    return { tx, receipt };
  }

  test('deploys with the deployer as owner and the given anchoring account', async () => {
    const deployed = await deploy(1);
    const c = as(deployed.address, 0);
    assert.notEqual(await provider.getCode(deployed.address), '0x');
    assert.equal(await c.getFunction('owner')(), chain.addresses[0]);
    assert.equal(await c.getFunction('anchorer')(), chain.addresses[1]);
    assert.equal(await c.getFunction('latestEpoch')(), 0n);
    const defaulted = await deployAnchorContract({
      rpcUrl: chain.rpcUrl,
      privateKey: chain.privateKeys[2]!,
    });
    assert.equal(await as(defaulted.address, 2).getFunction('anchorer')(), chain.addresses[2]);
  });

  test('anchors epochs 1, 2, 3 in order; reads them back and from the events', async () => {
    const { address, blockNumber: deployBlock } = await deploy(1);
    const c = as(address, 1);
    const epochs = [];
    for (const epoch of [1, 2, 3]) {
      const root = keccak256(toUtf8Bytes(`epoch ${epoch} root`));
      const cid = await cidOf(`epoch ${epoch}`);
      const { receipt } = await anchor(c, epoch, root, cid);
      epochs.push({ epoch, root, cid, block: receipt.blockNumber });
    }

    assert.equal(await c.getFunction('latestEpoch')(), 3n);
    for (const { epoch, root, block } of epochs) {
      assert.equal(await c.getFunction('rootOf')(epoch), root);
      const [storedRoot, storedBlock] = await c.getFunction('anchorOf')(epoch);
      assert.deepEqual([storedRoot, storedBlock], [root, BigInt(block)]);
    }
    assert.equal(await c.getFunction('rootOf')(4), ZeroHash);

    const events = await c.queryFilter(c.getEvent('Anchored'), deployBlock);
    assert.deepEqual(
      events.map((e) => {
        assert.ok(e instanceof EventLog);
        return { epoch: Number(e.args[0]), root: e.args[1], cid: e.args[2], block: e.blockNumber };
      }),
      epochs,
    );
    // The epoch is indexed: one epoch's event is found without reading the others.
    const second = await c.queryFilter(c.getEvent('Anchored')(2), deployBlock);
    assert.equal(second.length, 1);
    assert.equal((second[0] as EventLog).args[2], epochs[1]!.cid);
  });

  test('refuses a skipped epoch, a repeated one, epoch 0, an empty root or CID', async () => {
    const { address } = await deploy(1);
    const c = as(address, 1);
    const root = keccak256(toUtf8Bytes('root'));
    const cid = await cidOf('epoch');
    await assertReverts(abi, anchor(c, 0, root, cid), 'EpochOutOfOrder', [1n, 0n]);
    for (const epoch of [1, 2, 3]) await anchor(c, epoch, root, cid);

    await assertReverts(abi, anchor(c, 5, root, cid), 'EpochOutOfOrder', [4n, 5n]);
    const other = keccak256(toUtf8Bytes('another history'));
    await assertReverts(abi, anchor(c, 2, other, cid), 'EpochOutOfOrder', [4n, 2n]);
    assert.equal(await c.getFunction('rootOf')(2), root);
    await assertReverts(abi, anchor(c, 4, ZeroHash, cid), 'EmptyRoot');
    await assertReverts(abi, anchor(c, 4, root, ''), 'EmptyCid');
    assert.equal(await c.getFunction('latestEpoch')(), 3n);
    await anchor(c, 4, root, cid);
  });

  test('only the anchoring account anchors; the owner may hand that to another', async () => {
    const { address } = await deploy(1);
    const root = keccak256(toUtf8Bytes('root'));
    const cid = await cidOf('epoch');
    // The owner is not the anchoring account here, and has no more right to anchor than a stranger.
    await assertReverts(abi, anchor(as(address, 0), 1, root, cid), 'NotAnchorer', [
      chain.addresses[0],
    ]);
    await assertReverts(abi, anchor(as(address, 3), 1, root, cid), 'NotAnchorer', [
      chain.addresses[3],
    ]);
    await anchor(as(address, 1), 1, root, cid);

    const setAnchorer = (account: number, next: string) =>
      as(address, account).getFunction('setAnchorer')(next) as Promise<ContractTransactionResponse>;
    await assertReverts(abi, setAnchorer(1, chain.addresses[3]!), 'NotOwner', [chain.addresses[1]]);
    await assertReverts(
      abi,
      setAnchorer(0, '0x0000000000000000000000000000000000000000'),
      'ZeroAddress',
    );
    const receipt = await (await setAnchorer(0, chain.addresses[3]!)).wait();
    const changed = receipt?.logs.map((log) => as(address, 0).interface.parseLog(log));
    assert.deepEqual(
      changed?.map((e) => [e?.name, ...(e?.args ?? [])]),
      [['AnchorerChanged', chain.addresses[1], chain.addresses[3]]],
    );

    assert.equal(await as(address, 0).getFunction('anchorer')(), chain.addresses[3]);
    await assertReverts(abi, anchor(as(address, 1), 2, root, cid), 'NotAnchorer', [
      chain.addresses[1],
    ]);
    await anchor(as(address, 3), 2, root, cid);
    assert.equal(await as(address, 0).getFunction('latestEpoch')(), 2n);
  });

  test('gas: an epoch of 1,000 rooms costs what an epoch of 1 room costs', async (t) => {
    const { address } = await deploy(1);
    const c = as(address, 1);
    const oneRoom = await anchor(c, 1, await merkleRootOfRooms(1), await cidOf('epoch 1'));
    const manyRooms = await anchor(c, 2, await merkleRootOfRooms(1000), await cidOf('epoch 2'));

    // Calldata is priced per byte, zero bytes cheaper: a root that happens to contain a 0x00 byte
    // is a few gas cheaper to send, whatever it covers. What the contract spends is compared.
    const spent = ({ tx, receipt }: Awaited<ReturnType<typeof anchor>>) =>
      receipt.gasUsed - calldataGas(tx.data);
    assert.equal(spent(manyRooms), spent(oneRoom));
    assert.ok(oneRoom.receipt.gasUsed < 100_000n, `an epoch costs ${oneRoom.receipt.gasUsed} gas`);
    t.diagnostic(
      `anchor() gasUsed: 1 room ${oneRoom.receipt.gasUsed}, 1,000 rooms ` +
        `${manyRooms.receipt.gasUsed} (without calldata: ${spent(oneRoom)} both)`,
    );
  });

  test('`cairn deploy-anchor-contract` deploys and prints the config line', async () => {
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('CAIRN_')),
    );
    Object.assign(env, {
      CAIRN_DATA_DIR: join(scratch, 'data'),
      CAIRN_CHAIN_RPC_URL: chain.rpcUrl,
      CAIRN_CHAIN_PRIVATE_KEY: chain.privateKeys[4],
    });
    const deployed = await runCairn(['deploy-anchor-contract'], env);
    assert.equal(deployed.code, 0, deployed.stderr);
    const line = deployed.stdout.split('\n').find((l) => l.startsWith('anchor_contract:'));
    assert.ok(line, deployed.stdout);

    // The printed line is valid config as it is (an unquoted 0x… would read as a YAML number).
    const configPath = join(scratch, 'anchor.yaml');
    writeFileSync(configPath, `${line}\n`);
    const address = loadConfig({ configPath, env: {} }).anchorContract!;
    assert.notEqual(await provider.getCode(address), '0x');
    assert.equal(await as(address, 0).getFunction('anchorer')(), chain.addresses[4]);
    assert.equal(await as(address, 0).getFunction('owner')(), chain.addresses[4]);

    const again = await runCairn(['deploy-anchor-contract', '--config', configPath], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /anchor_contract is already set .*--force/);
  });

  test('the chain can go away and come back, with its state or as a new chain', async () => {
    const kept = await startAnvilChain({ stateFile: join(scratch, 'anvil-state.json') });
    const keptProvider = new JsonRpcProvider(kept.rpcUrl, kept.chainId, NO_CACHE);
    try {
      const { address } = await deployAnchorContract({
        rpcUrl: kept.rpcUrl,
        privateKey: kept.privateKeys[0]!,
      });
      const c = new Contract(address, artifact.abi, new Wallet(kept.privateKeys[0]!, keptProvider));
      const root = keccak256(toUtf8Bytes('root'));
      await anchor(c, 1, root, await cidOf('epoch 1'));

      await kept.stop();
      await assert.rejects(c.getFunction('latestEpoch')());
      await kept.start();
      assert.equal(await c.getFunction('latestEpoch')(), 1n);
      await anchor(c, 2, root, await cidOf('epoch 2'));
      // A crash writes nothing: the chain comes back as it was at the last clean stop.
      await kept.kill();
      await kept.start();
      assert.equal(await c.getFunction('latestEpoch')(), 1n);
    } finally {
      keptProvider.destroy();
      await kept.stop();
    }

    const { address } = await deploy();
    await chain.restart();
    assert.equal(await provider.getCode(address), '0x');
  });
});

function runCairn(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '..', 'server', 'main.ts'), ...args],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
