import { UsageError } from '../errors.js';
import { splitCells } from '../metrics/csv-extractor.js';

/** Per task, the score that maps to 0 and the one that maps to 1 (e.g. random and human on Atari). */
export type TaskRanges = ReadonlyMap<string, { min: number; max: number }>;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `--normalize FILE`: a CSV with the header task,min,max (any column order). Every problem is one line naming the file's line. */
export function parseTaskRanges(text: string, file: string): TaskRanges {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const fail = (line: number, problem: string): never => {
    throw new UsageError(`--normalize ${file}:${line}: ${problem}`);
  };
  const header = splitCells(lines[0] ?? '', ',').map((name) => name.trim().toLowerCase());
  const at = { task: header.indexOf('task'), min: header.indexOf('min'), max: header.indexOf('max') };
  if (at.task < 0 || at.min < 0 || at.max < 0) fail(1, `the header needs the columns task,min,max; the first line is ${JSON.stringify(lines[0] ?? '')}`);
  const ranges = new Map<string, { min: number; max: number }>();
  for (let index = 1; index < lines.length; index++) {
    if (lines[index]!.trim() === '') continue;
    const fields = splitCells(lines[index]!, ',').map((cell) => cell.trim());
    if (fields.length !== header.length) fail(index + 1, `${fields.length} fields where the header has ${header.length}`);
    const task = fields[at.task]!;
    const [min, max] = [fields[at.min]!, fields[at.max]!].map((cell) => (NUMBER.test(cell) ? Number(cell) : Number.NaN)) as [number, number];
    if (!task) fail(index + 1, 'the task is empty');
    if (!Number.isFinite(min) || !Number.isFinite(max)) fail(index + 1, `min and max must be numbers (got ${JSON.stringify(fields[at.min])}, ${JSON.stringify(fields[at.max])})`);
    if (min === max) fail(index + 1, `task ${task}: min and max are both ${min}; they must differ`);
    if (ranges.has(task)) fail(index + 1, `task ${task} is given twice`);
    ranges.set(task, { min, max });
  }
  if (ranges.size === 0) fail(2, 'no tasks: give one row per task under the header');
  return ranges;
}

/** (score − min) / (max − min). */
export function normalizeScore(score: number, range: { min: number; max: number }): number {
  return (score - range.min) / (range.max - range.min);
}
