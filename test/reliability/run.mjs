// npm run test:reliability — makes each fault for real and prints one summary line per case.
// Exits non-zero when a case fails. Builds dist first, like the vitest global setup.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { damagedRecords, diskFull, killDuringStart, orphanWorkers, parallelStarts, pathEscapes, supervisorDeaths } from './cases.mjs';
import { ROOT } from './sandbox.mjs';

const CASES = [
  ['parallel starts', () => parallelStarts(50)],
  ['kill -9 during start', () => killDuringStart(Number(process.env.RL_RUN_KILL_TRIALS ?? 200))],
  ['damaged records', () => damagedRecords(1000, 100)],
  ['path escapes', pathEscapes],
  ['orphan workers', orphanWorkers],
  ['pm2 kill', () => supervisorDeaths(3)],
  ['disk full', diskFull],
];
// More cases live in cases-<area>.mjs files beside this one, each exporting CASES as [name, run] pairs.
const HERE = path.dirname(new URL(import.meta.url).pathname);
for (const file of readdirSync(HERE).filter((name) => /^cases-.+\.mjs$/.test(name)).sort()) {
  const module = await import(path.join(HERE, file));
  CASES.push(...module.CASES);
}

// RL_RUN_SKIP_BUILD=1 runs against the dist already built (e.g. by `npm run build` just before).
if (!process.env.RL_RUN_SKIP_BUILD) {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/bundle.mjs')], { cwd: ROOT, stdio: 'inherit' });
}
const only = process.argv[2];
let failures = 0;
const started = Date.now();
for (const [name, run] of CASES) {
  if (only && !name.includes(only)) continue;
  const t0 = Date.now();
  let result;
  try {
    result = await run();
  } catch (error) {
    result = { ok: false, line: `${name}: error: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!result.ok) failures++;
  console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${result.line} [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
}
console.log(`reliability: ${failures === 0 ? 'all cases passed' : `${failures} failed`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = failures === 0 ? 0 : 1;
