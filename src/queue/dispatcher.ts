import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { RuntimeError, describeError } from '../errors.js';
import { pollUntil, withoutRunIdentity } from '../process/index.js';
import { Registry } from '../registry/registry.js';
import { observeRecord } from '../supervisor/index.js';
import { queueStore, liveDispatcher, trackedIds, withStoreLock } from './store.js';

/**
 * The dispatcher is a process pm2 keeps alive (restarted if it dies, stopped by its own exit 0
 * when nothing is queued), one per runs directory. It catches what the runners' own dispatch on
 * exit cannot: a runner killed with kill -9, a daemon brought back after `pm2 kill`.
 */
export const DISPATCHER_NAMESPACE = 'rl-run-queue';

/** One dispatcher per runs directory: its pm2 name is derived from the directory's path. */
export function dispatcherName(runsDir: string): string {
  return `rl-run-queue-${createHash('sha256').update(runsDir).digest('hex').slice(0, 12)}`;
}

function dispatcherScript(): string {
  return fileURLToPath(new URL('./dispatcher-main.js', import.meta.url));
}

/** Whether some tracked run of this runs directory is queued (reads only the tracked records). */
export function hasQueued(runsDir: string): boolean {
  const ids = trackedIds(queueStore(runsDir));
  if (ids.length === 0) return false;
  const registry = new Registry(runsDir, observeRecord);
  return ids.some((id) => {
    const read = registry.readRaw(id);
    return read.ok && read.run.record.status.state === 'queued';
  });
}

/**
 * Makes sure a dispatcher runs while something is queued: cheap when nothing is queued (one
 * readdir) or one is alive (its pid and start time), else starts it under pm2. Every command calls
 * it (commands/context.ts), so dispatch resumes at the next rl-run command after `pm2 kill` or a
 * reboot; `resurrect` can call it too.
 */
export async function ensureDispatcher(runsDir: string): Promise<void> {
  const store = queueStore(runsDir);
  if (liveDispatcher(store) !== null || !hasQueued(runsDir)) return;
  await withStoreLock(store, store.ensureLock, async () => {
    if (liveDispatcher(store) !== null) return;
    const { withPm2, pm2Call } = await import('../supervisor/pm2/client.js');
    const name = dispatcherName(runsDir);
    await withPm2(async (pm2) => {
      // An entry left stopped (its exit 0) or errored is replaced; a live one has no pid file, so it is exiting.
      await pm2Call((done) => pm2.delete(name, done as never)).catch(() => undefined);
      await pm2Call((done) =>
        pm2.start(
          {
            name,
            namespace: DISPATCHER_NAMESPACE,
            script: dispatcherScript(),
            args: [runsDir],
            interpreter: process.execPath,
            autorestart: true,
            stop_exit_codes: [0],
            restart_delay: 200,
            output: store.dispatcherLog,
            error: store.dispatcherLog,
            merge_logs: true,
            env: withoutRunIdentity({ ...process.env }),
            pmx: false,
            automation: false,
          } as never,
          done as never,
        ),
      );
    }).catch((error) => {
      throw new RuntimeError(`cannot start the queue's dispatcher under pm2: ${describeError(error)}`);
    });
    await pollUntil(() => liveDispatcher(store) !== null || !hasQueued(runsDir), 10_000);
  });
}
