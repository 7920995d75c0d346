import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { notifyOfRecord } from '../config/watching.js';
import type { RunRecord } from '../registry/record.js';
import { updateRecordIn } from '../registry/run-dir/index.js';
import { claimed, endNotice, type Notice, wanted } from './message.js';

/** dist/notify/notice.js → dist/notify/deliver.js */
const DELIVER_SCRIPT = fileURLToPath(new URL('./deliver.js', import.meta.url));

/**
 * Claims the notice in the record (under its lock: of two processes that see the same end, only
 * the first finds the key missing) and hands it to a detached deliverer, so that neither the runner
 * nor `ls` ever waits on a webhook or a command. True when this call claimed it.
 */
export interface NoticeOptions {
  /** The run directory's name in the runs directory, when `dir` is not a path ending in it (the runner's pinned /proc/self/fd path). */
  name?: string;
  /** Its path for the deliverer, which outlives the runner (and so its /proc/self/fd path). */
  runDir?: string;
  /** Another change written in the same locked write as the claim (the watchdog event itself). */
  alsoChange?: (record: RunRecord) => RunRecord;
}

export function sendNotice(dir: string, notice: Notice, options: NoticeOptions = {}): boolean {
  const { name = path.basename(dir), runDir = dir, alsoChange } = options;
  let mine = false;
  updateRecordIn(
    dir,
    (current) => {
      const record = alsoChange ? alsoChange(current) : current;
      if (!wanted(notifyOfRecord(record.config), record, notice)) return record;
      mine = true;
      return claimed(record, notice);
    },
    name,
  );
  if (mine) spawnDeliverer(runDir, notice.key);
  return mine;
}

/** A run's end, as the runner or a repair recorded it: notified if its config wants it. */
export function sendEndNotice(dir: string, record: RunRecord, options: NoticeOptions = {}): boolean {
  const notice = endNotice(record);
  if (!notice || !wanted(notifyOfRecord(record.config), record, notice)) return false;
  return sendNotice(dir, notice, options);
}

/** For the registry: a repair it wrote (a run found lost) is notified; a failure to notify never fails the read. */
export function noticeRepair(record: RunRecord, dir: string): void {
  try {
    sendEndNotice(dir, record);
  } catch {
    // the record stays as repaired; a lost notice is not worth failing `ls` over
  }
}

function spawnDeliverer(dir: string, key: string): void {
  // Under vitest this module runs from src/, where there is no .js to start: the built one is used.
  const script = existsSync(DELIVER_SCRIPT) ? DELIVER_SCRIPT : DELIVER_SCRIPT.replace(`${path.sep}src${path.sep}`, `${path.sep}dist${path.sep}`);
  // Without the run's identity (RL_RUN_ID): the runner ends every process carrying it when an attempt ends.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('RL_RUN_') || name === 'RL_RUN_NO_USER_CONFIG'));
  const child = spawn(process.execPath, [script, dir, key], { detached: true, stdio: 'ignore', env });
  child.on('error', () => {});
  child.unref();
}
