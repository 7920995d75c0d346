import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A pause point for the race tests only: with RL_RUN_TEST_HOLD=<dir>, a process reaching `point`
 * creates `<dir>/<point>.<pid>.held` and waits until `<dir>/<point>.go` exists. The test uses it to
 * let a real runner write the end of its run between a reader's read and its repair (issue 9, item 5);
 * without the variable it costs one lookup of the environment.
 */
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function holdForTest(point: string): void {
  const dir = process.env.RL_RUN_TEST_HOLD;
  if (!dir) return;
  writeFileSync(path.join(dir, `${point}.${process.pid}.held`), '');
  const deadline = Date.now() + 60_000;
  while (!existsSync(path.join(dir, `${point}.go`)) && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 10);
}
