import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { RuntimeError, UsageError, errorCode } from '../errors.js';
import { parseId } from './id.js';
import { layoutOfDir, readRecordIn, replaceRecordIf, runLayout, type RunLayout, TRASH_DIR, updateRecordIn } from './run-dir/index.js';
import { ensurePrivateDir, unsafeDirReason } from './safe-fs.js';
import { makeUnfinishedDir, publishDir } from './unfinished-dir.js';
import { checkEntryName } from './safety.js';
import type { RunRecord, RunStatus } from './record.js';
import { holdForTest } from './test-hold.js';
import { type IndexEntry, latestOffset, resolveSelector } from './selector.js';

/**
 * The run registry on disk: one directory per run under runsDir, each with its run.json. There is
 * no index file to go stale: the directory names carry the start time, so listing and `latest` sort
 * them without opening a record, and only the records shown are read.
 */
export interface StoredRun {
  record: RunRecord;
  layout: RunLayout;
}

export interface DamagedRun {
  id: string;
  dir: string;
  reason: string;
}

/** What a supervisor sees of a run now: its status, and when it really started where it knows. */
export interface Observation {
  status: RunStatus;
  /** A SLURM job's start on its node, not its submission. */
  startedAt?: string;
}

/** Says what a record's status really is now (a `running` run whose process is gone is `lost`); null when it is as recorded. */
export type StatusObserver = (record: RunRecord) => Observation | null;

/** A directory younger than this without a readable run.json may be a start in progress. */
export const START_GRACE_MS = 3 * 60_000;

interface IndexRow extends IndexEntry {
  timestamp: string;
}

export class Registry {
  constructor(
    readonly runsDir: string,
    private readonly observe: StatusObserver = () => null,
    /** Told of each repair written (a run found lost), once: whoever writes it is the one that found it (notify/notice.ts). */
    private readonly repaired: (record: RunRecord, dir: string) => void = () => {},
  ) {}

  /** Creates runsDir (private to the user) if needed; a clear message when it cannot be. */
  ensureRunsDir(): void {
    try {
      ensurePrivateDir(this.runsDir);
    } catch (error) {
      throw new UsageError(
        `cannot create the runs directory ${this.runsDir} (${errorCode(error) ?? 'error'}): set runsDir in runs.config.ts to a writable folder`,
      );
    }
  }

  /**
   * Makes a fresh run's directory under a hidden name (registry/unfinished-dir.ts), to be filled and
   * then published whole by publishRunDir; throws EEXIST (never reuses an id) so the caller picks another.
   */
  stageRunDir(id: string): RunLayout {
    // The id comes from a name; a name like `../../x` must never place a run outside runsDir.
    const named = checkEntryName(id);
    if (!named.ok) throw new UsageError(`cannot create a run directory: ${named.reason}`);
    return layoutOfDir(makeUnfinishedDir(this.runsDir, id));
  }

  /** Renames a staged run directory, record and all, to its id: only now do readers see the run. */
  publishRunDir(staged: RunLayout, id: string): RunLayout {
    publishDir(staged.dir, this.runsDir, id);
    return runLayout(this.runsDir, id);
  }

  /** A one-line warning when others could plant files in runsDir (owned by someone else, or writable by others); null when it is fine. */
  runsDirWarning(): string | null {
    const reason = unsafeDirReason(this.runsDir);
    return reason ? `the runs directory ${this.runsDir} ${reason}: other users could tamper with its runs; make it yours with 'chmod go-w' or choose another runsDir` : null;
  }

  /** Read-modify-write of one record, under its lock; `change` sees the record as it is on disk now. */
  update(id: string, change: (record: RunRecord) => RunRecord): RunRecord {
    if (!isOneComponent(id)) throw new RuntimeError(`cannot update run ${id}: not a plain directory name`);
    return updateRecordIn(runLayout(this.runsDir, id).dir, change);
  }

  /** Reads a record as stored, without reconciling its status. */
  readRaw(id: string): { ok: true; run: StoredRun; text: string } | { ok: false; reason: string; foreign?: true } {
    if (!isOneComponent(id)) return { ok: false, reason: `'${id}' is not a plain directory name` };
    const layout = runLayout(this.runsDir, id);
    const read = readRecordIn(layout.dir, id);
    if (read.ok) return { ok: true, run: { record: read.record, layout }, text: read.text };
    return { ok: false, reason: read.reason, ...(read.foreign ? { foreign: read.foreign } : {}) };
  }

  /**
   * Reads a record and brings its status up to date, repairing it on disk when it changed. The
   * repair goes to the directory the record was read from, and only if the record is still what it
   * was when the repair was decided: otherwise whoever wrote in between (the runner, with the end)
   * is right, and the record is read again.
   */
  read(id: string, retries = 2): { ok: true; run: StoredRun } | { ok: false; reason: string } {
    const raw = this.readRaw(id);
    if (!raw.ok) return raw;
    holdForTest('after-read');
    const observed = this.observe(raw.run.record);
    if (!observed) return raw;
    const record = { ...raw.run.record, status: observed.status, ...(observed.startedAt ? { startedAt: observed.startedAt } : {}) };
    let written: boolean;
    try {
      written = replaceRecordIf(raw.run.layout.dir, raw.text, record);
      if (written) this.repaired(record, raw.run.layout.dir);
    } catch {
      // A read-only registry still shows the truth; the repair waits for a writable one.
      written = true;
    }
    if (!written && retries > 0) return this.read(id, retries - 1);
    return { ok: true, run: { record, layout: raw.run.layout } };
  }

  /** Every run directory's id, newest first, from directory names alone. */
  index(): IndexRow[] {
    let names: string[];
    try {
      names = readdirSync(this.runsDir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw new RuntimeError(`cannot read the runs directory ${this.runsDir} (${errorCode(error)})`);
    }
    const rows: IndexRow[] = [];
    for (const id of names) {
      if (id.startsWith('.') || id === TRASH_DIR) continue;
      const parsed = parseId(id);
      rows.push({ id, name: parsed?.name ?? id, timestamp: parsed?.timestamp ?? '' });
    }
    return rows.sort((a, b) => (a.timestamp === b.timestamp ? (a.id < b.id ? 1 : -1) : a.timestamp < b.timestamp ? 1 : -1));
  }

  /**
   * Runs newest first, reading only as many records as it takes to fill `limit` with runs that pass
   * `filter`. Runs started in the same second are ordered by their records' creation time.
   */
  list(options: { limit?: number; filter?: (run: StoredRun) => boolean; prefilter?: (entry: IndexEntry) => boolean } = {}): {
    runs: StoredRun[];
    damaged: DamagedRun[];
  } {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const runs: StoredRun[] = [];
    const damaged: DamagedRun[] = [];
    let boundary: string | null = null;
    for (const row of this.index()) {
      if (boundary !== null && row.timestamp !== boundary) break;
      if (options.prefilter && !options.prefilter(row)) continue;
      const result = this.read(row.id);
      if (!result.ok) {
        if (this.isDamaged(row.id, result.reason)) damaged.push({ id: row.id, dir: path.join(this.runsDir, row.id), reason: result.reason });
        continue;
      }
      if (options.filter && !options.filter(result.run)) continue;
      runs.push(result.run);
      // Keep reading runs from the same second as the last one kept, so the tie is broken correctly.
      if (runs.length >= limit) boundary = row.timestamp;
    }
    runs.sort(newestFirst);
    return { runs: runs.slice(0, limit), damaged };
  }

  /**
   * Resolves a selector to a run; unknown or ambiguous → a UsageError with the candidates. A
   * directory whose record cannot be read is no candidate (`clean --orphaned` tidies it), unless
   * it is named by its full id; it is only found out when the selector lands on it.
   */
  resolve(selector: string): StoredRun {
    const unreadable = new Set<string>();
    for (;;) {
      const index = this.orderedIndex(selector).filter((entry) => !unreadable.has(entry.id));
      const resolution = resolveSelector(selector, index);
      if (resolution.kind === 'ambiguous') {
        const bad = resolution.candidates.filter((id) => !this.readRaw(id).ok);
        if (bad.length > 0) {
          for (const id of bad) unreadable.add(id);
          continue;
        }
        throw new UsageError(
          `'${selector}' matches ${resolution.candidates.length} runs: ${resolution.candidates.slice(0, 5).join(', ')}${resolution.candidates.length > 5 ? ', …' : ''}; type more of the id`,
        );
      }
      if (resolution.kind === 'unknown') {
        if (index.length === 0) throw new UsageError(`no run matches '${selector}': there are no runs in ${this.runsDir} yet; start one with 'rl-run start <script>'`);
        const hint = resolution.suggestions.length ? `did you mean ${resolution.suggestions.join(', ')}?` : `see 'rl-run ls'`;
        throw new UsageError(`no run matches '${selector}': ${hint}`);
      }
      const result = this.read(resolution.id);
      if (result.ok) return result.run;
      if (resolution.id === selector) {
        throw new RuntimeError(`run ${resolution.id} cannot be read: ${result.reason}; 'rl-run clean --orphaned' tidies damaged runs`);
      }
      unreadable.add(resolution.id);
    }
  }

  /**
   * What a selector is resolved against. `latest~N` needs the N+1 newest readable runs, ties within
   * a second broken by their records: `list` reads just those. Every other selector is matched
   * against directory names alone, so naming a run never reads the whole registry.
   */
  private orderedIndex(selector: string): IndexEntry[] {
    const offset = latestOffset(selector);
    if (offset === null) return this.index();
    const depth = offset + 1;
    return this.list({ limit: depth }).runs.map(({ record }) => ({ id: record.id, name: record.name }));
  }

  /** A directory whose record could not be read (`reason`), old enough not to be a start in progress. */
  private isDamaged(id: string, reason: string): boolean {
    try {
      const stat = lstatSync(runLayout(this.runsDir, id).dir);
      // A run directory that is a symlink or a FIFO is not read through, and shown as damaged.
      if (stat.isSymbolicLink() || !stat.isDirectory()) return parseId(id) !== null;
      return reason !== 'no run.json' || Date.now() - stat.mtimeMs > START_GRACE_MS;
    } catch {
      return false;
    }
  }
}

/** One entry of runsDir, as readdir names them: the only place a run's files may be read or written. */
function isOneComponent(id: string): boolean {
  return id !== '' && id !== '.' && id !== '..' && !id.includes('/') && !id.includes('\0');
}

function newestFirst(a: StoredRun, b: StoredRun): number {
  const ta = a.record.createdAt;
  const tb = b.record.createdAt;
  return ta === tb ? (a.record.id < b.record.id ? 1 : -1) : ta < tb ? 1 : -1;
}

export { layoutOfDir };
