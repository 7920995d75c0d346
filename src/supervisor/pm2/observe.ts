import { hostname } from 'node:os';
import type { RunRecord, RunStatus } from '../../registry/record.js';
import { isAlive } from '../../process/index.js';

/**
 * A pm2 run is alive while our runner is: the runner records how the run ended before it exits.
 * When the runner is gone and the record still says starting or running, nothing will ever record
 * the end (pm2 kill, a reboot, kill -9 of the runner): the run is lost. Uses /proc only, so that
 * `ls` never needs the pm2 daemon.
 */
export function observePm2(record: RunRecord, now: Date = new Date()): RunStatus | null {
  const { state } = record.status;
  if (state !== 'starting' && state !== 'running') return null;
  // Pids mean nothing on another machine that shares the runs directory.
  if (record.hostname && record.hostname !== hostname()) return null;
  if (isAlive(record.runner)) return null;
  if (record.pid && isAlive({ pid: record.pid, startTime: record.pidStartTime })) return null;
  if (state === 'starting') {
    if (isAlive(record.launcher)) return null;
    return lost(now, 'the start was interrupted before the run came up');
  }
  return lost(now, 'its process is gone and nothing recorded how it ended (pm2 kill, a reboot, or kill -9 of the runner)');
}

function lost(now: Date, reason: string): RunStatus {
  return { state: 'lost', detectedAt: now.toISOString(), reason };
}
