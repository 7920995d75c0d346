// Loaded with `node --import` into a process the bench measures: writes its peak RSS (KB) and its
// CPU time (user + system, ms) at exit.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.BENCH_MAXRSS_FILE) writeFileSync(process.env.BENCH_MAXRSS_FILE, String(process.resourceUsage().maxRSS));
  if (process.env.BENCH_CPU_FILE) {
    const { user, system } = process.cpuUsage();
    writeFileSync(process.env.BENCH_CPU_FILE, String((user + system) / 1000));
  }
});
