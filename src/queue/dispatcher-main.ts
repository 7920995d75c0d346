/**
 * The queue's dispatcher, run by pm2 (queue/dispatcher.ts): a dispatch pass every POLL_MS while
 * anything is queued, then exit 0 (pm2 leaves it stopped). Usage: node dispatcher-main.js <runsDir>
 */
import path from 'node:path';
import { sleep } from '../process/index.js';
import { dispatchPass } from './dispatch.js';
import { claimDispatcher, queueStore, releaseDispatcher, withQueueLock } from './store.js';

/** A freed slot is seen within this (the runners' own dispatch on exit is faster still). */
const POLL_MS = 250;

function log(message: string): void {
  process.stdout.write(`[rl-run dispatcher ${new Date().toISOString()}] ${message}\n`);
}

async function main(): Promise<void> {
  const runsDir = path.resolve(process.argv[2] ?? '.');
  const store = queueStore(runsDir);
  if (!(await withQueueLock(store, async () => claimDispatcher(store)))) {
    log('another dispatcher is alive for this runs directory: exiting');
    return;
  }
  log(`dispatching for ${runsDir}`);
  for (;;) {
    let idle = false;
    const result = await dispatchPass(runsDir, () => {
      // Under the queue lock: a start that queues a run after this sees no dispatcher and starts one.
      releaseDispatcher(store);
      idle = true;
    });
    if (result.started.length) log(`started ${result.started.join(', ')}`);
    if (result.failed.length) log(`failed (dependency) ${result.failed.join(', ')}`);
    if (idle) {
      log('nothing is queued: exiting');
      return;
    }
    await sleep(POLL_MS);
  }
}

main().catch((error: Error) => {
  log(`dispatcher failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
