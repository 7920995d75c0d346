import path from 'node:path';
import type { ResolvedConfig, SweepConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { sanitizeName } from '../registry/id.js';
import type { SweepRecord } from '../registry/sweep-record.js';
import { type ArgStyle, type GridAxis, checkGrid, checkSeedKey, expandCells, gridFromConfig, parseArgStyle, parseGridFlag, parseSeeds } from './spec.js';

/**
 * Turns what was typed (or declared in runs.config.ts) into the sweep's record, less its id: every
 * value checked here, before anything is made. Pure.
 */
export interface SweepInput {
  /** The script, or the name of a sweep in the config. */
  target: string;
  grid: string[];
  seeds?: string;
  name?: string;
  tags: string[];
  gpus?: number;
  argStyle?: string;
  seedKey?: string;
  backend?: 'pm2' | 'slurm';
  fixedArgs: string[];
}

export type SweepDraft = Omit<SweepRecord, 'id' | 'createdAt'>;

export function defineSweep(input: SweepInput, config: ResolvedConfig, facts: { cwd: string; isFile: (file: string) => boolean }): SweepDraft {
  const declared = Object.hasOwn(config.sweeps, input.target) ? config.sweeps[input.target]! : null;
  if (!declared && !facts.isFile(path.resolve(facts.cwd, input.target))) {
    const names = Object.keys(config.sweeps);
    const known = names.length ? `the config's sweeps are ${names.join(', ')}` : config.configFile ? `${config.configFile} declares no sweeps` : 'no runs.config.ts declares sweeps here';
    throw new UsageError(`'${input.target}' is neither a sweep in runs.config.ts nor a script file (${known}): give a script path, or one of the config's sweep names`);
  }
  if (declared && input.grid.length > 0) {
    throw new UsageError(`sweep '${input.target}' comes from runs.config.ts: change its grid there, or sweep the script itself with --grid`);
  }
  const argStyle: ArgStyle = parseArgStyle(input.argStyle ?? declared?.argStyle ?? 'flag');
  const seedKey = checkSeedKey(input.seedKey ?? declared?.seedKey ?? 'seed');
  const where = `sweeps.${input.target}`;
  const grid: GridAxis[] = checkGrid(declared ? gridFromConfig(declared.grid ?? {}, where) : input.grid.map(parseGridFlag), seedKey);
  const seeds = input.seeds !== undefined ? parseSeeds(input.seeds) : declared?.seeds !== undefined ? parseSeeds(declared.seeds, `${where}.seeds`) : [1];
  const cells = expandCells({ grid, seeds });
  const base = declared ? scriptOf(declared, config, facts.cwd) : path.resolve(facts.cwd, input.target);
  if (declared && !facts.isFile(base)) throw new UsageError(`${where}.script: ${base} is not a file: fix the path in runs.config.ts`);
  const name = sanitizeName(input.name ?? declared?.name ?? (declared ? input.target : path.basename(base, path.extname(base))));
  return {
    schemaVersion: 1,
    name,
    script: base,
    cwd: facts.cwd,
    grid,
    seeds,
    fixedArgs: [...(declared?.args ?? []), ...input.fixedArgs],
    defaultArgs: config.defaults.args,
    options: {
      argStyle,
      seedKey,
      gpus: input.gpus ?? declared?.gpus ?? 0,
      tags: [...new Set([...(declared?.tags ?? []), ...input.tags])],
      env: [],
      backend: input.backend ?? config.backend,
      interpreter: null,
      ...(declared ? { configSweep: input.target } : {}),
    },
    cells: cells.map((cell) => ({ cell, runs: [] })),
  };
}

/** A config sweep's script is relative to the config file's folder, as runsDir is. */
function scriptOf(declared: SweepConfig, config: ResolvedConfig, cwd: string): string {
  return path.resolve(config.configFile ? path.dirname(config.configFile) : cwd, declared.script);
}
