// PGlite is PostgreSQL compiled to WebAssembly and run inside this process: there is no
// postmaster to arbitrate, so two processes opening one directory would both write to it and
// corrupt it. A pid file `<dataDir>/pglite.pid` marks the directory as taken. The CLI reads it to
// decide whether it may open the database itself or must ask the running server.

import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const PID_FILE = 'pglite.pid';

// Directories this process holds. A pid file naming our own pid is otherwise ambiguous: in a
// container the server is pid 1 on every start, so a file left by a crash names us too.
const heldHere = new Set<string>();

export class DataDirLockedError extends Error {
  readonly pid: number;

  constructor(dataDir: string, pid: number) {
    super(
      `the PGlite database in ${dataDir} is in use by process ${pid}; ` +
        'stop it, or talk to it instead of opening the database',
    );
    this.name = 'DataDirLockedError';
    this.pid = pid;
  }
}

export function pglitePidFile(dataDir: string): string {
  return join(dataDir, PID_FILE);
}

/** The pid of a live process holding the PGlite directory, or undefined if none does. */
export function readLivePglitePid(dataDir: string): number | undefined {
  const pid = readPid(pglitePidFile(dataDir));
  if (pid === undefined) return undefined;
  if (pid === process.pid) return heldHere.has(resolve(dataDir)) ? pid : undefined;
  return isAlive(pid) ? pid : undefined;
}

/**
 * Takes the PGlite directory for this process, replacing a stale pid file left by a process that
 * died. Returns the function that gives it back. Throws DataDirLockedError if a live process
 * holds it.
 */
export function lockPgliteDataDir(dataDir: string): () => void {
  const file = pglitePidFile(dataDir);
  const key = resolve(dataDir);
  // The pid is written to a private file first and then hard-linked into place: link fails if
  // the name exists, and a reader never sees a half-written pid file (which it would take for
  // stale and delete).
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(temp, file);
        heldHere.add(key);
        return () => release(file, key);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readLivePglitePid(dataDir);
      if (holder !== undefined) throw new DataDirLockedError(dataDir, holder);
      // Stale. Two processes starting at the same instant on a stale file could both remove it
      // and both win; Node has no flock, and that window is far narrower than the crash case.
      rmSync(file, { force: true });
    }
    throw new Error(`could not take ${file}: it keeps reappearing`);
  } finally {
    rmSync(temp, { force: true });
  }
}

function release(file: string, key: string): void {
  if (!heldHere.delete(key)) return;
  if (readPid(file) === process.pid) rmSync(file, { force: true });
}

function readPid(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
