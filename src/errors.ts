/**
 * Every failure a user can act on is an RlRunError: a one-line message that says what went wrong
 * and what to type instead, and the exit code the CLI leaves with. Only src/cli.ts exits.
 */
export type ExitCode = 1 | 2 | 130;

export class RlRunError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RlRunError';
  }
}

/** Bad input: a wrong flag, an unknown run, a bad config. Exit code 2. */
export class UsageError extends RlRunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 2, options);
    this.name = 'UsageError';
  }
}

/** The input was fine but something outside us failed: pm2, the disk, a process. Exit code 1. */
export class RuntimeError extends RlRunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 1, options);
    this.name = 'RuntimeError';
  }
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
