import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Integration tests drive the built CLI, as a user does: build it once before any test runs. */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  // The CLI as shipped: bundled into dist/bin/ (package.json's build script).
  execFileSync(process.execPath, [`${root}/scripts/bundle.mjs`], { cwd: root, stdio: 'inherit' });
}
