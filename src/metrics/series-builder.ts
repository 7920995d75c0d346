import type { MetricPoint, MetricSeries, SeriesKind } from './series.js';

/** Past this many points a series is thinned for plotting; its summary stays exact. */
export const DEFAULT_MAX_POINTS = 20_000;

/** A builder's state as plain data, to go on from it later (the incremental cache, stdout-cache.ts). */
export interface SeriesSnapshot {
  name: string;
  /** Whether these are the points of `name` read without a step (SeriesSet.countedBuilder). */
  stepless: boolean;
  steps: Float64Array;
  values: Float64Array;
  wallTimes: Float64Array;
  /** 1 where the step was the series' own count (no step on the line). */
  counted: Uint8Array;
  stride: number;
  seen: number;
  /** The `seen` of the next point to keep. */
  nextKept: number;
  min: number;
  max: number;
  lastStep: number;
  lastValue: number;
  lastWallTime: number;
  lastCounted: boolean;
  lastKept: boolean;
}

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
  private counted = new Uint8Array(64);
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
  private lastCounted = false;
  /** Whether the last point read is among the kept ones. */
  private lastKept = false;

  constructor(
    readonly name: string,
    readonly kind: SeriesKind,
    readonly source: string,
    private readonly maxPoints = DEFAULT_MAX_POINTS,
    /** Holds the points of `name` that had no step (see SeriesSet.countedBuilder). */
    readonly stepless = false,
  ) {}

  get count(): number {
    return this.seen;
  }

  add(step: number, value: number, wallTime?: number): void {
    this.push(step, value, wallTime, 0);
  }

  /** A point without a step of its own: it gets the series' next index. */
  addCounted(value: number, wallTime?: number): void {
    this.push(this.seen, value, wallTime, 1);
  }

  private push(step: number, value: number, wallTime: number | undefined, counted: number): void {
    if (Number.isFinite(value)) {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    this.lastKept = this.seen === this.nextKept;
    if (this.lastKept) {
      if (this.length === this.steps.length) this.grow();
      this.steps[this.length] = step;
      this.values[this.length] = value;
      this.wallTimes[this.length] = wallTime ?? Number.NaN;
      this.counted[this.length] = counted;
      this.length++;
      if (this.length > this.maxPoints) this.halve();
      this.nextKept = (Math.floor(this.seen / this.stride) + 1) * this.stride;
    }
    this.seen++;
    this.lastStep = step;
    this.lastValue = value;
    this.lastWallTime = wallTime;
    this.lastCounted = counted === 1;
  }

  /** This builder's state, for `fromSnapshot`. */
  snapshot(): SeriesSnapshot {
    return {
      name: this.name,
      stepless: this.stepless,
      steps: this.steps.slice(0, this.length),
      values: this.values.slice(0, this.length),
      wallTimes: this.wallTimes.slice(0, this.length),
      counted: this.counted.slice(0, this.length),
      stride: this.stride,
      seen: this.seen,
      nextKept: this.nextKept,
      min: this.min,
      max: this.max,
      lastStep: this.lastStep,
      lastValue: this.lastValue,
      lastWallTime: this.lastWallTime ?? Number.NaN,
      lastCounted: this.lastCounted,
      lastKept: this.lastKept,
    };
  }

  /** A builder in the state `snapshot` recorded, to go on adding points exactly as it would have. */
  static fromSnapshot(snapshot: SeriesSnapshot, kind: SeriesKind, source: string, maxPoints = DEFAULT_MAX_POINTS): SeriesBuilder {
    const builder = new SeriesBuilder(snapshot.name, kind, source, maxPoints, snapshot.stepless);
    const capacity = Math.max(64, snapshot.steps.length);
    builder.steps = new Float64Array(capacity);
    builder.steps.set(snapshot.steps);
    builder.values = new Float64Array(capacity);
    builder.values.set(snapshot.values);
    builder.wallTimes = new Float64Array(capacity);
    builder.wallTimes.set(snapshot.wallTimes);
    builder.counted = new Uint8Array(capacity);
    builder.counted.set(snapshot.counted);
    builder.length = snapshot.steps.length;
    builder.stride = snapshot.stride;
    builder.seen = snapshot.seen;
    builder.nextKept = snapshot.nextKept;
    builder.min = snapshot.min;
    builder.max = snapshot.max;
    builder.lastStep = snapshot.lastStep;
    builder.lastValue = snapshot.lastValue;
    builder.lastWallTime = Number.isNaN(snapshot.lastWallTime) ? undefined : snapshot.lastWallTime;
    builder.lastCounted = snapshot.lastCounted;
    builder.lastKept = snapshot.lastKept;
    return builder;
  }

  /** Keeps every `every`-th kept point. */
  private thin(every: number): void {
    if (every === 1) return;
    let kept = 0;
    for (let i = 0; i < this.length; i += every) {
      this.steps[kept] = this.steps[i]!;
      this.values[kept] = this.values[i]!;
      this.wallTimes[kept] = this.wallTimes[i]!;
      this.counted[kept] = this.counted[i]!;
      kept++;
    }
    this.length = kept;
    this.stride *= every;
  }

  private grow(): void {
    const size = this.steps.length * 2;
    for (const column of ['steps', 'values', 'wallTimes'] as const) {
      const bigger = new Float64Array(size);
      bigger.set(this[column]);
      this[column] = bigger;
    }
    const counted = new Uint8Array(size);
    counted.set(this.counted);
    this.counted = counted;
  }

  private halve(): void {
    // The last point kept survives when it has an even index.
    if (this.lastKept && (this.length - 1) % 2 !== 0) this.lastKept = false;
    this.thin(2);
  }

  build(name = this.name): MetricSeries {
    const points: MetricPoint[] = [];
    for (let i = 0; i < this.length; i++) points.push(point(this.steps[i]!, this.values[i]!, this.wallTimes[i]!));
    // The last point always belongs to a plot, thinned or not.
    if (this.seen > 0 && !this.lastKept) points.push(point(this.lastStep, this.lastValue, this.lastWallTime ?? Number.NaN));
    return {
      name,
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

/** What a name's points without a step are called when the name also has points with one. */
export const STEPLESS_SUFFIX = '/no_step';

/**
 * The series of one source file (or one group of files), by metric name, in first-seen order.
 * Points of a name without a step (an evaluation line printing `reward=…` once, beside a
 * `step=… reward=…` training line) are kept apart from its points with one: counted on their own,
 * and called `NAME/no_step` when both kinds exist, so they do not turn the step axis into a count.
 */
export class SeriesSet {
  /** Keyed by name (points with a step) and by `\0` + name (points without). */
  private readonly byName = new Map<string, SeriesBuilder>();

  constructor(
    private readonly kind: SeriesKind,
    private readonly source: string,
    private readonly maxPoints = DEFAULT_MAX_POINTS,
  ) {}

  /** `step` undefined: the point gets the next index of the name's step-less series. */
  add(name: string, value: number, step?: number, wallTime?: number): void {
    if (step === undefined) this.countedBuilder(name).addCounted(value, wallTime);
    else this.builder(name).add(step, value, wallTime);
  }

  /** The builder of the points of `name` that have a step. */
  builder(name: string): SeriesBuilder {
    return this.builderAt(name, name, false);
  }

  /** The builder of the points of `name` without a step. */
  countedBuilder(name: string): SeriesBuilder {
    return this.builderAt(`\0${name}`, name, true);
  }

  private builderAt(key: string, name: string, stepless: boolean): SeriesBuilder {
    let builder = this.byName.get(key);
    if (!builder) {
      builder = new SeriesBuilder(name, this.kind, this.source, this.maxPoints, stepless);
      this.byName.set(key, builder);
    }
    return builder;
  }

  build(): MetricSeries[] {
    const built: MetricSeries[] = [];
    for (const builder of this.byName.values()) {
      if (builder.count === 0) continue;
      const stepped = builder.stepless ? this.byName.get(builder.name) : undefined;
      built.push(builder.build(stepped && stepped.count > 0 ? builder.name + STEPLESS_SUFFIX : builder.name));
    }
    return built;
  }

  snapshots(): SeriesSnapshot[] {
    return [...this.byName.values()].map((b) => b.snapshot());
  }

  /** Takes up the state `snapshots` recorded (of an empty set). */
  restore(snapshots: readonly SeriesSnapshot[]): void {
    for (const snapshot of snapshots) {
      const key = snapshot.stepless ? `\0${snapshot.name}` : snapshot.name;
      this.byName.set(key, SeriesBuilder.fromSnapshot(snapshot, this.kind, this.source, this.maxPoints));
    }
  }
}
