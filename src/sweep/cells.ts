import type { RunState } from '../registry/record.js';
import type { SweepRecord } from '../registry/sweep-record.js';
import { type Cell, cellKey } from './spec.js';

/**
 * Where each cell of a sweep stands, and which cells `sweep resume` starts. Pure: the sweep's
 * record and the runs found in the registry in, decisions out.
 */
export type CellState = RunState | 'missing';

/** A run of the sweep as the registry has it now (its status brought up to date). */
export interface SweepRunFact {
  id: string;
  createdAt: string;
  cell: Cell;
  state: RunState;
}

export interface CellView {
  index: number;
  cell: Cell;
  /** The cell's newest run still in the registry; null when it has none (never started, or removed by `clean`). */
  runId: string | null;
  status: CellState;
}

/** Each cell's newest run; runs of cells the sweep does not have are ignored. */
export function cellViews(sweep: Pick<SweepRecord, 'cells' | 'grid'>, runs: readonly SweepRunFact[]): CellView[] {
  const latest = new Map<string, SweepRunFact>();
  for (const run of runs) {
    const key = cellKey(run.cell, sweep.grid);
    const seen = latest.get(key);
    if (!seen || newer(run, seen)) latest.set(key, run);
  }
  return sweep.cells.map(({ cell }, index) => {
    const run = latest.get(cellKey(cell, sweep.grid));
    return { index, cell, runId: run?.id ?? null, status: run?.state ?? 'missing' };
  });
}

function newer(a: SweepRunFact, b: SweepRunFact): boolean {
  return a.createdAt === b.createdAt ? a.id > b.id : a.createdAt > b.createdAt;
}

/**
 * The cells to start again: no run, or the newest failed or was lost; a stopped one only when asked.
 * Running, queued, starting, pending and succeeded cells are left alone.
 */
export function cellsToResume(views: readonly CellView[], includeStopped: boolean): CellView[] {
  return views.filter((view) => view.status === 'missing' || view.status === 'failed' || view.status === 'lost' || (includeStopped && view.status === 'stopped'));
}

export function countStates(views: readonly CellView[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const view of views) counts[view.status] = (counts[view.status] ?? 0) + 1;
  return counts;
}

/**
 * The status grid: one row per combination of grid values (in the sweep's order), one column per
 * seed; each entry the cell's view.
 */
export function statusGrid(sweep: Pick<SweepRecord, 'grid' | 'seeds'>, views: readonly CellView[]): { combo: Record<string, string>; bySeed: (CellView | null)[] }[] {
  const rows = new Map<string, { combo: Record<string, string>; bySeed: (CellView | null)[] }>();
  for (const view of views) {
    const combo = Object.fromEntries(sweep.grid.map((axis) => [axis.key, String(view.cell[axis.key])]));
    const key = JSON.stringify(sweep.grid.map((axis) => combo[axis.key]));
    const row = rows.get(key) ?? { combo, bySeed: sweep.seeds.map(() => null) };
    rows.set(key, row);
    const column = sweep.seeds.indexOf(Number(view.cell.seed));
    if (column >= 0) row.bySeed[column] = view;
  }
  return [...rows.values()];
}
