// Polling with a deadline: the scenarios wait on the tracker, which events update.
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls until `condition` holds (true) or `timeoutMs` passes (false). */
export async function waitUntil(condition: () => boolean, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (condition()) return true;
    await sleep(pollMs);
  }
  return condition();
}

export { sleep };
