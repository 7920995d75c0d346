import { UsageError } from '../errors.js';

/**
 * What a sweep is, from plain data: the grid, the seeds and how a cell's arguments are written.
 * No disk, no processes: `rl-run sweep` checks everything here before it makes anything.
 */
export type ArgStyle = 'flag' | 'equals' | 'hydra';
export const ARG_STYLES: readonly ArgStyle[] = ['flag', 'equals', 'hydra'];

/** One grid key and its values, as written (`1e-3` stays `1e-3`). Kept in the order given. */
export interface GridAxis {
  key: string;
  values: string[];
}

/** A cell: each grid key's value (a string) and the seed (a number, under `seed`). */
export type Cell = Record<string, string | number>;

export interface SweepSpec {
  grid: GridAxis[];
  seeds: number[];
  argStyle: ArgStyle;
  seedKey: string;
}

/** A grid key becomes `--KEY`: letters, digits, `.`, `_`, `-` and `/` (hydra's `optim/lr`), not starting with `-`. */
const GRID_KEY = /^[A-Za-z0-9_.][A-Za-z0-9_./-]*$/;
const MAX_SEEDS = 10_000;
export const MAX_CELLS = 10_000;

/** `lr=1e-3,3e-4` → {key: 'lr', values: ['1e-3', '3e-4']}; anything else is a one-line UsageError. */
export function parseGridFlag(flag: string): GridAxis {
  const eq = flag.indexOf('=');
  if (eq <= 0) throw new UsageError(`--grid ${shown(flag)}: expected KEY=V1,V2,… (e.g. --grid lr=1e-3,3e-4)`);
  const key = flag.slice(0, eq);
  if (!GRID_KEY.test(key)) throw new UsageError(`--grid ${shown(flag)}: ${shown(key)} is not a usable key (letters, digits, '.', '_', '-', '/'; not starting with '-')`);
  const values = flag.slice(eq + 1).split(',');
  return { key, values: checkValues(`--grid ${key}`, values) };
}

/** The grid from the config (`{lr: [1e-3, 3e-4]}`): numbers as JavaScript writes them. */
export function gridFromConfig(grid: Record<string, (string | number)[]>, where: string): GridAxis[] {
  return Object.entries(grid).map(([key, values]) => {
    if (!GRID_KEY.test(key)) throw new UsageError(`${where}.grid: ${shown(key)} is not a usable key (letters, digits, '.', '_', '-', '/')`);
    return { key, values: checkValues(`${where}.grid.${key}`, values.map(String)) };
  });
}

function checkValues(where: string, values: string[]): string[] {
  if (values.length === 0 || values.some((value) => value === '')) {
    throw new UsageError(`${where}: an empty value; give one or more values separated by commas, e.g. lr=1e-3,3e-4`);
  }
  const bad = values.find((value) => value.includes('\0') || /[\n\r]/.test(value));
  if (bad !== undefined) throw new UsageError(`${where}: value ${JSON.stringify(bad)} has a line break or NUL`);
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new UsageError(`${where}: value ${shown(value)} given twice`);
    seen.add(value);
  }
  return values;
}

/** Grid axes in order; a key given twice is refused (its cells would be ambiguous). */
export function checkGrid(grid: GridAxis[], seedKey: string): GridAxis[] {
  const seen = new Set<string>();
  for (const axis of grid) {
    if (seen.has(axis.key)) throw new UsageError(`--grid ${axis.key} given twice: give all its values in one --grid ${axis.key}=V1,V2`);
    seen.add(axis.key);
    if (axis.key === 'seed' || axis.key === seedKey) {
      throw new UsageError(`--grid ${axis.key}: the seed is not a grid key; give it with --seeds (and --seed-key to rename its argument)`);
    }
  }
  return grid;
}

/** `1-5`, `1,4,9`, `5` (meaning 1-5), or the config's [1, 2, 3] / 5. */
export function parseSeeds(raw: string | number | number[], where = '--seeds'): number[] {
  if (Array.isArray(raw)) return checkSeedList(raw, where);
  if (typeof raw === 'number') return parseSeeds(String(raw), where);
  const text = raw.trim();
  const fix = `expected 1-5 (a range), 1,4,9 (a list) or 5 (meaning 1-5)`;
  if (/^\d+$/.test(text)) {
    const count = Number(text);
    if (count < 1 || count > MAX_SEEDS) throw new UsageError(`${where} ${raw}: ${fix}, with a count from 1 to ${MAX_SEEDS}`);
    return Array.from({ length: count }, (_, i) => i + 1);
  }
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (to < from || to - from + 1 > MAX_SEEDS) throw new UsageError(`${where} ${raw}: ${fix}; a range runs from low to high, at most ${MAX_SEEDS} seeds`);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  if (/^\d+(,\d+)+$/.test(text)) return checkSeedList(text.split(',').map(Number), where);
  throw new UsageError(`${where} ${shown(String(raw))}: ${fix}`);
}

function checkSeedList(seeds: number[], where: string): number[] {
  if (seeds.length === 0 || seeds.length > MAX_SEEDS || seeds.some((s) => !Number.isSafeInteger(s) || s < 0)) {
    throw new UsageError(`${where}: expected whole numbers >= 0 (1-${MAX_SEEDS} of them)`);
  }
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`${where}: a seed is given twice`);
  return seeds;
}

export function parseArgStyle(raw: string): ArgStyle {
  if ((ARG_STYLES as readonly string[]).includes(raw)) return raw as ArgStyle;
  throw new UsageError(`--arg-style ${shown(raw)}: expected one of ${ARG_STYLES.join(', ')}`);
}

export function checkSeedKey(raw: string): string {
  if (!GRID_KEY.test(raw)) throw new UsageError(`--seed-key ${shown(raw)}: expected a key such as seed or random-seed`);
  return raw;
}

/** Every cell: the cartesian product of the grid in the order given (the last key changing fastest), then the seeds. */
export function expandCells(spec: Pick<SweepSpec, 'grid' | 'seeds'>): Cell[] {
  let combos: Cell[] = [{}];
  for (const axis of spec.grid) combos = combos.flatMap((combo) => axis.values.map((value) => ({ ...combo, [axis.key]: value })));
  const cells = combos.flatMap((combo) => spec.seeds.map((seed) => ({ ...combo, seed })));
  if (cells.length > MAX_CELLS) throw new UsageError(`the sweep has ${cells.length} cells, more than ${MAX_CELLS}: split it`);
  return cells;
}

/** A cell's own arguments: the grid keys in order, then the seed, in the sweep's style. */
export function cellArgs(cell: Cell, spec: Pick<SweepSpec, 'grid' | 'argStyle' | 'seedKey'>): string[] {
  const pairs: [string, string][] = spec.grid.map((axis) => [axis.key, String(cell[axis.key])]);
  pairs.push([spec.seedKey, String(cell.seed)]);
  return pairs.flatMap(([key, value]) => {
    if (spec.argStyle === 'equals') return [`--${key}=${value}`];
    if (spec.argStyle === 'hydra') return [`${key}=${value}`];
    return [`--${key}`, value];
  });
}

/** One stable key per cell (grid values in grid order, then the seed), to match runs to cells. */
export function cellKey(cell: Cell, grid: readonly GridAxis[]): string {
  return JSON.stringify([...grid.map((axis) => String(cell[axis.key])), Number(cell.seed)]);
}

/** `lr=1e-3 ent-coef=0 seed=1`, for ls's CELL column and messages. */
export function cellLabel(cell: Record<string, string | number>): string {
  return Object.entries(cell)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

function shown(text: string): string {
  return /^[\x21-\x7e]*$/.test(text) && text !== '' ? `'${text}'` : JSON.stringify(text);
}
