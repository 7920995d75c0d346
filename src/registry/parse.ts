import { type RunRecord, SCHEMA_VERSION } from './record.js';
import { recordProblem } from './record-schema.js';

/**
 * Reads a run.json's text into a record, or says why it cannot. Unknown fields are kept; a record
 * from a newer schema is read as far as it goes; a damaged one never throws.
 */
export type ParsedRecord = { ok: true; record: RunRecord } | { ok: false; reason: string };

export function parseRecord(text: string): ParsedRecord {
  if (text.trim() === '') return { ok: false, reason: 'empty run.json' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // A RangeError is nesting deeper than the parser's stack: damaged too, never a crash.
    return { ok: false, reason: error instanceof RangeError ? 'run.json nests too deep' : 'run.json is not valid JSON (truncated?)' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'run.json does not hold an object' };
  }
  const value = raw as Record<string, unknown>;
  const problem = recordProblem(value);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, record: upgrade(value) };
}

/** Fills what older records lack, so every reader can rely on the current shape. */
function upgrade(value: Record<string, unknown>): RunRecord {
  const defaults = {
    backend: 'pm2',
    script: null,
    args: [],
    command: [],
    interpreter: null,
    tags: [],
    env: {},
    launcher: { pid: 0 },
    hostname: '',
    user: '',
    rlRunVersion: '',
    stopTimeoutMs: 30_000,
    restart: { maxRestarts: 0, delayMs: 0 },
    attempts: [],
    config: {},
  };
  // The stored key order is kept (id first); only missing keys are filled in.
  const record: Record<string, unknown> = { schemaVersion: SCHEMA_VERSION, ...value };
  for (const [key, fallback] of Object.entries(defaults)) if (record[key] === undefined) record[key] = fallback;
  return record as unknown as RunRecord;
}
