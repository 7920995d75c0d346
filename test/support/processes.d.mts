export function sleep(ms: number): Promise<void>;
export function processesWith(marker: string): number[];
export function killWhere(marker: string): Promise<void>;
export function processesWithPm2Home(home: string): number[];
export function killByPm2Home(home: string): Promise<void>;
export function isAlive(pid: number): boolean;
export function endedRecord(id: string, hostname: string): Record<string, unknown>;
export function collectOutput(child: import('node:child_process').ChildProcess): Promise<{
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}>;
