/**
 * One row of the results table. `met` is true, false, or null where the issue sets no target.
 * Figures are strings already formatted by the suite that measured them.
 */
export function row(benchmark, rlRun, baseline, ratio, target, met, why = '') {
  return { benchmark, rlRun, baseline, ratio, target, met, why };
}

/** Each missed target with its figure and, where known, why: the table alone says only "no". */
export function renderMisses(rows) {
  const missed = rows.filter((r) => r.met === false);
  if (missed.length === 0) return 'Every target was met.';
  return missed.map((r) => `- **${r.benchmark}**: ${r.rlRun}${r.ratio ? ` (${r.ratio})` : ''} against ${r.target}.${r.why ? ` ${r.why}` : ''}`).join('\n');
}

export function errorRow(benchmark, error) {
  return row(benchmark, `error: ${String(error?.message ?? error).split('\n')[0]}`, '', '', '', false);
}

export function renderTable(rows) {
  const header = ['benchmark', 'rl-run', 'baseline', 'ratio', 'target', 'met?'];
  const cells = rows.map((r) => [r.benchmark, r.rlRun, r.baseline, r.ratio, r.target, r.met === null ? '—' : r.met ? 'yes' : '**no**']);
  return [header, header.map(() => '---'), ...cells].map((line) => `| ${line.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`).join('\n');
}

export function renderMachine(m) {
  return [
    `- date: ${m.date}, rl-run ${m.rlRun} at ${m.commit}${process.env.BENCH_SOURCE === 'worktree' ? ' plus uncommitted changes (BENCH_SOURCE=worktree)' : ''}`,
    `- machine: ${m.cores} cores, ${m.ramGb.toFixed(1)} GB RAM, ${m.cpu}`,
    `- Node ${m.node}, pm2 ${m.pm2}, ${m.python}`,
    `- load average (1, 5, 15 min) when the bench started: ${m.load}${m.loadAfter ? `; when it ended: ${m.loadAfter}` : ''}`,
  ].join('\n');
}

export const fmt = {
  ms: (stat) => {
    const d = stat.max < 10 ? 1 : 0;
    return `${stat.median.toFixed(d)} ms (${stat.min.toFixed(d)}–${stat.max.toFixed(d)})`;
  },
  x: (value) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '—'),
  mb: (value) => (value === null || value === undefined ? '—' : `${value.toFixed(0)} MB`),
};
