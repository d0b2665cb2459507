// A real local EVM chain for tests: anvil (the @foundry-rs/anvil-linux-amd64 devDependency) on a free
// loopback port. Its npm postinstall is not run here, so the binary is found in the platform
// package directly. Tests needing it skip when it is absent, unless CAIRN_TEST_REQUIRE_CHAIN=true
// (CI), where a missing binary fails them.
//
// The chain can be stopped and started again on the same port, so a test can take it away for a
// while ("the chain is down for two epochs, then back"). With `stateFile` it keeps its blocks
// across a graceful stop (anvil dumps its state on exit and loads it on start); without, or after
// kill(), it comes back as a fresh chain.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { HDNodeWallet } from 'ethers';

/** anvil's default mnemonic: its ten accounts, each funded with 10,000 ether. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';
export const ANVIL_CHAIN_ID = 31337;
const ACCOUNT_COUNT = 10;

const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

export class AnvilNotFoundError extends Error {
  override name = 'AnvilNotFoundError';
}

/** The anvil binary of this platform, or AnvilNotFoundError saying why there is none. */
export function anvilBinaryPath(): string {
  const platform = `${process.platform}-${process.arch}`;
  const pkg = PLATFORM_PACKAGES[platform];
  if (!pkg) throw new AnvilNotFoundError(`@foundry-rs/anvil has no build for ${platform}`);
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  } catch {
    throw new AnvilNotFoundError(
      `${pkg} is not installed (the devDependency is the linux-x64 build, the only one the registry CI reaches serves; install the package for this platform)`,
    );
  }
  const binary = join(
    dirname(manifest),
    'bin',
    process.platform === 'win32' ? 'anvil.exe' : 'anvil',
  );
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new AnvilNotFoundError(`${binary} is missing or not executable`);
  }
  return binary;
}

/** Why chain tests skip, or false when they run (and must then find anvil or fail). */
export function anvilSkipReason(): string | false {
  if (process.env.CAIRN_TEST_REQUIRE_CHAIN === 'true') return false;
  try {
    anvilBinaryPath();
    return false;
  } catch (err) {
    return (err as Error).message;
  }
}

export interface AnvilChainOptions {
  /** Default: a free loopback port. */
  readonly port?: number;
  readonly chainId?: number;
  /** anvil --state: blocks survive stop() and start(). */
  readonly stateFile?: string;
  readonly startTimeoutMs?: number;
}

export interface AnvilChain {
  readonly rpcUrl: string;
  readonly port: number;
  readonly chainId: number;
  /** The funded accounts' private keys (0x hex) and addresses, in anvil's order. */
  readonly privateKeys: readonly string[];
  readonly addresses: readonly string[];
  readonly running: boolean;
  /** SIGTERM and wait for the exit (anvil writes stateFile then). */
  stop(): Promise<void>;
  /** SIGKILL and wait: a crash, nothing written. */
  kill(): Promise<void>;
  /** Starts again on the same port and waits until it answers. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

export async function startAnvilChain(options: AnvilChainOptions = {}): Promise<AnvilChain> {
  const binary = anvilBinaryPath();
  const port = options.port ?? (await freeLoopbackPort());
  const chainId = options.chainId ?? ANVIL_CHAIN_ID;
  const rpcUrl = `http://127.0.0.1:${port}`;
  const args = ['--host', '127.0.0.1', '--port', String(port), '--quiet'];
  args.push('--chain-id', String(chainId), '--mnemonic', ANVIL_MNEMONIC);
  args.push('--accounts', String(ACCOUNT_COUNT));
  if (options.stateFile) args.push('--state', options.stateFile);
  const { privateKeys, addresses } = anvilAccounts();

  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const start = async () => {
    if (child) throw new Error(`anvil is already running on port ${port}`);
    child = await spawnAnvil(binary, args, rpcUrl, options.startTimeoutMs ?? 30_000);
    child.once('exit', () => {
      child = undefined;
    });
  };
  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    if (!running) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
  };

  await start();
  return {
    rpcUrl,
    port,
    chainId,
    privateKeys,
    addresses,
    get running() {
      return child !== undefined;
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    start,
    restart: async () => {
      await end('SIGTERM');
      await start();
    },
  };
}

async function spawnAnvil(
  binary: string,
  args: readonly string[],
  rpcUrl: string,
  timeoutMs: number,
): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  let exitCode: number | null | undefined;
  child.once('exit', (code, signal) => {
    exitCode = code ?? (signal ? -1 : null);
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`anvil exited (${exitCode}) before answering on ${rpcUrl}\n${stderr}`);
    }
    if (await answersChainId(rpcUrl)) return child;
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), spawnError]);
  }
  child.kill('SIGKILL');
  throw new Error(`anvil did not answer on ${rpcUrl} within ${timeoutMs} ms\n${stderr}`);
}

async function answersChainId(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1_000),
    });
    const body = (await response.json()) as { result?: unknown };
    return typeof body.result === 'string';
  } catch {
    return false;
  }
}

let accounts: { privateKeys: string[]; addresses: string[] } | undefined;

/** The accounts anvil funds from its mnemonic (BIP-44 m/44'/60'/0'/0/i), derived once. */
export function anvilAccounts(): { privateKeys: readonly string[]; addresses: readonly string[] } {
  if (!accounts) {
    const root = HDNodeWallet.fromPhrase(ANVIL_MNEMONIC, undefined, "m/44'/60'/0'/0");
    const wallets = Array.from({ length: ACCOUNT_COUNT }, (_, i) => root.deriveChild(i));
    accounts = {
      privateKeys: wallets.map((w) => w.privateKey),
      addresses: wallets.map((w) => w.address),
    };
  }
  return accounts;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}
