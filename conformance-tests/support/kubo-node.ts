// The Kubo (IPFS) daemon tests use: CAIRN_TEST_IPFS_API (`bash .ci/kubo.sh start DIR PORT` prints
// it) and the binary CAIRN_TEST_IPFS_BIN for `ipfs cat` and friends. Tests needing it skip when it
// is unset, unless CAIRN_TEST_REQUIRE_IPFS=true (CI), where a missing daemon fails them.
import { execFileSync } from 'node:child_process';

export interface KuboNode {
  readonly apiUrl: string;
  readonly bin: string;
  /** Runs `ipfs <args>` against the daemon's API; returns stdout. */
  ipfs(args: readonly string[], input?: Buffer): Buffer;
}

export function kuboSkipReason(): string | false {
  if (process.env.CAIRN_TEST_IPFS_API && process.env.CAIRN_TEST_IPFS_BIN) return false;
  if (process.env.CAIRN_TEST_REQUIRE_IPFS === 'true') return false;
  return 'CAIRN_TEST_IPFS_API and CAIRN_TEST_IPFS_BIN are not set';
}

export function kuboNode(): KuboNode {
  const apiUrl = process.env.CAIRN_TEST_IPFS_API;
  const bin = process.env.CAIRN_TEST_IPFS_BIN;
  if (!apiUrl || !bin) {
    throw new Error('CAIRN_TEST_REQUIRE_IPFS=true but CAIRN_TEST_IPFS_API or _BIN is not set');
  }
  const { hostname, port } = new URL(apiUrl);
  const multiaddr = `/ip4/${hostname}/tcp/${port}`;
  return {
    apiUrl,
    bin,
    ipfs: (args, input) =>
      execFileSync(bin, ['--api', multiaddr, ...args], {
        maxBuffer: 1024 * 1024 * 1024,
        ...(input ? { input } : {}),
        env: { ...process.env, IPFS_TELEMETRY: 'off' },
      }),
  };
}
