import { envValue, isPm2DaemonProcess } from '../process/index.js';
import { listPids, readEnviron } from '../process/proc.js';

/**
 * The run ids carried (RL_RUN_ID) by some live process, from one pass over /proc: a run whose
 * record says it ended still holds its slot and GPUs while any of these is alive (an environment
 * worker that outlived its script). This process itself is not counted: a runner dispatching after
 * its own run ended is about to exit. Null where there is no /proc.
 */
export function runIdsWithProcesses(): Set<string> | null {
  const pids = listPids();
  if (!pids) return null;
  const ids = new Set<string>();
  for (const pid of pids) {
    if (pid === process.pid) continue;
    const environ = readEnviron(pid);
    if (!environ) continue;
    const id = envValue(environ, 'RL_RUN_ID');
    if (id && !isPm2DaemonProcess(pid, environ)) ids.add(id);
  }
  return ids;
}
