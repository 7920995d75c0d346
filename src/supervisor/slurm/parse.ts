import { constants } from 'node:os';

/**
 * Reads what squeue, sacct and scontrol print into one shape. Pure: text in, facts out; the
 * commands are run by cli.ts.
 */
export interface JobInfo {
  jobId: string;
  /** SLURM's state name, upper case, without the "by <uid>" sacct adds to CANCELLED. */
  state: string;
  /** squeue's reason (Priority, Resources, …) for a pending job. */
  reason?: string;
  node?: string;
  name?: string;
  /** The script's exit code, from SLURM's "code:signal". */
  exitCode?: number | null;
  signal?: string | null;
  /** ISO time the job ended, when SLURM knows it. */
  endedAt?: string;
  /** ISO time the job started on its node (not when it was queued), when SLURM knows it. */
  startedAt?: string;
}

/** The format squeue is asked for: `%i|%T|%N|%r|%S|%j` (the name last: it may contain `|`). */
export const SQUEUE_FORMAT = '%i|%T|%N|%r|%S|%j';

export function parseSqueue(text: string): JobInfo[] {
  const jobs: JobInfo[] = [];
  for (const line of lines(text)) {
    const [jobId, state, node, reason, start, ...name] = line.split('|');
    if (!jobId || !state) continue;
    const upper = state.toUpperCase();
    jobs.push({
      jobId,
      state: upper,
      ...(node ? { node } : {}),
      ...(reason && reason !== 'None' ? { reason } : {}),
      // For a pending job %S is the expected start, not a start.
      ...(upper === 'PENDING' ? {} : startFields(start)),
      ...(name.length ? { name: name.join('|') } : {}),
    });
  }
  return jobs;
}

/** The fields sacct is asked for (`-n -P -o …`), in this order. */
export const SACCT_FIELDS = 'JobID,State,ExitCode,NodeList,End,Start';

export function parseSacct(text: string, jobId: string): JobInfo | null {
  // With accounting storage a job has lines for its steps too (123.batch); the job's own line is wanted.
  for (const line of lines(text)) {
    const [id, state, exit, node, end, start] = line.split('|');
    if (id !== jobId || !state) continue;
    return {
      jobId,
      state: state.split(' ')[0]!.toUpperCase(),
      ...exitFields(exit),
      ...(node && node !== 'None assigned' ? { node } : {}),
      ...endFields(end),
      ...(startedForSure(state) && node && node !== 'None assigned' ? startFields(start) : {}),
    };
  }
  return null;
}

export function parseScontrol(text: string, jobId: string): JobInfo | null {
  const fields = new Map<string, string>();
  for (const match of text.matchAll(/(?:^|\s)([A-Za-z_:/]+)=(\S*)/g)) {
    if (!fields.has(match[1]!)) fields.set(match[1]!, match[2]!);
  }
  // An array task (`12_3`) is shown as its own JobId=15 with ArrayJobId=12 ArrayTaskId=3.
  const arrayId = fields.has('ArrayJobId') && fields.has('ArrayTaskId') ? `${fields.get('ArrayJobId')}_${fields.get('ArrayTaskId')}` : null;
  if ((fields.get('JobId') !== jobId && arrayId !== jobId) || !fields.get('JobState')) return null;
  const node = fields.get('NodeList');
  const reason = fields.get('Reason');
  return {
    jobId,
    state: fields.get('JobState')!.toUpperCase(),
    ...exitFields(fields.get('ExitCode')),
    ...(node && node !== '(null)' ? { node } : {}),
    ...(reason && reason !== 'None' ? { reason } : {}),
    ...endFields(fields.get('EndTime')),
    ...(startedForSure(fields.get('JobState')!) && node && node !== '(null)' ? startFields(fields.get('StartTime')) : {}),
  };
}

/** "1:0" → exit code 1; "0:9" → killed by SIGKILL. */
function exitFields(text: string | undefined): Pick<JobInfo, 'exitCode' | 'signal'> {
  const match = /^(\d+):(\d+)$/.exec(text ?? '');
  if (!match) return {};
  const code = Number(match[1]);
  const signal = Number(match[2]);
  if (signal > 0) return { exitCode: null, signal: signalName(signal) };
  return { exitCode: code, signal: null };
}

/**
 * A cancelled job may never have left the queue, yet SLURM still gives it a StartTime (and, on a
 * one-node cluster, a node): seen on the test cluster. Its start is trusted only from squeue.
 */
function startedForSure(state: string): boolean {
  const upper = state.split(' ')[0]!.toUpperCase();
  return upper !== 'CANCELLED' && upper !== 'PENDING';
}

function endFields(text: string | undefined): Pick<JobInfo, 'endedAt'> {
  const time = slurmTime(text);
  return time ? { endedAt: time } : {};
}

function startFields(text: string | undefined): Pick<JobInfo, 'startedAt'> {
  const time = slurmTime(text);
  return time ? { startedAt: time } : {};
}

/** SLURM prints local time without a zone ("2026-11-24T22:06:56"), or Unknown/N/A/None; Date reads it as local too. */
function slurmTime(text: string | undefined): string | null {
  if (!text || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text)) return null;
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

function signalName(number: number): string {
  const entry = Object.entries(constants.signals).find(([, value]) => value === number);
  return entry ? entry[0] : `signal ${number}`;
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}
