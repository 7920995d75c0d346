import type { MetricPoint, MetricSeries, SeriesKind } from './series.js';

/** Past this many points a series is thinned for plotting; its summary stays exact. */
export const DEFAULT_MAX_POINTS = 20_000;

/**
 * Collects points for one series in bounded memory: every point until `maxPoints`, then every
 * second one is dropped and only every 2^k-th later point is kept. Summary statistics see every point.
 */
export class SeriesBuilder {
  // Columns rather than point objects: a long log keeps replacing its kept points, and objects
  // that live that long reach V8's old space as garbage (peak RSS 207 MB on a 1 GB log).
  private steps = new Float64Array(64);
  private values = new Float64Array(64);
  private wallTimes = new Float64Array(64);
  private length = 0;
  private stride = 1;
  private seen = 0;
  /** The `seen` of the next point to keep: a multiple of `stride`. */
  private nextKept = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private lastStep = Number.NaN;
  private lastValue = Number.NaN;
  private lastWallTime: number | undefined;

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
    if (Number.isFinite(value)) {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    if (this.seen === this.nextKept) {
      if (this.length === this.steps.length) this.grow();
      this.steps[this.length] = step;
      this.values[this.length] = value;
      this.wallTimes[this.length] = wallTime ?? Number.NaN;
      this.length++;
      if (this.length > this.maxPoints) this.halve();
      this.nextKept = (Math.floor(this.seen / this.stride) + 1) * this.stride;
    }
    this.seen++;
    this.lastStep = step;
    this.lastValue = value;
    this.lastWallTime = wallTime;
  }

  private grow(): void {
    const size = this.steps.length * 2;
    for (const column of ['steps', 'values', 'wallTimes'] as const) {
      const bigger = new Float64Array(size);
      bigger.set(this[column]);
      this[column] = bigger;
    }
  }

  private halve(): void {
    let kept = 0;
    for (let i = 0; i < this.length; i += 2) {
      this.steps[kept] = this.steps[i]!;
      this.values[kept] = this.values[i]!;
      this.wallTimes[kept] = this.wallTimes[i]!;
      kept++;
    }
    this.length = kept;
    this.stride *= 2;
  }

  build(): MetricSeries {
    const points: MetricPoint[] = [];
    for (let i = 0; i < this.length; i++) points.push(point(this.steps[i]!, this.values[i]!, this.wallTimes[i]!));
    const keptLast = this.length > 0 && (this.seen - 1) % this.stride === 0;
    // The last point always belongs to a plot, thinned or not.
    if (this.seen > 0 && !keptLast) points.push(point(this.lastStep, this.lastValue, this.lastWallTime ?? Number.NaN));
    return {
      name: this.name,
      kind: this.kind,
      source: this.source,
      points,
      thinned: this.stride > 1,
      summary: {
        last: this.lastValue,
        min: this.min !== Number.POSITIVE_INFINITY ? this.min : Number.NaN,
        max: this.max !== Number.NEGATIVE_INFINITY ? this.max : Number.NaN,
        count: this.seen,
        lastStep: this.lastStep,
      },
    };
  }
}

function point(step: number, value: number, wallTime: number): MetricPoint {
  return Number.isNaN(wallTime) ? { step, value } : { step, value, wallTime };
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
