import type { Backend } from './record.js';

/**
 * A sweep's record, `<runsDir>/.sweeps/<id>/sweep.json`: what the sweep is (script, grid, seeds,
 * arguments, options) and, per cell, the id of every run started for it, oldest first. The runs
 * carry `sweep: {id, cell}` themselves, so a run whose id never made it here (a start that failed
 * half-way) is still found by its cell.
 */
export const SWEEP_SCHEMA_VERSION = 1;

export interface SweepCellRecord {
  /** Grid keys' values as written, and `seed` as a number. */
  cell: Record<string, string | number>;
  /** Every run started for the cell, oldest first. */
  runs: string[];
}

export interface SweepRecord {
  schemaVersion: number;
  id: string;
  name: string;
  createdAt: string;
  /** Absolute path of the script. */
  script: string;
  cwd: string;
  /** Keys in the order given (it is the order of their arguments). */
  grid: { key: string; values: string[] }[];
  seeds: number[];
  /** Arguments after `--`, before the grid's. */
  fixedArgs: string[];
  /** The config's defaults.args when the sweep was made, so a resumed cell gets the same command. */
  defaultArgs: string[];
  options: {
    argStyle: 'flag' | 'equals' | 'hydra';
    seedKey: string;
    gpus: number;
    tags: string[];
    env: string[];
    backend: Backend;
    interpreter: string | null;
    /** The runs.config.ts sweep it was started from, by name. */
    configSweep?: string;
  };
  cells: SweepCellRecord[];
  /** SLURM arrays submitted for it: the job id and the run of each task index. */
  arrays?: { jobId: string; submittedAt: string; runs: string[] }[];
}

/** Checks a parsed sweep.json; a problem is one line, naming the field. */
export function checkSweepRecord(value: unknown, id: string): { ok: true; sweep: SweepRecord } | { ok: false; reason: string } {
  const bad = (reason: string) => ({ ok: false as const, reason: `sweep.json: ${reason}` });
  if (!isObject(value)) return bad('not an object');
  const v = value;
  if (v.id !== id) return bad(`names sweep ${JSON.stringify(v.id)}, not its folder '${id}'`);
  for (const key of ['name', 'createdAt', 'script', 'cwd'] as const) if (typeof v[key] !== 'string') return bad(`${key}: expected a string`);
  if (!Array.isArray(v.grid) || !v.grid.every((a) => isObject(a) && typeof a.key === 'string' && isStrings(a.values))) return bad('grid: expected [{key, values}]');
  if (!Array.isArray(v.seeds) || !v.seeds.every((s) => Number.isSafeInteger(s))) return bad('seeds: expected whole numbers');
  if (!isStrings(v.fixedArgs) || !isStrings(v.defaultArgs)) return bad('fixedArgs/defaultArgs: expected arrays of strings');
  const o = v.options;
  if (!isObject(o) || !['flag', 'equals', 'hydra'].includes(o.argStyle as string) || typeof o.seedKey !== 'string' || !Number.isSafeInteger(o.gpus) || !isStrings(o.tags) || !isStrings(o.env) || typeof o.backend !== 'string') {
    return bad('options: expected {argStyle, seedKey, gpus, tags, env, backend}');
  }
  if (!Array.isArray(v.cells) || !v.cells.every((c) => isObject(c) && isObject(c.cell) && isStrings(c.runs))) return bad('cells: expected [{cell, runs}]');
  return { ok: true, sweep: value as unknown as SweepRecord };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}
