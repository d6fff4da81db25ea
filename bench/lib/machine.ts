// What the figures were measured on.

import fs from 'node:fs';
import os from 'node:os';

export interface Machine {
  node: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  date: string;
}

export function describeMachine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  return {
    node: process.version,
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGb: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

/** 1-minute load average, the figure noted next to each measure (others share the machine). */
export function load1(): number {
  return os.loadavg()[0];
}
