import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  readonly node: string;
  readonly nodePath: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memGiB: number;
  readonly loadavg1: number;
  readonly kernel: string;
  readonly commit: string;
  readonly dirty: boolean;
}

export function machineInfo(nodePath: string): MachineInfo {
  let node = process.version;
  try {
    node = execFileSync(nodePath, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // keep the in-process version
  }
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  let commit = 'unknown';
  let dirty = false;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'dist'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    // not a git checkout
  }
  return {
    node,
    nodePath,
    cpu,
    cores: os.availableParallelism(),
    memGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    loadavg1: Number((os.loadavg()[0] ?? 0).toFixed(2)),
    kernel: os.release(),
    commit,
    dirty,
  };
}
