// Runs a command as a child process and reports its wall time and peak resident memory
// (VmHWM from /proc, sampled until exit; Linux only, null elsewhere).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Measurement {
  seconds: number;
  peakRssMb: number | null;
  stdout: string;
}

function peakRss(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function measure(command: string, args: string[]): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let peak: number | null = null;
    const sampler = setInterval(() => {
      const current = child.pid ? peakRss(child.pid) : null;
      if (current !== null) peak = Math.max(peak ?? 0, current);
    }, 50);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      else resolve({ seconds, peakRssMb: peak, stdout });
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
