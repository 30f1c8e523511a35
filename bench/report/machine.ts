// The machine a result was measured on: cores, memory and load, printed with every result.
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import type { NetIsolation } from '../netns.js';

export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryTotalMB: number;
  readonly node: string;
  readonly kernel: string;
  readonly network: NetIsolation;
}

/** Load and free memory at one moment. */
export interface LoadSnapshot {
  readonly atIso: string;
  readonly loadavg1m: number;
  readonly loadavg5m: number;
  readonly memoryFreeMB: number;
}

export function machine(network: NetIsolation): Machine {
  const cpuList = cpus();
  return {
    cores: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryTotalMB: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    kernel: release(),
    network,
  };
}

export function loadNow(): LoadSnapshot {
  const [one = 0, five = 0] = loadavg();
  return {
    atIso: new Date().toISOString(),
    loadavg1m: Math.round(one * 100) / 100,
    loadavg5m: Math.round(five * 100) / 100,
    memoryFreeMB: Math.round(freemem() / 2 ** 20),
  };
}

export function describeMachine(m: Machine, load: LoadSnapshot): string {
  return (
    `${m.cores} cores (${m.cpuModel}), ${(m.memoryTotalMB / 1024).toFixed(1)} GiB RAM ` +
    `(${(load.memoryFreeMB / 1024).toFixed(1)} GiB free), load ${load.loadavg1m}/${load.loadavg5m} (1/5 min), ` +
    `Node ${m.node}, Linux ${m.kernel}, network: ${m.network === 'private' ? 'private namespace' : 'shared with the machine'}`
  );
}
