import path from 'node:path';
import type { ResolvedResume } from '../config/schema.js';
import type { RunRecord } from '../registry/record.js';
import { expandResumeArgs } from './args.js';

/**
 * Pure: how attempt `number` of a run is started: its command line, the checkpoint it resumes
 * from, and the separator line its logs get. The first attempt of a run is its plain command;
 * every later one (an automatic restart, `rl-run resume`, `resurrect`) resumes from `checkpoint`
 * (relative to the run directory) when there is one.
 */
export interface AttemptPlan {
  number: number;
  command: string[];
  /** Absolute; null when it starts from scratch; undefined for a run's first attempt. */
  checkpoint: string | null | undefined;
  /** Written to stdout.log and stderr.log before the attempt's output; null for the first attempt. */
  separator: string | null;
}

export function planAttempt(
  record: Pick<RunRecord, 'command'>,
  runDir: string,
  number: number,
  resume: ResolvedResume | null,
  checkpoint: string | null,
): AttemptPlan {
  if (number <= 1) return { number, command: [...record.command], checkpoint: undefined, separator: null };
  if (!resume) return { number, command: [...record.command], checkpoint: null, separator: separatorLine(number, 'started from scratch (no resume configured)') };
  if (checkpoint === null) {
    return { number, command: [...record.command], checkpoint: null, separator: separatorLine(number, `started from scratch (no checkpoint matches ${resume.checkpoint})`) };
  }
  const absolute = path.join(runDir, checkpoint);
  const args = expandResumeArgs(resume.args, { checkpoint: absolute, runDir, attempt: number });
  return { number, command: [...record.command, ...args], checkpoint: absolute, separator: separatorLine(number, `resumed from ${checkpoint}`) };
}

export const SEPARATOR_MARK = '──── rl-run: attempt ';

export function separatorLine(number: number, how: string): string {
  return `\n${SEPARATOR_MARK}${number}, ${how} ────\n`;
}
