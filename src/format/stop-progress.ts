/** What a stop is waiting for: the run to come up (then it gets SIGINT), to save, or to end after SIGKILL. */
export interface StopProgress {
  id: string;
  phase: 'start' | 'save' | 'end';
  /** Epoch ms: when the SIGINT went out (phase save) or the stop was asked for (phase start). */
  since: number;
  /** Epoch ms: when what is left gets SIGKILL. */
  deadline: number;
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

/** Pure: what a stop waits for, in one line (`waiting for ppo-… to save (SIGINT sent 4 s ago, SIGKILL in 26 s)`). */
export function describeWait(progress: StopProgress, now: number): string {
  const { id, phase, since, deadline } = progress;
  switch (phase) {
    case 'start':
      return `waiting for ${id} to start (stop asked ${seconds(now - since)} ago: SIGINT once it is up, SIGKILL in ${seconds(deadline - now)})`;
    case 'save':
      return `waiting for ${id} to save (SIGINT sent ${seconds(now - since)} ago, SIGKILL in ${seconds(deadline - now)})`;
    case 'end':
      return `waiting for ${id} to end (SIGKILL sent ${seconds(now - since)} ago)`;
  }
}

/** Pure: the one line shown for several stops: the one nearest its deadline, and how many more. */
export function describeWaits(waits: readonly StopProgress[], now: number): string {
  const sorted = [...waits].sort((a, b) => a.deadline - b.deadline);
  const first = sorted[0];
  if (!first) return '';
  return sorted.length === 1 ? describeWait(first, now) : `${describeWait(first, now)} and ${sorted.length - 1} more`;
}
