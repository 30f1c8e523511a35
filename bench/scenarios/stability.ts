// In-process capacity: how many agents one Node.js process holds on this machine with no false
// failure for the whole window. Starts at the goal and halves after a failed attempt. The window
// starts right after convergence (the join storm's gossip included); its last --steady-seconds
// give the steady-state figures. /v1/members is then measured twice at that size: on the
// in-process agent (sharing its event loop with all the others) and on one `gossipd agent`
// process joined to the cluster, as an operator would query the agent on their own host.
import { performance } from 'node:perf_hooks';
import { InProcessCluster } from '../cluster-inprocess.js';
import { OurProcessCluster } from '../cluster-ours.js';
import type { Progress } from '../progress.js';
import { waitForQuiet } from '../quiet.js';
import { loadNow } from '../report/machine.js';
import type { CapacityAttempt, CapacityResult } from '../results.js';
import type { Settings } from '../settings.js';
import { scenarioContext } from '../suite.js';
import { waitUntil } from '../wait.js';
import { converge } from './converge.js';
import { agreementTimeoutMs, type ScenarioContext } from './context.js';
import { crash } from './crash.js';
import { query, type QueryResult } from './query.js';
import { steady } from './steady.js';

export async function capacity(settings: Settings, say: Progress, random: () => number): Promise<CapacityResult> {
  const result: CapacityResult = { goal: settings.capacity, windowS: settings.stabilitySeconds, attempts: [], stableAgents: null };
  let agents = settings.capacity;
  for (let attempt = 1; attempt <= settings.capacityAttempts && agents >= 3; attempt++) {
    const record = await attemptCapacity(settings, say, random, agents);
    result.attempts.push(record);
    if (record.stable) {
      result.stableAgents = agents;
      break;
    }
    agents = Math.floor(agents / 2);
  }
  return result;
}

async function attemptCapacity(settings: Settings, say: Progress, random: () => number, agents: number): Promise<CapacityAttempt> {
  const cluster = new InProcessCluster(settings.profile, random);
  const context = scenarioContext(cluster, settings, say, random);
  const quietStart = await waitForQuiet();
  const record: CapacityAttempt = { agents, loadAtStart: loadNow(), quietStart, stable: false };
  try {
    say(`starting ${agents} agents in one process`);
    record.converge = await converge(context, agents);
    if (!record.converge.converged) throw new Error(`did not converge (fewest seen alive: ${record.converge.fewestSeenAlive})`);
    say(`converged in ${((record.converge.fromFirstJoinMs ?? 0) / 1000).toFixed(1)} s; holding for ${settings.stabilitySeconds} s`);
    const steadyMs = Math.min(settings.steadySeconds, settings.stabilitySeconds) * 1000;
    const firstMs = settings.stabilitySeconds * 1000 - steadyMs;
    if (firstMs > 0) record.window = await steady(context, firstMs);
    record.steady = await steady(context, steadyMs);
    const falseFailures = (record.window?.falseFailures ?? 0) + record.steady.falseFailures;
    record.stable = record.converge.falseFailures === 0 && falseFailures === 0;
    say(
      `${agents} agents: ${falseFailures} false failures, ${(record.window?.falseSuspicions ?? 0) + record.steady.falseSuspicions} false suspicions, ` +
        `${(record.window?.gatedProbes ?? 0) + record.steady.gatedProbes} probes gated by loop stalls, ` +
        `loop delay max ${Math.max(record.window?.loopDelayMs.max ?? 0, record.steady.loopDelayMs.max).toFixed(0)} ms`,
    );
    say('query: the in-process agent');
    record.query = await query(context, settings.querySeconds * 1000, settings.queryConcurrency, 0);
    say('query: one agent process joined to the cluster');
    record.processQuery = await queryJoinedProcess(context, settings, random);
    record.crash = await crash(context, 1);
  } catch (error) {
    record.error = (error as Error).message;
    say(`${agents} agents: ${record.error}`);
  } finally {
    await cluster.close();
    record.loadAtEnd = loadNow();
  }
  return record;
}

async function queryJoinedProcess(context: ScenarioContext, settings: Settings, random: () => number): Promise<QueryResult & { readonly fullViewMs: number | null }> {
  const inProcess = context.cluster as InProcessCluster;
  const outside = new OurProcessCluster(settings.profile, random, inProcess.seedAddress(), 'p');
  try {
    const name = await outside.add();
    context.downOnPurpose.add(name);
    const startMs = performance.now();
    const everyone = inProcess.live().length;
    const full = await waitUntil(() => outside.tracker.aliveOthers(name) >= everyone, agreementTimeoutMs(context, everyone), 200);
    const fullViewMs = full ? performance.now() - startMs : null;
    const result = await query({ ...context, cluster: outside }, settings.querySeconds * 1000, settings.queryConcurrency, 0);
    // Leave, rather than vanish, so the crash trial that follows has no second failure to chase.
    outside.leave(name);
    await waitUntil(() => inProcess.tracker.allSee(inProcess.live(), name, 'left'), 30_000, 200);
    return { ...result, members: everyone + 1, fullViewMs };
  } finally {
    await outside.close();
  }
}
