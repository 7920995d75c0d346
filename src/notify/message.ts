import type { NotifyEvent, ResolvedNotify } from '../config/watching.js';
import { formatDuration } from '../format/time.js';
import { type RunEvent, type RunRecord, statusFields } from '../registry/record.js';

/**
 * What is notified, and how it is said: pure. Each notice has a key, recorded in the run's
 * `notified` list before it is sent, so it is sent once: an end is keyed by its time, a lost run by
 * when it was found, a watchdog event by its kind and time.
 */
export interface Notice {
  key: string;
  /** What `notify.on` names it by. */
  on: NotifyEvent;
  /** RL_RUN_EVENT: the end's state, or the watchdog event's kind (nan, stall). */
  event: string;
  detail: string | null;
  at: string;
}

export function endNotice(record: RunRecord): Notice | null {
  const { status } = record;
  if (status.state === 'lost') return { key: `lost@${status.detectedAt}`, on: 'lost', event: 'lost', detail: status.reason, at: status.detectedAt };
  if (status.state === 'succeeded' || status.state === 'failed' || status.state === 'stopped') {
    return { key: `${status.state}@${status.endedAt}`, on: status.state, event: status.state, detail: status.state === 'failed' ? status.reason : null, at: status.endedAt };
  }
  return null;
}

export function watchdogNotice(event: RunEvent): Notice {
  return { key: `watchdog:${event.kind}@${event.at}`, on: 'watchdog', event: event.kind, detail: event.detail, at: event.at };
}

/** The notice a key names in this record, as the deliverer finds it again. */
export function noticeOfKey(record: RunRecord, key: string): Notice | null {
  if (key.startsWith('watchdog:')) {
    const event = (record.events ?? []).find((e) => watchdogNotice(e).key === key);
    return event ? watchdogNotice(event) : null;
  }
  const end = endNotice(record);
  return end?.key === key ? end : null;
}

/** Whether the record's notify config wants this notice, and it has not been claimed yet. */
export function wanted(notify: ResolvedNotify | null, record: RunRecord, notice: Notice): boolean {
  if (!notify || (!notify.command && !notify.webhook)) return false;
  return notify.on.includes(notice.on) && !(record.notified ?? []).includes(notice.key);
}

export function claimed(record: RunRecord, notice: Notice): RunRecord {
  return { ...record, notified: [...(record.notified ?? []), notice.key] };
}

function durationSeconds(record: RunRecord, now: Date): number | null {
  const start = record.startedAt;
  if (!start) return null;
  const fields = statusFields(record.status);
  const end = fields.endedAt ?? (record.status.state === 'lost' ? record.status.detectedAt : now.toISOString());
  return Math.max(0, Math.round((Date.parse(end) - Date.parse(start)) / 1000));
}

export function noticeText(record: RunRecord, notice: Notice, now: Date): string {
  const seconds = durationSeconds(record, now);
  const after = seconds === null ? '' : ` after ${formatDuration(seconds * 1000)}`;
  const where = ` on ${record.hostname}`;
  if (notice.on === 'watchdog') {
    const what = notice.event === 'nan' ? `non-finite metric ${notice.detail ?? ''}` : `stalled: ${notice.detail ?? ''}`;
    return `rl-run: run ${record.id} ${what}${after}${where}`;
  }
  const fields = statusFields(record.status);
  const exit = fields.signal ? ` (${fields.signal})` : fields.exitCode !== undefined && fields.exitCode !== null ? ` (exit code ${fields.exitCode})` : '';
  return `rl-run: run ${record.id} ${notice.event}${exit}${after}${where}${notice.detail ? `: ${notice.detail}` : ''}`;
}

/** The webhook's JSON body: Slack shows `text`, Discord `content` (the same words); other fields are for scripts. */
export function webhookBody(record: RunRecord, dir: string, notice: Notice, lastMetrics: Record<string, number>, tail: string[], now: Date) {
  const fields = statusFields(record.status);
  const text = noticeText(record, notice, now);
  return {
    text,
    content: text,
    run: {
      id: record.id,
      name: record.name,
      status: record.status.state,
      exitCode: fields.exitCode ?? null,
      duration: durationSeconds(record, now),
      dir,
      host: record.hostname,
    },
    event: { kind: notice.event, at: notice.at, detail: notice.detail },
    lastMetrics,
    tail,
  };
}

export function commandEnv(record: RunRecord, dir: string, notice: Notice): Record<string, string> {
  const fields = statusFields(record.status);
  return {
    RL_RUN_ID: record.id,
    RL_RUN_NAME: record.name,
    RL_RUN_DIR: dir,
    RL_RUN_STATUS: record.status.state,
    RL_RUN_EVENT: notice.event,
    RL_RUN_EXIT_CODE: fields.exitCode === undefined || fields.exitCode === null ? '' : String(fields.exitCode),
  };
}
