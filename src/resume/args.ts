import { DEFAULT_MAX_FRUITLESS_ATTEMPTS, type ResolvedResume } from '../config/schema.js';
import { UsageError } from '../errors.js';

/**
 * The arguments a resumed attempt gets, from plain data: `resume.args` with its placeholders filled
 * in. Pure, so the config check, the runner and `resume --dry-run` agree on them.
 */
export { RESUME_PLACEHOLDERS, checkpointGlobProblem, unknownResumePlaceholders } from '../config/resume-checks.js';
import { checkpointGlobProblem, unknownResumePlaceholders } from '../config/resume-checks.js';

export function expandResumeArgs(args: readonly string[], values: { checkpoint: string; runDir: string; attempt: number }): string[] {
  return args.map((arg) =>
    arg.replaceAll('{checkpoint}', values.checkpoint).replaceAll('{run_dir}', values.runDir).replaceAll('{attempt}', String(values.attempt)),
  );
}

/** `--resume-args '--resume {checkpoint}'`: split on white space, as a user types them. */
export function parseResumeArgsFlag(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

/**
 * The resume settings with `--resume-checkpoint`/`--resume-args` laid over the config's: a flag
 * overrides its key; with no config, both flags are needed. Throws a UsageError naming the flag.
 */
export function resumeWithFlags(
  config: ResolvedResume | null,
  flags: { checkpoint?: string; args?: string },
): ResolvedResume | null {
  if (flags.checkpoint === undefined && flags.args === undefined) return config;
  const checkpoint = flags.checkpoint ?? config?.checkpoint;
  const args = flags.args !== undefined ? parseResumeArgsFlag(flags.args) : config?.args;
  if (checkpoint === undefined || checkpoint === '') {
    throw new UsageError("--resume-args needs --resume-checkpoint GLOB too (or resume.checkpoint in runs.config.ts), e.g. --resume-checkpoint 'checkpoints/*.pt'");
  }
  if (args === undefined) {
    throw new UsageError("--resume-checkpoint needs --resume-args too (or resume.args in runs.config.ts), e.g. --resume-args '--resume {checkpoint}'");
  }
  const problem = checkpointGlobProblem(checkpoint);
  if (problem) throw new UsageError(`--resume-checkpoint: ${problem}`);
  const unknown = unknownResumePlaceholders(args);
  if (unknown.length) throw new UsageError(`--resume-args: unknown placeholder ${unknown.join(', ')} (known: {checkpoint}, {run_dir}, {attempt})`);
  return { checkpoint, args, maxFruitlessAttempts: config?.maxFruitlessAttempts ?? DEFAULT_MAX_FRUITLESS_ATTEMPTS };
}
