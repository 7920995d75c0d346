/** Pure: the first non-finite metric value of an attempt, as the event's detail; null for a finite one or after the first. */
export class NanDetector {
  private seen = false;

  point(name: string, value: number, step: number | undefined): string | null {
    if (Number.isFinite(value) || this.seen) return null;
    this.seen = true;
    return `${name}=${Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf'}${step === undefined ? '' : ` at step ${step}`}`;
  }
}
