import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The one reader of /proc (Linux). Every function answers "cannot tell" (undefined, null, [] or
 * false) where /proc is missing or the process ended meanwhile.
 */

export interface ProcStat {
  /** One letter: R, S, D, Z, ... */
  state: string;
  ppid: number;
  /** Clock ticks since boot (field 22). */
  startTime: number;
}

/** Pure: the fields of a /proc/PID/stat line that rl-run uses. */
export function parseStat(stat: string): ProcStat | undefined {
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  const startTime = Number(fields[19]);
  if (!fields[0] || !Number.isFinite(ppid) || !Number.isFinite(startTime)) return undefined;
  return { state: fields[0], ppid, startTime };
}

export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The NUL-separated environment; null when it cannot be read (another user's process). */
export function readEnviron(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return null;
  }
}

/** The NUL-separated command line, '' when it cannot be read. */
export function readCmdline(pid: number, encoding: 'latin1' | 'utf8' = 'latin1'): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, encoding);
  } catch {
    return '';
  }
}

/** Every pid /proc lists; null where there is no /proc. */
export function listPids(): number[] | null {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return null;
  }
}

/** What each open file descriptor of the process points at (a deleted one ends in ' (deleted)'). */
export function openFileTargets(pid: number): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const targets: string[] = [];
  for (const fd of fds) {
    try {
      targets.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // closed meanwhile
    }
  }
  return targets;
}

/** The path this process's file descriptor `fd` names, where /proc/self/fd can tell it. */
export function ownFdPath(fd: number): string {
  return `/proc/self/fd/${fd}/.`;
}

/** Whether this system has /proc: where it has, a process's identity is its pid and its start time. */
export const HAS_PROC = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

/**
 * Linux reports CPU time in /proc in USER_HZ, which the kernel ABI fixes at 100 on every
 * architecture it supports (sysconf(_SC_CLK_TCK), which Node cannot call, answers the same).
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/** What a process is using: CPU time so far and resident memory, now and at its peak. */
export interface ProcUsage {
  /** utime + stime, in clock ticks (CLOCK_TICKS_PER_SECOND). */
  cpuTicks: number;
  /** Clock ticks since boot at which the process started. */
  startTime: number;
  /** VmRSS. */
  rssBytes: number;
  /** VmHWM: the process's own peak RSS. */
  peakRssBytes: number;
}

/** Pure: utime + stime (fields 14 and 15) of a /proc/PID/stat line, in clock ticks. */
export function parseCpuTicks(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/** Pure: a `Name:  value kB` line of /proc/PID/status, in bytes (0 when absent: a zombie or a kernel thread has none). */
export function statusBytes(status: string, name: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

export function readUsage(pid: number): ProcUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const cpuTicks = parseCpuTicks(stat);
    const startTime = parseStat(stat)?.startTime;
    if (cpuTicks === undefined || startTime === undefined) return undefined;
    return { cpuTicks, startTime, rssBytes: statusBytes(status, 'VmRSS'), peakRssBytes: statusBytes(status, 'VmHWM') };
  } catch {
    return undefined;
  }
}

/** Seconds since boot (/proc/uptime), the clock start times are counted on; undefined without /proc. */
export function readUptimeSeconds(): number | undefined {
  try {
    const seconds = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return Number.isFinite(seconds) ? seconds : undefined;
  } catch {
    return undefined;
  }
}
