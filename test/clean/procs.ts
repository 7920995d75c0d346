import { readdirSync, readFileSync } from 'node:fs';
import { isAlive } from '../helpers/sandbox.js';

/** Pids of live processes whose environment carries RL_RUN_ID=<id> (the runner, the script, its workers). */
export function withRunId(id: string): number[] {
  const marker = `RL_RUN_ID=${id}\0`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return `${readFileSync(`/proc/${name}/environ`, 'latin1')}\0`.includes(marker) && isAlive(Number(name));
      } catch {
        return false;
      }
    })
    .map(Number);
}
