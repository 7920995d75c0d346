import path from 'node:path';
import { RuntimeError, describeError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import { moveToTrash, purgeFromTrash } from '../registry/trash.js';
import { backendOf, observeStatus } from '../supervisor/index.js';
import { terminate } from '../process/index.js';
import { noticeRepair } from '../notify/notice.js';
import type { CleanAction, CleanPlan } from './plan.js';
import { removeLogFile } from '../supervisor/pm2/orphans.js';
import { removeUnfinishedDir } from '../registry/unfinished-dir.js';

export interface ExecuteOptions {
  /** Between SIGTERM and SIGKILL for left-over processes. */
  graceMs: number;
  now?: Date;
}

export interface ExecuteResult {
  done: CleanAction[];
}

const ORDER: CleanAction['kind'][] = ['mark-lost', 'kill', 'pm2-delete', 'remove-orphan', 'remove-log', 'remove-unfinished', 'trash', 'purge'];

/**
 * Carries out a plan: repairs first, then processes, pm2, files. Stops at the first failure with a
 * one-line error that says how far it got, so a full disk or a permission problem is reported once.
 */
export async function executePlan(plan: CleanPlan, registry: Registry, options: ExecuteOptions): Promise<ExecuteResult> {
  const now = options.now ?? new Date();
  const done: CleanAction[] = [];
  const actions = [...plan.actions].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  const fail = (action: CleanAction, error: unknown): never => {
    const message = describeError(error);
    throw new RuntimeError(`clean stopped after ${done.length} of ${actions.length} actions: ${message}${message.includes(action.kind) ? '' : ` (${action.kind})`}`);
  };

  for (const action of actions.filter((a) => a.kind === 'mark-lost')) {
    try {
      const marked = registry.update(action.id, (record) => {
        const status = observeStatus(record);
        return status?.state === 'lost' ? { ...record, status } : record;
      });
      // Found lost here first: notified here, once (the claim in the record says whether it was already).
      if (marked.status.state === 'lost') noticeRepair(marked, path.join(registry.runsDir, action.id));
      done.push(action);
    } catch (error) {
      fail(action, error);
    }
  }

  const kills = actions.filter((a): a is Extract<CleanAction, { kind: 'kill' }> => a.kind === 'kill');
  if (kills.length) {
    await endProcesses(kills, options.graceMs);
    done.push(...kills);
  }

  const pm2Deletes = actions.filter((a): a is Extract<CleanAction, { kind: 'pm2-delete' }> => a.kind === 'pm2-delete');
  if (pm2Deletes.length) {
    try {
      await backendOf('pm2').removeOrphans(pm2Deletes.map((a) => a.pm2Name));
      done.push(...pm2Deletes);
    } catch (error) {
      fail(pm2Deletes[0]!, error);
    }
  }

  const removals = actions.filter((a): a is Extract<CleanAction, { kind: 'remove-orphan' }> => a.kind === 'remove-orphan');
  for (const backend of new Set(removals.map((a) => a.backend))) {
    const mine = removals.filter((a) => a.backend === backend);
    try {
      await backendOf(backend).removeOrphans(mine.map((a) => a.handle));
      done.push(...mine);
    } catch (error) {
      fail(mine[0]!, error);
    }
  }

  for (const action of actions) {
    try {
      if (action.kind === 'remove-log') removeLogFile(action.file);
      else if (action.kind === 'remove-unfinished') removeUnfinishedDir(action.dir);
      else if (action.kind === 'trash') moveToTrash(registry.runsDir, action.id, action.reason, now);
      else if (action.kind === 'purge') purgeFromTrash(registry.runsDir, action.id);
      else continue;
      done.push(action);
    } catch (error) {
      fail(action, error);
    }
  }
  return { done };
}

/**
 * SIGTERM, up to the grace for them to go, SIGKILL to what is left: each signal goes only to the
 * process the plan saw (pid and start time), so a pid reused since is left alone.
 */
async function endProcesses(kills: readonly Extract<CleanAction, { kind: 'kill' }>[], graceMs: number): Promise<void> {
  await terminate(kills.map((k) => ({ pid: k.pid, ...(k.startTime !== undefined ? { startTime: k.startTime } : {}) })), graceMs);
}
