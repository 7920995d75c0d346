import { UsageError } from '../errors.js';
import type { GroupInput } from '../stats/summary.js';
import type { ReplicateGroup } from './groups.js';
import { normalizeScore, type TaskRanges } from './normalize.js';
import { formatParam } from './params.js';
import type { CompareRun } from './plan.js';
import { formatScoreSpec, type ScoreSpec, scoreOf } from './score.js';

export interface ScoringOptions {
  metric: string;
  score: ScoreSpec;
  /** The parameter whose values are tasks; without it every run is on one task named after the metric. */
  taskBy?: string;
  /** --normalize: min-max per task before any statistic. */
  ranges?: TaskRanges;
}

export interface ScoredGroup extends GroupInput {
  params: ReplicateGroup<CompareRun>['params'];
}

/**
 * Each group's scores on one metric as rliable's runs × tasks table (stored by task), the runs in
 * group order. Runs without a score are left out and said in `notes`; groups must then still share
 * their tasks and have as many runs on each task, or this is a usage error naming the gap. Pure.
 */
export function scoreGroups(groups: readonly ReplicateGroup<CompareRun>[], options: ScoringOptions): { groups: ScoredGroup[]; notes: string[] } {
  const notes: string[] = [];
  const scored: ScoredGroup[] = [];
  for (const group of groups) {
    const tasks = new Map<string, { runs: string[]; scores: number[] }>();
    for (const run of group.runs) {
      if (options.taskBy !== undefined && !(options.taskBy in run.params)) {
        notes.push(`${run.id} (${group.label}) has no parameter ${options.taskBy} to give its task: left out`);
        continue;
      }
      const result = scoreOf(run.series.get(options.metric), options.score);
      if ('missing' in result) {
        notes.push(`${run.id} (${group.label}) ${result.missing}: left out of ${options.metric} (--score ${formatScoreSpec(options.score)})`);
        continue;
      }
      const task = options.taskBy === undefined ? options.metric : formatParam(run.params[options.taskBy]);
      let score = result.score;
      if (options.ranges) {
        const range = options.ranges.get(task);
        if (!range) throw new UsageError(`--normalize: task ${task} (of ${run.id}) has no row in the file; add ${task},MIN,MAX`);
        score = normalizeScore(score, range);
      }
      const entry = tasks.get(task) ?? { runs: [], scores: [] };
      entry.runs.push(run.id);
      entry.scores.push(score);
      tasks.set(task, entry);
    }
    if (tasks.size === 0) {
      notes.push(`group ${group.label}: no run has a score on ${options.metric}; the group is left out`);
      continue;
    }
    const names = [...tasks.keys()].sort();
    const counts = names.map((task) => tasks.get(task)!.scores.length);
    if (new Set(counts).size > 1) {
      const detail = names.map((task, i) => `${counts[i]} on ${task}`).join(', ');
      throw new UsageError(`group ${group.label} has ${detail}: rliable's statistics need as many runs on every task; select runs so they match`);
    }
    scored.push({
      label: group.label,
      params: group.params,
      runs: names.flatMap((task) => tasks.get(task)!.runs),
      tasks: Object.fromEntries(names.map((task) => [task, tasks.get(task)!.scores])),
    });
  }
  const first = scored[0];
  for (const group of scored.slice(1)) {
    const mine = Object.keys(group.tasks).join(',');
    const theirs = Object.keys(first!.tasks).join(',');
    if (mine !== theirs) throw new UsageError(`group ${group.label} has the tasks ${mine} and group ${first!.label} ${theirs}: every group needs the same tasks; select runs so they match`);
  }
  return { groups: scored, notes };
}
