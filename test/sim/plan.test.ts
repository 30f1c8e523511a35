import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/model.js';
import { PROFILES, toleranceProfile } from '../../src/protocol/options.js';
import { runScenario, type ScenarioOptions } from '../../src/sim/scenario.js';
import { scenarioOf } from './helpers.js';

// `gossipd plan` against the simulator: the model must predict what the real core does.
const scenario: ScenarioOptions = scenarioOf({ durationMs: 300_000, seed: 71, crash: 4, faultAtMs: 100_000 });
const model = (lossRate: number) =>
  plan({ nodes: 100, lossRate, protocol: PROFILES.lan, failureRatePerHour: 0, repairRatePerHour: 2, nameLength: 10 });

function within(actual: number, predicted: number, tolerance: number): boolean {
  return Math.abs(actual - predicted) <= tolerance * predicted;
}

describe('gossipd plan predicts the simulator', () => {
  it('detection times within 35 %, datagrams within 25 %, bytes within 40 % (no loss)', async () => {
    const report = await runScenario(scenario);
    const predicted = model(0);
    const { firstP50Ms, allP50Ms } = report.detection;
    expect(within(firstP50Ms!, predicted.firstDetectEstimateMs, 0.35), `first ${firstP50Ms} vs ${predicted.firstDetectEstimateMs}`).toBe(true);
    expect(within(allP50Ms!, predicted.allDetectEstimateMs, 0.35), `all ${allP50Ms} vs ${predicted.allDetectEstimateMs}`).toBe(true);
    expect(within(report.perNode.msgsSentPerSec.mean, predicted.messagesPerMemberPerSec, 0.25)).toBe(true);
    expect(within(report.perNode.bytesSentPerSec.mean, predicted.bytesPerMemberPerSec, 0.4)).toBe(true);
  });

  it('false suspicions at 10 % loss within a factor of 2; false failures no more than predicted', async () => {
    const report = await runScenario({ ...scenario, lossRate: 0.1, crash: 0 });
    const predicted = model(0.1);
    const probes = scenario.nodes * (scenario.durationMs / PROFILES.lan.probeIntervalMs);
    const predictedSuspicions = predicted.falseSuspicionPerProbeWithRetry * probes;
    expect(report.falseSuspicionsOriginated).toBeGreaterThan(predictedSuspicions / 2);
    expect(report.falseSuspicionsOriginated).toBeLessThan(predictedSuspicions * 2);
    const memberYears = (scenario.nodes * scenario.durationMs) / (365 * 24 * 3600 * 1000);
    expect(report.falseFailures).toBeLessThanOrEqual(Math.ceil(predicted.falseFailuresPerMemberYear * memberYears));
  });
});

describe('gossipd plan predicts the simulator with a pause tolerance', () => {
  const tolerance = toleranceProfile(3000);
  it('detection p50 within 20 %, the slowest crash under the p99 bound, datagrams within 25 % (no loss)', async () => {
    const report = await runScenario({ ...scenario, profile: 'tolerance', protocol: tolerance, crash: 8, seed: 72 });
    const predicted = plan({ nodes: 100, lossRate: 0, protocol: tolerance, failureRatePerHour: 0, repairRatePerHour: 2, nameLength: 10 });
    const { allP50Ms, allMaxMs } = report.detection;
    expect(within(allP50Ms!, predicted.allDetectP50Ms, 0.2), `all p50 ${allP50Ms} vs ${predicted.allDetectP50Ms}`).toBe(true);
    expect(allMaxMs!, `slowest ${allMaxMs} vs p99 ${predicted.allDetectP99Ms}`).toBeLessThanOrEqual(predicted.allDetectP99Ms * 1.1);
    expect(within(report.perNode.msgsSentPerSec.mean, predicted.messagesPerMemberPerSec, 0.25)).toBe(true);
  });
});

describe('gossipd plan predicts the simulator at 3,000 members', { timeout: 300_000 }, () => {
  // Converged starts (a 3,000-member join storm costs minutes of CPU), direct wire (the same
  // report as the codec, checked in scenario.test.ts): about 75 s of CPU for both runs.
  const tolerance = toleranceProfile(3000);
  const large: ScenarioOptions = { ...scenario, nodes: 3000, start: 'converged', wire: 'direct', profile: 'tolerance', protocol: tolerance, seed: 72 };
  const predicted = plan({ nodes: 3000, lossRate: 0, protocol: tolerance, failureRatePerHour: 0, repairRatePerHour: 2, nameLength: 10 });

  it('detection p50 within 20 %, the slowest of 8 crashes under the p99 bound', async () => {
    const report = await runScenario({ ...large, durationMs: 150_000, faultAtMs: 100_000, crash: 8 });
    const { allP50Ms, allMaxMs } = report.detection;
    expect(report.crashes.every((crash) => crash.allDetectMs !== null)).toBe(true);
    expect(within(allP50Ms!, predicted.allDetectP50Ms, 0.2), `all p50 ${allP50Ms} vs ${predicted.allDetectP50Ms}`).toBe(true);
    expect(allMaxMs!, `slowest ${allMaxMs} vs p99 ${predicted.allDetectP99Ms}`).toBeLessThanOrEqual(predicted.allDetectP99Ms * 1.1);
  });

  it('steady datagrams within 25 % and bytes within 40 % (no crash: the model leaves failure gossip out)', async () => {
    const report = await runScenario({ ...large, durationMs: 120_000, faultAtMs: 120_000, crash: 0 });
    const { mean: messages } = report.perNode.msgsSentPerSec;
    const { mean: bytes } = report.perNode.bytesSentPerSec;
    expect(within(messages, predicted.messagesPerMemberPerSec, 0.25), `datagrams ${messages} vs ${predicted.messagesPerMemberPerSec}`).toBe(true);
    expect(within(bytes, predicted.bytesPerMemberPerSec, 0.4), `bytes ${bytes} vs ${predicted.bytesPerMemberPerSec}`).toBe(true);
  });
});
