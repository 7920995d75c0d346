import type { RunRecord } from '../registry/record.js';

/** `ls`'s flag for a run the watchdog flagged: ` !nan`, ` !stall`, ` !nan,stall`; '' for none. */
export function eventFlag(record: RunRecord): string {
  const kinds = [...new Set((record.events ?? []).map((event) => event.kind))];
  return kinds.length ? ` !${kinds.join(',')}` : '';
}

/** `show`'s lines for the run's events, oldest first. */
export function eventLines(record: RunRecord): string[] {
  return (record.events ?? []).map((event) => `${event.at}  ${event.kind}  ${event.detail}`);
}
