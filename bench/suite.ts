// Runs every scenario against one cluster of N members: converge, steady state, query, crash and
// leave (each trial followed by a replacement, so N stays the same), pause, and loss last (a
// cluster that does not recover from it spoils nothing else). When a cluster does not agree
// again after a disturbance, its remaining scenarios are skipped and the reason recorded.
import { performance } from 'node:perf_hooks';
import type { Cluster } from './cluster.js';
import type { Progress } from './progress.js';
import { waitForQuiet } from './quiet.js';
import { loadNow } from './report/machine.js';
import type { ClusterResult } from './results.js';
import { converge } from './scenarios/converge.js';
import type { ScenarioContext } from './scenarios/context.js';
import { crash } from './scenarios/crash.js';
import { leave } from './scenarios/leave.js';
import { loss } from './scenarios/loss.js';
import { pause } from './scenarios/pause.js';
import { query } from './scenarios/query.js';
import { settle, steady } from './scenarios/steady.js';
import type { Settings } from './settings.js';
import { protocolOptions } from './timing.js';

export function scenarioContext(cluster: Cluster, settings: Settings, say: Progress, random: () => number): ScenarioContext {
  return { cluster, timing: protocolOptions(settings.profile), settings, say, random, downOnPurpose: new Set() };
}

export async function runSuite(context: ScenarioContext, n: number): Promise<ClusterResult> {
  const { cluster, settings, say } = context;
  const quietStart = await waitForQuiet();
  say(`machine quiet after ${(quietStart.waitedMs / 1000).toFixed(0)} s (CPU ${quietStart.idle === null ? '?' : (quietStart.idle * 100).toFixed(0)} % idle)`);
  const startMs = performance.now();
  const result: ClusterResult = { system: cluster.system, mode: cluster.mode, members: n, loadAtStart: loadNow(), quietStart };
  try {
    say(`converge: starting ${n} agents`);
    result.converge = await converge(context, n);
    const c = result.converge;
    say(c.converged ? `converged in ${s(c.fromFirstJoinMs)} (${s(c.afterLastStartMs)} after the last start)` : `did not converge`);
    if (!c.converged) throw new Error(`did not converge: some agent saw only ${c.fewestSeenAlive} of ${n - 1} others alive`);
    const settledMs = await settle(context);
    say(`steady state: ${settings.steadySeconds} s quiet window (after ${(settledMs / 1000).toFixed(1)} s for the join gossip to settle)`);
    result.steady = { ...(await steady(context, settings.steadySeconds * 1000)), settledMs };
    say('query');
    result.query = await query(context, settings.querySeconds * 1000, settings.queryConcurrency, settings.spawnRuns);
    say(`crash: ${settings.trials} trials`);
    result.crash = await crash(context, settings.trials);
    if (result.crash.stoppedEarly !== null) throw new Error(result.crash.stoppedEarly);
    say(`pause: ${settings.pauseSeconds} s, ${settings.pauseTrials} trials`);
    result.pause = await pause(context, settings.pauseSeconds * 1000, settings.pauseTrials);
    if (result.pause.recoveredMs === null) throw new Error('did not agree again within the bound after the pause');
    say(`leave: ${settings.trials} trials`);
    result.leave = await leave(context, settings.trials);
    if (result.leave.stoppedEarly !== null) throw new Error(result.leave.stoppedEarly);
    say(`loss: ${settings.lossPercent} % for ${settings.lossSeconds} s`);
    result.loss = await loss(context, settings.lossPercent, settings.lossSeconds * 1000);
  } catch (error) {
    result.error = (error as Error).message;
    say(`stopped early: ${result.error}`);
  } finally {
    await cluster.close();
    result.loadAtEnd = loadNow();
    result.durationS = (performance.now() - startMs) / 1000;
  }
  return result;
}

function s(ms: number | null): string {
  return ms === null ? '—' : `${(ms / 1000).toFixed(2)} s`;
}
