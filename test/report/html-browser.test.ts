import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricStatistics } from '../../src/compare/group-stats.js';
import { groupRuns } from '../../src/compare/groups.js';
import { type CompareRun, planComparison } from '../../src/compare/plan.js';
import { readRunMetrics } from '../../src/metrics/read-run.js';
import { renderHtmlReport } from '../../src/report/html-report.js';
import { DEFAULT_STATS_OPTIONS } from '../../src/stats/summary.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '../..');
// The README's picture is refreshed on request only, so a test run leaves the checkout as it was.
const SCREENSHOT = process.env.RL_RUN_UPDATE_SCREENSHOT
  ? path.join(ROOT, 'docs', 'compare-report.png')
  : path.join(tmpdir(), `rl-run-compare-report-${process.pid}.png`);
const LABELS = ['lr=0.0003', 'lr=0.001'];

/** 2 learning rates × 5 seeds of the example script, written straight to run dirs (no pm2 needed for a page). */
async function exampleRuns(dir: string): Promise<CompareRun[]> {
  const runs: CompareRun[] = [];
  for (const lr of ['3e-4', '1e-3']) {
    for (const seed of [1, 2, 3, 4, 5]) {
      const id = `ppo-lr${lr}-s${seed}`;
      const runDir = path.join(dir, id);
      mkdirSync(runDir);
      const stdout = execFileSync('python3', [path.join(ROOT, 'examples/train.py'), '--lr', lr, '--seed', String(seed), '--steps', '61440', '--step-time', '0'], {
        env: { ...process.env, RL_RUN_DIR: runDir },
        encoding: 'utf8',
      });
      writeFileSync(path.join(runDir, 'stdout.log'), stdout);
      const { series } = await readRunMetrics(runDir, path.join(runDir, 'stdout.log'));
      runs.push({ id, status: 'succeeded', duration: '4m', dir: runDir, params: { name: 'ppo', lr: Number(lr), seed }, series });
    }
  }
  return runs;
}

/** What the page drew: per chart its uPlot data, bands, visible legend labels and canvas pixels. */
function drawn(page: Page) {
  return page.evaluate(() => {
    // No DOM types in this project's tsconfig: the page's objects are `any` here.
    const report = (globalThis as any).rlRunReport as { charts: { metric: string; u: any }[] };
    return report.charts.map(({ metric, u }) => ({
      metric,
      data: u.data.map((column: ArrayLike<number | null>) => Array.from(column)) as (number | null)[][],
      bands: u.bands.length,
      xRange: [u.scales.x.min, u.scales.x.max],
      yDistr: u.scales.y.distr,
      legend: (Array.from(u.root.querySelectorAll('.u-legend .u-series')) as any[])
        .filter((row) => row.style.display !== 'none')
        .map((row) => row.querySelector('.u-label')?.textContent as string),
      pixels: u.root.querySelector('canvas').toDataURL() as string,
    }));
  });
}

describe('the HTML report of 2 learning rates × 5 seeds in headless Chromium', () => {
  let dir: string;
  let browser: Browser;
  let page: Page;
  let metrics: string[];
  let html: string;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  let reportUrl: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install it with 'apt-get install -y chromium' (CI does, in .ci/run)`);
    }
    dir = mkdtempSync(path.join(tmpdir(), 'rl-run-html-'));
    const runs = await exampleRuns(dir);
    const plan = planComparison(runs, { metrics: [], allParams: false, width: Number.POSITIVE_INFINITY });
    metrics = plan.metrics;
    const groups = groupRuns(runs);
    const stats = { ...DEFAULT_STATS_OPTIONS, reps: 2000, poiReps: 500 };
    const perMetric = metricStatistics(groups, ['rollout/ep_rew_mean'], { score: { kind: 'last' } }, stats);
    html = renderHtmlReport(plan, '2026-01-01T00:00:00Z', {
      groups: groups.map((g) => ({ label: g.label, runs: g.runs.map((run) => run.id) })),
      statistics: { perMetric, stats, score: { kind: 'last' }, optimalityGap: false },
      band: 'ci',
      smooth: 0,
      confidence: 0.95,
    });
    const file = path.join(dir, 'report.html');
    writeFileSync(file, html);
    reportUrl = pathToFileURL(file).href;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1640, height: 1000 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(reportUrl);
    await page.waitForFunction(() => (globalThis as any).rlRunReport?.charts.length);
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console errors and no request but the file itself', () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([reportUrl]);
  });

  it('draws a chart per metric, each with one band per group and a legend of group labels (no run ids)', async () => {
    expect(metrics).toContain('rollout/ep_rew_mean');
    const charts = await drawn(page);
    expect(charts.map((c) => c.metric)).toEqual(metrics);
    for (const chart of charts) {
      expect(chart.bands).toBe(2);
      expect(chart.legend.slice(1)).toEqual(LABELS);
      // x, then mean, upper, lower per group; the band has values where runs overlap.
      expect(chart.data).toHaveLength(1 + 3 * 2);
      expect(chart.data[2]!.some((v) => v !== null)).toBe(true);
    }
    const legendText = await page.locator('.u-legend').first().textContent();
    expect(legendText).not.toContain('ppo-lr');
  });

  it('the smoothing slider recomputes the curves: other data, other pixels', async () => {
    const before = (await drawn(page)).find((c) => c.metric === 'rollout/ep_rew_mean')!;
    await page.locator('#smooth').fill('0.9');
    await expect.poll(async () => (await page.locator('#smooth-value').textContent()) ?? '').toBe('0.9');
    const after = (await drawn(page)).find((c) => c.metric === 'rollout/ep_rew_mean')!;
    expect(after.data[0]).toEqual(before.data[0]);
    expect(after.data[1]).not.toEqual(before.data[1]);
    // Smoothing a noisy rising curve with a heavy EMA lowers it (it lags): the mean's sum drops.
    const sum = (values: (number | null)[]) => values.reduce<number>((a, b) => a + (b ?? 0), 0);
    expect(sum(after.data[1]!)).toBeLessThan(sum(before.data[1]!));
    expect(after.pixels).not.toBe(before.pixels);
    await page.locator('#smooth').fill('0');
    expect(consoleErrors).toEqual([]);
  });

  it('drag zooms the x axis and a double click resets it; the log toggle switches the y scale', async () => {
    const over = page.locator('section.chart[data-metric="train/loss"] .u-over');
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    const full = (await drawn(page)).find((c) => c.metric === 'train/loss')!.xRange;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const zoomed = (await drawn(page)).find((c) => c.metric === 'train/loss')!.xRange;
    expect(zoomed[0]).toBeGreaterThan(full[0]!);
    expect(zoomed[1]).toBeLessThan(full[1]!);
    await over.dblclick();
    expect((await drawn(page)).find((c) => c.metric === 'train/loss')!.xRange).toEqual(full);
    await page.locator('#log').check();
    expect((await drawn(page)).find((c) => c.metric === 'train/loss')!.yDistr).toBe(3);
    await page.locator('#log').uncheck();
    expect(consoleErrors).toEqual([]);
  });

  it('the x axis by wall time says when the metric files carry none', async () => {
    await page.locator('input[name=x][value=wall]').check();
    await expect.poll(() => page.locator('section.chart[data-metric="rollout/ep_rew_mean"] .note').textContent()).toContain('no wall times');
    await page.locator('input[name=x][value=step]').check();
    expect(consoleErrors).toEqual([]);
  });

  it('axis ticks are round numbers', async () => {
    const ticks = await page.evaluate(() => {
      const u = (globalThis as any).rlRunReport.charts[0].u;
      return u.axes.map((axis: { _splits: number[] }) => axis._splits);
    });
    for (const splits of ticks as number[][]) {
      const gaps = splits.slice(1).map((v, i) => v - splits[i]!);
      const gap = gaps[0]!;
      // A 1, 2 or 5 times a power of ten, and every tick a multiple of it.
      expect(gap / 10 ** Math.floor(Math.log10(gap))).toSatisfy((m: number) => [1, 2, 2.5, 5].some((k) => Math.abs(m - k) < 1e-9));
      for (const v of splits) expect(Math.abs(v / gap - Math.round(v / gap))).toBeLessThan(1e-6);
    }
  });

  it('shows the group statistics with intervals, the probability of improvement and the per-run table', async () => {
    const rows = await page.$$eval('section.stats table.groups tbody tr', (trs: any[]) => trs.map((tr) => (Array.from(tr.querySelectorAll('td')) as any[]).map((td) => td.textContent as string)));
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      [LABELS[0], '5'],
      [LABELS[1], '5'],
    ]);
    for (const row of rows) expect(row[2]).toMatch(/^-?[\d.e+-]+ \[-?[\d.e+-]+, -?[\d.e+-]+\]$/);
    expect(await page.locator('table.poi tbody tr').count()).toBe(2);
    expect(await page.locator('table.runs').last().locator('tbody tr').count()).toBe(10);
    await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await page.screenshot({ path: SCREENSHOT });
    if (!process.env.RL_RUN_UPDATE_SCREENSHOT) rmSync(SCREENSHOT, { force: true });
  });
});
