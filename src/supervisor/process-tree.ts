import { readdirSync, readFileSync } from 'node:fs';

/**
 * Finds the processes that belong to a run: every process whose environment carries its
 * RL_RUN_ID (environment workers inherit it, even when they left the process group), plus the
 * descendants of the script's own pid. Linux /proc only; elsewhere, just the root pid.
 */
export function findRunProcesses(runId: string, rootPid?: number): number[] {
  const marker = `RL_RUN_ID=${runId}\0`;
  const found = new Set<number>();
  const parents = new Map<number, number>();
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return rootPid ? [rootPid] : [];
  }
  for (const pid of pids) {
    if (pid === process.pid) continue;
    const ppid = parentOf(pid);
    if (ppid !== undefined) parents.set(pid, ppid);
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (`${environ}\0`.includes(marker)) found.add(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  if (rootPid) {
    found.add(rootPid);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, ppid] of parents) {
        if (!found.has(pid) && found.has(ppid) && pid !== process.pid) {
          found.add(pid);
          grew = true;
        }
      }
    }
  }
  return [...found];
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

export function signalAll(pids: readonly number[], signal: NodeJS.Signals): number {
  let sent = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
      sent++;
    } catch {
      // already gone
    }
  }
  return sent;
}
