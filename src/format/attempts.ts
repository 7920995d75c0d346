import path from 'node:path';
import type { Attempt } from '../registry/record.js';

/** `show`'s table of a run's attempts: start, end, how it ended, what it resumed from. Pure. */
export function attemptLines(attempts: readonly Attempt[], runDir: string): string[] {
  const rows = attempts.map((attempt, i) => {
    const end = attempt.endedAt ?? (i === attempts.length - 1 ? 'running' : '?');
    const exit = attempt.signal ? `killed by ${attempt.signal}` : attempt.exitCode !== undefined && attempt.exitCode !== null ? `exit ${attempt.exitCode}` : attempt.endedAt ? 'exit ?' : '';
    const how = attempt.endCause ? `${exit} (${attempt.endCause})`.trim() : exit;
    const from = attempt.checkpoint === undefined ? (i === 0 ? 'start' : '') : attempt.checkpoint === null ? 'scratch' : path.relative(runDir, attempt.checkpoint);
    return [String(i + 1), attempt.startedAt, end, how, from];
  });
  const header = ['#', 'STARTED', 'ENDED', 'EXIT', 'FROM'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  return [header, ...rows].map((row) => `  ${row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}`.trimEnd());
}
