/**
 * A process as rl-run knows it: its pid, and where /proc exists its start time, which a reused pid
 * does not share. Apart from identity.ts so that the record's public types (src/index.ts) do not
 * pull in Node's own.
 */
export interface ProcessRef {
  pid: number;
  startTime?: number;
}
