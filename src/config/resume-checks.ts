import path from 'node:path';

/** Checks of the resume section's values, shared by the config validator and the start flags (resume/args.ts). */
export const RESUME_PLACEHOLDERS = ['{checkpoint}', '{run_dir}', '{attempt}'] as const;

export function unknownResumePlaceholders(args: readonly string[]): string[] {
  const found = args.flatMap((arg) => arg.match(/\{[^{}]*\}/g) ?? []);
  return [...new Set(found.filter((p) => !(RESUME_PLACEHOLDERS as readonly string[]).includes(p)))];
}

/** Why a checkpoint glob could reach outside the run directory, or null when it cannot. */
export function checkpointGlobProblem(glob: string): string | null {
  if (glob.includes('\0')) return 'expected a glob without NUL characters';
  if (path.isAbsolute(glob)) return `${JSON.stringify(glob)} is absolute: give a glob relative to the run directory, e.g. 'checkpoints/*.pt'`;
  if (glob.split('/').some((part) => part === '..' || part === '.')) {
    return `${JSON.stringify(glob)} leaves the run directory ('..'): give a glob inside it, e.g. 'checkpoints/*.pt'`;
  }
  return null;
}
