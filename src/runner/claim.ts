import { isAlive } from '../process/index.js';
import type { RunRecord } from '../registry/record.js';

/**
 * A runner may take a run only while the start that asked for it is waiting: the record says
 * `starting` and its launcher is alive. `pm2 resurrect` (what `pm2 startup` runs at boot) starts
 * every saved runner again with its old run directory; without this check it flipped an ended run
 * back to running and appended a new script's output to the old logs. A command that continues a
 * run on purpose sets the record back to `starting` with itself as the launcher.
 *
 * Pure apart from the liveness checks; returns why not, or null when the runner may go on.
 */
export function whyNotTake(record: RunRecord, alive: (ref: RunRecord['launcher']) => boolean = isAlive): string | null {
  const prefix = `not starting run ${record.id}`;
  if (record.status.state !== 'starting') {
    return `${prefix}: its record says ${record.status.state}, not starting (pm2 resurrect of an old run?); nothing was changed`;
  }
  if (record.runner && alive(record.runner)) {
    return `${prefix}: another runner (pid ${record.runner.pid}) has it; nothing was changed`;
  }
  if (!alive(record.launcher)) {
    return `${prefix}: the rl-run process that started it (pid ${record.launcher.pid}) is gone; nothing was changed`;
  }
  return null;
}
