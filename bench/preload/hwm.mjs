// Preload (node --import): at exit, appends this process's peak RSS to $BENCH_HWM_FILE as one JSON line: VmHWM from
// /proc/self/status (kB) and process.resourceUsage().maxRSS (getrusage ru_maxrss, kB). A cross-check of
// /usr/bin/time's %M (and the fallback without it); the preload itself adds a little (one small ES module).
import { appendFileSync, readFileSync } from 'node:fs';

const out = process.env.BENCH_HWM_FILE;
if (out) {
  process.on('exit', () => {
    let hwm = -1;
    try {
      const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
      if (m) hwm = Number(m[1]);
    } catch {
      // not Linux
    }
    appendFileSync(out, JSON.stringify({ vmHwmKb: hwm, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
  });
}
