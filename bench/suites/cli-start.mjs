import path from 'node:path';
import { cliPath, createSandbox, runOk } from '../lib/sandbox.mjs';
import { alternate } from '../lib/stats.mjs';

/** CLI start: `rl-run --version` and `rl-run ls` on an empty registry against `node -e 0`, alternating. */
export async function cliStart({ reps }) {
  const sandbox = createSandbox('cli-start');
  try {
    const options = { env: sandbox.env(), cwd: sandbox.dir };
    const runsDir = path.join(sandbox.dir, 'runs');
    const node = process.execPath;
    const measures = {
      node: async () => (await runOk(node, ['-e', '0'], options)).ms,
      version: async () => (await runOk(node, [cliPath(), '--version'], options)).ms,
      ls: async () => (await runOk(node, [cliPath(), 'ls', '--runs-dir', runsDir], options)).ms,
    };
    for (const measure of Object.values(measures)) await measure();
    return await alternate(measures, reps);
  } finally {
    await sandbox.cleanup();
  }
}
