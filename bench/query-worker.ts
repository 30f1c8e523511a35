// Load generator for GET /v1/members, in a worker thread so that the client's own work does not
// sit on the event loop of the agents it measures (in-process mode).
import { Agent, get } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface QueryJob {
  readonly url: string;
  readonly concurrency: number;
  readonly durationMs: number;
}

export interface QueryOutcome {
  readonly latenciesMs: number[];
  readonly errors: number;
  readonly elapsedMs: number;
  readonly bodyBytes: number;
}

async function run(job: QueryJob): Promise<QueryOutcome> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latenciesMs: number[] = [];
  let errors = 0;
  let bodyBytes = 0;
  const started = performance.now();
  const deadline = started + job.durationMs;
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const sentAt = performance.now();
      const request = get(job.url, { agent }, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.on('end', () => {
          if (response.statusCode === 200) {
            latenciesMs.push(performance.now() - sentAt);
            bodyBytes = bytes;
          } else errors++;
          resolve();
        });
      });
      request.on('error', () => {
        errors++;
        resolve();
      });
    });
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) await once();
  };
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  agent.destroy();
  return { latenciesMs, errors, elapsedMs: performance.now() - started, bodyBytes };
}

if (parentPort !== null) {
  const port = parentPort;
  void run(workerData as QueryJob).then((outcome) => port.postMessage(outcome));
}
