import { describe, expect, it } from 'vitest';
import { planComparison, type CompareRun } from '../../src/compare/plan.js';
import { SeriesBuilder } from '../../src/metrics/series-builder.js';
import { PAGE_POINTS, renderHtmlReport } from '../../src/report/html-report.js';

function run(id: string, lr: number, n: number): CompareRun {
  const reward = new SeriesBuilder('reward', 'csv', 'p.csv');
  const loss = new SeriesBuilder('train/loss', 'csv', 'p.csv');
  for (let i = 0; i < n; i++) {
    reward.add(i * 10, i * lr);
    loss.add(i * 10, 1 / (i + 1));
  }
  return { id, status: 'succeeded', duration: '1m', dir: `/tmp/runs/${id}`, params: { lr }, series: new Map([['reward', reward.build()], ['train/loss', loss.build()]]) };
}

const pageData = (html: string) => JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);

describe('HTML report', () => {
  const plan = planComparison([run('ppo-1', 1, 50_000), run('ppo-<2>', 2, 30)], { metrics: [], allParams: false, width: 200 });
  const html = renderHtmlReport(plan, '2026-01-01T00:00:00Z');

  it('has a chart per metric; without groups each run is a line of its own', () => {
    expect(html.match(/<section class="chart"/g)).toHaveLength(2);
    expect(pageData(html).groups.map((g: { label: string; runs: number[] }) => [g.label, g.runs])).toEqual([
      ['ppo-1', [0]],
      ['ppo-<2>', [1]],
    ]);
  });

  it('links run ids to their directories and escapes what it prints', () => {
    expect(html).toContain('<a href="file:///tmp/runs/ppo-1">ppo-1</a>');
    expect(html).toContain('ppo-&lt;2&gt;');
    expect(html).not.toMatch(/ppo-<2>(?!",)/);
    // In the JSON, `<` is escaped so no value can close the script element.
    expect(html).toContain('ppo-\\u003c2>');
  });

  it('inlines uPlot and loads nothing from anywhere: no src, no stylesheet links, no http URLs', () => {
    expect(html).toContain('var uPlot');
    expect(html).toContain('.uplot');
    expect(html).not.toMatch(/\ssrc=|<link|https?:\/\//);
  });

  it('thins long series for the page, keeping the last point', () => {
    const data = pageData(html);
    const long = data.charts[0].runs[0];
    expect(long.s.length).toBeLessThanOrEqual(PAGE_POINTS + 1);
    expect(long.s.at(-1)).toBe(499_990);
    expect(data.charts[0].runs[1].s).toHaveLength(30);
  });

  it('groups: a line per group label over its runs', () => {
    const grouped = renderHtmlReport(plan, '2026-01-01T00:00:00Z', { groups: [{ label: 'lr=1', runs: ['ppo-1', 'ppo-<2>'] }], band: 'minmax', smooth: 0.5 });
    expect(pageData(grouped)).toMatchObject({ band: 'minmax', smooth: 0.5, groups: [{ label: 'lr=1', runs: [0, 1] }] });
    expect(grouped).toContain('band: min–max');
  });

  it('carries wall times when every run has them, so the page can put wall time on the x axis', () => {
    const timed = (id: string) => {
      const reward = new SeriesBuilder('reward', 'jsonl', 'm.jsonl');
      for (let i = 0; i < 5; i++) reward.add(i, i, 1_700_000_000 + 2 * i);
      return { ...run(id, 1, 0), series: new Map([['reward', reward.build()]]) };
    };
    const data = pageData(renderHtmlReport(planComparison([timed('a'), timed('b')], { metrics: [], allParams: false, width: 200 }), 'now'));
    expect(data.charts[0].wall).toBe(true);
    expect(data.charts[0].runs[0].w).toEqual([0, 2, 4, 6, 8].map((t) => 1_700_000_000 + t));
    expect(pageData(html).charts[0].wall).toBe(false);
  });
});
