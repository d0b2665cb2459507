// `<data_dir>/running.json` tells local tools where the running server listens: the configured
// port may be 0 (any free port) and bind_address a wildcard, so the config alone cannot say.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunningInfo {
  pid: number;
  clientUrl: string;
  federationUrl: string;
}

const fileOf = (dataDir: string) => join(dataDir, 'running.json');

export function writeRunningFile(dataDir: string, info: RunningInfo): void {
  writeFileSync(fileOf(dataDir), `${JSON.stringify(info)}\n`, { mode: 0o600 });
}

export function removeRunningFile(dataDir: string): void {
  rmSync(fileOf(dataDir), { force: true });
}

/** The info of a server that is still alive, or undefined. */
export function readRunningFile(dataDir: string): RunningInfo | undefined {
  let info: RunningInfo;
  try {
    info = JSON.parse(readFileSync(fileOf(dataDir), 'utf8')) as RunningInfo;
  } catch {
    return undefined;
  }
  try {
    process.kill(info.pid, 0);
    return info;
  } catch (err) {
    // EPERM: alive, owned by another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? info : undefined;
  }
}
