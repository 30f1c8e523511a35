// Reads Linux /proc: per-process CPU time and RSS, and the network namespace's packet counters.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicksPerS: number | undefined;

function ticksPerS(): number {
  if (clockTicksPerS === undefined) {
    try {
      clockTicksPerS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerS = 100;
    }
  }
  return clockTicksPerS;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** User + system CPU time of a process in ms, or null if it is gone. */
export function processCpuMs(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / ticksPerS();
}

/** Resident set size of a process in bytes, or null if it is gone. */
export function processRssBytes(pid: number): number | null {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(read(`/proc/${pid}/status`) ?? '');
  return match === null ? null : Number(match[1]) * 1024;
}

/** Counters of this process's network namespace (all processes in it). */
export interface NetCounters {
  readonly udpOutDatagrams: number;
  readonly tcpOutSegments: number;
  /** Bytes and packets sent on the loopback interface: every protocol, headers included. */
  readonly loTxBytes: number;
  readonly loTxPackets: number;
}

export function netCounters(): NetCounters | null {
  const snmp = read('/proc/net/snmp');
  const dev = read('/proc/net/dev');
  if (snmp === null || dev === null) return null;
  const lo = /^\s*lo:\s*(.*)$/m.exec(dev)?.[1]?.trim().split(/\s+/).map(Number);
  if (lo === undefined) return null;
  return {
    udpOutDatagrams: snmpField(snmp, 'Udp', 'OutDatagrams'),
    tcpOutSegments: snmpField(snmp, 'Tcp', 'OutSegs'),
    loTxBytes: lo[8] ?? 0,
    loTxPackets: lo[9] ?? 0,
  };
}

function snmpField(snmp: string, protocol: string, field: string): number {
  const lines = snmp.split('\n').filter((line) => line.startsWith(`${protocol}: `));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf(field)] ?? 0);
}

export function diffNet(after: NetCounters, before: NetCounters): NetCounters {
  return {
    udpOutDatagrams: after.udpOutDatagrams - before.udpOutDatagrams,
    tcpOutSegments: after.tcpOutSegments - before.tcpOutSegments,
    loTxBytes: after.loTxBytes - before.loTxBytes,
    loTxPackets: after.loTxPackets - before.loTxPackets,
  };
}

/** The machine's CPU time so far (all cores, clock ticks): idle (with iowait) and total. */
export function machineCpuTicks(): { idle: number; total: number } | null {
  const fields = (read('/proc/stat')?.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 5 || fields.some((f) => !Number.isFinite(f))) return null;
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
}
