/** Pure: the first non-finite metric value of an attempt, as the event's detail; null for a finite one or after the first. */
export class NanDetector {
  private seen = false;

  point(name: string, value: number, step: number | undefined): string | null {
    if (Number.isFinite(value)) return null;
    return this.found(`${name}=${Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf'}${step === undefined ? '' : ` at step ${step}`}`);
  }

  /** A non-finite value found elsewhere (a metric file's row, watchdog/file-rows.ts): the detail, if it is the attempt's first. */
  found(detail: string): string | null {
    if (this.seen) return null;
    this.seen = true;
    return detail;
  }
}
