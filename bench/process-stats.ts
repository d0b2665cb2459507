// Memory and CPU time of another process (a server under test, a Kubo daemon), read from /proc:
// Linux only, elsewhere every reading is undefined. A process's peak memory is seen two ways:
// by polling VmRSS while a phase runs (the peak of that phase), and VmHWM (the kernel's own
// high-water mark since the process started, which polling cannot miss).
import { readFileSync, writeFileSync } from 'node:fs';

export interface ProcessMemory {
  /** VmRSS: resident now, in bytes. */
  readonly rss: number;
  /** VmHWM: the highest VmRSS since the process started, in bytes. */
  readonly hwm: number;
}

export function processMemory(pid: number): ProcessMemory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1]);
  const rss = kb('VmRSS');
  const hwm = kb('VmHWM');
  return Number.isFinite(rss) && Number.isFinite(hwm)
    ? { rss: rss * 1024, hwm: hwm * 1024 }
    : undefined;
}

// USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux architecture Node runs on.
const TICKS_PER_SECOND = 100;

/** User plus system CPU time the process has used so far, in seconds. */
export function processCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15, so 11 and 12 counting from field 3.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / TICKS_PER_SECOND : undefined;
}

export interface RssSampler {
  /** Stops polling; the highest VmRSS seen per pid (undefined: never readable) and the count. */
  stop(): { peaks: (number | undefined)[]; samples: number };
}

/** Polls VmRSS of each pid every `everyMs` until stop(), keeping the highest. */
export function sampleRss(pids: readonly number[], everyMs: number): RssSampler {
  const peaks: (number | undefined)[] = pids.map(() => undefined);
  let samples = 0;
  const poll = () => {
    samples++;
    pids.forEach((pid, i) => {
      const rss = processMemory(pid)?.rss;
      if (rss !== undefined) peaks[i] = Math.max(peaks[i] ?? 0, rss);
    });
  };
  poll();
  const timer = setInterval(poll, everyMs);
  return {
    stop() {
      clearInterval(timer);
      poll();
      return { peaks, samples };
    },
  };
}

/**
 * Resets the process's VmHWM to its current VmRSS (clear_refs "5", Linux 4.0+), so the next
 * reading is the peak of what runs in between. false: not allowed or not Linux.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
