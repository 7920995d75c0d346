import type { RunRecord } from '../registry/record.js';
import { statusFields } from '../registry/record.js';
import { formatDuration } from './time.js';

const COLOURS: Record<string, string> = {
  queued: '\x1b[34m',
  running: '\x1b[36m',
  starting: '\x1b[36m',
  pending: '\x1b[33m',
  succeeded: '\x1b[32m',
  failed: '\x1b[31m',
  stopped: '\x1b[33m',
  lost: '\x1b[35m',
};

export function colourStatus(state: string, colour: boolean): string {
  return colour && COLOURS[state] ? `${COLOURS[state]}${state}\x1b[0m` : state;
}

/** Wall time from start to end, or to now for a live run; blank when it never started. */
export function runDuration(record: RunRecord, now: Date = new Date()): string {
  const start = record.startedAt ?? record.createdAt;
  const fields = statusFields(record.status);
  const end = fields.endedAt ?? (record.status.state === 'running' ? now.toISOString() : undefined);
  if (!start || !end) return '';
  return formatDuration(new Date(end).getTime() - new Date(start).getTime());
}

/** "0", "1", "SIGKILL", or blank for a run that has not ended. */
export function exitSummary(record: RunRecord): string {
  const fields = statusFields(record.status);
  if (fields.signal) return fields.signal;
  return fields.exitCode === undefined || fields.exitCode === null ? '' : String(fields.exitCode);
}
