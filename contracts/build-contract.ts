// Compiles CairnAnchor.sol with the solc npm package (standard JSON input) and writes
// contracts/generated/CairnAnchor.json. `npm run build:contracts` runs it; loadAnchorArtifact()
// calls it when that file is missing or stale.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import solc from 'solc';
import {
  ANCHOR_ARTIFACT_PATH,
  ANCHOR_CONTRACT_NAME,
  ANCHOR_SOURCE_PATH,
  type AnchorArtifact,
  AnchorArtifactError,
  type AnchorArtifactPaths,
  sourceHashOf,
} from './anchor-artifact.ts';

// A high `runs` favours cheap calls over a cheap deployment: the contract is deployed once and
// called every epoch. `paris` (no PUSH0 or MCOPY) lets the bytecode run on any EVM chain an
// operator picks, at the price of a few gas.
const SETTINGS = {
  optimizer: { enabled: true, runs: 10_000 },
  evmVersion: 'paris',
  outputSelection: { '*': { [ANCHOR_CONTRACT_NAME]: ['abi', 'evm.bytecode.object'] } },
};

interface SolcMessage {
  severity: 'error' | 'warning' | 'info';
  formattedMessage: string;
}

interface SolcOutput {
  errors?: SolcMessage[];
  contracts?: Record<
    string,
    Record<string, { abi: AnchorArtifact['abi']; evm: { bytecode: { object: string } } }>
  >;
}

export interface CompiledAnchor {
  readonly artifact: AnchorArtifact;
  /** Compiler warnings, formatted; the contract is expected to compile without any. */
  readonly warnings: readonly string[];
}

export function compileAnchorContract(
  source: string,
  fileName = 'CairnAnchor.sol',
): CompiledAnchor {
  const input = {
    language: 'Solidity',
    sources: { [fileName]: { content: source } },
    settings: SETTINGS,
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const messages = output.errors ?? [];
  const errors = messages.filter((m) => m.severity === 'error');
  if (errors.length > 0) {
    throw new AnchorArtifactError(
      `${fileName} does not compile:\n${errors.map((e) => e.formattedMessage).join('\n')}`,
    );
  }
  const compiled = output.contracts?.[fileName]?.[ANCHOR_CONTRACT_NAME];
  if (!compiled?.evm.bytecode.object) {
    throw new AnchorArtifactError(`${fileName} has no contract named ${ANCHOR_CONTRACT_NAME}`);
  }
  return {
    artifact: {
      contractName: ANCHOR_CONTRACT_NAME,
      abi: compiled.abi,
      bytecode: `0x${compiled.evm.bytecode.object}`,
      solcVersion: solc.version(),
      sourceHash: sourceHashOf(source),
    },
    warnings: messages.filter((m) => m.severity === 'warning').map((m) => m.formattedMessage),
  };
}

/** Compiles the source and replaces the artifact file. */
export function writeAnchorArtifact(paths: AnchorArtifactPaths = {}): CompiledAnchor {
  const sourcePath = paths.sourcePath ?? ANCHOR_SOURCE_PATH;
  const artifactPath = paths.artifactPath ?? ANCHOR_ARTIFACT_PATH;
  const compiled = compileAnchorContract(readFileSync(sourcePath, 'utf8'), basename(sourcePath));
  mkdirSync(dirname(artifactPath), { recursive: true });
  // Written aside and renamed: two test processes may rebuild at once, and a reader must never
  // see half a file.
  const temporary = `${artifactPath}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(compiled.artifact, null, 2)}\n`);
  renameSync(temporary, artifactPath);
  return compiled;
}

if (import.meta.main) {
  const { artifact, warnings } = writeAnchorArtifact();
  for (const warning of warnings) process.stderr.write(`${warning}\n`);
  const bytes = (artifact.bytecode.length - 2) / 2;
  process.stdout.write(
    `wrote ${ANCHOR_ARTIFACT_PATH} (solc ${artifact.solcVersion}, ${bytes} bytes of bytecode)\n`,
  );
}
