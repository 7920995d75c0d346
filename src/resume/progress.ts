/**
 * Pure: whether an attempt got anywhere. A crash loop (a bad checkpoint, a full disk, a missing
 * module) otherwise resumes forever: an attempt that saved no new checkpoint and logged no new
 * metric step is fruitless, and `maxFruitlessAttempts` of them in a row end the run.
 */
export interface Progress {
  /** The newest checkpoint as `relative@mtimeMs`, or null. */
  checkpoint: string | null;
  /** The step of the last metric point logged so far, or null. */
  lastStep: number | null;
}

export function madeProgress(before: Progress, after: Progress): boolean {
  if (after.checkpoint !== null && after.checkpoint !== before.checkpoint) return true;
  // Not `>`: a resumed attempt logs steps from its checkpoint's on, below the crashed one's last.
  return after.lastStep !== null && after.lastStep !== before.lastStep;
}

export function crashLoopReason(fruitless: number): string {
  return `crash loop: ${fruitless} attempts in a row saved no new checkpoint and logged no new metric step (resume.maxFruitlessAttempts)`;
}
