import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompareRun, planComparison } from '../../src/compare/plan.js';
import { readRunMetrics } from '../../src/metrics/read-run.js';
import { renderHtmlReport } from '../../src/report/html-report.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '../..');
// The README's picture is refreshed on request only, so a test run leaves the checkout as it was.
const SCREENSHOT = process.env.RL_RUN_UPDATE_SCREENSHOT
  ? path.join(ROOT, 'docs', 'compare-report.png')
  : path.join(tmpdir(), `rl-run-compare-report-${process.pid}.png`);

/** Three runs of the example script, written straight to run dirs (no pm2 needed for a page). */
async function exampleRuns(dir: string): Promise<CompareRun[]> {
  const runs: CompareRun[] = [];
  for (const [id, lr] of [['ppo-lr3e-4', '3e-4'], ['ppo-lr1e-3', '1e-3'], ['ppo-lr1e-4', '1e-4']] as const) {
    const runDir = path.join(dir, id);
    mkdirSync(runDir);
    const stdout = execFileSync('python3', [path.join(ROOT, 'examples/train.py'), '--lr', lr, '--steps', '102400', '--step-time', '0'], {
      env: { ...process.env, RL_RUN_DIR: runDir },
      encoding: 'utf8',
    });
    writeFileSync(path.join(runDir, 'stdout.log'), stdout);
    const { series } = await readRunMetrics(runDir, path.join(runDir, 'stdout.log'));
    runs.push({ id, status: 'succeeded', duration: '4m', dir: runDir, params: { lr: Number(lr), seed: 0 }, series });
  }
  return runs;
}

describe('the HTML report in headless Chromium', () => {
  let dir: string;
  let browser: Browser;
  let page: Awaited<ReturnType<Browser['newPage']>>;
  let metrics: string[];
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  let reportUrl: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install it with 'apt-get install -y chromium' (CI does, in .ci/run)`);
    }
    dir = mkdtempSync(path.join(tmpdir(), 'rl-run-html-'));
    const plan = planComparison(await exampleRuns(dir), { metrics: [], allParams: false, width: Number.POSITIVE_INFINITY });
    metrics = plan.metrics;
    const file = path.join(dir, 'report.html');
    writeFileSync(file, renderHtmlReport(plan, '2026-01-01T00:00:00Z'));
    reportUrl = pathToFileURL(file).href;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(reportUrl);
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console errors and no request but the file itself', () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([reportUrl]);
  });

  it('has one chart per metric and one line per run in each', async () => {
    expect(metrics).toContain('rollout/ep_rew_mean');
    const charts = await page.$$eval('section.chart', (sections) =>
      sections.map((s) => ({ metric: s.getAttribute('data-metric'), lines: s.querySelectorAll('svg path.series').length })),
    );
    expect(charts).toEqual(metrics.map((metric) => ({ metric, lines: 3 })));
  });

  it('shows the value of every run when hovering a chart', async () => {
    const svg = page.locator('section.chart[data-metric="rollout/ep_rew_mean"] svg');
    const box = (await svg.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    const tooltip = page.locator('section.chart[data-metric="rollout/ep_rew_mean"] .tooltip');
    await expect.poll(() => tooltip.isVisible()).toBe(true);
    const text = (await tooltip.textContent()) ?? '';
    for (const id of ['ppo-lr3e-4', 'ppo-lr1e-3', 'ppo-lr1e-4']) expect(text).toContain(id);
    expect(consoleErrors).toEqual([]);
    await page.screenshot({ path: SCREENSHOT });
    if (!process.env.RL_RUN_UPDATE_SCREENSHOT) rmSync(SCREENSHOT, { force: true });
  });
});
