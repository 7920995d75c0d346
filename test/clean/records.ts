import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { endedRecord } from '../support/processes.mjs';

/** A complete record of a run that succeeded, written straight into a runs directory. */
export function writeEndedRun(runsDir: string, id: string, over: Record<string, unknown> = {}): string {
  const dir = path.join(runsDir, id);
  mkdirSync(dir, { recursive: true });
  const record = { ...endedRecord(id, hostname()), ...over };
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify(record, null, 2));
  writeFileSync(path.join(dir, 'stdout.log'), `output of ${id}\n`);
  writeFileSync(path.join(dir, 'stderr.log'), '');
  return dir;
}

/** The ways a run.json is found damaged, and two that are not damage (an older schema, unknown fields). */
export const DAMAGE = {
  empty: () => '',
  truncated: (text: string) => text.slice(0, Math.floor(text.length / 2)),
  'not JSON': () => 'this is not json\n',
  'an array': () => '[1, 2, 3]',
  'no status': (text: string) => JSON.stringify({ ...JSON.parse(text), status: undefined }),
} as const;

export function olderSchema(id: string): Record<string, unknown> {
  return { id, name: 'old', cwd: '/', createdAt: '2024-06-01T00:00:00.000Z', status: { state: 'failed', endedAt: '2024-06-01T01:00:00.000Z', exitCode: 1, signal: null, reason: 'exit code 1' } };
}
