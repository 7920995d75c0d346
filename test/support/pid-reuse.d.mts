import type { ChildProcess, SpawnOptions } from 'node:child_process';

export const WITNESS_PY: string;
export function canReusePids(): boolean;
export function spawnOnPid(pid: number, command: string, args: string[], options?: SpawnOptions, tries?: number): Promise<ChildProcess | null>;
