import type { ResolvedResume } from '../config/schema.js';
import { DEFAULT_MAX_FRUITLESS_ATTEMPTS } from '../config/schema.js';
import type { RunRecord } from '../registry/record.js';
import { checkpointGlobProblem } from './args.js';

/**
 * A run's resume settings, from the config snapshot in its record (what `start` was given, by
 * config or by --resume-checkpoint/--resume-args), or null when it has none. A record is data from
 * disk: a glob that leaves the run directory is no setting at all.
 */
export function resumeOf(record: Pick<RunRecord, 'config'>): ResolvedResume | null {
  const value = record.config.resume as Partial<ResolvedResume> | null | undefined;
  if (!value || typeof value !== 'object') return null;
  const { checkpoint, args, maxFruitlessAttempts } = value;
  if (typeof checkpoint !== 'string' || checkpointGlobProblem(checkpoint)) return null;
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return null;
  const max = typeof maxFruitlessAttempts === 'number' && Number.isInteger(maxFruitlessAttempts) && maxFruitlessAttempts > 0 ? maxFruitlessAttempts : DEFAULT_MAX_FRUITLESS_ATTEMPTS;
  return { checkpoint, args, maxFruitlessAttempts: max };
}
