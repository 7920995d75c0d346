import { UsageError } from '../errors.js';
import { splitCells } from '../metrics/csv-extractor.js';
import type { GroupInput } from './summary.js';

const COLUMNS = ['group', 'task', 'run', 'score'] as const;

/**
 * A scores table (columns group,task,run,score, header required, any column order) as groups in the
 * order they first appear, runs and tasks likewise. Every problem is one line naming the file's line.
 */
export function parseScoresCsv(text: string, file: string): GroupInput[] {
  const lines = text.split(/\r?\n/);
  const fail = (line: number, problem: string): never => {
    throw new UsageError(`${file}:${line}: ${problem}`);
  };
  const header = splitCells(lines[0] ?? '', ',').map((name) => name.trim().toLowerCase());
  const at = Object.fromEntries(COLUMNS.map((column) => [column, header.indexOf(column)])) as Record<(typeof COLUMNS)[number], number>;
  const missing = COLUMNS.filter((column) => at[column] < 0);
  if (missing.length) fail(1, `the header needs the columns ${COLUMNS.join(',')} (missing ${missing.join(', ')}); the first line is ${JSON.stringify(lines[0] ?? '')}`);

  interface Building {
    runs: string[];
    tasks: Map<string, { line: number; scores: Map<string, number> }>;
  }
  const groups = new Map<string, Building>();
  for (let index = 1; index < lines.length; index++) {
    const lineNo = index + 1;
    if (lines[index]!.trim() === '') continue;
    const fields = splitCells(lines[index]!, ',');
    if (fields.length !== header.length) fail(lineNo, `${fields.length} fields where the header has ${header.length}`);
    const [group, task, run, scoreText] = COLUMNS.map((column) => fields[at[column]]!.trim()) as [string, string, string, string];
    if (!group || !task || !run) fail(lineNo, 'group, task and run must not be empty');
    const score = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(scoreText) ? Number(scoreText) : Number.NaN;
    if (!Number.isFinite(score)) fail(lineNo, `score ${JSON.stringify(scoreText)} is not a number`);
    let building = groups.get(group);
    if (!building) {
      building = { runs: [], tasks: new Map() };
      groups.set(group, building);
    }
    let scores = building.tasks.get(task);
    if (!scores) {
      scores = { line: lineNo, scores: new Map() };
      building.tasks.set(task, scores);
    }
    if (scores.scores.has(run)) fail(lineNo, `group ${group}, task ${task}, run ${run} is given twice`);
    scores.scores.set(run, score);
    if (!building.runs.includes(run)) building.runs.push(run);
  }
  if (groups.size === 0) fail(2, 'no scores: give one row per group, task and run under the header');

  const firstTasks = [...groups.values()][0]!.tasks;
  return [...groups].map(([label, { runs, tasks }]) => {
    for (const [task, { line, scores }] of tasks) {
      const absent = runs.find((run) => !scores.has(run));
      if (absent !== undefined) fail(line, `group ${label}: task ${task} has ${scores.size} runs, and no score for run ${absent} that other tasks have: every task of a group needs the same runs`);
    }
    const extra = [...tasks.keys()].find((task) => !firstTasks.has(task));
    const lacking = [...firstTasks.keys()].find((task) => !tasks.has(task));
    if (extra !== undefined) fail(tasks.get(extra)!.line, `group ${label} has task ${extra} that group ${[...groups.keys()][0]} lacks: every group needs the same tasks`);
    if (lacking !== undefined) fail(firstTasks.get(lacking)!.line, `group ${label} lacks task ${lacking}: every group needs the same tasks`);
    return { label, runs, tasks: Object.fromEntries([...firstTasks.keys()].map((task) => [task, runs.map((run) => tasks.get(task)!.scores.get(run)!)])) };
  });
}

