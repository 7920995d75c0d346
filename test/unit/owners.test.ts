import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SRC, sourceFiles } from '../helpers/source-files.js';

// Issue 11, section 1: each outside thing has one owner. These checks read src/ as text and name
// every place outside the owner that touches the thing, so a new one fails here rather than in review.


/** The code of a file without its comments (line comments and blocks), line numbers kept. */
function code(file: string): string[] {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ' '))
    .split('\n')
    .map((line) => line.replace(/(^|\s)\/\/.*$/, ''));
}

/** `file:line` of each line outside `owner` (a folder or file under src/) that matches. */
function outside(owner: string, pattern: RegExp, except: readonly string[] = []): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const rel = path.relative(SRC, file);
    if (rel === owner || rel.startsWith(`${owner}/`)) continue;
    code(file).forEach((line, index) => {
      if (pattern.test(line) && !except.includes(`${rel}:${line.trim()}`)) found.push(`${rel}:${index + 1}: ${line.trim()}`);
    });
  }
  return found;
}

describe('one owner for each outside thing', () => {
  it('processes: only src/process reads /proc or signals another process', () => {
    expect(outside('process', /['`]\/proc\b/)).toEqual([]);
    expect(
      outside('process', /process\.kill\(/, [
        // stop re-raises the signal that interrupted it on itself, to end the way it was asked to.
        'commands/stop.ts:process.kill(process.pid, signal);',
      ]),
    ).toEqual([]);
    expect(outside('process', /setTimeout\(resolve\b/, ['runner/main.ts:const timer = setTimeout(resolve, record.restart.delayMs);'])).toEqual([]);
  });

  it("the run directory: only src/registry/run-dir names a run's files", () => {
    const names = /['`](run\.json|\.run\.json\.lock|stdout\.log|stderr\.log|runner\.log|git\.diff|stop-requested|slurm-job\.sh|output\.idx)['`]/;
    expect(outside('registry/run-dir', names)).toEqual([]);
  });

  it('the backend: no backend is special-cased outside src/supervisor', () => {
    expect(
      outside('supervisor', /[!=]==\s*'(pm2|slurm)'|case '(pm2|slurm)'|backendOf\('(pm2|slurm)'\)|BACKENDS\.(pm2|slurm)\b/, [
        // pm2's entries are planned apart (online ones, its log files): see clean/orphans.ts.
        "clean/facts.ts:if (backend.name === 'pm2') continue;",
        'clean/facts.ts:const entries = await BACKENDS.pm2.listOrphans();',
        "clean/execute.ts:await backendOf('pm2').removeOrphans(pm2Deletes.map((a) => a.pm2Name));",
        // The record's schema lists the names a stored record may carry (registry/ is below supervisor/).
        `registry/record-schema.ts:backend: { check: (v) => v === 'pm2' || v === 'slurm', expected: "'pm2' or 'slurm'" },`,
      ]),
    ).toEqual([]);
  });
});
