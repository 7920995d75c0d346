/**
 * Which metrics a comparison shows by default, and which way is better. Pure.
 */
const REWARD_LIKE = ['reward', 'return', 'ep_rew', 'eprewmean', 'score'];
/**
 * A mean over episodes or a running average: one raw episode (`monitor/ep_rew`, reinforce.py's
 * `Last reward`) is too noisy to compare runs by, so these come first among the rewards.
 */
const SMOOTHED = /mean|avg|average|smooth|running|(^|[/_])ema($|[/_])/i;
// A metric named like these is better when lower; every other one when higher.
const LOWER_IS_BETTER = /loss|error|(^|[/_])err($|[/_])|regret|cost|perplexity|(^|[/_])kl($|[/_])/i;

export type Direction = 'max' | 'min';

export function betterDirection(name: string): Direction {
  return LOWER_IS_BETTER.test(name) ? 'min' : 'max';
}

/** 0 for the most reward-like names, then 1, …; names that are not reward-like sort after them. */
export function rewardRank(name: string): number {
  const lower = name.toLowerCase();
  const rank = REWARD_LIKE.findIndex((word) => lower.includes(word));
  return rank < 0 ? REWARD_LIKE.length : rank;
}

/** The order metrics are offered in: smoothed rewards, raw rewards, then the rest; by reward word, then by name. */
export function metricOrder(a: string, b: string): number {
  return preference(a) - preference(b) || rewardRank(a) - rewardRank(b) || a.localeCompare(b);
}

function preference(name: string): number {
  if (rewardRank(name) === REWARD_LIKE.length) return 2;
  return SMOOTHED.test(name) ? 0 : 1;
}

/**
 * The metrics every run has, in `metricOrder`, as many as fit in `width` columns when each takes
 * `columnWidth(name)`.
 */
export function defaultMetrics(perRun: readonly (readonly string[])[], width: number, columnWidth: (name: string) => number): string[] {
  const [first, ...rest] = perRun;
  if (!first) return [];
  const common = first.filter((name) => rest.every((names) => names.includes(name)));
  const ordered = [...common].sort(metricOrder);
  const chosen: string[] = [];
  let used = 0;
  for (const name of ordered) {
    const needed = columnWidth(name);
    if (chosen.length > 0 && used + needed > width) break;
    chosen.push(name);
    used += needed;
  }
  return chosen;
}
