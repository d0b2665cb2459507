// The compiled anchor contract (ABI and bytecode) as the server and the tests use it. It is
// generated from CairnAnchor.sol by build-contract.ts, never written by hand; a missing or stale
// file (its source hash no longer matches the .sol) is regenerated here, which needs the `solc`
// package. A server installed without it must ship contracts/generated/ built beforehand.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonFragment } from 'ethers';

export const ANCHOR_CONTRACT_NAME = 'CairnAnchor';
export const ANCHOR_SOURCE_PATH = join(import.meta.dirname, `${ANCHOR_CONTRACT_NAME}.sol`);
export const ANCHOR_ARTIFACT_PATH = join(
  import.meta.dirname,
  'generated',
  `${ANCHOR_CONTRACT_NAME}.json`,
);

export interface AnchorArtifact {
  readonly contractName: string;
  readonly abi: readonly JsonFragment[];
  /** 0x-prefixed creation bytecode. */
  readonly bytecode: string;
  readonly solcVersion: string;
  /** sha256 (hex) of the .sol text it was compiled from. */
  readonly sourceHash: string;
}

/** Where the source is read and the artifact written; tests point these at a scratch copy. */
export interface AnchorArtifactPaths {
  readonly sourcePath?: string;
  readonly artifactPath?: string;
}

export class AnchorArtifactError extends Error {
  override name = 'AnchorArtifactError';
}

export function sourceHashOf(source: string | Buffer): string {
  return createHash('sha256').update(source).digest('hex');
}

export async function loadAnchorArtifact(paths: AnchorArtifactPaths = {}): Promise<AnchorArtifact> {
  const sourcePath = paths.sourcePath ?? ANCHOR_SOURCE_PATH;
  const artifactPath = paths.artifactPath ?? ANCHOR_ARTIFACT_PATH;
  const current = readArtifact(artifactPath);
  let sourceHash: string;
  try {
    sourceHash = sourceHashOf(readFileSync(sourcePath));
  } catch (err) {
    // An installation may ship the artifact without the source; then the artifact is all there is.
    if (current && (err as NodeJS.ErrnoException).code === 'ENOENT') return current;
    throw new AnchorArtifactError(`cannot read ${sourcePath}: ${(err as Error).message}`);
  }
  if (current?.sourceHash === sourceHash) return current;

  let build: typeof import('./build-contract.ts');
  try {
    build = await import('./build-contract.ts');
  } catch (err) {
    throw new AnchorArtifactError(
      `${artifactPath} is ${current ? 'out of date' : 'missing'} and the Solidity compiler could ` +
        `not be loaded (${(err as Error).message}); run \`npm run build:contracts\` where the ` +
        'solc package is installed',
    );
  }
  return build.writeAnchorArtifact({ sourcePath, artifactPath }).artifact;
}

/** The artifact on disk, or undefined when absent or unreadable (then it is rebuilt). */
function readArtifact(path: string): AnchorArtifact | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (!isArtifact(parsed)) return undefined;
  return parsed;
}

function isArtifact(value: unknown): value is AnchorArtifact {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.contractName === 'string' &&
    Array.isArray(v.abi) &&
    typeof v.bytecode === 'string' &&
    /^0x[0-9a-f]+$/i.test(v.bytecode) &&
    typeof v.solcVersion === 'string' &&
    typeof v.sourceHash === 'string'
  );
}
