import { describe, expect, it } from 'vitest';
import { planComparison, type CompareRun } from '../../src/compare/plan.js';
import { SeriesBuilder } from '../../src/metrics/series-builder.js';
import { renderHtmlReport } from '../../src/report/html-report.js';

function run(id: string, lr: number, n: number): CompareRun {
  const reward = new SeriesBuilder('reward', 'csv', 'p.csv');
  const loss = new SeriesBuilder('train/loss', 'csv', 'p.csv');
  for (let i = 0; i < n; i++) {
    reward.add(i * 10, i * lr);
    loss.add(i * 10, 1 / (i + 1));
  }
  return { id, status: 'succeeded', duration: '1m', dir: `/tmp/runs/${id}`, params: { lr }, series: new Map([['reward', reward.build()], ['train/loss', loss.build()]]) };
}

describe('HTML report', () => {
  const plan = planComparison([run('ppo-1', 1, 50_000), run('ppo-<2>', 2, 30)], { metrics: [], allParams: false, width: 200 });
  const html = renderHtmlReport(plan, '2026-01-01T00:00:00Z');

  it('has a chart per metric and a line per run', () => {
    const sections = html.match(/<section class="chart"/g) ?? [];
    expect(sections).toHaveLength(2);
    expect(html.match(/<path class="series"/g)).toHaveLength(4);
  });

  it('links run ids to their directories and escapes what it prints', () => {
    expect(html).toContain('<a href="file:///tmp/runs/ppo-1">ppo-1</a>');
    expect(html).toContain('ppo-&lt;2&gt;');
    expect(html).not.toContain('ppo-<2>');
  });

  it('loads nothing from anywhere: no src, no stylesheet links, no http URLs', () => {
    expect(html).not.toMatch(/\ssrc=|<link|https?:\/\//);
  });

  it('downsamples long series for the page', () => {
    const data = JSON.parse(/<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(html)![1]!);
    expect(data.charts[0].lines[0].points.length).toBeLessThanOrEqual(1500);
  });
});
