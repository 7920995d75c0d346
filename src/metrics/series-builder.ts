import type { MetricPoint, MetricSeries, SeriesKind } from './series.js';

/** Past this many points a series is thinned for plotting; its summary stays exact. */
export const DEFAULT_MAX_POINTS = 20_000;

/**
 * Collects points for one series in bounded memory: every point until `maxPoints`, then every
 * second one is dropped and only every 2^k-th later point is kept. Summary statistics see every point.
 */
export class SeriesBuilder {
  private readonly points: MetricPoint[] = [];
  private stride = 1;
  private seen = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private lastPoint: MetricPoint | undefined;

  constructor(
    readonly name: string,
    readonly kind: SeriesKind,
    readonly source: string,
    private readonly maxPoints = DEFAULT_MAX_POINTS,
  ) {}

  get count(): number {
    return this.seen;
  }

  add(step: number, value: number, wallTime?: number): void {
    const point: MetricPoint = wallTime === undefined ? { step, value } : { step, value, wallTime };
    if (Number.isFinite(value)) {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    if (this.seen % this.stride === 0) {
      this.points.push(point);
      if (this.points.length > this.maxPoints) this.halve();
    }
    this.seen++;
    this.lastPoint = point;
  }

  private halve(): void {
    let kept = 0;
    for (let i = 0; i < this.points.length; i += 2) this.points[kept++] = this.points[i]!;
    this.points.length = kept;
    this.stride *= 2;
  }

  build(): MetricSeries {
    const last = this.lastPoint;
    const points = [...this.points];
    // The last point always belongs to a plot, thinned or not.
    if (last && points[points.length - 1] !== last) points.push(last);
    return {
      name: this.name,
      kind: this.kind,
      source: this.source,
      points,
      thinned: this.stride > 1,
      summary: {
        last: last?.value ?? Number.NaN,
        min: this.seen > 0 && this.min !== Number.POSITIVE_INFINITY ? this.min : Number.NaN,
        max: this.seen > 0 && this.max !== Number.NEGATIVE_INFINITY ? this.max : Number.NaN,
        count: this.seen,
        lastStep: last?.step ?? Number.NaN,
      },
    };
  }
}

/** The series of one source file (or one group of files), by metric name, in first-seen order. */
export class SeriesSet {
  private readonly byName = new Map<string, SeriesBuilder>();

  constructor(
    private readonly kind: SeriesKind,
    private readonly source: string,
    private readonly maxPoints = DEFAULT_MAX_POINTS,
  ) {}

  /** `step` undefined: the point gets the next index of its own series. */
  add(name: string, value: number, step?: number, wallTime?: number): void {
    const builder = this.builder(name);
    builder.add(step ?? builder.count, value, wallTime);
  }

  builder(name: string): SeriesBuilder {
    let builder = this.byName.get(name);
    if (!builder) {
      builder = new SeriesBuilder(name, this.kind, this.source, this.maxPoints);
      this.byName.set(name, builder);
    }
    return builder;
  }

  build(): MetricSeries[] {
    return [...this.byName.values()].map((b) => b.build());
  }
}
