// loss: X % of packets lost for a window; false suspicions and false failures per member-hour.
// gossipd in-process: its lossRate fault injection. Processes (gossipd and Serf alike): nftables
// in the bench's network namespace, when available. Otherwise: not measured, and said so.
import { sleep } from '../wait.js';
import { reconverge } from './converge.js';
import { falseAlarmsSince, mark, type FalseAlarms, type ScenarioContext } from './context.js';

export type LossResult =
  | (FalseAlarms & {
      readonly measured: true;
      readonly lossPercent: number;
      readonly method: string;
      readonly windowS: number;
      readonly memberHours: number;
      readonly falseSuspicionsPerMemberHour: number;
      readonly falseFailuresPerMemberHour: number;
      readonly refutationsPerMemberHour: number;
      /** In-process: the share of datagrams the agents' send side actually dropped. */
      readonly sendSideDropPercent: number | null;
      /** From the end of the loss until the last agent saw the last member alive again (0: all were). */
      readonly recoveredMs: number | null;
    })
  | { readonly measured: false; readonly lossPercent: number; readonly reason: string };

export async function loss(context: ScenarioContext, lossPercent: number, windowMs: number): Promise<LossResult> {
  const { cluster } = context;
  const method = await cluster.setLoss(lossPercent / 100);
  if (method === null) {
    return {
      measured: false,
      lossPercent,
      reason: 'no honest way to inject loss here (needs root for a private network namespace and nftables)',
    };
  }
  const since = mark(context);
  const before = cluster.usage().sent;
  const startMs = performance.now();
  await sleep(windowMs);
  const after = cluster.usage().sent;
  const alarms = falseAlarmsSince(context, since);
  const windowS = (performance.now() - startMs) / 1000;
  await cluster.setLoss(0);
  const lossEndMs = performance.now();
  const recoveredMs = (await reconverge(context)) === null ? null : Math.max(0, cluster.tracker.lastAliveAt(cluster.live()) - lossEndMs);
  const memberHours = (cluster.live().length * windowS) / 3600;
  const attempted = before !== null && after !== null ? after.beforeLoss - before.beforeLoss : 0;
  return {
    measured: true,
    lossPercent,
    method,
    windowS,
    memberHours,
    falseSuspicionsPerMemberHour: alarms.falseSuspicions / memberHours,
    falseFailuresPerMemberHour: alarms.falseFailures / memberHours,
    refutationsPerMemberHour: alarms.refutations / memberHours,
    sendSideDropPercent:
      before !== null && after !== null && attempted > 0
        ? (100 * (attempted - (after.datagrams - before.datagrams))) / attempted
        : null,
    recoveredMs,
    ...alarms,
  };
}
