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
}

/** The format squeue is asked for: `%i|%T|%N|%r|%j`. */
export const SQUEUE_FORMAT = '%i|%T|%N|%r|%j';

export function parseSqueue(text: string): JobInfo[] {
  const jobs: JobInfo[] = [];
  for (const line of lines(text)) {
    const [jobId, state, node, reason, ...name] = line.split('|');
    if (!jobId || !state) continue;
    jobs.push({
      jobId,
      state: state.toUpperCase(),
      ...(node ? { node } : {}),
      ...(reason && reason !== 'None' ? { reason } : {}),
      ...(name.length ? { name: name.join('|') } : {}),
    });
  }
  return jobs;
}

/** The fields sacct is asked for (`-n -P -o …`), in this order. */
export const SACCT_FIELDS = 'JobID,State,ExitCode,NodeList,End';

export function parseSacct(text: string, jobId: string): JobInfo | null {
  // With accounting storage a job has lines for its steps too (123.batch); the job's own line is wanted.
  for (const line of lines(text)) {
    const [id, state, exit, node, end] = line.split('|');
    if (id !== jobId || !state) continue;
    return {
      jobId,
      state: state.split(' ')[0]!.toUpperCase(),
      ...exitFields(exit),
      ...(node && node !== 'None assigned' ? { node } : {}),
      ...endFields(end),
    };
  }
  return null;
}

export function parseScontrol(text: string, jobId: string): JobInfo | null {
  const fields = new Map<string, string>();
  for (const match of text.matchAll(/(?:^|\s)([A-Za-z_:/]+)=(\S*)/g)) {
    if (!fields.has(match[1]!)) fields.set(match[1]!, match[2]!);
  }
  if (fields.get('JobId') !== jobId || !fields.get('JobState')) return null;
  const node = fields.get('NodeList');
  const reason = fields.get('Reason');
  return {
    jobId,
    state: fields.get('JobState')!.toUpperCase(),
    ...exitFields(fields.get('ExitCode')),
    ...(node && node !== '(null)' ? { node } : {}),
    ...(reason && reason !== 'None' ? { reason } : {}),
    ...endFields(fields.get('EndTime')),
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

function endFields(text: string | undefined): Pick<JobInfo, 'endedAt'> {
  // SLURM prints local time without a zone ("2026-11-24T22:06:56"); Date reads that as local time too.
  if (!text || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text)) return {};
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? {} : { endedAt: time.toISOString() };
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
