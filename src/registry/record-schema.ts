import { RUN_STATES, type RunRecord } from './record.js';

/**
 * The type of every field of a run record, checked when it is read. A hand-edited `"tags": "sweep"`
 * made `ls` fail for every run, and wrong types elsewhere crashed `show`, `compare`, `stop` and
 * `clean --orphaned` halfway: a field of the wrong type now makes that one record damaged, with a
 * reason that names the field. Absent optional fields are fine (older records lack them); fields the
 * schema does not know are kept unchecked, except for their depth.
 */
type Check = (value: unknown) => boolean;

const string: Check = (v) => typeof v === 'string';
const boolean: Check = (v) => typeof v === 'boolean';
const finite: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const nonNegative: Check = (v) => finite(v) && (v as number) >= 0;
const count: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
/** A pid rl-run may signal: 0 and negatives name process groups, or every process (-1). */
const pid: Check = (v) => Number.isSafeInteger(v) && (v as number) > 0;
const integerOrNull: Check = (v) => v === null || Number.isSafeInteger(v);
const stringOrNull: Check = (v) => v === null || typeof v === 'string';
const plainObject: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings: Check = (v) => Array.isArray(v) && v.every(string);
const stringMap: Check = (v) => plainObject(v) && Object.values(v as object).every(string);

interface Field {
  check: Check;
  expected: string;
  required?: boolean;
}

const shape = (fields: Record<string, Field>): Check => (v) => plainObject(v) && firstBadField(v as Record<string, unknown>, fields) === null;

const processRef = shape({
  pid: { check: pid, expected: 'a positive integer', required: true },
  startTime: { check: count, expected: 'an integer' },
});

/** Keyed by RunRecord's own fields (status is checked apart), so a field added to the type without a check does not compile. */
const FIELDS: { [K in Exclude<keyof RunRecord, 'status'>]-?: Field } = {
  schemaVersion: { check: count, expected: 'an integer' },
  id: { check: string, expected: 'a string', required: true },
  name: { check: string, expected: 'a string', required: true },
  cwd: { check: string, expected: 'a string', required: true },
  createdAt: { check: string, expected: 'a string', required: true },
  backend: { check: (v) => v === 'pm2' || v === 'slurm', expected: "'pm2' or 'slurm'" },
  script: { check: stringOrNull, expected: 'a string or null' },
  args: { check: strings, expected: 'an array of strings' },
  command: { check: (v) => strings(v) && (v as string[]).length > 0, expected: 'a non-empty array of strings' },
  interpreter: { check: stringOrNull, expected: 'a string or null' },
  tags: { check: strings, expected: 'an array of strings' },
  env: { check: stringMap, expected: 'an object of strings' },
  startedAt: { check: string, expected: 'a string' },
  launcher: {
    check: shape({ pid: { check: count, expected: 'an integer', required: true }, startTime: { check: count, expected: 'an integer' } }),
    expected: 'an object with an integer pid',
  },
  runner: { check: processRef, expected: 'an object with a positive integer pid' },
  pid: { check: pid, expected: 'a positive integer' },
  pidStartTime: { check: count, expected: 'an integer' },
  pm2Name: { check: string, expected: 'a string' },
  slurmJobId: { check: string, expected: 'a string' },
  stopRequestedAt: { check: string, expected: 'a string' },
  hostname: { check: string, expected: 'a string' },
  user: { check: string, expected: 'a string' },
  rlRunVersion: { check: string, expected: 'a string' },
  git: {
    check: shape({
      commit: { check: string, expected: 'a string', required: true },
      branch: { check: string, expected: 'a string' },
      dirty: { check: boolean, expected: 'a boolean', required: true },
      diffFile: { check: string, expected: 'a string' },
    }),
    expected: 'an object with a commit and dirty',
  },
  stopTimeoutMs: { check: nonNegative, expected: 'a number of milliseconds' },
  restart: {
    check: shape({
      maxRestarts: { check: count, expected: 'an integer', required: true },
      delayMs: { check: nonNegative, expected: 'a number', required: true },
    }),
    expected: 'an object with maxRestarts and delayMs',
  },
  attempts: {
    check: (v) =>
      Array.isArray(v) &&
      v.every(
        shape({
          startedAt: { check: string, expected: 'a string', required: true },
          endedAt: { check: string, expected: 'a string' },
          exitCode: { check: integerOrNull, expected: 'an integer or null' },
          signal: { check: stringOrNull, expected: 'a string or null' },
          checkpoint: { check: stringOrNull, expected: 'a string or null' },
          endCause: { check: string, expected: 'a string' },
        }),
      ),
    expected: 'an array of attempts with startedAt',
  },
  restartOf: { check: string, expected: 'a string' },
  restartArgs: { check: strings, expected: 'an array of strings' },
  config: { check: plainObject, expected: 'an object' },
  sweep: {
    check: shape({
      id: { check: string, expected: 'a string', required: true },
      cell: { check: (v) => plainObject(v) && Object.values(v as object).every((x) => string(x) || finite(x)), expected: 'an object', required: true },
    }),
    expected: 'an object with an id and a cell',
  },
  queue: {
    check: shape({
      priority: { check: (v) => Number.isSafeInteger(v), expected: 'an integer', required: true },
      after: { check: strings, expected: 'an array of strings', required: true },
      gpus: { check: count, expected: 'an integer', required: true },
      enqueuedAt: { check: string, expected: 'a string', required: true },
    }),
    expected: 'an object with priority, after, gpus and enqueuedAt',
  },
  gpus: { check: (v) => Array.isArray(v) && v.every(count), expected: 'an array of GPU indices' },
  events: {
    check: (v) =>
      Array.isArray(v) &&
      v.every(
        shape({
          at: { check: string, expected: 'a string', required: true },
          kind: { check: string, expected: 'a string', required: true },
          detail: { check: string, expected: 'a string', required: true },
        }),
      ),
    expected: 'an array of events with at, kind and detail',
  },
  notified: { check: strings, expected: 'an array of strings' },
  bootId: { check: string, expected: 'a string' },
};

const ENDED = { check: string, expected: 'a string', required: true };
const STATUS_FIELDS: Record<string, Record<string, Field>> = {
  queued: { reason: { check: string, expected: 'a string' } },
  starting: {},
  pending: { reason: { check: string, expected: 'a string' } },
  running: { node: { check: string, expected: 'a string' } },
  succeeded: { endedAt: ENDED, exitCode: { check: (v) => v === 0, expected: '0' } },
  failed: {
    endedAt: ENDED,
    exitCode: { check: integerOrNull, expected: 'an integer or null' },
    signal: { check: stringOrNull, expected: 'a string or null' },
    reason: { check: string, expected: 'a string' },
  },
  stopped: {
    endedAt: ENDED,
    exitCode: { check: integerOrNull, expected: 'an integer or null' },
    signal: { check: stringOrNull, expected: 'a string or null' },
    reason: { check: string, expected: 'a string' },
  },
  lost: { detectedAt: ENDED, reason: { check: string, expected: 'a string' } },
};

/** Deeper than any record rl-run writes (config nests a few levels); JSON.stringify recurses, so a 200,000-deep field crashed `ls --json`. */
export const MAX_DEPTH = 64;

/** Null when every known field has its type; otherwise the first problem, naming the field. */
export function recordProblem(value: Record<string, unknown>): string | null {
  if (tooDeep(value)) return `run.json nests deeper than ${MAX_DEPTH} levels`;
  const bad = firstBadField(value, FIELDS);
  if (bad) return `run.json field '${bad.key}' ${bad.missing ? 'is missing' : `must be ${bad.expected}`}`;
  const status = value.status;
  if (!plainObject(status)) return "run.json field 'status' must be an object with a state";
  const state = (status as Record<string, unknown>).state;
  if (typeof state !== 'string' || !RUN_STATES.includes(state as never)) return "run.json field 'status.state' must be a run state";
  const badStatus = firstBadField(status as Record<string, unknown>, STATUS_FIELDS[state]!);
  if (badStatus) return `run.json field 'status.${badStatus.key}' ${badStatus.missing ? 'is missing' : `must be ${badStatus.expected}`}`;
  return null;
}

function firstBadField(value: Record<string, unknown>, fields: Record<string, Field>): { key: string; expected: string; missing: boolean } | null {
  for (const [key, field] of Object.entries(fields)) {
    const present = Object.hasOwn(value, key) && value[key] !== undefined;
    if (!present) {
      if (field.required) return { key, expected: field.expected, missing: true };
      continue;
    }
    if (!field.check(value[key])) return { key, expected: field.expected, missing: false };
  }
  return null;
}

/** Iterative, so the check itself cannot overflow the stack it protects. */
function tooDeep(root: unknown): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_DEPTH) return true;
    for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}
