import { defineConfig } from 'rl-run';

// The config the README demo uses: `npm run demo` starts examples/train.py with it.
export default defineConfig({
  runsDir: 'runs',
  interpreters: { '.py': 'python3' },
  env: { OMP_NUM_THREADS: '1' },
  defaults: { tags: ['demo'] },
  name: '{script}',
  // The example saves its checkpoint in well under a second; real training scripts may need minutes.
  stop: { timeoutMs: 30_000 },
  restart: { maxRestarts: 0 },
  metrics: { patterns: [] },
});
