import { RlRunError } from '../errors.js';

/**
 * Ctrl-C (or a closed terminal, or SIGTERM) while `start` is bringing a run up. Node's default is
 * to die on the spot: pressed 0.8-1.0 s into a start, the CLI printed only `^C` while pm2 went on
 * starting the runner, and the run trained with nobody told of it. While a watch is open the signal
 * is only noted; the launch checks it and either finishes or takes the run down (src/launch/execute.ts).
 */
export interface InterruptWatch {
  readonly signal: NodeJS.Signals | null;
  close(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function watchInterrupt(): InterruptWatch {
  let signal: NodeJS.Signals | null = null;
  const note = (received: NodeJS.Signals) => {
    if (signal !== null) return;
    signal = received;
    try {
      process.stderr.write(`\nrl-run: ${received === 'SIGINT' ? 'Ctrl-C' : received}: interrupting the start…\n`);
    } catch {
      // A closed terminal (SIGHUP): nobody to tell; the take-down goes on regardless.
    }
  };
  for (const name of SIGNALS) process.on(name, note);
  return {
    get signal() {
      return signal;
    },
    close() {
      for (const name of SIGNALS) process.off(name, note);
    },
  };
}

/** The start was interrupted; the message says what became of the run. Exit code 130, as for Ctrl-C. */
export class InterruptedError extends RlRunError {
  constructor(message: string) {
    super(message, 130);
    this.name = 'InterruptedError';
  }
}
