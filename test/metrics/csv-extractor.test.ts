import { describe, expect, it } from 'vitest';
import { CsvExtractor, splitCells } from '../../src/metrics/csv-extractor.js';
import { lttb } from '../../src/metrics/downsample.js';

function extract(text: string): { series: Record<string, [number, number][]>; kinds: string[]; warnings: string[] } {
  const extractor = new CsvExtractor('progress.csv');
  text.split('\n').forEach((line, i) => {
    extractor.line(line, i + 1);
  });
  const built = extractor.finish();
  return {
    series: Object.fromEntries(built.map((s) => [s.name, s.points.map((p) => [p.step, p.value] as [number, number])])),
    kinds: [...new Set(built.map((s) => s.kind))],
    warnings: extractor.warnings.map((w) => `${w.line}: ${w.message}`),
  };
}

describe('CSV progress tables', () => {
  it.each<[string, string, Record<string, [number, number][]>]>([
    ['SB3: time/total_timesteps is the step', 'time/total_timesteps,rollout/ep_rew_mean\n2048,1.5\n4096,2.5', { 'rollout/ep_rew_mean': [[2048, 1.5], [4096, 2.5]] }],
    ['the most specific step column wins', 'step,total_timesteps,r\n1,100,5', { step: [[100, 1]], r: [[100, 5]] }],
    ['no step column: the row index', 'a,b\n1,2\n3,4', { a: [[0, 1], [1, 3]], b: [[0, 2], [1, 4]] }],
    ['empty cells are missing, not zero', 'step,train/loss,eval/mean_reward\n1,,\n2,0.5,\n3,0.4,10', { 'train/loss': [[2, 0.5], [3, 0.4]], 'eval/mean_reward': [[3, 10]] }],
    ['a header repeated mid-file starts over', 'step,r\n1,5\n2,6\nstep,r\n1,7', { r: [[1, 5], [2, 6], [1, 7]] }],
    ['a later header may add columns', 'step,r\n1,5\nstep,r,eval\n2,6,9', { r: [[1, 5], [2, 6]], eval: [[2, 9]] }],
    ['quoted cells', 'step,"a, b"\n1,"2"', { 'a,_b': [[1, 2]] }],
    ['nan and inf cells', 'step,loss\n1,nan\n2,inf', { loss: [[1, Number.NaN], [2, Number.POSITIVE_INFINITY]] }],
  ])('%s', (_, text, expected) => {
    expect(extract(text).series).toEqual(expected);
  });

  it('Spinning Up progress.txt is tab-separated, TotalEnvInteracts the step', () => {
    const { series, kinds } = extract('Epoch\tAverageEpRet\tTotalEnvInteracts\n0\t-78.7\t10000\n1\t-77.1\t20000');
    expect(kinds).toEqual(['spinningup']);
    expect(series.AverageEpRet).toEqual([[10000, -78.7], [20000, -77.1]]);
  });

  it('warns about rows with more cells than the header', () => {
    expect(extract('step,r\n1,2,3').warnings).toEqual(['2: 3 cells but the header has 2; extra cells ignored']);
  });

  it('splitCells honours doubled quotes', () => {
    expect(splitCells('a,"b ""c""",d', ',')).toEqual(['a', 'b "c"', 'd']);
  });
});

describe('LTTB downsampling', () => {
  it('keeps the first and last points and a lone spike', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ step: i, value: i === 4321 ? 1000 : Math.sin(i / 100) }));
    const sampled = lttb(points, 200);
    expect(sampled).toHaveLength(200);
    expect(sampled[0]).toBe(points[0]);
    expect(sampled.at(-1)).toBe(points.at(-1));
    expect(sampled.some((p) => p.value === 1000)).toBe(true);
  });

  it('drops non-finite values and leaves short series alone', () => {
    expect(lttb([{ step: 0, value: 1 }, { step: 1, value: Number.NaN }, { step: 2, value: 3 }], 100)).toEqual([{ step: 0, value: 1 }, { step: 2, value: 3 }]);
  });
});
