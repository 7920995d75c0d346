import { describe, expect, it } from 'vitest';
import { renderPlot } from '../../src/report/terminal-plot.js';

const ramp = (n: number, slope: number) => Array.from({ length: n }, (_, i) => ({ step: i * 100, value: i * slope }));
const strip = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

describe('terminal plot', () => {
  it('fits 80 columns, with a legend line per run', () => {
    const text = renderPlot(
      [
        { label: 'run-a', points: ramp(1000, 1) },
        { label: 'run-b', points: ramp(500, 3) },
      ],
      { title: 'reward', colour: true },
    );
    const lines = strip(text).split('\n');
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(lines.at(-2)).toBe('  ━━ run-a');
    expect(lines.at(-1)).toBe('  ━━ run-b');
    expect(text).toContain('\x1b[36m');
    expect(text).toContain('\x1b[33m');
  });

  it('without colour each run has its own marker', () => {
    const text = renderPlot(
      [
        { label: 'a', points: [{ step: 0, value: 0 }, { step: 10, value: 10 }] },
        { label: 'b', points: [{ step: 0, value: 10 }, { step: 10, value: 0 }] },
      ],
      { title: 'm', colour: false, width: 40, height: 5 },
    );
    expect(text.split('\n')).toEqual([
      'm',
      '10 ┤+                                  *',
      '   ┤',
      ' 5 ┤',
      '   ┤',
      ' 0 ┤*                                  +',
      '   └────────────────────────────────────',
      '    0                5                10',
      '    step',
      '   * a',
      '   + b',
    ]);
  });

  it('a metric with no finite values says so', () => {
    expect(renderPlot([{ label: 'a', points: [{ step: 1, value: Number.NaN }] }], { title: 'loss', colour: false })).toBe('loss: no values to plot');
  });
});
