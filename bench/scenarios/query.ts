// query: GET /v1/members throughput and latency under concurrency (load from a worker thread),
// and listing members the operator's way, through the CLI: a process spawn per call.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { QueryJob, QueryOutcome } from '../query-worker.js';
import { percentile } from '../stats.js';
import type { ScenarioContext } from './context.js';

export interface HttpLoad {
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly throughputPerS: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly responseBytes: number;
}

export interface SpawnLatency {
  readonly command: string;
  readonly runs: number;
  readonly failures: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** Members in the last answer, to show that it answered in full. */
  readonly members: number | null;
}

export interface QueryResult {
  readonly members: number;
  readonly http: readonly HttpLoad[] | null;
  readonly spawn: SpawnLatency;
}

export async function query(context: ScenarioContext, durationMs: number, concurrency: number, spawnRuns: number): Promise<QueryResult> {
  const { cluster } = context;
  const url = cluster.membersUrl();
  const http: HttpLoad[] = [];
  if (url !== null) {
    for (const level of [...new Set([1, concurrency])]) http.push(await httpLoad({ url, concurrency: level, durationMs }));
  }
  return { members: cluster.live().length, http: url === null ? null : http, spawn: await spawnLatency(context, spawnRuns) };
}

async function httpLoad(job: QueryJob): Promise<HttpLoad> {
  const worker = new Worker(new URL('../query-worker.js', import.meta.url), { workerData: job });
  const outcome = await new Promise<QueryOutcome>((resolve, reject) => {
    worker.once('message', (message: QueryOutcome) => resolve(message));
    worker.once('error', reject);
  });
  await worker.terminate();
  return {
    concurrency: job.concurrency,
    requests: outcome.latenciesMs.length,
    errors: outcome.errors,
    throughputPerS: outcome.latenciesMs.length / (outcome.elapsedMs / 1000),
    p50Ms: percentile(outcome.latenciesMs, 50),
    p99Ms: percentile(outcome.latenciesMs, 99),
    responseBytes: outcome.bodyBytes,
  };
}

async function spawnLatency(context: ScenarioContext, runs: number): Promise<SpawnLatency> {
  const { command, args } = context.cluster.membersCommand();
  const latencies: number[] = [];
  let failures = 0;
  let members: number | null = null;
  for (let i = 0; i < runs; i++) {
    const startMs = performance.now();
    const { code, stdout } = await run(command, args);
    if (code !== 0) {
      failures++;
      continue;
    }
    latencies.push(performance.now() - startMs);
    members = countMembers(stdout);
  }
  return {
    command: [command === process.execPath ? 'node' : command, ...args].join(' '),
    runs,
    failures,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    members,
  };
}

function run(command: string, args: readonly string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('error', () => resolve({ code: -1, stdout }));
    child.once('close', (code) => resolve({ code, stdout }));
  });
}

/** gossipd prints a JSON array; serf prints {"members": [...]}. */
function countMembers(stdout: string): number | null {
  try {
    const parsed: unknown = JSON.parse(stdout);
    if (Array.isArray(parsed)) return parsed.length;
    if (typeof parsed === 'object' && parsed !== null && 'members' in parsed && Array.isArray(parsed.members)) {
      return parsed.members.length;
    }
  } catch {
    // not JSON: counted as an answer without a member count
  }
  return null;
}
